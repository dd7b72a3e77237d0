// OfferHub: connects offers decided on the routing thread to the handlers' offer streams.
//
// Each signed-in handler has at most one StreamOffers stream (a newer one replaces the older,
// which is closed). Offers made while a handler has no stream are kept (at most
// kMaxPendingOffers per handler) and sent when one attaches; a withdrawal removes a pending
// offer instead of being queued. Thread-safe: the routing thread delivers, gRPC threads attach
// and detach.
#pragma once

#include <grpcpp/support/status.h>

#include <deque>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "wissel/v1/handler_service.pb.h"

namespace wissel::service {

// One handler's open offer stream.
class OfferSink {
 public:
  virtual ~OfferSink() = default;
  // Queues `offer` for writing; never blocks. Ignored once closed.
  virtual void Send(const v1::Offer& offer) = 0;
  // Ends the stream with `status` after the queued writes.
  virtual void Close(const grpc::Status& status) = 0;
};

class OfferHub {
 public:
  static constexpr size_t kMaxPendingOffers = 100;

  // Attaches `sink` for the handler and sends its pending offers. An earlier sink of the same
  // handler is closed (ABORTED: replaced). After CloseAll, the sink is closed at once.
  void Attach(const std::string& tenant, const std::string& handler_id, OfferSink* sink);
  // Detaches `sink` if it is still the handler's current sink. After Detach returns, the hub
  // never calls `sink` again.
  void Detach(const std::string& tenant, const std::string& handler_id, OfferSink* sink);
  void Deliver(const std::string& tenant, const std::string& handler_id, const v1::Offer& offer);
  // Closes every stream with `status` and refuses new ones (used when the router drains).
  void CloseAll(const grpc::Status& status);
  // Closes the tenant's streams with `status` and forgets its pending offers (the tenant is now
  // decided by another router; its handlers reconnect and are relayed there).
  void CloseTenant(const std::string& tenant, const grpc::Status& status);
  // Number of attached streams.
  size_t attached() const;

 private:
  struct Slot {
    OfferSink* sink = nullptr;
    std::deque<v1::Offer> pending;
  };
  using Key = std::pair<std::string, std::string>;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<Key, Slot> slots_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status close_status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wissel::service
