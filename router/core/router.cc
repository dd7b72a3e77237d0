#include "router/core/router.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace wissel::core {

struct Router::QueueState {
  const QueueConfig* config = nullptr;
  std::string skill;
  // Queued contacts of this queue (and overflow from others), per channel, by the proficiency
  // they require.
  PerChannel<WaitLevels> waiting;
  // Free handlers having the queue's skill, per channel, by their proficiency on it.
  PerChannel<Levels> free;
  // Summed capacity of available handlers having the skill, per channel.
  PerChannel<int> staffed;
  int offered = 0;
  // Moving average of observed handle times; starts at the configured default.
  absl::Duration average_handle_time;
  // Round robin: the handler chosen last.
  std::string last_chosen;
};

struct Router::HandlerEntry {
  Handler handler;
  // Queues whose skill the handler has, with its proficiency on that skill.
  std::vector<std::pair<QueueState*, int>> eligible;
  // Where Index() put the handler in each eligible queue's free sets, per channel, so that
  // Unindex() removes exactly those entries without searching the sets again.
  mutable std::vector<PerChannel<std::optional<std::set<RankKey>::iterator>>> positions;
  bool active = true;
};

namespace {

// Weight of a new observation in the handle-time moving average.
constexpr double kHandleTimeWeight = 0.1;
// A callback task for a contact person waits for them this long before their team takes it.
constexpr absl::Duration kCallbackTaskReservation = absl::Hours(24);
// Most Contact objects kept for reuse after their contacts ended.
constexpr size_t kMaxSpareContacts = 1024;

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool IsPersonalChannel(Channel c) {
  return c == Channel::kPhone || c == Channel::kChat || c == Channel::kBalie;
}

bool IsAsynchronous(Channel c) { return c == Channel::kWebForm || c == Channel::kEmail; }

absl::string_view StrategyName(Strategy s) {
  switch (s) {
    case Strategy::kLongestIdle:
      return "longest idle";
    case Strategy::kLeastOccupied:
      return "least occupied";
    case Strategy::kBestProficiency:
      return "best proficiency";
    case Strategy::kRoundRobin:
      return "round robin";
  }
  return "";
}

}  // namespace

