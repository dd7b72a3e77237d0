// Router: the operations that end or move a contact (complete, cancel, transfer, forget), set a
// resident's contact person, and erase a resident. See router.h for the contracts.
#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "router/core/router.h"

namespace wissel::core {

HandlerEntry* Router::Detach(Contact& c) {
  if (c.state == ContactState::kQueued) {
    Dequeue(c);
    return nullptr;
  }
  if (c.state == ContactState::kOffered) {
    deadlines_.RemoveOffer(c.offer_deadline, c.id);
    queues_.Find(c.queue)->offered--;
  }
  HandlerEntry* e = handlers_.Find(c.handler_id);
  if (e != nullptr) handlers_.ReleaseSlot(*e, c.id);
  return e;
}

void Router::Drop(const std::string& contact_id) {
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) return;
  connected_at_.erase(contact_id);
  // The Contact object outlives the erase (it goes to the spares), so `contact_id` may be its
  // own id.
  std::unique_ptr<Contact> spare = std::move(it->second);
  contacts_.erase(it);
  spare_contacts_.Recycle(std::move(spare));
}

absl::StatusOr<Contact*> Router::FindConnected(const std::string& contact_id) {
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) {
    return absl::NotFoundError(absl::StrCat("contact_id: '", contact_id, "' is not live"));
  }
  Contact* c = it->second.get();
  if (c->state != ContactState::kConnected) {
    return absl::FailedPreconditionError(absl::StrCat(
        "contact '", contact_id, "' is ", ContactStateName(c->state), ", not connected"));
  }
  return c;
}

absl::Status Router::Complete(const std::string& contact_id, bool keep_as_contact_person,
                              EffectList* effects) {
  absl::StatusOr<Contact*> connected = FindConnected(contact_id);
  if (!connected.ok()) return connected.status();
  Contact& c = **connected;
  const absl::Time now = clock_->Now();
  const absl::Time deadline = now + config_.handler_defaults.max_wrap_up;
  HandlerEntry* e = handlers_.Find(c.handler_id);
  handlers_.Unindex(*e);
  for (HeldContact& hc : e->handler.held) {
    if (hc.contact_id == contact_id) {
      hc.state = HoldState::kWrapUp;
      hc.wrap_up_deadline = deadline;
    }
  }
  handlers_.Index(*e);
  deadlines_.AddWrapUp(deadline, c.handler_id, c.id);
  if (auto at = connected_at_.find(c.id); at != connected_at_.end()) {
    queues_.Find(c.queue)->ObserveHandleTime(now - at->second);
  }
  const auto topic = topics_by_code_.find(c.topic);
  const bool survey = topic != topics_by_code_.end() &&
                      SurveySampled(c.id, config_.surveys.RateFor(*topic->second, c.channel));
  effects->push_back(
      ContactCompleted{c.id, c.handler_id, c.channel, now, deadline,
                       survey ? config_.surveys.quiet_period : absl::ZeroDuration()});
  if (keep_as_contact_person) {
    const absl::Time expires = now + config_.contact_person.mapping_ttl;
    if (!c.party_pseudonym.empty()) {
      ContactPersonMapping m{c.party_pseudonym, c.domain, c.handler_id, expires};
      contact_persons_.Set(m);
      effects->push_back(ContactPersonSet{m, now});
    }
    if (!c.case_reference.empty()) {
      ContactPersonMapping m{c.case_reference, ContactPersonTable::kAnyDomain, c.handler_id,
                             expires};
      contact_persons_.Set(m);
      effects->push_back(ContactPersonSet{m, now});
    }
  }
  Drop(contact_id);
  // Wrap-up does not block other channels the way a conversation does: the handler may have
  // room for, say, a chat again.
  Dispatch(*e, effects);
  return absl::OkStatus();
}

