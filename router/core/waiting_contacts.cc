#include "router/core/waiting_contacts.h"

#include <algorithm>
#include <cstddef>

namespace wissel::core {

WaitingContacts::WaitingContacts(double aging_per_minute, QueueTable* queues)
    : aging_per_second_(aging_per_minute / 60.0), queues_(queues) {}

WaitKey WaitingContacts::KeyOf(const Contact& c) const {
  return WaitKey{
      aging_per_second_ * absl::ToDoubleSeconds(c.enqueued_at - absl::UnixEpoch()) - c.priority,
      c.enqueued_at, c.id};
}

void WaitingContacts::Add(const Contact& c) {
  const WaitKey key = KeyOf(c);
  if (!c.reserved_for.empty()) {
    wait_nodes_.Insert(reserved_[c.reserved_for][c.channel], key);
    return;
  }
  const int level = std::clamp(c.min_proficiency, kMinProficiency, kMaxProficiency);
  wait_nodes_.Insert(queues_->Find(c.queue)->waiting[c.channel][level], key);
  for (const std::string& overflow : c.overflow_queues) {
    if (QueueState* q = queues_->Find(overflow)) {
      wait_nodes_.Insert(q->waiting[c.channel][kMinProficiency], key);
    }
  }
}

void WaitingContacts::Remove(const Contact& c) {
  const WaitKey key = KeyOf(c);
  if (!c.reserved_for.empty()) {
    auto it = reserved_.find(c.reserved_for);
    if (it != reserved_.end()) wait_nodes_.Erase(it->second[c.channel], key);
    return;
  }
  const int level = std::clamp(c.min_proficiency, kMinProficiency, kMaxProficiency);
  wait_nodes_.Erase(queues_->Find(c.queue)->waiting[c.channel][level], key);
  for (const std::string& overflow : c.overflow_queues) {
    if (QueueState* q = queues_->Find(overflow)) {
      wait_nodes_.Erase(q->waiting[c.channel][kMinProficiency], key);
    }
  }
}

int WaitingContacts::PositionOf(const Contact& c) const {
  const WaitKey key = KeyOf(c);
  const WaitSet* own = nullptr;
  size_t ahead_elsewhere = 0;
  if (!c.reserved_for.empty()) {
    auto it = reserved_.find(c.reserved_for);
    if (it == reserved_.end()) return 0;
    own = &it->second[c.channel];
  } else {
    const QueueState* q = queues_->Find(c.queue);
    const int own_level = std::clamp(c.min_proficiency, kMinProficiency, kMaxProficiency);
    own = &q->waiting[c.channel][own_level];
    for (int level = kMinProficiency; level <= kMaxProficiency; ++level) {
      if (level == own_level) continue;
      ahead_elsewhere += q->waiting[c.channel][level].CountLess(key);
    }
  }
  if (own->find(key) == own->end()) return 0;
  return static_cast<int>(ahead_elsewhere + own->CountLess(key) + 1);
}

int WaitingContacts::Waiting(const std::string& queue, Channel channel) const {
  int n = 0;
  for (const WaitSet& level : queues_->Find(queue)->waiting[channel]) {
    n += static_cast<int>(level.size());
  }
  return n;
}

absl::Duration WaitingContacts::ExpectedWait(const std::string& queue, Channel channel,
                                             int position) const {
  const QueueState& q = *queues_->Find(queue);
  // With no staff the estimate assumes one slot, so the resident still hears an honest (long)
  // expectation.
  return q.average_handle_time * position / std::max(1, q.staffed[channel]);
}

}  // namespace wissel::core
