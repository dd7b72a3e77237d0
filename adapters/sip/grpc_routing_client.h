// GrpcRoutingClient: RoutingClient over a gRPC channel to wisseld. Each call has a deadline,
// so an unreachable or stuck router costs at most that long (then Unavailable or
// DeadlineExceeded). Calls fail fast (no wait-for-ready) while the channel cannot connect.
// Thread-safe.
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "adapters/sip/routing_client.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::adapters::sip {

struct GrpcRoutingClientOptions {
  // "host:port" of wisseld. Default 127.0.0.1:7450.
  std::string target = "127.0.0.1:7450";
  // Deadline of each routing call. Default 2s.
  absl::Duration deadline = absl::Seconds(2);
  // Deadline of the health check. Default 1s.
  absl::Duration health_deadline = absl::Seconds(1);
};

class GrpcRoutingClient : public RoutingClient {
 public:
  explicit GrpcRoutingClient(GrpcRoutingClientOptions options);

  absl::StatusOr<v1::RouteContactResponse> RouteContact(const v1::Contact& contact) override;
  absl::StatusOr<v1::ContactRecord> CancelContact(absl::string_view tenant,
                                                  absl::string_view contact_id,
                                                  absl::string_view reason) override;
  absl::StatusOr<v1::Handler> GetHandler(absl::string_view tenant,
                                         absl::string_view handler_id) override;
  absl::Status CheckHealth() override;

 private:
  GrpcRoutingClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RoutingService::Stub> routing_;
  std::unique_ptr<v1::HandlerService::Stub> handlers_;
  std::unique_ptr<grpc::GenericStub> generic_;
};

// grpc::Status -> absl::Status with the same code and message.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace wissel::adapters::sip
