#include "router/core/contact_person_table.h"

#include <iterator>

namespace wissel::core {

const ContactPersonMapping* ContactPersonTable::Find(const std::string& party_pseudonym,
                                                     const std::string& domain,
                                                     absl::Time now) const {
  auto it = mappings_.find({party_pseudonym, domain});
  if (it == mappings_.end() || it->second.expires_at <= now) return nullptr;
  return &it->second;
}

void ContactPersonTable::Expire(absl::Time now) {
  for (auto it = mappings_.begin(); it != mappings_.end();) {
    it = it->second.expires_at <= now ? mappings_.erase(it) : std::next(it);
  }
}

void ContactPersonTable::Rekey(const std::string& from, const std::string& to, absl::Time now,
                               EffectList* effects) {
  if (from.empty() || to.empty() || from == to) return;
  auto it = mappings_.lower_bound({from, std::string()});
  while (it != mappings_.end() && it->first.first == from) {
    ContactPersonMapping old = std::move(it->second);
    it = mappings_.erase(it);
    // An expired one is not carried over; its Redis key expires by itself.
    if (old.expires_at <= now) continue;
    ContactPersonSet set;
    set.time = now;
    set.replaces_pseudonym = from;
    if (const ContactPersonMapping* kept = Find(to, old.domain, now)) {
      set.mapping = *kept;
    } else {
      old.party_pseudonym = to;
      set.mapping = old;
      Set(std::move(old));
    }
    effects->push_back(std::move(set));
  }
}

int ContactPersonTable::Erase(const std::string& party_pseudonym) {
  // Keys are ordered by (pseudonym, domain): a pseudonym's mappings are one run.
  auto first = mappings_.lower_bound({party_pseudonym, std::string()});
  auto last = first;
  int n = 0;
  while (last != mappings_.end() && last->first.first == party_pseudonym) {
    ++last;
    ++n;
  }
  mappings_.erase(first, last);
  return n;
}

const std::string* ContactPersonTable::ReservationTarget(const Contact& c,
                                                         const HandlerIndex& handlers,
                                                         const TenantConfig& config, absl::Time now,
                                                         std::optional<DecisionNote>* note,
                                                         Decision* d) const {
  const ContactPersonMapping* mapping = nullptr;
  if (!c.case_reference.empty()) mapping = Find(c.case_reference, kAnyDomain, now);
  if (mapping == nullptr && !c.party_pseudonym.empty()) {
    mapping = Find(c.party_pseudonym, c.domain, now);
  }
  if (mapping == nullptr) return nullptr;
  const std::string& person = mapping->handler_id;
  const HandlerEntry* e = handlers.Find(person);
  const bool present = e != nullptr && e->active && e->handler.presence != Presence::kOffline;
  note->emplace();
  if (present) {
    (*note)->kind = NoteKind::kContactPerson;
    (*note)->name = &e->handler.id;
    return &e->handler.id;
  }
  const HandlerProfile* profile = config.FindHandler(person);
  if (profile != nullptr && !profile->deputy.empty()) {
    const HandlerEntry* deputy = handlers.Find(profile->deputy);
    if (deputy != nullptr && deputy->active && deputy->handler.presence != Presence::kOffline) {
      (*note)->kind = NoteKind::kDeputy;
      (*note)->name = &profile->id;
      (*note)->name2 = &deputy->handler.id;
      return &deputy->handler.id;
    }
  }
  (*note)->kind = NoteKind::kNoContactPerson;
  (*note)->name = handlers.NoteName(person, d);
  return nullptr;
}

}  // namespace wissel::core
