// ContactPersonTable: the "één contactpersoon" policy's memory — who each resident's (or
// case's) contact person is per domain — and the policy's choice of whom a new contact waits
// for first: the contact person when signed in, else their deputy when signed in, else nobody
// (the team gets the contact).
//
// Mappings expire (`expires_at`); an expired one is never found, and Expire() forgets them.
// Not thread-safe (one Router owns it).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "router/core/contact.h"
#include "router/core/contact_person.h"
#include "router/core/decision.h"
#include "router/core/effect.h"
#include "router/core/handler_index.h"
#include "router/core/tenant_config.h"

namespace wissel::core {

class ContactPersonTable {
 public:
  // Case mappings use this domain: a case's owner applies whatever the topic.
  static constexpr char kAnyDomain[] = "*";

  // Sets (or replaces) the mapping of (party_pseudonym, domain).
  void Set(ContactPersonMapping mapping) {
    std::pair<std::string, std::string> key{mapping.party_pseudonym, mapping.domain};
    mappings_[std::move(key)] = std::move(mapping);
  }
  // The mapping of a resident (or case) in a domain unless it expired by `now`; else nullptr.
  const ContactPersonMapping* Find(const std::string& party_pseudonym, const std::string& domain,
                                   absl::Time now) const;
  // Forgets the mappings that expired by `now`.
  void Expire(absl::Time now);
  // Forgets every mapping of a resident (or case), in every domain, expired or not; returns how
  // many there were.
  int Erase(const std::string& party_pseudonym);
  // Forgets the mapping of (party_pseudonym, domain); whether there was one.
  bool EraseOne(const std::string& party_pseudonym, const std::string& domain) {
    return mappings_.erase({party_pseudonym, domain}) > 0;
  }
  // A rotation of the pseudonym secret: moves every unexpired mapping of `from` (the resident's
  // pseudonym under the secret being replaced) to `to` (under the current one), in every domain,
  // and appends one ContactPersonSet with replaces_pseudonym = `from` per mapping moved. A
  // domain where `to` has a mapping of its own keeps that one (it was set later, under the
  // current secret); the old one is dropped with a ContactPersonSet renewing the current one.
  // Nothing happens when `from` is empty or equals `to`.
  void Rekey(const std::string& from, const std::string& to, absl::Time now, EffectList* effects);
  // Every mapping, expired ones not yet forgotten included, by (pseudonym, domain).
  const std::map<std::pair<std::string, std::string>, ContactPersonMapping>& all() const {
    return mappings_;
  }

  // Which handler contact `c` waits for first: its case's owner, else the resident's contact
  // person in the contact's domain, when signed in (not offline) and active; else their
  // deputy (HandlerProfile::deputy) when that one is; nullptr when there is no such mapping or
  // neither is there. The id returned is the index's own. `note` gets the policy's trace
  // when a contact person is known; names in it may be owned by `d`.
  const std::string* ReservationTarget(const Contact& c, const HandlerIndex& handlers,
                                       const TenantConfig& config, absl::Time now,
                                       std::optional<DecisionNote>* note, Decision* d) const;

 private:
  // (pseudonym, domain) -> contact person.
  std::map<std::pair<std::string, std::string>, ContactPersonMapping> mappings_;
};

}  // namespace wissel::core
