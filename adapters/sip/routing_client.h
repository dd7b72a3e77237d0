// RoutingClient: the phone adapter's view of the Wissel router — the few calls of the public
// gRPC API (wissel.v1) it needs. A seam with a real implementation (GrpcRoutingClient) and a
// fake for unit tests and the fuzzer (tests/adapters/sip/fake_routing_client.h).
//
// Implementations are thread-safe: the redirector calls them from a pool of worker threads.
// Every call blocks for at most the implementation's deadline and never hangs.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "wissel/v1/handler_service.pb.h"
#include "wissel/v1/routing_service.pb.h"

namespace wissel::adapters::sip {

class RoutingClient {
 public:
  virtual ~RoutingClient() = default;

  // RoutingService.RouteContact. Errors carry the gRPC code as the absl code: Unavailable
  // (router unreachable), DeadlineExceeded, InvalidArgument (naming the field), ...
  virtual absl::StatusOr<v1::RouteContactResponse> RouteContact(const v1::Contact& contact) = 0;

  // RoutingService.CancelContact: the caller hung up before being connected.
  virtual absl::StatusOr<v1::ContactRecord> CancelContact(absl::string_view tenant,
                                                          absl::string_view contact_id,
                                                          absl::string_view reason) = 0;

  // HandlerService.GetHandler, for the handler's SIP address.
  virtual absl::StatusOr<v1::Handler> GetHandler(absl::string_view tenant,
                                                 absl::string_view handler_id) = 0;

  // OK when the router's gRPC health service says SERVING; Unavailable otherwise.
  virtual absl::Status CheckHealth() = 0;
};

}  // namespace wissel::adapters::sip