absl::string_view DigitalFirstName(DigitalFirst d) {
  switch (d) {
    case DigitalFirst::kNotApplicable:
      return "not_applicable";
    case DigitalFirst::kSteered:
      return "steered_to_digital";
    case DigitalFirst::kOfferedAndRouted:
      return "offered_and_routed";
    case DigitalFirst::kExemptNeed:
      return "exempt_need";
    case DigitalFirst::kExemptWantsPerson:
      return "exempt_wants_person";
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// The explanation as text.

namespace {

// " (open again 2026-11-24 08:30)", or "" when the channel never opens again.
std::string Reopens(absl::Time next, absl::TimeZone zone) {
  if (next == absl::InfiniteFuture()) return "";
  return absl::FormatTime(" (open again %Y-%m-%d %H:%M)", next, zone);
}

}  // namespace

std::vector<std::string> Decision::Reasons() const {
  std::vector<std::string> out;
  for (const DecisionNote& n : notes) {
    switch (n.kind) {
      case NoteKind::kTopic:
      case NoteKind::kTopicReason:
        out.push_back(absl::StrCat("topic '", *n.name, "' maps to queue '", *n.name2, "'"));
        break;
      case NoteKind::kOutsideDigital:
        out.push_back("outside opening hours: the digital alternative" +
                      Reopens(n.time, time_zone));
        break;
      case NoteKind::kOutsideCallback:
        out.push_back("outside opening hours: a callback request" + Reopens(n.time, time_zone));
        break;
      case NoteKind::kOutsideClosed:
        out.push_back("outside opening hours: closed" + Reopens(n.time, time_zone));
        break;
      case NoteKind::kRuleFired:
        out.push_back(absl::StrCat("rule '", *n.name, "' applied"));
        break;
      case NoteKind::kRoutedByRule:
        out.push_back(absl::StrCat("routed to queue '", *n.name, "' by rule"));
        break;
      case NoteKind::kSteered:
        out.push_back("steered to the digital alternative");
        break;
      case NoteKind::kPriority:
        out.push_back(absl::StrCat("priority ", n.number));
        break;
      case NoteKind::kWorkingDays:
        out.push_back(absl::StrCat("handled within ", n.number, " working days"));
        break;
      case NoteKind::kOffered:
        out.push_back(absl::StrCat("offered to handler '", *n.name, "'"));
        break;
      case NoteKind::kNoHandler:
        out.push_back(absl::StrCat("no available handler with skill '", *n.name, "' on channel ",
                                   ChannelName(n.channel)));
        break;
      case NoteKind::kWaitingFor:
        out.push_back(absl::StrCat("waiting for handler '", *n.name, "' until ",
                                   absl::FormatTime("%H:%M:%S", n.time, time_zone)));
        break;
      case NoteKind::kQueued:
        out.push_back(absl::StrFormat("%s in '%s' at position %d, expected wait %s",
                                      n.flag ? "callback request" : "queued", *n.name, n.number,
                                      absl::FormatDuration(n.duration)));
        break;
      case NoteKind::kTransferred:
        out.push_back(
            absl::StrCat("transferred by handler '", *n.name, "' to queue '", *n.name2, "'"));
        break;
      case NoteKind::kHeldBy:
        out.push_back(absl::StrCat("held by handler '", *n.name, "' (",
                                   ContactStateName(static_cast<ContactState>(n.number)), ")"));
        break;
      default:  // trace only
        break;
    }
  }
  return out;
}

std::vector<TraceStep> Decision::Trace() const {
  std::vector<TraceStep> out;
  for (const DecisionNote& n : notes) {
    switch (n.kind) {
      case NoteKind::kTopic:
        out.push_back({"queue", *n.name2, absl::StrCat("catalogue: topic '", *n.name, "'")});
        break;
      case NoteKind::kHours:
        out.push_back({"hours", std::string(ChannelName(n.channel)),
                       "closed now" + Reopens(n.time, time_zone)});
        break;
      case NoteKind::kRuleFired:
        out.push_back({"rule", *n.name, "fired"});
        break;
      case NoteKind::kExemptNeed:
        out.push_back({"policy", "digitaal_tenzij",
                       absl::StrCat("exempt: a need applies; priority +", n.number)});
        break;
      case NoteKind::kExemptWantsPerson:
        out.push_back({"policy", "digitaal_tenzij", "exempt: the resident asked for a person"});
        break;
      case NoteKind::kSteeredTopic:
        out.push_back({"policy", "digitaal_tenzij", "steered: the topic is done digitally"});
        break;
      case NoteKind::kSteeredWait:
        out.push_back({"policy", "digitaal_tenzij",
                       absl::StrCat("steered: expected wait ", absl::FormatDuration(n.duration),
                                    " exceeds ", absl::FormatDuration(n.duration2))});
        break;
      case NoteKind::kDigitalOffered:
        out.push_back(
            {"policy", "digitaal_tenzij", "digital alternative offered; routed to a person too"});
        break;
      case NoteKind::kContactPerson:
        out.push_back({"policy", "een_contactpersoon",
                       absl::StrCat("contact person '", *n.name, "' is signed in: offered first")});
        break;
      case NoteKind::kDeputy:
        out.push_back({"policy", "een_contactpersoon",
                       absl::StrCat("contact person '", *n.name, "' is absent: deputy '", *n.name2,
                                    "' offered first")});
        break;
      case NoteKind::kNoContactPerson:
        out.push_back({"policy", "een_contactpersoon",
                       absl::StrCat("contact person '", *n.name,
                                    "' and any deputy are absent: to the team")});
        break;
      case NoteKind::kPreferredHandler:
        out.push_back({"rule", *n.name, "preferred handler"});
        break;
      case NoteKind::kReservedFree:
        out.push_back({"candidate", *n.name, "the reserved handler is free"});
        break;
      case NoteKind::kReservedBusy:
        out.push_back(
            {"candidate", *n.name, "the reserved handler is not free: the contact waits for them"});
        break;
      case NoteKind::kCandidate:
        out.push_back(
            {"candidate", *n.name,
             absl::StrFormat("%s of %d proficiency level(s) with a free handler in queue '%s'%s",
                             StrategyName(static_cast<Strategy>(n.number2)), n.number, *n.name2,
                             n.flag ? " (overflow)" : "")});
        break;
      default:  // reasons only
        break;
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Router>> Router::Create(TenantConfig config, const Clock* clock) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  // Construct first: the rules are compiled against the Router's own copy of the config, which
  // they point into.
  std::unique_ptr<Router> router(new Router(std::move(config), rules::RuleSet(), clock));
  absl::StatusOr<rules::RuleSet> rules = rules::RuleSet::Compile(router->config_);
  if (!rules.ok()) return rules.status();
  router->rules_ = *std::move(rules);
  router->warnings_ = router->rules_.warnings();
  router->outcome_ = router->rules_.NewOutcome();
  return router;
}

Router::Router(TenantConfig config, rules::RuleSet rules, const Clock* clock)
    : config_(std::move(config)),
      rules_(std::move(rules)),
      calendar_(config_.calendar),
      clock_(clock) {
  for (const QueueConfig& q : config_.queues) {
    auto state = std::make_unique<QueueState>();
    state->config = &q;
    state->skill = q.skill.empty() ? q.name : q.skill;
    state->average_handle_time = q.default_handle_time;
    queue_index_.emplace(q.name, state.get());
    queues_[q.name] = std::move(state);
  }
  // The first topic with a code wins, as in TenantConfig::FindTopic.
  for (const TopicConfig& t : config_.topics) topics_by_code_.emplace(t.code, &t);
}

Router::~Router() = default;

Router::QueueState* Router::FindQueueState(const std::string& name) {
  auto it = queue_index_.find(name);
  return it == queue_index_.end() ? nullptr : it->second;
}

const Router::QueueState* Router::FindQueueState(const std::string& name) const {
  auto it = queue_index_.find(name);
  return it == queue_index_.end() ? nullptr : it->second;
}

Router::HandlerEntry* Router::FindEntry(const std::string& handler_id) {
  auto it = handlers_.find(handler_id);
  return it == handlers_.end() ? nullptr : it->second.get();
}

const Router::HandlerEntry* Router::FindEntry(const std::string& handler_id) const {
  auto it = handlers_.find(handler_id);
  return it == handlers_.end() ? nullptr : it->second.get();
}

int Router::ProficiencyOf(const Handler& h, const std::string& skill) const {
  if (auto it = h.proficiency.find(skill); it != h.proficiency.end()) return it->second;
  if (const HandlerProfile* p = config_.FindHandler(h.id)) {
    if (auto it = p->skills.find(skill); it != p->skills.end()) return it->second;
  }
  return kDefaultProficiency;
}

void Router::ComputeEligibility(HandlerEntry& e) const {
  const Handler& h = e.handler;
  std::vector<std::string> skills = h.skills;
  for (const std::string& team : h.teams) {
    if (const QueueConfig* q = config_.FindQueue(team)) {
      skills.push_back(q->skill.empty() ? q->name : q->skill);
    }
  }
  e.eligible.clear();
  e.positions.clear();
  for (const auto& [name, q] : queues_) {
    if (Contains(skills, q->skill)) {
      const int level = std::clamp(ProficiencyOf(h, q->skill), kMinProficiency, kMaxProficiency);
      e.eligible.push_back({q.get(), level});
      e.positions.emplace_back();
    }
  }
  const HandlerProfile* profile = config_.FindHandler(h.id);
  e.active = profile == nullptr || profile->active;
}

// ---------------------------------------------------------------------------------------------
// Queues and the handler index.

Router::WaitKey Router::KeyOf(const Contact& c) const {
  const double aging_per_second = config_.aging_per_minute / 60.0;
  return WaitKey{
      aging_per_second * absl::ToDoubleSeconds(c.enqueued_at - absl::UnixEpoch()) - c.priority,
      c.enqueued_at, c.id};
}

void Router::Enqueue(const Contact& c) {
  const WaitKey key = KeyOf(c);
  if (!c.reserved_for.empty()) {
    wait_nodes_.Insert(reserved_[c.reserved_for][c.channel], key);
    return;
  }
  const int level = std::clamp(c.min_proficiency, kMinProficiency, kMaxProficiency);
  wait_nodes_.Insert(FindQueueState(c.queue)->waiting[c.channel][level], key);
  for (const std::string& overflow : c.overflow_queues) {
    if (QueueState* q = FindQueueState(overflow)) {
      wait_nodes_.Insert(q->waiting[c.channel][kMinProficiency], key);
    }
  }
}

void Router::Dequeue(const Contact& c) {
  const WaitKey key = KeyOf(c);
  if (!c.reserved_for.empty()) {
    auto it = reserved_.find(c.reserved_for);
    if (it != reserved_.end()) wait_nodes_.Erase(it->second[c.channel], key);
    return;
  }
  const int level = std::clamp(c.min_proficiency, kMinProficiency, kMaxProficiency);
  wait_nodes_.Erase(FindQueueState(c.queue)->waiting[c.channel][level], key);
  for (const std::string& overflow : c.overflow_queues) {
    if (QueueState* q = FindQueueState(overflow)) {
      wait_nodes_.Erase(q->waiting[c.channel][kMinProficiency], key);
    }
  }
}

bool Router::CanTakeChannel(const Handler& h, Channel channel) const {
  if (!h.HasFreeCapacity(channel)) return false;
  for (const HeldContact& held : h.held) {
    if (held.state == HoldState::kWrapUp) continue;
    const std::vector<Channel>& blocked = config_.handler_defaults.blocks[held.channel];
    if (std::find(blocked.begin(), blocked.end(), channel) != blocked.end()) return false;
  }
  return true;
}

int64_t Router::RankOf(const HandlerEntry& e, const QueueState& q) const {
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

void Router::Index(const HandlerEntry& e) {
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

void Router::Unindex(const HandlerEntry& e) {
  const Handler& h = e.handler;
  if (h.presence != Presence::kAvailable || !e.active) return;
  for (size_t i = 0; i < e.eligible.size(); ++i) {
    const auto& [q, level] = e.eligible[i];
    for (Channel c : kAllChannels) {
      q->staffed[c] -= h.capacity[c];
      if (std::optional<std::set<RankKey>::iterator>& at = e.positions[i][c]) {
        rank_nodes_.Erase(q->free[c][level], *at);
        at.reset();
      }
    }
  }
}

void Router::ReleaseSlot(HandlerEntry& e, const std::string& contact_id) {
  Unindex(e);
  std::vector<HeldContact>& held = e.handler.held;
  held.erase(std::remove_if(held.begin(), held.end(),
                            [&](const HeldContact& hc) { return hc.contact_id == contact_id; }),
             held.end());
  Index(e);
}

void Router::Publish(HandlerEntry& e, EffectList* effects) {
  effects->push_back(HandlerChanged{e.handler, clock_->Now()});
}

bool Router::MayTake(const HandlerEntry& e, const Contact& c, bool via_overflow) const {
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
    const QueueState* q = FindQueueState(c.queue);
    if (q == nullptr || !q->config->authorised_for_confidential) return false;
  }
  const QueueState* q = FindQueueState(c.queue);
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

// ---------------------------------------------------------------------------------------------
// Offering.

void Router::Offer(Contact& c, HandlerEntry& e, EffectList* effects) {
  const absl::Time now = clock_->Now();
  Dequeue(c);
  UnscheduleDeadlines(c);
  FindQueueState(c.queue)->offered++;
  c.state = ContactState::kOffered;
  c.handler_id = e.handler.id;
  c.offer_deadline = now + config_.handler_defaults.offer_timeout;
  deadline_nodes_.Insert(offer_deadlines_, {c.offer_deadline, c.id});

  Unindex(e);
  e.handler.held.push_back(HeldContact{c.id, c.channel, HoldState::kOffered});
  e.handler.last_offer_at = now;
  Index(e);
  for (auto& [q, level] : e.eligible) {
    if (q->config->name == c.queue) q->last_chosen = e.handler.id;
  }
  effects->push_back(ContactOffered{c.id, e.handler.id, c.channel, now, c.offer_deadline});
}

bool Router::TryOffer(Contact& c, EffectList* effects, Decision* d) {
  if (!c.reserved_for.empty()) {
    HandlerEntry* e = FindEntry(c.reserved_for);
    if (e != nullptr && MayTake(*e, c, false)) {
      if (d) d->AddNote(NoteKind::kReservedFree).name = &e->handler.id;
      Offer(c, *e, effects);
      return true;
    }
    if (d) d->AddNote(NoteKind::kReservedBusy).name = HandlerName(c.reserved_for, d);
    return false;
  }
  // The contact's own queue first (index -1), then overflow queues (any proficiency there).
  for (int i = -1; i < static_cast<int>(c.overflow_queues.size()); ++i) {
    const bool via_overflow = i >= 0;
    QueueState* q = FindQueueState(via_overflow ? c.overflow_queues[i] : c.queue);
    if (q == nullptr) continue;
    const int min_level = via_overflow ? kMinProficiency : c.min_proficiency;
    const Strategy strategy = q->config->strategy;
    HandlerEntry* best = nullptr;
    const RankKey* best_key = nullptr;
    int considered = 0;
    for (int level = kMaxProficiency; level >= min_level; --level) {
      const RankSet& free = q->free[c.channel][level];
      auto begin = free.begin();
      if (strategy == Strategy::kRoundRobin && !q->last_chosen.empty()) {
        begin = free.upper_bound(RankKey{0, absl::InfinitePast(), q->last_chosen});
      }
      for (auto it = begin; it != free.end(); ++it) {
        HandlerEntry* e = FindEntry(it->handler_id);
        if (!MayTake(*e, c, via_overflow)) continue;
        ++considered;
        if (best_key == nullptr || *it < *best_key) {
          best = e;
          best_key = &*it;
        }
        break;
      }
      // Best proficiency: the highest level with a free handler wins outright.
      if (strategy == Strategy::kBestProficiency && best != nullptr) break;
    }
    if (best == nullptr && strategy == Strategy::kRoundRobin) {
      // Wrap around to the start of the rotation.
      for (int level = kMaxProficiency; level >= min_level; --level) {
        for (const RankKey& key : q->free[c.channel][level]) {
          HandlerEntry* e = FindEntry(key.handler_id);
          if (!MayTake(*e, c, via_overflow)) continue;
          ++considered;
          if (best_key == nullptr || key < *best_key) {
            best = e;
            best_key = &key;
          }
          break;
        }
      }
    }
    if (best != nullptr) {
      if (d) {
        DecisionNote& note = d->AddNote(NoteKind::kCandidate);
        note.name = &best->handler.id;
        note.name2 = &q->config->name;
        note.number = considered;
        note.number2 = static_cast<int>(strategy);
        note.flag = via_overflow;
      }
      Offer(c, *best, effects);
      return true;
    }
  }
  return false;
}

void Router::Dispatch(HandlerEntry& e, EffectList* effects) {
  Handler& h = e.handler;
  while (h.presence == Presence::kAvailable && e.active) {
    const WaitKey* best = nullptr;
    bool best_reserved = false;
    // Contacts waiting for this handler in particular come first.
    if (auto r = reserved_.find(h.id); r != reserved_.end()) {
      for (Channel ch : kAllChannels) {
        if (!CanTakeChannel(h, ch)) continue;
        for (const WaitKey& key : r->second[ch]) {
          if (!MayTake(e, *contacts_.at(key.contact_id), false)) continue;
          if (best == nullptr || key < *best) best = &key;
          break;
        }
      }
      best_reserved = best != nullptr;
    }
    if (!best_reserved) {
      for (const auto& [q, level] : e.eligible) {
        for (Channel ch : kAllChannels) {
          if (!CanTakeChannel(h, ch)) continue;
          for (int required = kMinProficiency; required <= level; ++required) {
            for (const WaitKey& key : q->waiting[ch][required]) {
              const Contact& c = *contacts_.at(key.contact_id);
              if (!MayTake(e, c, c.queue != q->config->name)) continue;
              if (best == nullptr || key < *best) best = &key;
              break;
            }
          }
        }
      }
    }
    if (best == nullptr) return;
    Offer(*contacts_.at(best->contact_id), e, effects);
  }
}

void Router::WithdrawOffer(Contact& c, const std::string& reason, bool declined,
                           EffectList* effects) {
  HandlerEntry* e = FindEntry(c.handler_id);
  deadline_nodes_.Erase(offer_deadlines_, {c.offer_deadline, c.id});
  FindQueueState(c.queue)->offered--;
  const std::string handler_id = c.handler_id;
  if (e != nullptr) ReleaseSlot(*e, c.id);
  if (declined) c.declined_by.push_back(handler_id);
  c.state = ContactState::kQueued;
  c.handler_id.clear();
  c.offer_deadline = absl::InfiniteFuture();
  // A reserved handler who declined or did not answer: the team gets the contact.
  if (c.reserved_for == handler_id) {
    c.reserved_for.clear();
    c.reserved_until = absl::InfinitePast();
  }
  Enqueue(c);
  ScheduleDeadlines(c);
  effects->push_back(OfferWithdrawn{c.id, handler_id, c.channel, clock_->Now(), reason});
}

// ---------------------------------------------------------------------------------------------
// Deadlines: escalation and reservations.

void Router::ScheduleDeadlines(const Contact& c) {
  if (c.state != ContactState::kQueued) return;
  if (!c.reserved_for.empty()) {
    if (c.reserved_until != absl::InfiniteFuture()) {
      deadline_nodes_.Insert(reservation_deadlines_, {c.reserved_until, c.id});
    }
    return;
  }
  const QueueConfig& q = *FindQueueState(c.queue)->config;
  if (c.escalation_level < static_cast<int>(q.escalation.size())) {
    deadline_nodes_.Insert(escalation_deadlines_,
                           {c.enqueued_at + q.escalation[c.escalation_level].after, c.id});
  }
}

void Router::UnscheduleDeadlines(const Contact& c) {
  deadline_nodes_.Erase(reservation_deadlines_, {c.reserved_until, c.id});
  const QueueConfig& q = *FindQueueState(c.queue)->config;
  if (c.escalation_level < static_cast<int>(q.escalation.size())) {
    deadline_nodes_.Erase(escalation_deadlines_,
                          {c.enqueued_at + q.escalation[c.escalation_level].after, c.id});
  }
}

void Router::Escalate(Contact& c, EffectList* effects) {
  const QueueConfig& q = *FindQueueState(c.queue)->config;
  const EscalationStep& step = q.escalation[c.escalation_level];
  Dequeue(c);
  UnscheduleDeadlines(c);
  std::vector<std::string> what;
  if (step.min_proficiency && *step.min_proficiency < c.min_proficiency) {
    c.min_proficiency = *step.min_proficiency;
    what.push_back(absl::StrCat("proficiency ", c.min_proficiency, " accepted"));
  }
  if (!step.overflow_queue.empty() && !c.confidential &&
      !Contains(c.overflow_queues, step.overflow_queue)) {
    c.overflow_queues.push_back(step.overflow_queue);
    what.push_back(absl::StrCat("overflow to '", step.overflow_queue, "'"));
  }
  if (step.offer_callback && !c.callback) {
    c.callback = true;
    what.push_back("callback offered");
  }
  c.escalation_level++;
  Enqueue(c);
  ScheduleDeadlines(c);
  effects->push_back(ContactUpdated{
      c, clock_->Now(),
      absl::StrCat("escalation ", c.escalation_level, " after ", absl::FormatDuration(step.after),
                   ": ", what.empty() ? "no change" : absl::StrJoin(what, ", "))});
  TryOffer(c, effects);
}

void Router::EndReservation(Contact& c, EffectList* effects) {
  const absl::Time now = clock_->Now();
  const std::string waited_for = c.reserved_for;
  Dequeue(c);
  UnscheduleDeadlines(c);
  c.reserved_for.clear();
  c.reserved_until = absl::InfinitePast();
  // The contact person was not free in time: they get a callback task, the team the contact.
  if (!c.party_pseudonym.empty() && !c.callback) {
    Contact task;
    task.id = c.id + "-cb";
    if (!contacts_.contains(task.id)) {
      task.channel = Channel::kPhone;
      task.topic = c.topic;
      task.queue = c.queue;
      task.priority = c.priority;
      task.party_pseudonym = c.party_pseudonym;
      task.created_at = now;
      task.enqueued_at = now;
      task.payload = c.payload;
      task.domain = c.domain;
      task.case_reference = c.case_reference;
      task.confidential = c.confidential;
      task.callback = true;
      task.min_proficiency = c.min_proficiency;
      task.reserved_for = waited_for;
      task.reserved_until = now + kCallbackTaskReservation;
      auto owned = std::make_unique<Contact>(task);
      Contact& t = *owned;
      contacts_[t.id] = std::move(owned);
      Enqueue(t);
      ScheduleDeadlines(t);
      effects->push_back(ContactCreated{t, "callback_for_contact_person"});
      TryOffer(t, effects);
    }
  }
  Enqueue(c);
  ScheduleDeadlines(c);
  effects->push_back(ContactUpdated{
      c, now, absl::StrCat("handler '", waited_for, "' not free in time: to the team")});
  TryOffer(c, effects);
}

// ---------------------------------------------------------------------------------------------
// Decisions.

int Router::PositionOf(const Contact& c) const {
  const WaitKey key = KeyOf(c);
  const WaitSet* own = nullptr;
  size_t ahead_elsewhere = 0;
  if (!c.reserved_for.empty()) {
    auto it = reserved_.find(c.reserved_for);
    if (it == reserved_.end()) return 0;
    own = &it->second[c.channel];
  } else {
    const QueueState* q = FindQueueState(c.queue);
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

absl::Duration Router::ExpectedWait(const std::string& queue, Channel channel, int position) const {
  const QueueState& q = *FindQueueState(queue);
  // Each staffed slot finishes a contact per average handle time; with no staff the estimate
  // assumes one slot, so the resident still hears an honest (long) expectation.
  return q.average_handle_time * position / std::max(1, q.staffed[channel]);
}

int Router::Waiting(const std::string& queue, Channel channel) const {
  int n = 0;
  for (const WaitSet& level : FindQueueState(queue)->waiting[channel]) {
    n += static_cast<int>(level.size());
  }
  return n;
}

void Router::FillQueued(const Contact& c, Decision& d) const {
  d.outcome = c.callback ? Decision::Outcome::kCallback : Decision::Outcome::kQueued;
  d.queue = c.queue;
  d.position = PositionOf(c);
  d.expected_wait = ExpectedWait(c.queue, c.channel, d.position);
  const QueueState& q = *FindQueueState(c.queue);
  if (q.staffed[c.channel] == 0) {
    DecisionNote& note = d.AddNote(NoteKind::kNoHandler);
    note.name = &q.skill;
    note.channel = c.channel;
  }
  if (!c.reserved_for.empty()) {
    DecisionNote& note = d.AddNote(NoteKind::kWaitingFor);
    note.name = HandlerName(c.reserved_for, &d);
    note.time = c.reserved_until;
  }
  DecisionNote& note = d.AddNote(NoteKind::kQueued);
  note.flag = c.callback;
  note.name = &q.config->name;
  note.number = d.position;
  note.duration = d.expected_wait;
}

const std::string* Router::HandlerName(const std::string& id, Decision* d) const {
  if (const HandlerEntry* e = FindEntry(id)) return &e->handler.id;
  if (const HandlerProfile* p = config_.FindHandler(id)) return &p->id;
  return d->Own(id);
}

const std::string* Router::ReservationTarget(const Contact& c, std::optional<DecisionNote>* note,
                                             Decision* d) const {
  const ContactPersonMapping* mapping = nullptr;
  if (!c.case_reference.empty()) mapping = FindContactPerson(c.case_reference, "*");
  if (mapping == nullptr && !c.party_pseudonym.empty()) {
    mapping = FindContactPerson(c.party_pseudonym, c.domain);
  }
  if (mapping == nullptr) return nullptr;
  const std::string& person = mapping->handler_id;
  const HandlerEntry* e = FindEntry(person);
  const bool present = e != nullptr && e->active && e->handler.presence != Presence::kOffline;
  note->emplace();
  if (present) {
    (*note)->kind = NoteKind::kContactPerson;
    (*note)->name = &e->handler.id;
    return &e->handler.id;
  }
  const HandlerProfile* profile = config_.FindHandler(person);
  if (profile != nullptr && !profile->deputy.empty()) {
    const HandlerEntry* deputy = FindEntry(profile->deputy);
    if (deputy != nullptr && deputy->active && deputy->handler.presence != Presence::kOffline) {
      (*note)->kind = NoteKind::kDeputy;
      (*note)->name = &profile->id;
      (*note)->name2 = &deputy->handler.id;
      return &deputy->handler.id;
    }
  }
  (*note)->kind = NoteKind::kNoContactPerson;
  (*note)->name = HandlerName(person, d);
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Operations.

absl::StatusOr<Decision> Router::Route(NewContact in, EffectList* effects) {
  auto topic_it = topics_by_code_.find(in.topic);
  if (topic_it == topics_by_code_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("topic: '", in.topic, "' is not in the catalogue of ", config_.id));
  }
  const TopicConfig* topic = topic_it->second;
  if (in.priority < 0 || in.priority > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("priority: ", in.priority, " is outside 0..100"));
  }
  if (in.id.empty()) return absl::InvalidArgumentError("contact_id: empty");
  if (contacts_.contains(in.id)) {
    return absl::AlreadyExistsError(absl::StrCat("contact '", in.id, "' exists"));
  }

  const absl::Time now = clock_->Now();
  // Filled in place: a recycled Contact keeps the capacity of its strings and vectors.
  std::unique_ptr<Contact> owned = NewContactObject();
  Contact& c = *owned;
  c.id = std::move(in.id);
  c.channel = in.channel;
  c.topic = std::move(in.topic);
  c.queue = topic->queue;
  c.priority = in.priority != 0 ? in.priority : topic->default_priority;
  c.idempotency_key = std::move(in.idempotency_key);
  c.party_pseudonym = std::move(in.party_pseudonym);
  c.case_reference = std::move(in.case_pseudonym);
  c.created_at = now;
  c.enqueued_at = now;
  c.state = ContactState::kQueued;
  c.payload = std::move(in.payload);
  c.domain = topic->domain;
  c.needs = in.needs;
  c.digid = in.digid;
  c.language = std::move(in.language);
  c.wants_person = in.wants_person;
  c.confidential = topic->confidential;
  c.required_skills = topic->skills;
  const QueueConfig* topic_queue = FindQueueState(c.queue)->config;
  c.min_proficiency = topic_queue->min_proficiency;

  Decision d;
  d.contact_id = c.id;
  d.time_zone = config_.calendar.time_zone;
  {
    DecisionNote& note = d.AddNote(NoteKind::kTopic);
    note.name = &topic->code;
    note.name2 = &topic_queue->name;
  }

  // A contact that gets no person is created closed, so it is counted and can be replayed.
  auto close = [&](Decision::Outcome outcome,
                   absl::string_view reason) -> absl::StatusOr<Decision> {
    d.outcome = outcome;
    c.state = ContactState::kCompleted;
    effects->push_back(ContactCreated{c, std::string(reason)});
    RecycleContact(std::move(owned));
    return d;
  };

  // 1. Opening hours.
  const bool open = calendar_.IsOpen(c.channel, now);
  if (!open) {
    const OutsideHoursOutcome outside = config_.calendar.outside_hours[c.channel];
    const absl::Time next = calendar_.NextOpening(c.channel, now);
    DecisionNote& hours = d.AddNote(NoteKind::kHours);
    hours.channel = c.channel;
    hours.time = next;
    if (outside == OutsideHoursOutcome::kDigitalAlternative && topic->digital_alternative) {
      d.digital_offer = topic->digital_alternative;
      d.digital_first = DigitalFirst::kSteered;
      d.AddNote(NoteKind::kOutsideDigital).time = next;
      return close(Decision::Outcome::kDigital, "outside_hours_digital");
    }
    if (outside == OutsideHoursOutcome::kCallback) {
      c.callback = true;
      d.AddNote(NoteKind::kOutsideCallback).time = next;
    } else {
      d.message = config_.calendar.closed_message;
      d.AddNote(NoteKind::kOutsideClosed).time = next;
      return close(Decision::Outcome::kClosed, "outside_hours");
    }
  }

  // 2. The operators' rules.
  const std::vector<std::pair<std::string, std::string>> attributes = std::move(in.attributes);
  const std::string* preferred = nullptr;
  std::optional<DecisionNote> reservation_note;
  const std::string* contact_person = ReservationTarget(c, &reservation_note, &d);
  rules::RuleContext ctx;
  ctx.channel = c.channel;
  ctx.topic = topic;
  ctx.language = c.language;
  ctx.needs = c.needs;
  ctx.digid = c.digid;
  ctx.party_known = !c.party_pseudonym.empty();
  ctx.case_open = !c.case_reference.empty();
  ctx.has_contact_person = contact_person != nullptr;
  ctx.wants_person = c.wants_person;
  ctx.priority = c.priority;
  ctx.queue_expected_wait = ExpectedWait(c.queue, c.channel, Waiting(c.queue, c.channel) + 1);
  ctx.local_time = absl::ToCivilSecond(now, config_.calendar.time_zone);
  ctx.open = open;
  ctx.attributes = &attributes;
  rules_.Evaluate(ctx, &outcome_);
  bool offer_digital = false;
  for (uint32_t index : outcome_.fired_rules) {
    d.AddNote(NoteKind::kRuleFired).name = &rules_.rule(index).name;
  }
  if (outcome_.close_message != nullptr) {
    d.message = *outcome_.close_message;
    return close(Decision::Outcome::kClosed, "closed_by_rule");
  }
  if (outcome_.queue != nullptr && outcome_.queue->name != c.queue) {
    c.queue = outcome_.queue->name;
    c.min_proficiency = outcome_.queue->min_proficiency;
    d.AddNote(NoteKind::kRoutedByRule).name = &outcome_.queue->name;
  }
  for (const SkillRequirement* r : outcome_.required_skills) {
    c.required_skills.push_back(*r);
  }
  c.priority = outcome_.Priority(c.priority);
  if (outcome_.prefer_handler != nullptr) preferred = &outcome_.prefer_handler->id;
  offer_digital = outcome_.offer_digital;
  if (outcome_.schedule_callback) c.callback = true;

  // 3. "Digitaal, tenzij".
  if (topic->digital_alternative && IsPersonalChannel(c.channel)) {
    if (c.needs != 0) {
      d.digital_first = DigitalFirst::kExemptNeed;
      c.priority = std::min(100, c.priority + config_.digital_first.tenzij_priority_boost);
      d.AddNote(NoteKind::kExemptNeed).number = config_.digital_first.tenzij_priority_boost;
    } else if (c.wants_person) {
      d.digital_first = DigitalFirst::kExemptWantsPerson;
      d.digital_offer = topic->digital_alternative;
      d.AddNote(NoteKind::kExemptWantsPerson);
    } else {
      const absl::Duration wait = ExpectedWait(c.queue, c.channel, Waiting(c.queue, c.channel) + 1);
      if (!topic->person_after_digital_offer) {
        d.digital_first = DigitalFirst::kSteered;
        d.AddNote(NoteKind::kSteeredTopic);
      } else if (wait > config_.digital_first.digital_first_above_wait) {
        d.digital_first = DigitalFirst::kSteered;
        DecisionNote& note = d.AddNote(NoteKind::kSteeredWait);
        note.duration = wait;
        note.duration2 = config_.digital_first.digital_first_above_wait;
      } else {
        d.digital_first = DigitalFirst::kOfferedAndRouted;
        d.digital_offer = topic->digital_alternative;
        d.AddNote(NoteKind::kDigitalOffered);
      }
      if (d.digital_first == DigitalFirst::kSteered) {
        d.digital_offer = topic->digital_alternative;
        d.AddNote(NoteKind::kSteered);
        return close(Decision::Outcome::kDigital, "steered_to_digital");
      }
    }
  } else if (offer_digital && topic->digital_alternative) {
    d.digital_offer = topic->digital_alternative;
  }

  // 4. "Eén contactpersoon" (or a rule's preferred handler).
  const std::string* target = preferred != nullptr ? preferred : contact_person;
  if (preferred == nullptr) {
    if (reservation_note) d.notes.push_back(*reservation_note);
  } else {
    d.AddNote(NoteKind::kPreferredHandler).name = preferred;
  }
  if (target != nullptr) {
    c.reserved_for = *target;
    c.reserved_until = now + config_.contact_person.wait_for_contact_person;
  }

  // 5. Queue and handler.
  Contact& live = c;
  contacts_[live.id] = std::move(owned);
  effects->push_back(ContactCreated{live, ""});
  if (live.priority != 0) d.AddNote(NoteKind::kPriority).number = live.priority;
  if (IsAsynchronous(live.channel)) {
    if (const std::optional<int> days = topic->norms[live.channel].working_days) {
      d.expected_handling_date = calendar_.AddWorkingDays(calendar_.LocalDay(now), *days);
      d.AddNote(NoteKind::kWorkingDays).number = *days;
    }
  }
  // Offered at once when a handler is free; only otherwise does the contact join its queue
  // (the same outcome as joining and leaving it at once, without touching the waiting sets).
  if (TryOffer(live, effects, &d)) {
    d.outcome = Decision::Outcome::kAssigned;
    d.queue = live.queue;
    d.handler_id = live.handler_id;
    d.AddNote(NoteKind::kOffered).name = &FindEntry(live.handler_id)->handler.id;
    return d;
  }
  Enqueue(live);
  ScheduleDeadlines(live);
  FillQueued(live, d);
  return d;
}

absl::StatusOr<Handler> Router::SignIn(HandlerSignIn in, EffectList* effects) {
  if (in.id.empty()) return absl::InvalidArgumentError("handler_id: empty");
  for (Channel c : kAllChannels) {
    if (in.capacity[c] > 1000) {
      return absl::InvalidArgumentError(
          absl::StrCat("capacity: ", in.capacity[c], " for ", ChannelName(c), " exceeds 1000"));
    }
  }
  for (const auto& [skill, level] : in.proficiency) {
    if (level < kMinProficiency || level > kMaxProficiency) {
      return absl::InvalidArgumentError(
          absl::StrCat("proficiency: ", level, " for '", skill, "' is outside 1..5"));
    }
  }
  const HandlerProfile* profile = config_.FindHandler(in.id);
  if (profile != nullptr && !profile->active) {
    return absl::FailedPreconditionError(
        absl::StrCat("handler '", in.id, "' is marked inactive in the roster"));
  }
  if (profile != nullptr && in.skills.empty() && in.teams.empty()) {
    for (const auto& [skill, level] : profile->skills) in.skills.push_back(skill);
    in.teams = profile->teams;
  }
  if (in.presence == Presence::kOffline) in.presence = Presence::kAvailable;

  HandlerEntry* e = FindEntry(in.id);
  if (e == nullptr) {
    auto owned = std::make_unique<HandlerEntry>();
    owned->handler.id = in.id;
    owned->handler.last_offer_at = clock_->Now();
    e = owned.get();
    handlers_[in.id] = std::move(owned);
  } else {
    Unindex(*e);
  }
  Handler& h = e->handler;
  if (h.presence == Presence::kOffline) h.last_offer_at = clock_->Now();
  h.display_name = std::move(in.display_name);
  h.address = std::move(in.address);
  h.skills = std::move(in.skills);
  h.teams = std::move(in.teams);
  h.proficiency = std::move(in.proficiency);
  for (Channel c : kAllChannels) {
    h.capacity[c] = in.capacity[c] < 0 ? config_.handler_defaults.capacity[c] : in.capacity[c];
  }
  h.presence = in.presence;
  // Room for what the handler can hold, so that offering to it allocates nothing (capped:
  // capacities are rarely large, and the vector grows if they are).
  int total_capacity = 0;
  for (Channel c : kAllChannels) total_capacity += h.capacity[c];
  h.held.reserve(std::min(total_capacity, 16));
  ComputeEligibility(*e);
  Index(*e);
  Publish(*e, effects);
  Dispatch(*e, effects);
  return h;
}

absl::Status Router::SignOut(const std::string& handler_id, EffectList* effects) {
  HandlerEntry* e = FindEntry(handler_id);
  if (e == nullptr) return absl::NotFoundError(absl::StrCat("handler_id: '", handler_id, "'"));
  if (!e->handler.held.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("handler '", handler_id, "' still holds ",
                                                      e->handler.held.size(), " contact(s)"));
  }
  Unindex(*e);
  e->handler.presence = Presence::kOffline;
  Publish(*e, effects);
  // Contacts waiting for this handler in particular go to their teams now.
  if (auto r = reserved_.find(handler_id); r != reserved_.end()) {
    std::vector<std::string> waiting;
    for (Channel ch : kAllChannels) {
      for (const WaitKey& key : r->second[ch]) waiting.push_back(key.contact_id);
    }
    for (const std::string& id : waiting) EndReservation(*contacts_.at(id), effects);
  }
  return absl::OkStatus();
}

absl::Status Router::SetPresence(const std::string& handler_id, Presence presence,
                                 EffectList* effects) {
  HandlerEntry* e = FindEntry(handler_id);
  if (e == nullptr || e->handler.presence == Presence::kOffline) {
    return absl::NotFoundError(absl::StrCat("handler_id: '", handler_id, "' is not signed in"));
  }
  if (presence == Presence::kOffline) {
    return absl::InvalidArgumentError("presence: use SignOut to go offline");
  }
  Unindex(*e);
  e->handler.presence = presence;
  Index(*e);
  Publish(*e, effects);
  Dispatch(*e, effects);
  return absl::OkStatus();
}

absl::StatusOr<std::pair<Router::HandlerEntry*, Contact*>> Router::FindOffer(
    const std::string& handler_id, const std::string& contact_id) {
  HandlerEntry* e = FindEntry(handler_id);
  if (e == nullptr) return absl::NotFoundError(absl::StrCat("handler_id: '", handler_id, "'"));
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) {
    return absl::NotFoundError(absl::StrCat("contact_id: '", contact_id, "' is not live"));
  }
  Contact* c = it->second.get();
  if (c->state != ContactState::kOffered || c->handler_id != handler_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("contact '", contact_id, "' is not offered to handler '", handler_id, "'"));
  }
  return std::make_pair(e, c);
}

absl::Status Router::Accept(const std::string& handler_id, const std::string& contact_id,
                            EffectList* effects) {
  absl::StatusOr<std::pair<HandlerEntry*, Contact*>> offer = FindOffer(handler_id, contact_id);
  if (!offer.ok()) return offer.status();
  auto [e, contact] = *offer;
  Contact& c = *contact;
  const absl::Time now = clock_->Now();
  deadline_nodes_.Erase(offer_deadlines_, {c.offer_deadline, c.id});
  FindQueueState(c.queue)->offered--;
  c.state = ContactState::kConnected;
  c.offer_deadline = absl::InfiniteFuture();
  Unindex(*e);
  for (HeldContact& hc : e->handler.held) {
    if (hc.contact_id == contact_id) hc.state = HoldState::kConnected;
  }
  Index(*e);
  connected_at_[c.id] = now;
  effects->push_back(OfferAccepted{c.id, handler_id, now});
  return absl::OkStatus();
}

absl::Status Router::Reject(const std::string& handler_id, const std::string& contact_id,
                            EffectList* effects) {
  absl::StatusOr<std::pair<HandlerEntry*, Contact*>> offer = FindOffer(handler_id, contact_id);
  if (!offer.ok()) return offer.status();
  auto [e, contact] = *offer;
  Contact& c = *contact;
  WithdrawOffer(c, "rejected", /*declined=*/true, effects);
  TryOffer(c, effects);
  Dispatch(*e, effects);
  return absl::OkStatus();
}

absl::Status Router::Complete(const std::string& contact_id, bool keep_as_contact_person,
                              EffectList* effects) {
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) {
    return absl::NotFoundError(absl::StrCat("contact_id: '", contact_id, "' is not live"));
  }
  Contact& c = *it->second;
  if (c.state != ContactState::kConnected) {
    return absl::FailedPreconditionError(absl::StrCat(
        "contact '", contact_id, "' is ", ContactStateName(c.state), ", not connected"));
  }
  const absl::Time now = clock_->Now();
  const absl::Time deadline = now + config_.handler_defaults.max_wrap_up;
  HandlerEntry* e = FindEntry(c.handler_id);
  Unindex(*e);
  for (HeldContact& hc : e->handler.held) {
    if (hc.contact_id == contact_id) {
      hc.state = HoldState::kWrapUp;
      hc.wrap_up_deadline = deadline;
    }
  }
  Index(*e);
  wrap_up_deadlines_.insert({deadline, c.handler_id, c.id});
  if (auto at = connected_at_.find(c.id); at != connected_at_.end()) {
    QueueState* q = FindQueueState(c.queue);
    q->average_handle_time =
        q->average_handle_time * (1 - kHandleTimeWeight) + (now - at->second) * kHandleTimeWeight;
  }
  effects->push_back(ContactCompleted{c.id, c.handler_id, c.channel, now, deadline});
  if (keep_as_contact_person) {
    const absl::Time expires = now + config_.contact_person.mapping_ttl;
    if (!c.party_pseudonym.empty()) {
      ContactPersonMapping m{c.party_pseudonym, c.domain, c.handler_id, expires};
      contact_persons_[{m.party_pseudonym, m.domain}] = m;
      effects->push_back(ContactPersonSet{m, now});
    }
    if (!c.case_reference.empty()) {
      ContactPersonMapping m{c.case_reference, "*", c.handler_id, expires};
      contact_persons_[{m.party_pseudonym, m.domain}] = m;
      effects->push_back(ContactPersonSet{m, now});
    }
  }
  Drop(contact_id);
  // Wrap-up does not block other channels the way a conversation does: the handler may have
  // room for, say, a chat again.
  Dispatch(*e, effects);
  return absl::OkStatus();
}

absl::Status Router::SetContactPerson(ContactPersonMapping mapping, EffectList* effects) {
  if (mapping.party_pseudonym.empty()) {
    return absl::InvalidArgumentError("party: a resident or case is required");
  }
  if (mapping.domain.empty()) return absl::InvalidArgumentError("domain: is required");
  if (FindEntry(mapping.handler_id) == nullptr &&
      config_.FindHandler(mapping.handler_id) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("handler_id: '", mapping.handler_id, "' is not in the roster"));
  }
  const absl::Time now = clock_->Now();
  if (mapping.expires_at == absl::InfiniteFuture()) {
    mapping.expires_at = now + config_.contact_person.mapping_ttl;
  }
  if (mapping.expires_at <= now) return absl::InvalidArgumentError("expires_at: in the past");
  contact_persons_[{mapping.party_pseudonym, mapping.domain}] = mapping;
  effects->push_back(ContactPersonSet{std::move(mapping), now});
  return absl::OkStatus();
}

absl::Status Router::FinishWrapUp(const std::string& handler_id, const std::string& contact_id,
                                  EffectList* effects) {
  HandlerEntry* e = FindEntry(handler_id);
  if (e == nullptr) return absl::NotFoundError(absl::StrCat("handler_id: '", handler_id, "'"));
  auto held = std::find_if(e->handler.held.begin(), e->handler.held.end(),
                           [&](const HeldContact& hc) { return hc.contact_id == contact_id; });
  if (held == e->handler.held.end() || held->state != HoldState::kWrapUp) {
    return absl::FailedPreconditionError(absl::StrCat(
        "handler '", handler_id, "' is not in wrap-up for contact '", contact_id, "'"));
  }
  const Channel channel = held->channel;
  wrap_up_deadlines_.erase({held->wrap_up_deadline, handler_id, contact_id});
  ReleaseSlot(*e, contact_id);
  effects->push_back(WrapUpFinished{contact_id, handler_id, channel, clock_->Now(), "finished"});
  Dispatch(*e, effects);
  return absl::OkStatus();
}

absl::Status Router::Cancel(const std::string& contact_id, const std::string& reason,
                            EffectList* effects) {
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) {
    return absl::NotFoundError(absl::StrCat("contact_id: '", contact_id, "' is not live"));
  }
  Contact& c = *it->second;
  const ContactState previous = c.state;
  const std::string handler_id = c.handler_id;
  HandlerEntry* e = handler_id.empty() ? nullptr : FindEntry(handler_id);
  switch (previous) {
    case ContactState::kQueued:
      Dequeue(c);
      UnscheduleDeadlines(c);
      break;
    case ContactState::kOffered:
      deadline_nodes_.Erase(offer_deadlines_, {c.offer_deadline, c.id});
      FindQueueState(c.queue)->offered--;
      if (e != nullptr) ReleaseSlot(*e, c.id);
      break;
    case ContactState::kConnected:
      if (e != nullptr) ReleaseSlot(*e, c.id);
      break;
    case ContactState::kCompleted:
    case ContactState::kAbandoned:
      return absl::FailedPreconditionError(absl::StrCat("contact '", contact_id, "' is closed"));
  }
  effects->push_back(
      ContactAbandoned{c.id, handler_id, c.channel, previous, clock_->Now(), reason});
  Drop(contact_id);
  if (e != nullptr) Dispatch(*e, effects);
  return absl::OkStatus();
}

absl::StatusOr<Decision> Router::Transfer(const std::string& contact_id, const std::string& queue,
                                          EffectList* effects) {
  QueueState* target = FindQueueState(queue);
  if (target == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("queue: '", queue, "' is not configured"));
  }
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) {
    return absl::NotFoundError(absl::StrCat("contact_id: '", contact_id, "' is not live"));
  }
  Contact& c = *it->second;
  if (c.state != ContactState::kConnected) {
    return absl::FailedPreconditionError(absl::StrCat(
        "contact '", contact_id, "' is ", ContactStateName(c.state), ", not connected"));
  }
  const absl::Time now = clock_->Now();
  const std::string from = c.handler_id;
  HandlerEntry* e = FindEntry(from);
  if (e != nullptr) ReleaseSlot(*e, c.id);
  connected_at_.erase(c.id);
  c.state = ContactState::kQueued;
  c.handler_id.clear();
  c.queue = queue;
  c.enqueued_at = now;
  c.declined_by.clear();
  c.escalation_level = 0;
  c.overflow_queues.clear();
  c.reserved_for.clear();
  c.reserved_until = absl::InfinitePast();
  c.min_proficiency = target->config->min_proficiency;
  Enqueue(c);
  ScheduleDeadlines(c);
  effects->push_back(ContactTransferred{c.id, from, c.channel, queue, now, now});
  // The transfer starts the contact afresh in its new queue: no escalation, overflow or
  // reservation carries over.
  effects->push_back(ContactUpdated{c, now, "routing reset after transfer"});
  Decision d;
  d.contact_id = c.id;
  d.time_zone = config_.calendar.time_zone;
  {
    DecisionNote& note = d.AddNote(NoteKind::kTransferred);
    note.name = HandlerName(from, &d);
    note.name2 = &target->config->name;
  }
  if (TryOffer(c, effects, &d)) {
    d.outcome = Decision::Outcome::kAssigned;
    d.queue = c.queue;
    d.handler_id = c.handler_id;
  } else {
    FillQueued(c, d);
  }
  if (e != nullptr) Dispatch(*e, effects);
  return d;
}

