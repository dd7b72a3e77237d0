#include "router/core/handler_index.h"

#include <algorithm>
#include <utility>

namespace wissel::core {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

HandlerIndex::HandlerIndex(const TenantConfig* config, QueueTable* queues)
    : config_(config), queues_(queues) {}

HandlerEntry& HandlerIndex::Add(Handler handler) {
  auto owned = std::make_unique<HandlerEntry>();
  owned->handler = std::move(handler);
  ComputeEligibility(*owned);
  HandlerEntry& e = *owned;
  handlers_[e.handler.id] = std::move(owned);
  return e;
}

std::vector<std::string> HandlerIndex::SortedIds() const {
  std::vector<std::string> ids;
  ids.reserve(handlers_.size());
  for (const auto& [id, e] : handlers_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

const std::string* HandlerIndex::NoteName(const std::string& id, Decision* d) const {
  if (const HandlerEntry* e = Find(id)) return &e->handler.id;
  if (const HandlerProfile* p = config_->FindHandler(id)) return &p->id;
  return d->Own(id);
}

int HandlerIndex::ProficiencyOf(const Handler& h, const std::string& skill) const {
  if (auto it = h.proficiency.find(skill); it != h.proficiency.end()) return it->second;
  if (const HandlerProfile* p = config_->FindHandler(h.id)) {
    if (auto it = p->skills.find(skill); it != p->skills.end()) return it->second;
  }
  return kDefaultProficiency;
}

void HandlerIndex::ComputeEligibility(HandlerEntry& e) const {
  const Handler& h = e.handler;
  std::vector<std::string> skills = h.skills;
  for (const std::string& team : h.teams) {
    if (const QueueConfig* q = config_->FindQueue(team)) {
      skills.push_back(q->skill.empty() ? q->name : q->skill);
    }
  }
  e.eligible.clear();
  e.positions.clear();
  for (const auto& [name, q] : queues_->by_name()) {
    if (Contains(skills, q->skill)) {
      const int level = std::clamp(ProficiencyOf(h, q->skill), kMinProficiency, kMaxProficiency);
      e.eligible.push_back({q.get(), level});
      e.positions.emplace_back();
    }
  }
  const HandlerProfile* profile = config_->FindHandler(h.id);
  e.active = profile == nullptr || profile->active;
}

bool HandlerIndex::CanTakeChannel(const Handler& h, Channel channel) const {
  if (!h.HasFreeCapacity(channel)) return false;
  for (const HeldContact& held : h.held) {
    if (held.state == HoldState::kWrapUp) continue;
    const std::vector<Channel>& blocked = config_->handler_defaults.blocks[held.channel];
    if (std::find(blocked.begin(), blocked.end(), channel) != blocked.end()) return false;
  }
  return true;
}

int64_t HandlerIndex::RankOf(const HandlerEntry& e, const QueueState& q) const {
  const Handler& h = e.handler;
  switch (q.config->strategy) {
    case Strategy::kLeastOccupied: {
      int load = 0;
      int capacity = 0;
      for (Channel c : kAllChannels) {
        load += h.Load(c);
        capacity += h.capacity[c];
      }
      return capacity == 0 ? 1000 : load * 1000 / capacity;
    }
    case Strategy::kLongestIdle:
    case Strategy::kBestProficiency:
    case Strategy::kRoundRobin:
      return 0;
  }
  return 0;
}

void HandlerIndex::Index(const HandlerEntry& e) {
  const Handler& h = e.handler;
  if (h.presence != Presence::kAvailable || !e.active) return;
  for (size_t i = 0; i < e.eligible.size(); ++i) {
    const auto& [q, level] = e.eligible[i];
    const absl::Time idle =
        q->config->strategy == Strategy::kRoundRobin ? absl::InfinitePast() : h.last_offer_at;
    for (Channel c : kAllChannels) {
      q->staffed[c] += h.capacity[c];
      if (CanTakeChannel(h, c)) {
        e.positions[i][c] = rank_nodes_.Insert(q->free[c][level], {RankOf(e, *q), idle, h.id});
      }
    }
  }
}

void HandlerIndex::Unindex(const HandlerEntry& e) {
  const Handler& h = e.handler;
  if (h.presence != Presence::kAvailable || !e.active) return;
  for (size_t i = 0; i < e.eligible.size(); ++i) {
    const auto& [q, level] = e.eligible[i];
    for (Channel c : kAllChannels) {
      q->staffed[c] -= h.capacity[c];
      if (std::optional<RankSet::iterator>& at = e.positions[i][c]) {
        rank_nodes_.Erase(q->free[c][level], *at);
        at.reset();
      }
    }
  }
}

void HandlerIndex::ReleaseSlot(HandlerEntry& e, const std::string& contact_id) {
  Unindex(e);
  std::vector<HeldContact>& held = e.handler.held;
  held.erase(std::remove_if(held.begin(), held.end(),
                            [&](const HeldContact& hc) { return hc.contact_id == contact_id; }),
             held.end());
  Index(e);
}

bool HandlerIndex::MayTake(const HandlerEntry& e, const Contact& c, bool via_overflow) const {
  const Handler& h = e.handler;
  if (h.presence != Presence::kAvailable || !e.active) return false;
  if (!CanTakeChannel(h, c.channel)) return false;
  if (Contains(c.declined_by, h.id)) return false;
  // A handler may still hold a contact of this id in wrap-up: the contact closed, and this is a
  // retry of its create (ids follow from idempotency keys), which the store will refuse. Two
  // holds of one id would be indistinguishable (ReleaseSlot).
  for (const HeldContact& hc : h.held) {
    if (hc.contact_id == c.id) return false;
  }
  if (!c.reserved_for.empty()) return c.reserved_for == h.id;
  if (c.confidential) {
    // Only the contact's own queue, and only when it is authorised for confidential contacts.
    if (via_overflow) return false;
    const QueueState* q = queues_->Find(c.queue);
    if (q == nullptr || !q->config->authorised_for_confidential) return false;
  }
  const QueueState* q = queues_->Find(c.queue);
  if (!via_overflow) {
    bool has_skill = false;
    for (const auto& [eq, level] : e.eligible) {
      if (eq == q) has_skill = level >= c.min_proficiency;
    }
    if (!has_skill) return false;
  }
  for (const SkillRequirement& r : c.required_skills) {
    if (!Contains(h.skills, r.skill) || ProficiencyOf(h, r.skill) < r.min_proficiency) {
      // A team can also grant the skill.
      bool via_team = false;
      for (const auto& [eq, level] : e.eligible) {
        if (eq->skill == r.skill && level >= r.min_proficiency) via_team = true;
      }
      if (!via_team) return false;
    }
  }
  return true;
}

HandlerIndex::Choice HandlerIndex::Choose(const Contact& c, const QueueState& q,
                                          bool via_overflow) {
  const int min_level = via_overflow ? kMinProficiency : c.min_proficiency;
  const Strategy strategy = q.config->strategy;
  Choice choice;
  const RankKey* best_key = nullptr;
  for (int level = kMaxProficiency; level >= min_level; --level) {
    const RankSet& free = q.free[c.channel][level];
    auto begin = free.begin();
    if (strategy == Strategy::kRoundRobin && !q.last_chosen.empty()) {
      begin = free.upper_bound(RankKey{0, absl::InfinitePast(), q.last_chosen});
    }
    for (auto it = begin; it != free.end(); ++it) {
      HandlerEntry* e = Find(it->handler_id);
      if (!MayTake(*e, c, via_overflow)) continue;
      ++choice.considered;
      if (best_key == nullptr || *it < *best_key) {
        choice.handler = e;
        best_key = &*it;
      }
      break;
    }
    // Best proficiency: the highest level with a free handler wins outright.
    if (strategy == Strategy::kBestProficiency && choice.handler != nullptr) break;
  }
  if (choice.handler == nullptr && strategy == Strategy::kRoundRobin) {
    // Wrap around to the start of the rotation.
    for (int level = kMaxProficiency; level >= min_level; --level) {
      for (const RankKey& key : q.free[c.channel][level]) {
        HandlerEntry* e = Find(key.handler_id);
        if (!MayTake(*e, c, via_overflow)) continue;
        ++choice.considered;
        if (best_key == nullptr || key < *best_key) {
          choice.handler = e;
          best_key = &key;
        }
        break;
      }
    }
  }
  return choice;
}

}  // namespace wissel::core
