#include "router/service/offer_hub.h"

#include <algorithm>

namespace wissel::service {

void OfferHub::Attach(const std::string& tenant, const std::string& handler_id, OfferSink* sink) {
  absl::MutexLock lock(&mu_);
  if (closed_) {
    sink->Close(close_status_);
    return;
  }
  Slot& slot = slots_[{tenant, handler_id}];
  if (slot.sink != nullptr && slot.sink != sink) {
    slot.sink->Close(grpc::Status(grpc::StatusCode::ABORTED,
                                  "replaced by a newer offer stream for this handler"));
  }
  slot.sink = sink;
  while (!slot.pending.empty()) {
    sink->Send(slot.pending.front());
    slot.pending.pop_front();
  }
}

void OfferHub::Detach(const std::string& tenant, const std::string& handler_id, OfferSink* sink) {
  absl::MutexLock lock(&mu_);
  auto it = slots_.find(Key{tenant, handler_id});
  if (it == slots_.end() || it->second.sink != sink) return;
  it->second.sink = nullptr;
  if (it->second.pending.empty()) slots_.erase(it);
}

void OfferHub::Deliver(const std::string& tenant, const std::string& handler_id,
                       const v1::Offer& offer) {
  absl::MutexLock lock(&mu_);
  Slot& slot = slots_[{tenant, handler_id}];
  if (slot.sink != nullptr) {
    slot.sink->Send(offer);
    return;
  }
  if (offer.kind() == v1::Offer::KIND_WITHDRAWN) {
    auto& pending = slot.pending;
    pending.erase(
        std::remove_if(pending.begin(), pending.end(),
                       [&](const v1::Offer& o) { return o.contact_id() == offer.contact_id(); }),
        pending.end());
  } else {
    slot.pending.push_back(offer);
    // The oldest offers have expired long before a backlog this size builds up.
    while (slot.pending.size() > kMaxPendingOffers) slot.pending.pop_front();
  }
  if (slot.pending.empty()) slots_.erase(Key{tenant, handler_id});
}

void OfferHub::CloseAll(const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  close_status_ = status;
  for (auto& [key, slot] : slots_) {
    if (slot.sink != nullptr) slot.sink->Close(status);
  }
}

void OfferHub::CloseTenant(const std::string& tenant, const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  absl::erase_if(slots_, [&](const auto& kv) {
    if (kv.first.first != tenant) return false;
    if (kv.second.sink != nullptr) kv.second.sink->Close(status);
    return true;
  });
}

size_t OfferHub::attached() const {
  absl::MutexLock lock(&mu_);
  return std::count_if(slots_.begin(), slots_.end(),
                       [](const auto& kv) { return kv.second.sink != nullptr; });
}

}  // namespace wissel::service
