// Router: what happens as time passes — offers expire, escalation steps apply, waits for a
// contact person end, wrap-ups end (Tick) — and how a queued contact is put on the schedule.
// The times themselves are kept by DeadlineSchedule (deadline_schedule.h).
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "router/core/router.h"

namespace wissel::core {
namespace {

// A callback task for a contact person waits for them this long before their team takes it.
constexpr absl::Duration kCallbackTaskReservation = absl::Hours(24);

// When the next escalation step of queued contact `c` in queue `q` is due; nullopt when every
// step has applied.
std::optional<absl::Time> NextEscalation(const Contact& c, const QueueConfig& q) {
  if (c.escalation_level >= static_cast<int>(q.escalation.size())) return std::nullopt;
  return c.enqueued_at + q.escalation[c.escalation_level].after;
}

}  // namespace

void Router::ScheduleDeadlines(const Contact& c) {
  if (c.state != ContactState::kQueued) return;
  if (!c.reserved_for.empty()) {
    if (c.reserved_until != absl::InfiniteFuture()) {
      deadlines_.AddReservation(c.reserved_until, c.id);
    }
    return;
  }
  if (std::optional<absl::Time> due = NextEscalation(c, *queues_.Find(c.queue)->config)) {
    deadlines_.AddEscalation(*due, c.id);
  }
}

void Router::UnscheduleDeadlines(const Contact& c) {
  deadlines_.RemoveReservation(c.reserved_until, c.id);
  if (std::optional<absl::Time> due = NextEscalation(c, *queues_.Find(c.queue)->config)) {
    deadlines_.RemoveEscalation(*due, c.id);
  }
}

void Router::Enqueue(const Contact& c) {
  waiting_.Add(c);
  ScheduleDeadlines(c);
}

void Router::Dequeue(const Contact& c) {
  waiting_.Remove(c);
  UnscheduleDeadlines(c);
}

void Router::Escalate(Contact& c, EffectList* effects) {
  const QueueConfig& q = *queues_.Find(c.queue)->config;
  const EscalationStep& step = q.escalation[c.escalation_level];
  Dequeue(c);
  std::vector<std::string> what;
  if (step.min_proficiency && *step.min_proficiency < c.min_proficiency) {
    c.min_proficiency = *step.min_proficiency;
    what.push_back(absl::StrCat("proficiency ", c.min_proficiency, " accepted"));
  }
  if (!step.overflow_queue.empty() && !c.confidential &&
      std::find(c.overflow_queues.begin(), c.overflow_queues.end(), step.overflow_queue) ==
          c.overflow_queues.end()) {
    c.overflow_queues.push_back(step.overflow_queue);
    what.push_back(absl::StrCat("overflow to '", step.overflow_queue, "'"));
  }
  if (step.offer_callback && !c.callback) {
    c.callback = true;
    what.push_back("callback offered");
  }
  c.escalation_level++;
  Enqueue(c);
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
      effects->push_back(ContactCreated{t, "callback_for_contact_person"});
      TryOffer(t, effects);
    }
  }
  Enqueue(c);
  effects->push_back(ContactUpdated{
      c, now, absl::StrCat("handler '", waited_for, "' not free in time: to the team")});
  TryOffer(c, effects);
}

void Router::Tick(EffectList* effects) {
  const absl::Time now = clock_->Now();
  while (const std::string* id = deadlines_.DueOffer(now)) {
    Contact& c = *contacts_.at(*id);
    HandlerEntry* e = handlers_.Find(c.handler_id);
    WithdrawOffer(c, "offer_timeout", /*declined=*/false, effects);
    // A handler that lets an offer expire is probably not at the desk: stop offering to it
    // until it says it is available again (redirect on no answer).
    if (e != nullptr && e->handler.presence == Presence::kAvailable) {
      handlers_.Unindex(*e);
      e->handler.presence = Presence::kAway;
      handlers_.Index(*e);
      Publish(*e, effects);
    }
    TryOffer(c, effects);
  }
  while (const std::string* id = deadlines_.DueReservation(now)) {
    EndReservation(*contacts_.at(*id), effects);
  }
  while (const std::string* id = deadlines_.DueEscalation(now)) {
    Escalate(*contacts_.at(*id), effects);
  }
  while (std::optional<DeadlineSchedule::WrapUp> due = deadlines_.TakeDueWrapUp(now)) {
    HandlerEntry* e = handlers_.Find(due->handler_id);
    if (e == nullptr) continue;
    Channel channel = Channel::kPhone;
    for (const HeldContact& hc : e->handler.held) {
      if (hc.contact_id == due->contact_id) channel = hc.channel;
    }
    handlers_.ReleaseSlot(*e, due->contact_id);
    effects->push_back(
        WrapUpFinished{due->contact_id, due->handler_id, channel, now, "wrap_up_timeout"});
    Dispatch(*e, effects);
  }
  // Expired contact-person mappings are forgotten (the store expires its copy by TTL).
  contact_persons_.Expire(now);
}

absl::Time Router::NextDeadline() const { return deadlines_.Next(); }

}  // namespace wissel::core