void Router::Tick(EffectList* effects) {
  const absl::Time now = clock_->Now();
  while (!offer_deadlines_.empty() && offer_deadlines_.begin()->first <= now) {
    Contact& c = *contacts_.at(offer_deadlines_.begin()->second);
    HandlerEntry* e = FindEntry(c.handler_id);
    WithdrawOffer(c, "offer_timeout", /*declined=*/false, effects);
    // A handler that lets an offer expire is probably not at the desk: stop offering to it
    // until it says it is available again (redirect on no answer).
    if (e != nullptr && e->handler.presence == Presence::kAvailable) {
      Unindex(*e);
      e->handler.presence = Presence::kAway;
      Index(*e);
      Publish(*e, effects);
    }
    TryOffer(c, effects);
  }
  while (!reservation_deadlines_.empty() && reservation_deadlines_.begin()->first <= now) {
    EndReservation(*contacts_.at(reservation_deadlines_.begin()->second), effects);
  }
  while (!escalation_deadlines_.empty() && escalation_deadlines_.begin()->first <= now) {
    Escalate(*contacts_.at(escalation_deadlines_.begin()->second), effects);
  }
  while (!wrap_up_deadlines_.empty() && std::get<0>(*wrap_up_deadlines_.begin()) <= now) {
    auto [deadline, handler_id, contact_id] = *wrap_up_deadlines_.begin();
    wrap_up_deadlines_.erase(wrap_up_deadlines_.begin());
    HandlerEntry* e = FindEntry(handler_id);
    if (e == nullptr) continue;
    Channel channel = Channel::kPhone;
    for (const HeldContact& hc : e->handler.held) {
      if (hc.contact_id == contact_id) channel = hc.channel;
    }
    ReleaseSlot(*e, contact_id);
    effects->push_back(WrapUpFinished{contact_id, handler_id, channel, now, "wrap_up_timeout"});
    Dispatch(*e, effects);
  }
  // Expired contact-person mappings are forgotten (the store expires its copy by TTL).
  for (auto it = contact_persons_.begin(); it != contact_persons_.end();) {
    it = it->second.expires_at <= now ? contact_persons_.erase(it) : std::next(it);
  }
}

