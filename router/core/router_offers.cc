// Router: offering contacts to handlers, and the handlers' operations (sign in and out,
// presence, accept, reject, finish wrap-up). See router.h for the contracts.
#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "router/core/router.h"

namespace wissel::core {

void Router::Publish(HandlerEntry& e, EffectList* effects) {
  effects->push_back(HandlerChanged{e.handler, clock_->Now()});
}

void Router::Offer(Contact& c, HandlerEntry& e, EffectList* effects) {
  const absl::Time now = clock_->Now();
  Dequeue(c);
  queues_.Find(c.queue)->offered++;
  c.state = ContactState::kOffered;
  c.handler_id = e.handler.id;
  c.offer_deadline = now + config_.handler_defaults.offer_timeout;
  deadlines_.AddOffer(c.offer_deadline, c.id);

  handlers_.Unindex(e);
  e.handler.held.push_back(HeldContact{c.id, c.channel, HoldState::kOffered});
  e.handler.last_offer_at = now;
  handlers_.Index(e);
  for (auto& [q, level] : e.eligible) {
    if (q->config->name == c.queue) q->last_chosen = e.handler.id;
  }
  effects->push_back(ContactOffered{c.id, e.handler.id, c.channel, now, c.offer_deadline});
}

bool Router::TryOffer(Contact& c, EffectList* effects, Decision* d) {
  if (!c.reserved_for.empty()) {
    HandlerEntry* e = handlers_.Find(c.reserved_for);
    if (e != nullptr && handlers_.MayTake(*e, c, false)) {
      if (d) d->AddNote(NoteKind::kReservedFree).name = &e->handler.id;
      Offer(c, *e, effects);
      return true;
    }
    if (d) d->AddNote(NoteKind::kReservedBusy).name = handlers_.NoteName(c.reserved_for, d);
    return false;
  }
  // The contact's own queue first (index -1), then overflow queues (any proficiency there).
  for (int i = -1; i < static_cast<int>(c.overflow_queues.size()); ++i) {
    const bool via_overflow = i >= 0;
    QueueState* q = queues_.Find(via_overflow ? c.overflow_queues[i] : c.queue);
    if (q == nullptr) continue;
    const HandlerIndex::Choice choice = handlers_.Choose(c, *q, via_overflow);
    if (choice.handler == nullptr) continue;
    if (d) {
      DecisionNote& note = d->AddNote(NoteKind::kCandidate);
      note.name = &choice.handler->handler.id;
      note.name2 = &q->config->name;
      note.number = choice.considered;
      note.number2 = static_cast<int>(q->config->strategy);
      note.flag = via_overflow;
    }
    Offer(c, *choice.handler, effects);
    return true;
  }
  return false;
}

void Router::Dispatch(HandlerEntry& e, EffectList* effects) {
  Handler& h = e.handler;
  while (h.presence == Presence::kAvailable && e.active) {
    const WaitKey* best = nullptr;
    bool best_reserved = false;
    // Contacts waiting for this handler in particular come first.
    if (const PerChannel<WaitSet>* reserved = waiting_.ReservedFor(h.id)) {
      for (Channel ch : kAllChannels) {
        if (!handlers_.CanTakeChannel(h, ch)) continue;
        for (const WaitKey& key : (*reserved)[ch]) {
          if (!handlers_.MayTake(e, *contacts_.at(key.contact_id), false)) continue;
          if (best == nullptr || key < *best) best = &key;
          break;
        }
      }
      best_reserved = best != nullptr;
    }
    if (!best_reserved) {
      for (const auto& [q, level] : e.eligible) {
        for (Channel ch : kAllChannels) {
          if (!handlers_.CanTakeChannel(h, ch)) continue;
          for (int required = kMinProficiency; required <= level; ++required) {
            for (const WaitKey& key : q->waiting[ch][required]) {
              const Contact& c = *contacts_.at(key.contact_id);
              if (!handlers_.MayTake(e, c, c.queue != q->config->name)) continue;
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
  HandlerEntry* e = handlers_.Find(c.handler_id);
  deadlines_.RemoveOffer(c.offer_deadline, c.id);
  queues_.Find(c.queue)->offered--;
  const std::string handler_id = c.handler_id;
  if (e != nullptr) handlers_.ReleaseSlot(*e, c.id);
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
  effects->push_back(OfferWithdrawn{c.id, handler_id, c.channel, clock_->Now(), reason});
}

// ---------------------------------------------------------------------------------------------
// The handlers' operations.

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
  if (profile == nullptr && !config_.dynamic_handlers) {
    return absl::PermissionDeniedError(
        absl::StrCat("handler_id: '", in.id, "' is not in the tenant's roster"));
  }
  if (profile != nullptr && !profile->active) {
    return absl::FailedPreconditionError(
        absl::StrCat("handler '", in.id, "' is marked inactive in the roster"));
  }
  if (profile != nullptr && in.skills.empty() && in.teams.empty()) {
    for (const auto& [skill, level] : profile->skills) in.skills.push_back(skill);
    in.teams = profile->teams;
  }
  if (profile != nullptr && in.address.empty()) in.address = profile->address;
  if (in.presence == Presence::kOffline) in.presence = Presence::kAvailable;

  HandlerEntry* e = handlers_.Find(in.id);
  if (e == nullptr) {
    Handler fresh;
    fresh.id = in.id;
    fresh.last_offer_at = clock_->Now();
    e = &handlers_.Add(std::move(fresh));
  } else {
    handlers_.Unindex(*e);
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
  handlers_.ComputeEligibility(*e);
  handlers_.Index(*e);
  Publish(*e, effects);
  Dispatch(*e, effects);
  return h;
}

absl::Status Router::SignOut(const std::string& handler_id, EffectList* effects) {
  HandlerEntry* e = handlers_.Find(handler_id);
  if (e == nullptr) return absl::NotFoundError(absl::StrCat("handler_id: '", handler_id, "'"));
  if (!e->handler.held.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("handler '", handler_id, "' still holds ",
                                                      e->handler.held.size(), " contact(s)"));
  }
  handlers_.Unindex(*e);
  e->handler.presence = Presence::kOffline;
  Publish(*e, effects);
  // Contacts waiting for this handler in particular go to their teams now.
  if (const PerChannel<WaitSet>* reserved = waiting_.ReservedFor(handler_id)) {
    std::vector<std::string> waiting;
    for (Channel ch : kAllChannels) {
      for (const WaitKey& key : (*reserved)[ch]) waiting.push_back(key.contact_id);
    }
    for (const std::string& id : waiting) EndReservation(*contacts_.at(id), effects);
  }
  return absl::OkStatus();
}

absl::Status Router::SetPresence(const std::string& handler_id, Presence presence,
                                 EffectList* effects) {
  HandlerEntry* e = handlers_.Find(handler_id);
  if (e == nullptr || e->handler.presence == Presence::kOffline) {
    return absl::NotFoundError(absl::StrCat("handler_id: '", handler_id, "' is not signed in"));
  }
  if (presence == Presence::kOffline) {
    return absl::InvalidArgumentError("presence: use SignOut to go offline");
  }
  handlers_.Unindex(*e);
  e->handler.presence = presence;
  handlers_.Index(*e);
  Publish(*e, effects);
  Dispatch(*e, effects);
  return absl::OkStatus();
}

absl::StatusOr<std::pair<HandlerEntry*, Contact*>> Router::FindOffer(
    const std::string& handler_id, const std::string& contact_id) {
  HandlerEntry* e = handlers_.Find(handler_id);
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
  deadlines_.RemoveOffer(c.offer_deadline, c.id);
  queues_.Find(c.queue)->offered--;
  c.state = ContactState::kConnected;
  c.offer_deadline = absl::InfiniteFuture();
  handlers_.Unindex(*e);
  for (HeldContact& hc : e->handler.held) {
    if (hc.contact_id == contact_id) hc.state = HoldState::kConnected;
  }
  handlers_.Index(*e);
  connected_at_[c.id] = now;
  effects->push_back(OfferAccepted{c.id, handler_id, now, c.channel, c.queue, c.topic, c.created_at,
                                   c.enqueued_at});
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

absl::Status Router::FinishWrapUp(const std::string& handler_id, const std::string& contact_id,
                                  EffectList* effects) {
  HandlerEntry* e = handlers_.Find(handler_id);
  if (e == nullptr) return absl::NotFoundError(absl::StrCat("handler_id: '", handler_id, "'"));
  auto held = std::find_if(e->handler.held.begin(), e->handler.held.end(),
                           [&](const HeldContact& hc) { return hc.contact_id == contact_id; });
  if (held == e->handler.held.end() || held->state != HoldState::kWrapUp) {
    return absl::FailedPreconditionError(absl::StrCat(
        "handler '", handler_id, "' is not in wrap-up for contact '", contact_id, "'"));
  }
  const Channel channel = held->channel;
  deadlines_.RemoveWrapUp(held->wrap_up_deadline, handler_id, contact_id);
  handlers_.ReleaseSlot(*e, contact_id);
  effects->push_back(WrapUpFinished{contact_id, handler_id, channel, clock_->Now(), "finished"});
  Dispatch(*e, effects);
  return absl::OkStatus();
}

}  // namespace wissel::core
