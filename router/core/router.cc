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
  PerChannel<std::set<WaitKey>> waiting;
  int offered = 0;
  // Moving average of observed handle times; starts at the configured default.
  absl::Duration average_handle_time;
};

struct Router::HandlerEntry {
  Handler handler;
  // The handler's skills plus the skills of the queues of its teams, sorted and unique.
  std::vector<std::string> effective_skills;
};

namespace {

// Weight of a new observation in the handle-time moving average.
constexpr double kHandleTimeWeight = 0.1;

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

Router::Router(TenantConfig config, const Clock* clock)
    : config_(std::move(config)), clock_(clock) {
  for (const QueueConfig& q : config_.queues) {
    auto state = std::make_unique<QueueState>();
    state->config = &q;
    state->average_handle_time = q.default_handle_time;
    const std::string& skill = q.skill.empty() ? q.name : q.skill;
    queues_by_skill_[skill].push_back(state.get());
    queues_[q.name] = std::move(state);
  }
}

Router::~Router() = default;

Router::QueueState* Router::FindQueueState(const std::string& name) {
  auto it = queues_.find(name);
  return it == queues_.end() ? nullptr : it->second.get();
}

Router::HandlerEntry* Router::FindEntry(const std::string& handler_id) {
  auto it = handlers_.find(handler_id);
  return it == handlers_.end() ? nullptr : it->second.get();
}

std::vector<std::string> Router::EffectiveSkills(const Handler& h) const {
  std::vector<std::string> skills = h.skills;
  for (const std::string& team : h.teams) {
    if (const QueueConfig* q = config_.FindQueue(team)) {
      skills.push_back(q->skill.empty() ? q->name : q->skill);
    }
  }
  std::sort(skills.begin(), skills.end());
  skills.erase(std::unique(skills.begin(), skills.end()), skills.end());
  return skills;
}

// ---------------------------------------------------------------------------------------------
// Queues and the handler index.

void Router::Enqueue(const Contact& c) {
  QueueState* q = FindQueueState(c.queue);
  q->waiting[c.channel].insert(WaitKey{-c.priority, c.enqueued_at, c.id});
}

void Router::Dequeue(const Contact& c) {
  QueueState* q = FindQueueState(c.queue);
  q->waiting[c.channel].erase(WaitKey{-c.priority, c.enqueued_at, c.id});
}

void Router::Index(const HandlerEntry& e) {
  const Handler& h = e.handler;
  if (h.presence != Presence::kAvailable) return;
  for (const std::string& skill : e.effective_skills) {
    PerChannel<std::set<IdleKey>>& free = free_handlers_[skill];
    PerChannel<int>& staffed = staffed_capacity_[skill];
    for (Channel c : kAllChannels) {
      staffed[c] += h.capacity[c];
      if (h.HasFreeCapacity(c)) free[c].insert(IdleKey{h.last_offer_at, h.id});
    }
  }
}

void Router::Unindex(const HandlerEntry& e) {
  const Handler& h = e.handler;
  if (h.presence != Presence::kAvailable) return;
  for (const std::string& skill : e.effective_skills) {
    PerChannel<std::set<IdleKey>>& free = free_handlers_[skill];
    PerChannel<int>& staffed = staffed_capacity_[skill];
    for (Channel c : kAllChannels) {
      staffed[c] -= h.capacity[c];
      free[c].erase(IdleKey{h.last_offer_at, h.id});
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

// ---------------------------------------------------------------------------------------------
// Offering.

void Router::Offer(Contact& c, HandlerEntry& e, EffectList* effects) {
  const absl::Time now = clock_->Now();
  Dequeue(c);
  QueueState* q = FindQueueState(c.queue);
  q->offered++;
  c.state = ContactState::kOffered;
  c.handler_id = e.handler.id;
  c.offer_deadline = now + config_.handler_defaults.offer_timeout;
  offer_deadlines_.insert({c.offer_deadline, c.id});

  Unindex(e);
  e.handler.held.push_back(HeldContact{c.id, c.channel, HoldState::kOffered});
  e.handler.last_offer_at = now;
  Index(e);

  effects->push_back(ContactOffered{c.id, e.handler.id, c.channel, now, c.offer_deadline});
}

bool Router::TryOffer(Contact& c, EffectList* effects) {
  QueueState* q = FindQueueState(c.queue);
  const std::string& skill = q->config->skill.empty() ? q->config->name : q->config->skill;
  auto free_it = free_handlers_.find(skill);
  if (free_it == free_handlers_.end()) return false;
  for (const IdleKey& key : free_it->second[c.channel]) {
    if (Contains(c.declined_by, key.handler_id)) continue;
    Offer(c, *FindEntry(key.handler_id), effects);
    return true;
  }
  return false;
}

void Router::Dispatch(HandlerEntry& e, EffectList* effects) {
  Handler& h = e.handler;
  while (h.presence == Presence::kAvailable) {
    // The best waiting contact over every queue the handler serves and every channel on
    // which it has room.
    const WaitKey* best = nullptr;
    for (const std::string& skill : e.effective_skills) {
      auto qs = queues_by_skill_.find(skill);
      if (qs == queues_by_skill_.end()) continue;
      for (QueueState* q : qs->second) {
        for (Channel ch : kAllChannels) {
          if (!h.HasFreeCapacity(ch)) continue;
          for (const WaitKey& key : q->waiting[ch]) {
            if (Contains(contacts_.at(key.contact_id)->declined_by, h.id)) continue;
            if (best == nullptr || key < *best) best = &key;
            break;
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
  offer_deadlines_.erase({c.offer_deadline, c.id});
  FindQueueState(c.queue)->offered--;
  const std::string handler_id = c.handler_id;
  if (e != nullptr) ReleaseSlot(*e, c.id);
  if (declined) c.declined_by.push_back(handler_id);
  c.state = ContactState::kQueued;
  c.handler_id.clear();
  c.offer_deadline = absl::InfiniteFuture();
  Enqueue(c);
  effects->push_back(OfferWithdrawn{c.id, handler_id, c.channel, clock_->Now(), reason});
}

// ---------------------------------------------------------------------------------------------
// Decisions.

int Router::PositionOf(const Contact& c) const {
  const std::set<WaitKey>& waiting = queues_.at(c.queue)->waiting[c.channel];
  auto it = waiting.find(WaitKey{-c.priority, c.enqueued_at, c.id});
  if (it == waiting.end()) return 0;
  // New contacts usually join near the back: walk from both ends in lockstep and stop at
  // whichever reaches the contact first, so the cost is the distance to the nearer end.
  auto from_front = waiting.begin();
  auto from_back = std::next(it);
  int steps = 0;
  while (true) {
    if (from_front == it) return steps + 1;
    if (from_back == waiting.end()) return static_cast<int>(waiting.size()) - steps;
    ++from_front;
    ++from_back;
    ++steps;
  }
}

Decision Router::QueuedDecision(const Contact& c, std::vector<std::string> reasons) const {
  Decision d;
  d.outcome = Decision::Outcome::kQueued;
  d.contact_id = c.id;
  d.queue = c.queue;
  d.position = PositionOf(c);
  const QueueState& q = *queues_.at(c.queue);
  const std::string& skill = q.config->skill.empty() ? q.config->name : q.config->skill;
  int staffed = 0;
  if (auto it = staffed_capacity_.find(skill); it != staffed_capacity_.end()) {
    staffed = it->second[c.channel];
  }
  // Each staffed slot finishes a contact per average handle time; with no staff the estimate
  // assumes one slot, so the resident still hears an honest (long) expectation.
  d.expected_wait = q.average_handle_time * d.position / std::max(1, staffed);
  if (staffed == 0) {
    reasons.push_back(absl::StrCat("no available handler with skill '", skill, "' on channel ",
                                   ChannelName(c.channel)));
  }
  reasons.push_back(absl::StrFormat("queued in '%s' at position %d, expected wait %s", c.queue,
                                    d.position, absl::FormatDuration(d.expected_wait)));
  d.reasons = std::move(reasons);
  return d;
}

Decision Router::AssignedDecision(const Contact& c, std::vector<std::string> reasons) const {
  Decision d;
  d.outcome = Decision::Outcome::kAssigned;
  d.contact_id = c.id;
  d.queue = c.queue;
  d.handler_id = c.handler_id;
  reasons.push_back(absl::StrCat("offered to handler '", c.handler_id,
                                 "': longest idle of the free handlers of queue '", c.queue, "'"));
  d.reasons = std::move(reasons);
  return d;
}

// ---------------------------------------------------------------------------------------------
// Operations.

absl::StatusOr<Decision> Router::Route(NewContact in, EffectList* effects) {
  const TopicConfig* topic = config_.FindTopic(in.topic);
  if (topic == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("topic: '", in.topic, "' is not in the catalogue of ", config_.id));
  }
  if (in.priority < 0 || in.priority > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("priority: ", in.priority, " is outside 0..100"));
  }
  if (in.id.empty()) return absl::InvalidArgumentError("contact_id: empty");
  if (contacts_.contains(in.id)) {
    return absl::AlreadyExistsError(absl::StrCat("contact '", in.id, "' exists"));
  }
  if (!in.idempotency_key.empty() && by_idempotency_key_.contains(in.idempotency_key)) {
    return absl::AlreadyExistsError("idempotency_key: already used by a live contact");
  }

  const absl::Time now = clock_->Now();
  auto owned = std::make_unique<Contact>();
  Contact& c = *owned;
  c.id = std::move(in.id);
  c.channel = in.channel;
  c.topic = std::move(in.topic);
  c.queue = topic->queue;
  c.priority = in.priority != 0 ? in.priority : topic->default_priority;
  c.idempotency_key = std::move(in.idempotency_key);
  c.party_pseudonym = std::move(in.party_pseudonym);
  c.created_at = now;
  c.enqueued_at = now;
  c.state = ContactState::kQueued;
  c.payload = std::move(in.payload);
  contacts_[c.id] = std::move(owned);
  if (!c.idempotency_key.empty()) by_idempotency_key_[c.idempotency_key] = c.id;

  Enqueue(c);
  effects->push_back(ContactCreated{c});
  std::vector<std::string> reasons = {
      absl::StrCat("topic '", c.topic, "' maps to queue '", c.queue, "'")};
  if (c.priority != 0) reasons.push_back(absl::StrCat("priority ", c.priority));
  if (TryOffer(c, effects)) return AssignedDecision(c, std::move(reasons));
  return QueuedDecision(c, std::move(reasons));
}

absl::StatusOr<Handler> Router::SignIn(HandlerSignIn in, EffectList* effects) {
  if (in.id.empty()) return absl::InvalidArgumentError("handler_id: empty");
  for (Channel c : kAllChannels) {
    if (in.capacity[c] > 1000) {
      return absl::InvalidArgumentError(
          absl::StrCat("capacity: ", in.capacity[c], " for ", ChannelName(c), " exceeds 1000"));
    }
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
  for (Channel c : kAllChannels) {
    h.capacity[c] = in.capacity[c] < 0 ? config_.handler_defaults.capacity[c] : in.capacity[c];
  }
  h.presence = in.presence;
  e->effective_skills = EffectiveSkills(h);
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

absl::Status Router::Accept(const std::string& handler_id, const std::string& contact_id,
                            EffectList* effects) {
  HandlerEntry* e = FindEntry(handler_id);
  if (e == nullptr) return absl::NotFoundError(absl::StrCat("handler_id: '", handler_id, "'"));
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) {
    return absl::NotFoundError(absl::StrCat("contact_id: '", contact_id, "' is not live"));
  }
  Contact& c = *it->second;
  if (c.state != ContactState::kOffered || c.handler_id != handler_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("contact '", contact_id, "' is not offered to handler '", handler_id, "'"));
  }
  const absl::Time now = clock_->Now();
  offer_deadlines_.erase({c.offer_deadline, c.id});
  FindQueueState(c.queue)->offered--;
  c.state = ContactState::kConnected;
  c.offer_deadline = absl::InfiniteFuture();
  for (HeldContact& hc : e->handler.held) {
    if (hc.contact_id == contact_id) hc.state = HoldState::kConnected;
  }
  connected_at_[c.id] = now;
  effects->push_back(OfferAccepted{c.id, handler_id, now});
  return absl::OkStatus();
}

absl::Status Router::Reject(const std::string& handler_id, const std::string& contact_id,
                            EffectList* effects) {
  HandlerEntry* e = FindEntry(handler_id);
  if (e == nullptr) return absl::NotFoundError(absl::StrCat("handler_id: '", handler_id, "'"));
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) {
    return absl::NotFoundError(absl::StrCat("contact_id: '", contact_id, "' is not live"));
  }
  Contact& c = *it->second;
  if (c.state != ContactState::kOffered || c.handler_id != handler_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("contact '", contact_id, "' is not offered to handler '", handler_id, "'"));
  }
  WithdrawOffer(c, "rejected", /*declined=*/true, effects);
  TryOffer(c, effects);
  Dispatch(*e, effects);
  return absl::OkStatus();
}

absl::Status Router::Complete(const std::string& contact_id, EffectList* effects) {
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
  for (HeldContact& hc : e->handler.held) {
    if (hc.contact_id == contact_id) {
      hc.state = HoldState::kWrapUp;
      hc.wrap_up_deadline = deadline;
    }
  }
  wrap_up_deadlines_.insert({deadline, c.handler_id, c.id});
  if (auto at = connected_at_.find(c.id); at != connected_at_.end()) {
    QueueState* q = FindQueueState(c.queue);
    q->average_handle_time =
        q->average_handle_time * (1 - kHandleTimeWeight) + (now - at->second) * kHandleTimeWeight;
  }
  effects->push_back(ContactCompleted{c.id, c.handler_id, c.channel, now, deadline});
  Drop(contact_id);
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
      break;
    case ContactState::kOffered:
      offer_deadlines_.erase({c.offer_deadline, c.id});
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
  if (FindQueueState(queue) == nullptr) {
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
  Enqueue(c);
  effects->push_back(ContactTransferred{c.id, from, c.channel, queue, now, now});
  std::vector<std::string> reasons = {
      absl::StrCat("transferred by handler '", from, "' to queue '", queue, "'")};
  Decision d = TryOffer(c, effects) ? AssignedDecision(c, std::move(reasons))
                                    : QueuedDecision(c, std::move(reasons));
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
}

absl::Time Router::NextDeadline() const {
  absl::Time next = absl::InfiniteFuture();
  if (!offer_deadlines_.empty()) next = std::min(next, offer_deadlines_.begin()->first);
  if (!wrap_up_deadlines_.empty()) {
    next = std::min(next, std::get<0>(*wrap_up_deadlines_.begin()));
  }
  return next;
}

void Router::Drop(const std::string& contact_id) {
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) return;
  if (!it->second->idempotency_key.empty()) {
    by_idempotency_key_.erase(it->second->idempotency_key);
  }
  connected_at_.erase(contact_id);
  contacts_.erase(it);
}

void Router::Forget(const std::string& contact_id, EffectList* effects) {
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) return;
  Contact& c = *it->second;
  HandlerEntry* e = nullptr;
  switch (c.state) {
    case ContactState::kQueued:
      Dequeue(c);
      break;
    case ContactState::kOffered:
      offer_deadlines_.erase({c.offer_deadline, c.id});
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
  e->effective_skills = EffectiveSkills(e->handler);
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
  auto owned = std::make_unique<Contact>(std::move(contact));
  Contact& c = *owned;
  contacts_[c.id] = std::move(owned);
  if (!c.idempotency_key.empty()) by_idempotency_key_[c.idempotency_key] = c.id;
  switch (c.state) {
    case ContactState::kQueued:
      Enqueue(c);
      break;
    case ContactState::kOffered:
      FindQueueState(c.queue)->offered++;
      offer_deadlines_.insert({c.offer_deadline, c.id});
      break;
    case ContactState::kConnected:
      connected_at_[c.id] = clock_->Now();
      break;
    default:
      break;
  }
  return absl::OkStatus();
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
  std::vector<std::string> reasons = {
      absl::StrCat("topic '", c->topic, "' maps to queue '", c->queue, "'")};
  if (c->priority != 0) reasons.push_back(absl::StrCat("priority ", c->priority));
  if (c->state == ContactState::kQueued) return QueuedDecision(*c, std::move(reasons));
  Decision d;
  d.outcome = Decision::Outcome::kAssigned;
  d.contact_id = c->id;
  d.queue = c->queue;
  d.handler_id = c->handler_id;
  reasons.push_back(
      absl::StrCat("held by handler '", c->handler_id, "' (", ContactStateName(c->state), ")"));
  d.reasons = std::move(reasons);
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

const Contact* Router::FindByIdempotencyKey(const std::string& key) const {
  auto it = by_idempotency_key_.find(key);
  return it == by_idempotency_key_.end() ? nullptr : FindContact(it->second);
}

absl::StatusOr<std::vector<QueueStatsView>> Router::QueueStats(const std::string& queue) const {
  if (!queue.empty() && !queues_.contains(queue)) {
    return absl::NotFoundError(absl::StrCat("queue: '", queue, "' is not configured"));
  }
  const absl::Time now = clock_->Now();
  std::vector<QueueStatsView> out;
  for (const auto& [name, q] : queues_) {
    if (!queue.empty() && name != queue) continue;
    QueueStatsView v;
    v.queue = name;
    v.offered = q->offered;
    absl::Time oldest = absl::InfiniteFuture();
    for (Channel ch : kAllChannels) {
      v.waiting += static_cast<int>(q->waiting[ch].size());
      for (const WaitKey& key : q->waiting[ch]) oldest = std::min(oldest, key.enqueued_at);
    }
    if (oldest != absl::InfiniteFuture()) v.longest_wait = now - oldest;
    const std::string& skill = q->config->skill.empty() ? q->config->name : q->config->skill;
    for (const auto& [id, e] : handlers_) {
      const Handler& h = e->handler;
      if (h.presence == Presence::kOffline ||
          !std::binary_search(e->effective_skills.begin(), e->effective_skills.end(), skill)) {
        continue;
      }
      v.handlers_signed_in++;
      if (h.presence != Presence::kAvailable) continue;
      for (Channel ch : kAllChannels) {
        if (h.HasFreeCapacity(ch)) {
          v.handlers_available++;
          break;
        }
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace wissel::core
