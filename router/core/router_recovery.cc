// Router: putting state back — from the store after a restart (Restore*, FinishRestore) and from
// the previous Router of the tenant on a configuration reload (AdoptState). See router.h.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "router/core/router.h"

namespace wissel::core {

absl::Status Router::RestoreHandler(Handler handler) {
  if (handler.id.empty()) return absl::InvalidArgumentError("handler id: empty");
  if (handlers_.contains(handler.id)) {
    return absl::InvalidArgumentError(absl::StrCat("handler '", handler.id, "' restored twice"));
  }
  HandlerEntry& e = handlers_.Add(std::move(handler));
  for (const HeldContact& hc : e.handler.held) {
    if (hc.state == HoldState::kWrapUp) {
      deadlines_.AddWrapUp(hc.wrap_up_deadline, e.handler.id, hc.contact_id);
    }
  }
  handlers_.Index(e);
  return absl::OkStatus();
}

absl::Status Router::RestoreContact(Contact contact) {
  if (contact.id.empty()) return absl::InvalidArgumentError("contact id: empty");
  if (contacts_.contains(contact.id)) {
    return absl::InvalidArgumentError(absl::StrCat("contact '", contact.id, "' restored twice"));
  }
  if (queues_.Find(contact.queue) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("contact '", contact.id, "': queue '", contact.queue, "' is unknown"));
  }
  for (const std::string& q : contact.overflow_queues) {
    if (queues_.Find(q) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("contact '", contact.id, "': overflow queue '", q, "' is unknown"));
    }
  }
  const bool held =
      contact.state == ContactState::kOffered || contact.state == ContactState::kConnected;
  if (held) {
    HandlerEntry* e = handlers_.Find(contact.handler_id);
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
      handlers_.Find(contact.reserved_for) == nullptr &&
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
      break;
    case ContactState::kOffered:
      queues_.Find(c.queue)->offered++;
      deadlines_.AddOffer(c.offer_deadline, c.id);
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
  contact_persons_.Set(std::move(mapping));
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
  for (const std::string& id : handlers_.SortedIds()) Dispatch(*handlers_.Find(id), effects);
}

void Router::AdoptState(const Router& old, EffectList* effects) {
  for (const std::string& id : old.handlers_.SortedIds()) {
    Handler h = old.handlers_.Find(id)->handler;
    if (absl::Status s = RestoreHandler(std::move(h)); !s.ok()) {
      warnings_.push_back(absl::StrCat("reload: handler '", id, "': ", s.message()));
    }
  }
  for (const auto& [name, q] : old.queues_.by_name()) {
    if (QueueState* mine = queues_.Find(name)) {
      mine->average_handle_time = q->average_handle_time;
    }
  }
  std::vector<std::string> ids;
  for (const auto& [id, c] : old.contacts_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) {
    Contact c = *old.contacts_.at(id);
    bool moved = false;
    if (queues_.Find(c.queue) == nullptr) {
      const TopicConfig* topic = config_.FindTopic(c.topic);
      c.queue = topic != nullptr ? topic->queue : config_.queues.front().name;
      c.min_proficiency =
          std::min(c.min_proficiency, queues_.Find(c.queue)->config->min_proficiency);
      c.escalation_level = 0;
      moved = true;
    }
    c.overflow_queues.erase(
        std::remove_if(c.overflow_queues.begin(), c.overflow_queues.end(),
                       [&](const std::string& q) { return queues_.Find(q) == nullptr; }),
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
  for (const auto& [key, mapping] : old.contact_persons_.all()) RestoreContactPerson(mapping);
  for (const std::string& id : handlers_.SortedIds()) Dispatch(*handlers_.Find(id), effects);
  for (const std::string& id : ids) {
    auto it = contacts_.find(id);
    if (it != contacts_.end() && it->second->state == ContactState::kQueued) {
      TryOffer(*it->second, effects);
    }
  }
}

}  // namespace wissel::core
