// GrpcRouterClient: RouterClient over the public gRPC API (wissel.v1.RoutingService and
// HandlerService).
//
// Each call carries a deadline, so an adapter never waits longer than that for the router: a
// router that is down answers UNAVAILABLE at once (calls fail fast instead of waiting for the
// connection), one that does not answer ends in DEADLINE_EXCEEDED. The channel reconnects with a
// short backoff so that the adapter serves again within a few seconds of the router's return.
// Thread-safe.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "adapters/common/router_client.h"
#include "router/transport/tls_options.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::adapters {

struct GrpcRouterClientOptions {
  // gRPC target of the router, e.g. "127.0.0.1:7450" or "dns:///wissel-router:7450".
  std::string target = "127.0.0.1:7450";
  // Deadline of each call. Default 2 s.
  absl::Duration deadline = absl::Seconds(2);
  // Deadline of a health check. Default 1 s.
  absl::Duration health_deadline = absl::Seconds(1);
  // Longest wait between reconnection attempts while the router is down. Default 2 s.
  absl::Duration max_reconnect_backoff = absl::Seconds(2);
  // TLS towards the router (CA, this adapter's certificate for mutual TLS, or a token file);
  // must pass transport::ValidateClientTls for `target` (RouterOptionsFromFlags checks it).
  transport::ClientTls tls;
};

// The channel to the router that `options` describe. InvalidArgument for TLS options that
// cannot work (transport::ValidateClientTls).
absl::StatusOr<std::shared_ptr<grpc::Channel>> RouterChannel(
    const GrpcRouterClientOptions& options);

// The absl::Status for a gRPC status: same code; for INVALID_ARGUMENT with google.rpc.BadRequest
// details, the message is "FIELD: description" of the first field violation and the status
// carries the BadRequest (bad_request.h). Exposed for tests.
absl::Status FromGrpcStatus(const grpc::Status& status);

class GrpcRouterClient : public RouterClient {
 public:
  explicit GrpcRouterClient(const GrpcRouterClientOptions& options);
  // Uses an existing channel (tests).
  GrpcRouterClient(GrpcRouterClientOptions options, std::shared_ptr<grpc::Channel> channel);

  absl::StatusOr<v1::RouteContactResponse> RouteContact(
      const v1::RouteContactRequest& request) override;
  absl::StatusOr<v1::ContactRecord> GetContact(const v1::GetContactRequest& request) override;
  absl::StatusOr<v1::ContactRecord> CancelContact(const v1::CancelContactRequest& request) override;
  absl::StatusOr<v1::ContactRecord> CompleteContact(
      const v1::CompleteContactRequest& request) override;
  absl::StatusOr<v1::Handler> GetHandler(const v1::GetHandlerRequest& request) override;
  absl::Status CheckHealth() override;

 private:
  GrpcRouterClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RoutingService::Stub> stub_;
  std::unique_ptr<v1::HandlerService::Stub> handlers_;
};

}  // namespace wissel::adapters
