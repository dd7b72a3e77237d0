// Router: construction, Route() and the queries (see router.h for where the rest lives).
#include "router/core/router.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "router/core/digital_first.h"

namespace wissel::core {
namespace {

bool IsAsynchronous(Channel c) { return c == Channel::kWebForm || c == Channel::kEmail; }

}  // namespace

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
      clock_(clock),
      queues_(config_.queues),
      handlers_(&config_, &queues_),
      waiting_(config_.aging_per_minute, &queues_) {
  // The first topic with a code wins, as in TenantConfig::FindTopic.
  for (const TopicConfig& t : config_.topics) topics_by_code_.emplace(t.code, &t);
}

Router::~Router() = default;

// ---------------------------------------------------------------------------------------------
// Decisions.

void Router::FillQueued(const Contact& c, Decision& d) const {
  d.outcome = c.callback ? Decision::Outcome::kCallback : Decision::Outcome::kQueued;
  d.queue = c.queue;
  d.position = waiting_.PositionOf(c);
  d.expected_wait = waiting_.ExpectedWait(c.queue, c.channel, d.position);
  const QueueState& q = *queues_.Find(c.queue);
  if (q.staffed[c.channel] == 0) {
    DecisionNote& note = d.AddNote(NoteKind::kNoHandler);
    note.name = &q.skill;
    note.channel = c.channel;
  }
  if (!c.reserved_for.empty()) {
    DecisionNote& note = d.AddNote(NoteKind::kWaitingFor);
    note.name = handlers_.NoteName(c.reserved_for, &d);
    note.time = c.reserved_until;
  }
  DecisionNote& note = d.AddNote(NoteKind::kQueued);
  note.flag = c.callback;
  note.name = &q.config->name;
  note.number = d.position;
  note.duration = d.expected_wait;
}

absl::StatusOr<Decision> Router::Route(NewContact in, EffectList* effects, size_t* created_index) {
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
  std::unique_ptr<Contact> owned = spare_contacts_.New();
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
  const QueueConfig* topic_queue = queues_.Find(c.queue)->config;
  c.min_proficiency = topic_queue->min_proficiency;

  Decision d;
  d.contact_id = c.id;
  d.time_zone = config_.calendar.time_zone;
  {
    DecisionNote& note = d.AddNote(NoteKind::kTopic);
    note.name = &topic->code;
    note.name2 = &topic_queue->name;
  }

  // The contact's ContactCreated: the first effect this call appends (see router.h).
  auto created = [&](absl::string_view reason) {
    if (created_index != nullptr) *created_index = effects->size();
    effects->push_back(ContactCreated{c, std::string(reason), d.digital_first});
  };
  // A contact that gets no person is created closed, so it is counted and can be replayed.
  auto close = [&](Decision::Outcome outcome,
                   absl::string_view reason) -> absl::StatusOr<Decision> {
    d.outcome = outcome;
    c.state = ContactState::kCompleted;
    created(reason);
    spare_contacts_.Recycle(std::move(owned));
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
  // A rotation of the pseudonym secret: the resident (or case) made contact, so a mapping still
  // under the secret being replaced moves to the current one before it is looked up.
  contact_persons_.Rekey(in.previous_case_pseudonym, c.case_reference, now, effects);
  contact_persons_.Rekey(in.previous_party_pseudonym, c.party_pseudonym, now, effects);
  const std::string* contact_person =
      contact_persons_.ReservationTarget(c, handlers_, config_, now, &reservation_note, &d);
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
  ctx.queue_expected_wait =
      waiting_.ExpectedWait(c.queue, c.channel, waiting_.Waiting(c.queue, c.channel) + 1);
  ctx.local_time = absl::ToCivilSecond(now, config_.calendar.time_zone);
  ctx.open = open;
  ctx.attributes = &attributes;
  rules_.Evaluate(ctx, &outcome_);
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
  if (outcome_.schedule_callback) c.callback = true;

  // 3. "Digitaal, tenzij".
  const bool steered = ApplyDigitalFirst(
      *topic, config_.digital_first, outcome_.offer_digital,
      [&] {
        return waiting_.ExpectedWait(c.queue, c.channel, waiting_.Waiting(c.queue, c.channel) + 1);
      },
      c, d);
  if (steered) return close(Decision::Outcome::kDigital, "steered_to_digital");

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
  created("");
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
    d.AddNote(NoteKind::kOffered).name = &handlers_.Find(live.handler_id)->handler.id;
    return d;
  }
  Enqueue(live);
  FillQueued(live, d);
  return d;
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
    note.name2 = &queues_.Find(c->queue)->config->name;
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
  note.name = handlers_.NoteName(c->handler_id, &d);
  note.number = static_cast<int>(c->state);
  return d;
}

const Contact* Router::FindContact(const std::string& contact_id) const {
  auto it = contacts_.find(contact_id);
  return it == contacts_.end() ? nullptr : it->second.get();
}

const Handler* Router::FindHandler(const std::string& handler_id) const {
  const HandlerEntry* e = handlers_.Find(handler_id);
  return e == nullptr ? nullptr : &e->handler;
}

const ContactPersonMapping* Router::FindContactPerson(const std::string& party_pseudonym,
                                                      const std::string& domain) const {
  return contact_persons_.Find(party_pseudonym, domain, clock_->Now());
}

absl::StatusOr<std::vector<QueueStatsView>> Router::QueueStats(const std::string& queue) const {
  if (!queue.empty() && !queues_.contains(queue)) {
    return absl::NotFoundError(absl::StrCat("queue: '", queue, "' is not configured"));
  }
  const absl::Time now = clock_->Now();
  std::map<std::string, QueueStatsView> views;
  for (const auto& [name, q] : queues_.by_name()) {
    if (!queue.empty() && name != queue) continue;
    QueueStatsView& v = views[name];
    v.queue = name;
    v.offered = q->offered;
  }
  for (const auto& [id, c] : contacts_) {
    if (c->state != ContactState::kQueued) continue;
    auto it = views.find(c->queue);
    if (it == views.end()) continue;
    QueueStatsView& v = it->second;
    const absl::Duration waited = now - c->enqueued_at;
    v.waiting++;
    v.longest_wait = std::max(v.longest_wait, waited);
    v.waiting_by_channel[c->channel]++;
    v.longest_wait_by_channel[c->channel] = std::max(v.longest_wait_by_channel[c->channel], waited);
  }
  for (const auto& [id, e] : handlers_.entries()) {
    const Handler& h = e->handler;
    if (h.presence == Presence::kOffline) continue;
    for (const auto& [q, level] : e->eligible) {
      auto it = views.find(q->config->name);
      if (it == views.end()) continue;
      it->second.handlers_signed_in++;
      if (h.presence != Presence::kAvailable || !e->active) continue;
      for (Channel ch : kAllChannels) {
        if (handlers_.CanTakeChannel(h, ch)) {
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

HandlerStatsView Router::HandlerStats() const {
  HandlerStatsView view;
  for (const auto& [id, e] : handlers_.entries()) {
    const Handler& h = e->handler;
    switch (h.presence) {
      case Presence::kAvailable:
        view.available++;
        break;
      case Presence::kBusy:
        view.busy++;
        break;
      case Presence::kAway:
        view.away++;
        break;
      case Presence::kOffline:
        continue;
    }
    for (Channel ch : kAllChannels) view.capacity[ch] += h.capacity[ch];
    for (const HeldContact& held : h.held) {
      switch (held.state) {
        case HoldState::kOffered:
          view.offered[held.channel]++;
          break;
        case HoldState::kConnected:
          view.connected[held.channel]++;
          break;
        case HoldState::kWrapUp:
          view.wrap_up[held.channel]++;
          break;
      }
    }
  }
  return view;
}

}  // namespace wissel::core
