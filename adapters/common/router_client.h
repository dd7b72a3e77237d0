// RouterClient: the calls an HTTP channel adapter makes on the router, as a small interface so
// that adapter tests run against a fake and the binaries against GrpcRouterClient.
//
// Every call is bounded by a deadline and returns the router's answer or an absl::Status with
// the router's canonical code; an InvalidArgument names the field the router named (message
// "contact.topic: ..."). Implementations are thread-safe: the HTTP server calls them from many
// threads at once.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wissel/v1/contact.pb.h"
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
  // OK when the router's gRPC health service answers SERVING; Unavailable otherwise.
  virtual absl::Status CheckHealth() = 0;
};

}  // namespace wissel::adapters
