// QueueState: the live state of one of the tenant's queues (who waits in it, which handlers are
// free for it, how long a contact takes), and QueueTable, the Router's table of them by name.
//
// Plain data kept by the Router's components: WaitingContacts keeps `waiting`, HandlerIndex
// keeps `free` and `staffed`, the Router the rest. The table is built once from the
// configuration and never changes shape, so QueueState pointers stay valid for the Router's
// life. Not thread-safe (one Router owns it).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "router/core/channel.h"
#include "router/core/ranked_set.h"
#include "router/core/skill.h"
#include "router/core/tenant_config.h"

namespace wissel::core {

// Waiting order: lower key first. key = aging * enqueued_at - priority, so that a contact's
// effective priority (priority + aging * waited) orders contacts the same at every instant.
struct WaitKey {
  double key;
  absl::Time enqueued_at;
  std::string contact_id;
  bool operator<(const WaitKey& o) const {
    return std::tie(key, enqueued_at, contact_id) < std::tie(o.key, o.enqueued_at, o.contact_id);
  }
};

// Handler order within a queue: lower first; `rank` depends on the strategy.
struct RankKey {
  int64_t rank;
  absl::Time last_offer_at;
  std::string handler_id;
  bool operator<(const RankKey& o) const {
    return std::tie(rank, last_offer_at, handler_id) <
           std::tie(o.rank, o.last_offer_at, o.handler_id);
  }
};

using RankSet = std::set<RankKey>;
// Ranked, so that a queued contact's position is counted in O(log n).
using WaitSet = RankedSet<WaitKey>;
using RankLevels = std::array<RankSet, kMaxProficiency + 1>;  // by proficiency
using WaitLevels = std::array<WaitSet, kMaxProficiency + 1>;  // by requirement

struct QueueState {
  const QueueConfig* config = nullptr;
  std::string skill;
  // Queued contacts of this queue (and overflow from others), per channel, by the proficiency
  // they require.
  PerChannel<WaitLevels> waiting;
  // Free handlers having the queue's skill, per channel, by their proficiency on it.
  PerChannel<RankLevels> free;
  // Summed capacity of available handlers having the skill, per channel.
  PerChannel<int> staffed;
  int offered = 0;
  // Moving average of observed handle times; starts at the configured default.
  absl::Duration average_handle_time;
  // Round robin: the handler chosen last.
  std::string last_chosen;

  // Folds one observed handle time into `average_handle_time`.
  void ObserveHandleTime(absl::Duration handle_time);
};

class QueueTable {
 public:
  // One QueueState per configured queue. `queues` must outlive the table.
  explicit QueueTable(const std::vector<QueueConfig>& queues);
  QueueTable(const QueueTable&) = delete;
  QueueTable& operator=(const QueueTable&) = delete;

  // nullptr when no queue has this name.
  QueueState* Find(const std::string& name) {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : it->second;
  }
  const QueueState* Find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : it->second;
  }
  bool contains(const std::string& name) const { return by_name_.contains(name); }
  // Every queue, in name order (a stable order for whatever iterates them).
  const std::map<std::string, std::unique_ptr<QueueState>>& by_name() const { return by_name_; }

 private:
  std::map<std::string, std::unique_ptr<QueueState>> by_name_;
  // The same, hashed, for lookups by name.
  absl::flat_hash_map<std::string, QueueState*> index_;
};

}  // namespace wissel::core
