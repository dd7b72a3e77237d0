// WaitingContacts: where queued contacts wait, in which order, and what that means for them
// (their position and expected wait).
//
// A queued contact waits either for one handler in particular (its contact person, a deputy or
// a rule's preferred handler: the reserved sets, per handler and channel) or in its queue's
// waiting set at the proficiency it requires, and at the lowest level of each of its overflow
// queues (QueueState::waiting). Contacts are ordered by effective priority: priority plus
// aging times the time waited, so nothing starves (WaitKey).
//
// Not thread-safe (one Router owns it). The queue table is not owned and must outlive this.
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "router/core/channel.h"
#include "router/core/contact.h"
#include "router/core/node_recycler.h"
#include "router/core/queue_state.h"

namespace wissel::core {

class WaitingContacts {
 public:
  // `aging_per_minute`: priority points a contact gains per minute waited.
  WaitingContacts(double aging_per_minute, QueueTable* queues);
  WaitingContacts(const WaitingContacts&) = delete;
  WaitingContacts& operator=(const WaitingContacts&) = delete;

  // The contact's place in the waiting order; depends only on its priority and enqueued_at.
  WaitKey KeyOf(const Contact& c) const;
  // Puts a queued contact where it waits: its reserved handler's set, or its queue's (and its
  // overflow queues'). Its queue must exist. Remove() takes it out again; call it before any
  // field the place depends on changes (queue, channel, priority, enqueued_at, min_proficiency,
  // overflow_queues, reserved_for).
  void Add(const Contact& c);
  void Remove(const Contact& c);

  // 1-based place of a queued contact among those its handlers would take before it (all
  // proficiency levels of its queue and channel, or its reserved handler's waiting set); 0 when
  // it does not wait there. O(log n) per set.
  int PositionOf(const Contact& c) const;
  // Contacts waiting in `queue` (which must exist) on `channel`, overflow from other queues
  // included.
  int Waiting(const std::string& queue, Channel channel) const;
  // How long the contact at `position` in `queue` (which must exist) can expect to wait: each
  // staffed slot finishes a contact per average handle time.
  absl::Duration ExpectedWait(const std::string& queue, Channel channel, int position) const;

  // Contacts waiting for `handler_id` in particular, per channel; nullptr when none ever did.
  const PerChannel<WaitSet>* ReservedFor(const std::string& handler_id) const {
    auto it = reserved_.find(handler_id);
    return it == reserved_.end() ? nullptr : &it->second;
  }

 private:
  double aging_per_second_;
  QueueTable* queues_;
  // Contacts waiting for one specific handler: handler id -> channel -> contacts.
  absl::flat_hash_map<std::string, PerChannel<WaitSet>> reserved_;
  // Every insert into and erase from the waiting sets goes through this, so that steady-state
  // routing reuses set nodes instead of allocating them.
  NodeRecycler<WaitSet> wait_nodes_;
};

}  // namespace wissel::core