absl::Time Router::NextDeadline() const {
  absl::Time next = absl::InfiniteFuture();
  for (const auto* deadlines :
       {&offer_deadlines_, &escalation_deadlines_, &reservation_deadlines_}) {
    if (!deadlines->empty()) next = std::min(next, deadlines->begin()->first);
  }
  if (!wrap_up_deadlines_.empty()) {
    next = std::min(next, std::get<0>(*wrap_up_deadlines_.begin()));
  }
  return next;
}

void Router::Drop(const std::string& contact_id) {
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) return;
  connected_at_.erase(contact_id);
  // The Contact object outlives the erase (it goes to the spares), so `contact_id` may be its
  // own id.
  std::unique_ptr<Contact> spare = std::move(it->second);
  contacts_.erase(it);
  RecycleContact(std::move(spare));
}

std::unique_ptr<Contact> Router::NewContactObject() {
  if (spare_contacts_.empty()) return std::make_unique<Contact>();
  std::unique_ptr<Contact> c = std::move(spare_contacts_.back());
  spare_contacts_.pop_back();
  return c;
}

void Router::RecycleContact(std::unique_ptr<Contact> c) {
  if (spare_contacts_.size() >= kMaxSpareContacts) return;
  // Back to a default Contact, keeping the vectors' capacity (and the strings': assigning a
  // short string keeps a string's buffer).
  std::vector<std::string> declined_by = std::move(c->declined_by);
  std::vector<std::string> overflow_queues = std::move(c->overflow_queues);
  std::vector<SkillRequirement> required_skills = std::move(c->required_skills);
  *c = Contact{};
  declined_by.clear();
  overflow_queues.clear();
  required_skills.clear();
  c->declined_by = std::move(declined_by);
  c->overflow_queues = std::move(overflow_queues);
  c->required_skills = std::move(required_skills);
  spare_contacts_.push_back(std::move(c));
}