absl::Status Router::SetContactPerson(ContactPersonMapping mapping, EffectList* effects,
                                      const std::string& replaces) {
  if (mapping.party_pseudonym.empty()) {
    return absl::InvalidArgumentError("party: a resident or case is required");
  }
  if (mapping.domain.empty()) return absl::InvalidArgumentError("domain: is required");
  if (handlers_.Find(mapping.handler_id) == nullptr &&
      config_.FindHandler(mapping.handler_id) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("handler_id: '", mapping.handler_id, "' is not in the roster"));
  }
  const absl::Time now = clock_->Now();
  if (mapping.expires_at == absl::InfiniteFuture()) {
    mapping.expires_at = now + config_.contact_person.mapping_ttl;
  }
  if (mapping.expires_at <= now) return absl::InvalidArgumentError("expires_at: in the past");
  ContactPersonSet set;
  set.mapping = mapping;
  set.time = now;
  if (!replaces.empty() && replaces != mapping.party_pseudonym &&
      contact_persons_.EraseOne(replaces, mapping.domain)) {
    set.replaces_pseudonym = replaces;
  }
  contact_persons_.Set(std::move(mapping));
  effects->push_back(std::move(set));
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
  if (previous == ContactState::kCompleted || previous == ContactState::kAbandoned) {
    return absl::FailedPreconditionError(absl::StrCat("contact '", contact_id, "' is closed"));
  }
  const std::string handler_id = c.handler_id;
  HandlerEntry* e = handler_id.empty() ? nullptr : handlers_.Find(handler_id);
  Detach(c);
  effects->push_back(
      ContactAbandoned{c.id, handler_id, c.channel, previous, clock_->Now(), reason});
  Drop(contact_id);
  if (e != nullptr) Dispatch(*e, effects);
  return absl::OkStatus();
}

absl::StatusOr<Decision> Router::Transfer(const std::string& contact_id, const std::string& queue,
                                          EffectList* effects) {
  QueueState* target = queues_.Find(queue);
  if (target == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("queue: '", queue, "' is not configured"));
  }
  absl::StatusOr<Contact*> connected = FindConnected(contact_id);
  if (!connected.ok()) return connected.status();
  Contact& c = **connected;
  const absl::Time now = clock_->Now();
  const std::string from = c.handler_id;
  HandlerEntry* e = handlers_.Find(from);
  if (e != nullptr) handlers_.ReleaseSlot(*e, c.id);
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
  effects->push_back(ContactTransferred{c.id, from, c.channel, queue, now, now});
  // The transfer starts the contact afresh in its new queue: no escalation, overflow or
  // reservation carries over.
  effects->push_back(ContactUpdated{c, now, "routing reset after transfer"});
  Decision d;
  d.contact_id = c.id;
  d.time_zone = config_.calendar.time_zone;
  {
    DecisionNote& note = d.AddNote(NoteKind::kTransferred);
    note.name = handlers_.NoteName(from, &d);
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

absl::StatusOr<ResidentErasure> Router::EraseResident(const std::vector<std::string>& pseudonyms,
                                                      const std::string& requested_by,
                                                      EffectList* effects) {
  if (pseudonyms.empty()) return absl::InvalidArgumentError("pseudonyms: none given");
  for (const std::string& p : pseudonyms) {
    if (p.empty()) return absl::InvalidArgumentError("pseudonyms: an empty pseudonym");
  }
  auto matches = [&](const std::string& value) {
    return !value.empty() &&
           std::find(pseudonyms.begin(), pseudonyms.end(), value) != pseudonyms.end();
  };
  // In id order, so that the effects do not depend on the hash map's order.
  std::vector<std::string> ids;
  for (const auto& [id, c] : contacts_) {
    if (matches(c->party_pseudonym) || matches(c->case_reference)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  const absl::Time now = clock_->Now();
  ResidentErasure erasure;
  std::vector<std::string> freed;  // handlers whose slot an ended contact held
  for (const std::string& id : ids) {
    Contact& c = *contacts_.at(id);
    const std::string handler_id = c.handler_id;
    const ContactState previous = c.state;
    if (previous == ContactState::kCompleted || previous == ContactState::kAbandoned) continue;
    Detach(c);
    effects->push_back(ContactAbandoned{c.id, handler_id, c.channel, previous, now, "erased"});
    Drop(id);
    if (!handler_id.empty()) freed.push_back(handler_id);
    ++erasure.live_contacts_ended;
  }
  for (const std::string& p : pseudonyms) {
    erasure.contact_persons_forgotten += contact_persons_.Erase(p);
  }
  effects->push_back(ResidentErased{pseudonyms, now, requested_by});
  std::sort(freed.begin(), freed.end());
  freed.erase(std::unique(freed.begin(), freed.end()), freed.end());
  for (const std::string& handler_id : freed) {
    if (HandlerEntry* e = handlers_.Find(handler_id)) Dispatch(*e, effects);
  }
  return erasure;
}

void Router::Forget(const std::string& contact_id, EffectList* effects) {
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) return;
  HandlerEntry* e = Detach(*it->second);
  Drop(contact_id);
  if (e != nullptr) Dispatch(*e, effects);
}

}  // namespace wissel::core
