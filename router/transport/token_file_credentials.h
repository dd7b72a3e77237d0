// Call credentials that send "authorization: Bearer <token>" with the token read from a file.
// The file is read again when it changes (checked at most once a second), so a sidecar or a
// cron job can renew a short-lived token without restarting the client.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace wissel::transport {

std::shared_ptr<grpc::CallCredentials> TokenFileCredentials(std::string path);

}  // namespace wissel::transport
