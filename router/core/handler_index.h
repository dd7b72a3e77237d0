// HandlerIndex: the signed-in handlers, and which of them can take which contact.
//
// For every handler it keeps the queues whose skill the handler has (directly or through a
// team) with its proficiency there, and, while the handler is available, its place in each of
// those queues' free sets (QueueState::free: per channel and proficiency, ordered by the queue's
// strategy) and its capacity in their staffing counts. Choose() picks the best free handler of
// a queue for a contact without scanning handlers that cannot take it.
//
// The free sets depend on presence, capacity, load and skills: every change to those is
// bracketed by Unindex() ... Index(). Not thread-safe (one Router owns it). The configuration
// and the queue table are not owned and must outlive the index.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "router/core/channel.h"
#include "router/core/contact.h"
#include "router/core/decision.h"
#include "router/core/handler.h"
#include "router/core/node_recycler.h"
#include "router/core/queue_state.h"
#include "router/core/tenant_config.h"

namespace wissel::core {

struct HandlerEntry {
  Handler handler;
  // Queues whose skill the handler has, with its proficiency on that skill.
  std::vector<std::pair<QueueState*, int>> eligible;
  // Where Index() put the handler in each eligible queue's free sets, per channel, so that
  // Unindex() removes exactly those entries without searching the sets again.
  mutable std::vector<PerChannel<std::optional<RankSet::iterator>>> positions;
  bool active = true;
};

class HandlerIndex {
 public:
  HandlerIndex(const TenantConfig* config, QueueTable* queues);
  HandlerIndex(const HandlerIndex&) = delete;
  HandlerIndex& operator=(const HandlerIndex&) = delete;

  // nullptr for a handler never signed in or restored.
  HandlerEntry* Find(const std::string& handler_id) {
    auto it = handlers_.find(handler_id);
    return it == handlers_.end() ? nullptr : it->second.get();
  }
  const HandlerEntry* Find(const std::string& handler_id) const {
    auto it = handlers_.find(handler_id);
    return it == handlers_.end() ? nullptr : it->second.get();
  }
  bool contains(const std::string& handler_id) const { return handlers_.contains(handler_id); }
  // Adds an entry for `handler`, whose id must be new, with its eligibility computed; not
  // indexed yet (call Index()).
  HandlerEntry& Add(Handler handler);
  // Every handler id, sorted: a deterministic order for whatever walks all handlers.
  std::vector<std::string> SortedIds() const;
  const absl::flat_hash_map<std::string, std::unique_ptr<HandlerEntry>>& entries() const {
    return handlers_;
  }

  // A name for a decision note: the index's own copy of `id` when it has one (a handler's or a
  // roster entry's), else a copy owned by `d`.
  const std::string* NoteName(const std::string& id, Decision* d) const;

  // Recomputes which queues `e` serves (after its skills or teams changed) and whether the
  // roster marks it active. Call while `e` is not indexed.
  void ComputeEligibility(HandlerEntry& e) const;
  // A handler's proficiency on `skill`: as signed in, else the roster's, else the default.
  int ProficiencyOf(const Handler& h, const std::string& skill) const;
  // Whether `h` has room on `channel` and holds nothing that blocks it (a call blocks chat,
  // say, per handler_defaults.blocks).
  bool CanTakeChannel(const Handler& h, Channel channel) const;
  // Whether `e` may take `c` now (skills, proficiency, room, presence, declined, reservation,
  // confidentiality). `via_overflow`: offered through one of c's overflow queues.
  bool MayTake(const HandlerEntry& e, const Contact& c, bool via_overflow) const;

  // Puts `e` into (takes it out of) the free sets and staffing counts of its queues, as its
  // presence, load and capacity allow.
  void Index(const HandlerEntry& e);
  void Unindex(const HandlerEntry& e);
  // Drops `contact_id` from what `e` holds, re-indexing it.
  void ReleaseSlot(HandlerEntry& e, const std::string& contact_id);

  // The best free handler in queue `q` for `c` by the queue's strategy, and how many
  // proficiency levels offered a candidate (for the trace). `handler` is nullptr when none
  // may take it. Through an overflow queue any proficiency will do.
  struct Choice {
    HandlerEntry* handler = nullptr;
    int considered = 0;
  };
  Choice Choose(const Contact& c, const QueueState& q, bool via_overflow);

 private:
  int64_t RankOf(const HandlerEntry& e, const QueueState& q) const;

  const TenantConfig* config_;
  QueueTable* queues_;
  absl::flat_hash_map<std::string, std::unique_ptr<HandlerEntry>> handlers_;
  // Every insert into and erase from the free sets goes through this, so that steady-state
  // routing reuses set nodes instead of allocating them.
  NodeRecycler<RankSet> rank_nodes_;
};

}  // namespace wissel::core
