// RouterClient: the calls a channel adapter makes on the router (wissel.v1 RoutingService and
// HandlerService), as a small interface so that adapter tests run against a fake and the
// binaries against GrpcRouterClient. Every adapter uses this one client: the place where
// deadlines, error mapping (and later credentials and retries) live.
//
// Every call is bounded by a deadline and returns the router's answer or an absl::Status with
// the router's canonical code; an InvalidArgument names the field the router named, both in the
// message ("contact.topic: ...") and as a structured google.rpc.BadRequest payload
// (bad_request.h: ViolatedField), which is what code deciding on the error reads.
// Implementations are thread-safe: the HTTP server and the SIP worker pool call them from many
// threads at once.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wissel/v1/contact.pb.h"
#include "wissel/v1/handler_service.pb.h"
#include "wissel/v1/routing_service.pb.h"

namespace wissel::adapters {

class RouterClient {
 public:
  virtual ~RouterClient() = default;

  virtual absl::StatusOr<v1::RouteContactResponse> RouteContact(
      const v1::RouteContactRequest& request) = 0;
  virtual absl::StatusOr<v1::ContactRecord> GetContact(const v1::GetContactRequest& request) = 0;
  virtual absl::StatusOr<v1::ContactRecord> CancelContact(
      const v1::CancelContactRequest& request) = 0;
  virtual absl::StatusOr<v1::ContactRecord> CompleteContact(
      const v1::CompleteContactRequest& request) = 0;
  // HandlerService.GetHandler, e.g. for the handler's SIP address.
  virtual absl::StatusOr<v1::Handler> GetHandler(const v1::GetHandlerRequest& request) = 0;
  // OK when the router's gRPC health service answers SERVING; Unavailable otherwise.
  virtual absl::Status CheckHealth() = 0;
};

}  // namespace wissel::adapters