void Router::Forget(const std::string& contact_id, EffectList* effects) {
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) return;
  Contact& c = *it->second;
  HandlerEntry* e = nullptr;
  switch (c.state) {
    case ContactState::kQueued:
      Dequeue(c);
      UnscheduleDeadlines(c);
      break;
    case ContactState::kOffered:
      deadline_nodes_.Erase(offer_deadlines_, {c.offer_deadline, c.id});
      FindQueueState(c.queue)->offered--;
      e = FindEntry(c.handler_id);
      if (e != nullptr) ReleaseSlot(*e, c.id);
      break;
    default:
      e = FindEntry(c.handler_id);
      if (e != nullptr) ReleaseSlot(*e, c.id);
      break;
  }
  Drop(contact_id);
  if (e != nullptr) Dispatch(*e, effects);
}

// ---------------------------------------------------------------------------------------------
// Recovery.

absl::Status Router::RestoreHandler(Handler handler) {
  if (handler.id.empty()) return absl::InvalidArgumentError("handler id: empty");
  if (handlers_.contains(handler.id)) {
    return absl::InvalidArgumentError(absl::StrCat("handler '", handler.id, "' restored twice"));
  }
  auto e = std::make_unique<HandlerEntry>();
  e->handler = std::move(handler);
  ComputeEligibility(*e);
  for (const HeldContact& hc : e->handler.held) {
    if (hc.state == HoldState::kWrapUp) {
      wrap_up_deadlines_.insert({hc.wrap_up_deadline, e->handler.id, hc.contact_id});
    }
  }
  Index(*e);
  handlers_[e->handler.id] = std::move(e);
  return absl::OkStatus();
}

