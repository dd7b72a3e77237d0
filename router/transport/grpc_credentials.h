// gRPC credentials built from ServerTls / ClientTls (tls_options.h): TLS with certificates
// watched on disk (gRPC's FileWatcherCertificateProvider, so a renewed certificate is used by
// the next connection without a restart), mutual TLS when a CA for client certificates is
// configured, and the bearer token of a token file on every call.
//
// TLS 1.2 is the minimum: gRPC's TLS credentials never negotiate an older version.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "router/transport/tls_options.h"

namespace wissel::transport {

// Credentials for a listener on `listen_address`; ValidateServerTls's errors.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTls& tls, absl::string_view listen_address, absl::string_view prefix = "tls");

// Credentials for calls to `target`; ValidateClientTls's errors.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTls& tls, absl::string_view target, absl::string_view prefix);

// A channel to `target` with MakeChannelCredentials, `args` and, when tls.server_name is set,
// the name the server's certificate is checked against.
absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateChannel(
    const std::string& target, const ClientTls& tls, absl::string_view prefix,
    grpc::ChannelArguments args = grpc::ChannelArguments());

}  // namespace wissel::transport
