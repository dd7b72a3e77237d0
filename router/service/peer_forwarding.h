// Forwarding to the router that decides a tenant, when several routers share one Redis.
//
// Each tenant is decided by one router at a time, the holder of its lease
// (router/engine/routing_engine.h, docs/adr/0005-tenant-leases.md). A call that arrives at
// another router is sent on unchanged to the deciding one, with the caller's deadline, and its
// answer is returned as it is; an offer stream is relayed message by message. So a client may
// call any router, and a handler connected to one router gets, with one extra hop and no
// polling, the offers decided by another.
//
// A forwarded call carries the metadata `wissel-forwarded: 1` and its caller's credentials
// (call_guard.h); the deciding router honours both only from a router with the peer role. A
// router never forwards such a call again: two routers with a stale view of each other would
// otherwise bounce it. It answers UNAVAILABLE instead, which the client retries (as it does while a
// lease is taken over).
//
// A forwarded call or relayed stream that ends UNAVAILABLE means this router's view of who
// decides the tenant may be stale: the router it named stopped, or no longer decides it. The
// router then renews its view at once (PeerStubs' unreachable listener, RoutingEngine::
// RenewLeasesSoon) instead of at its next lease round, so the client's retry finds the new
// router. Thread-safe.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/operator_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::service {

inline constexpr char kForwardedMetadata[] = "wissel-forwarded";

// Stubs for the other routers, one channel per address, made on first use and kept.
class PeerStubs {
 public:
  // The credentials this router presents to the others: TLS with its own certificate. Set
  // before the first Get. Without them nothing is forwarded: a forwarded call carries the
  // caller's bearer token, which must never leave this router in clear.
  void SetCredentials(std::shared_ptr<grpc::ChannelCredentials> credentials) {
    credentials_ = std::move(credentials);
  }
  // Plaintext to the other routers, for a loopback development setup (`tls: {plaintext: true}`):
  // only a peer on a loopback address is then called.
  void SetLoopbackPlaintext() {
    credentials_ = grpc::InsecureChannelCredentials();
    loopback_only_ = true;
  }
  struct Peer {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::RoutingService::Stub> routing;
    std::unique_ptr<v1::HandlerService::Stub> handlers;
    std::unique_ptr<v1::OperatorService::Stub> operators;
  };
  // Stays valid as long as this object. FailedPrecondition, naming the setting, when this
  // router has no credentials for its peers, or only plaintext ones and `address` is not on
  // loopback.
  absl::StatusOr<Peer*> Get(const std::string& address);

  // Called, on a gRPC thread, each time a call forwarded to a peer or a relayed stream ends
  // UNAVAILABLE. Set before the first forward.
  void SetUnreachableListener(std::function<void()> listener) {
    unreachable_listener_ = std::move(listener);
  }
  void ReportUnreachable() const {
    if (unreachable_listener_) unreachable_listener_();
  }

 private:
  std::function<void()> unreachable_listener_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  bool loopback_only_ = false;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Peer>> peers_ ABSL_GUARDED_BY(mu_);
};

// A client context for forwarding `context`'s call: its deadline (capped, so a silent peer
// cannot hold a call forever) and the forwarded mark.
std::unique_ptr<grpc::ClientContext> ForwardingContext(const grpc::CallbackServerContext* context);

// Sends `request` to the router at `address` and finishes the returned reactor with its
// answer. `call(peer, client_context, request, response, done)` starts the client call, e.g.
// peer.routing->async()->RouteContact(client_context, request, response, done).
template <typename Request, typename Response, typename Call>
grpc::ServerUnaryReactor* ForwardUnary(PeerStubs& peers, const std::string& address,
                                       grpc::CallbackServerContext* context, const Request* request,
                                       Response* response, const Call& call) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<PeerStubs::Peer*> peer = peers.Get(address);
  if (!peer.ok()) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, std::string(peer.status().message())));
    return reactor;
  }
  std::shared_ptr<grpc::ClientContext> client = ForwardingContext(context);
  call(**peer, client.get(), request, response,
       [reactor, client, address, &peers](grpc::Status status) {
         if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
           peers.ReportUnreachable();
           status = grpc::Status(status.error_code(),
                                 "router at " + address + ": " + status.error_message(),
                                 status.error_details());
         }
         reactor->Finish(status);
       });
  return reactor;
}

// Relays the offer stream of the router at `address` for `request` to the caller.
grpc::ServerWriteReactor<v1::Offer>* RelayOfferStream(PeerStubs& peers, const std::string& address,
                                                      grpc::CallbackServerContext* context,
                                                      const v1::StreamOffersRequest* request);

}  // namespace wissel::service