absl::Status Router::RestoreContact(Contact contact) {
  if (contact.id.empty()) return absl::InvalidArgumentError("contact id: empty");
  if (contacts_.contains(contact.id)) {
    return absl::InvalidArgumentError(absl::StrCat("contact '", contact.id, "' restored twice"));
  }
  if (FindQueueState(contact.queue) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("contact '", contact.id, "': queue '", contact.queue, "' is unknown"));
  }
  for (const std::string& q : contact.overflow_queues) {
    if (FindQueueState(q) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("contact '", contact.id, "': overflow queue '", q, "' is unknown"));
    }
  }
  const bool held =
      contact.state == ContactState::kOffered || contact.state == ContactState::kConnected;
  if (held) {
    HandlerEntry* e = FindEntry(contact.handler_id);
    if (e == nullptr ||
        std::none_of(e->handler.held.begin(), e->handler.held.end(),
                     [&](const HeldContact& hc) { return hc.contact_id == contact.id; })) {
      return absl::InvalidArgumentError(absl::StrCat(
          "contact '", contact.id, "': not held by its handler '", contact.handler_id, "'"));
    }
  } else if (contact.state != ContactState::kQueued) {
    return absl::InvalidArgumentError(
        absl::StrCat("contact '", contact.id, "' is closed, not live"));
  }
  // A reservation for a handler the router does not know any more ends at once.
  if (!contact.reserved_for.empty() && contact.state == ContactState::kQueued &&
      FindEntry(contact.reserved_for) == nullptr &&
      config_.FindHandler(contact.reserved_for) == nullptr) {
    contact.reserved_for.clear();
    contact.reserved_until = absl::InfinitePast();
  }
  auto owned = std::make_unique<Contact>(std::move(contact));
  Contact& c = *owned;
  contacts_[c.id] = std::move(owned);
  switch (c.state) {
    case ContactState::kQueued:
      Enqueue(c);
      ScheduleDeadlines(c);
      break;
    case ContactState::kOffered:
      FindQueueState(c.queue)->offered++;
      deadline_nodes_.Insert(offer_deadlines_, {c.offer_deadline, c.id});
      break;
    case ContactState::kConnected:
      connected_at_[c.id] = clock_->Now();
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

void Router::RestoreContactPerson(ContactPersonMapping mapping) {
  if (mapping.expires_at <= clock_->Now()) return;
  contact_persons_[{mapping.party_pseudonym, mapping.domain}] = std::move(mapping);
}

void Router::FinishRestore(EffectList* effects) {
  // Offers outstanding at the previous process's end: the handler's stream is gone, so it may
  // never have seen them. Withdraw them in a stable order; the contacts keep their place.
  std::vector<std::string> offered;
  for (const auto& [id, c] : contacts_) {
    if (c->state == ContactState::kOffered) offered.push_back(id);
  }
  std::sort(offered.begin(), offered.end());
  for (const std::string& id : offered) {
    WithdrawOffer(*contacts_.at(id), "recovered", /*declined=*/false, effects);
  }
  for (const std::string& id : SortedHandlerIds()) Dispatch(*FindEntry(id), effects);
}

void Router::AdoptState(const Router& old, EffectList* effects) {
  for (const std::string& id : old.SortedHandlerIds()) {
    Handler h = old.FindEntry(id)->handler;
    if (absl::Status s = RestoreHandler(std::move(h)); !s.ok()) {
      warnings_.push_back(absl::StrCat("reload: handler '", id, "': ", s.message()));
    }
  }
  for (const auto& [name, q] : old.queues_) {
    if (QueueState* mine = FindQueueState(name)) {
      mine->average_handle_time = q->average_handle_time;
    }
  }
  std::vector<std::string> ids;
  for (const auto& [id, c] : old.contacts_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) {
    Contact c = *old.contacts_.at(id);
    bool moved = false;
    if (FindQueueState(c.queue) == nullptr) {
      const TopicConfig* topic = config_.FindTopic(c.topic);
      c.queue = topic != nullptr ? topic->queue : config_.queues.front().name;
      c.min_proficiency =
          std::min(c.min_proficiency, FindQueueState(c.queue)->config->min_proficiency);
      c.escalation_level = 0;
      moved = true;
    }
    c.overflow_queues.erase(
        std::remove_if(c.overflow_queues.begin(), c.overflow_queues.end(),
                       [&](const std::string& q) { return FindQueueState(q) == nullptr; }),
        c.overflow_queues.end());
    const std::string queue = c.queue;
    const bool queued = c.state == ContactState::kQueued;
    if (absl::Status s = RestoreContact(c); !s.ok()) {
      warnings_.push_back(absl::StrCat("reload: contact '", id, "': ", s.message()));
      continue;
    }
    if (auto at = old.connected_at_.find(id); at != old.connected_at_.end()) {
      connected_at_[id] = at->second;
    }
    if (moved && queued) {
      effects->push_back(
          ContactUpdated{*contacts_.at(id), clock_->Now(),
                         absl::StrCat("configuration reload: queue removed, now '", queue, "'")});
    }
  }
  for (const auto& [key, mapping] : old.contact_persons_) RestoreContactPerson(mapping);
  for (const std::string& id : SortedHandlerIds()) Dispatch(*FindEntry(id), effects);
  for (const std::string& id : ids) {
    auto it = contacts_.find(id);
    if (it != contacts_.end() && it->second->state == ContactState::kQueued) {
      TryOffer(*it->second, effects);
    }
  }
}

std::vector<std::string> Router::SortedHandlerIds() const {
  std::vector<std::string> ids;
  ids.reserve(handlers_.size());
  for (const auto& [id, e] : handlers_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Queries.

absl::StatusOr<Decision> Router::Describe(const std::string& contact_id) const {
  const Contact* c = FindContact(contact_id);
  if (c == nullptr) {
    return absl::NotFoundError(absl::StrCat("contact_id: '", contact_id, "' is not live"));
  }
  Decision d;
  d.contact_id = c->id;
  d.time_zone = config_.calendar.time_zone;
  {
    DecisionNote& note = d.AddNote(NoteKind::kTopicReason);
    auto topic = topics_by_code_.find(c->topic);
    note.name = topic != topics_by_code_.end() ? &topic->second->code : d.Own(c->topic);
    note.name2 = &FindQueueState(c->queue)->config->name;
  }
  if (c->priority != 0) d.AddNote(NoteKind::kPriority).number = c->priority;
  if (c->state == ContactState::kQueued) {
    FillQueued(*c, d);
    return d;
  }
  d.outcome = Decision::Outcome::kAssigned;
  d.queue = c->queue;
  d.handler_id = c->handler_id;
  DecisionNote& note = d.AddNote(NoteKind::kHeldBy);
  note.name = HandlerName(c->handler_id, &d);
  note.number = static_cast<int>(c->state);
  return d;
}

const Contact* Router::FindContact(const std::string& contact_id) const {
  auto it = contacts_.find(contact_id);
  return it == contacts_.end() ? nullptr : it->second.get();
}

const Handler* Router::FindHandler(const std::string& handler_id) const {
  auto it = handlers_.find(handler_id);
  return it == handlers_.end() ? nullptr : &it->second->handler;
}

const ContactPersonMapping* Router::FindContactPerson(const std::string& party_pseudonym,
                                                      const std::string& domain) const {
  auto it = contact_persons_.find({party_pseudonym, domain});
  if (it == contact_persons_.end() || it->second.expires_at <= clock_->Now()) return nullptr;
  return &it->second;
}

absl::StatusOr<std::vector<QueueStatsView>> Router::QueueStats(const std::string& queue) const {
  if (!queue.empty() && !queues_.contains(queue)) {
    return absl::NotFoundError(absl::StrCat("queue: '", queue, "' is not configured"));
  }
  const absl::Time now = clock_->Now();
  std::map<std::string, QueueStatsView> views;
  for (const auto& [name, q] : queues_) {
    if (!queue.empty() && name != queue) continue;
    QueueStatsView& v = views[name];
    v.queue = name;
    v.offered = q->offered;
  }
  for (const auto& [id, c] : contacts_) {
    if (c->state != ContactState::kQueued) continue;
    auto it = views.find(c->queue);
    if (it == views.end()) continue;
    it->second.waiting++;
    it->second.longest_wait = std::max(it->second.longest_wait, now - c->enqueued_at);
  }
  for (const auto& [id, e] : handlers_) {
    const Handler& h = e->handler;
    if (h.presence == Presence::kOffline) continue;
    for (const auto& [q, level] : e->eligible) {
      auto it = views.find(q->config->name);
      if (it == views.end()) continue;
      it->second.handlers_signed_in++;
      if (h.presence != Presence::kAvailable || !e->active) continue;
      for (Channel ch : kAllChannels) {
        if (CanTakeChannel(h, ch)) {
          it->second.handlers_available++;
          break;
        }
      }
    }
  }
  std::vector<QueueStatsView> out;
  for (auto& [name, v] : views) out.push_back(std::move(v));
  return out;
}

}  // namespace wissel::core
