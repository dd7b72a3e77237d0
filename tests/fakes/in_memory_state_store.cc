#include "tests/fakes/in_memory_state_store.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <type_traits>
#include <variant>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "router/state/audit.h"
#include "router/state/contact_codec.h"
#include "router/state/contact_person_codec.h"
#include "router/state/handler_codec.h"
#include "router/state/redis_keys.h"
#include "router/state/stored_names.h"

namespace wissel::testing {
namespace {

using core::ContactState;
using state::CheckContactNames;
using state::CheckId;
using state::CheckTenant;
using state::EffectResult;
using state::HistoryEntry;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

absl::Status CheckHandlerId(const std::string& handler_id) {
  if (handler_id.empty()) return absl::InvalidArgumentError("handler_id: empty");
  return CheckId("handler_id", handler_id);
}

bool Finite(absl::Time t) { return t != absl::InfiniteFuture() && t != absl::InfinitePast(); }

absl::Status Validate(const state::TenantEffect& te) {
  WISSEL_RETURN_IF_ERROR(CheckTenant(te.tenant));
  auto contact_and_handler = [](const std::string& contact_id, const std::string& handler_id) {
    WISSEL_RETURN_IF_ERROR(CheckHandlerId(handler_id));
    return CheckId("contact_id", contact_id);
  };
  return std::visit(
      Overloaded{
          [](const core::ContactCreated& e) -> absl::Status {
            WISSEL_RETURN_IF_ERROR(CheckContactNames(e.contact));
            if (e.contact.state == ContactState::kOffered ||
                e.contact.state == ContactState::kConnected) {
              return absl::InvalidArgumentError(absl::StrCat(
                  "state: a contact cannot be created ", core::ContactStateName(e.contact.state)));
            }
            return absl::OkStatus();
          },
          [](const core::ContactUpdated& e) { return CheckContactNames(e.contact); },
          [](const core::ContactPersonSet& e) -> absl::Status {
            const core::ContactPersonMapping& m = e.mapping;
            if (!state::keys::ValidPseudonym(m.party_pseudonym)) {
              return absl::InvalidArgumentError("party_pseudonym: not 64 lower-case hex digits");
            }
            if (!e.replaces_pseudonym.empty() &&
                !state::keys::ValidPseudonym(e.replaces_pseudonym)) {
              return absl::InvalidArgumentError("replaces_pseudonym: not 64 lower-case hex digits");
            }
            WISSEL_RETURN_IF_ERROR(CheckId("domain", m.domain));
            WISSEL_RETURN_IF_ERROR(CheckId("handler_id", m.handler_id));
            if (!Finite(e.time) || !Finite(m.expires_at)) {
              return absl::InvalidArgumentError(
                  "contact person: time and expires_at must be finite");
            }
            return absl::OkStatus();
          },
          [&](const core::ContactOffered& e) {
            return contact_and_handler(e.contact_id, e.handler_id);
          },
          [&](const core::OfferWithdrawn& e) {
            return contact_and_handler(e.contact_id, e.handler_id);
          },
          [&](const core::OfferAccepted& e) {
            return contact_and_handler(e.contact_id, e.handler_id);
          },
          [&](const core::ContactCompleted& e) {
            return contact_and_handler(e.contact_id, e.handler_id);
          },
          [&](const core::WrapUpFinished& e) {
            return contact_and_handler(e.contact_id, e.handler_id);
          },
          [](const core::ContactAbandoned& e) -> absl::Status {
            if (!state::IsLive(e.previous)) {
              return absl::InvalidArgumentError(absl::StrCat(
                  "previous: '", core::ContactStateName(e.previous), "' is not a live state"));
            }
            WISSEL_RETURN_IF_ERROR(CheckId("contact_id", e.contact_id));
            if (!e.handler_id.empty()) WISSEL_RETURN_IF_ERROR(CheckId("handler_id", e.handler_id));
            return absl::OkStatus();
          },
          [&](const core::ContactTransferred& e) {
            return contact_and_handler(e.contact_id, e.from_handler_id);
          },
          [](const core::ResidentErased& e) -> absl::Status {
            if (e.pseudonyms.empty()) return absl::InvalidArgumentError("pseudonyms: none given");
            for (const std::string& p : e.pseudonyms) {
              if (!state::keys::ValidPseudonym(p)) {
                return absl::InvalidArgumentError("pseudonyms: not 64 lower-case hex digits");
              }
            }
            return absl::OkStatus();
          },
          [](const core::HandlerChanged& e) -> absl::Status {
            WISSEL_RETURN_IF_ERROR(CheckId("handler_id", e.handler.id));
            for (const auto* names : {&e.handler.skills, &e.handler.teams}) {
              for (const std::string& s : *names) {
                if (s.empty() || absl::StrContains(s, ',')) {
                  return absl::InvalidArgumentError(absl::StrCat("skills/teams: '", s, "'"));
                }
              }
            }
            return absl::OkStatus();
          },
      },
      te.effect);
}

EffectResult Refuse(std::string why) {
  return EffectResult{absl::FailedPreconditionError(std::move(why)), "", false};
}

absl::Status Unreachable() {
  return absl::UnavailableError("in-memory state store: unavailable (test control)");
}

}  // namespace

// What Redis holds for one tenant.
struct InMemoryTenant {
  struct ContactRecord {
    core::Contact contact;  // as stored: no idempotency key
    std::vector<HistoryEntry> history;
  };
  std::map<std::string, ContactRecord> contacts;
  std::map<std::string, core::Handler> handlers;  // signed in; `held` and `proficiency` empty
  std::map<std::string, std::map<std::string, core::HeldContact>> held;  // handler -> contact
  std::map<std::string, core::ContactPersonMapping> contact_persons;     // by index member
  std::map<std::string, std::string> legacy_idempotency;                 // key -> contact id
  std::map<std::string, std::set<std::string>> resident_index;           // pseudonym -> contact ids
  std::vector<state::AuditEntry> audit;                                  // with id and time
  std::string lease;  // "<epoch>|<nonce>|<address>", "" when free
  absl::Time lease_expires = absl::InfinitePast();
  int64_t epoch = 0;

  bool empty() const {
    return contacts.empty() && handlers.empty() && held.empty() && contact_persons.empty() &&
           legacy_idempotency.empty() && resident_index.empty() && audit.empty() && lease.empty() &&
           epoch == 0;
  }

  // XADD with an id "*": the wall clock's milliseconds, and a sequence within one millisecond
  // (ids increase even when the clock does not).
  void AppendAudit(state::AuditEntry entry) {
    int64_t ms = absl::ToUnixMillis(absl::Now());
    int64_t seq = 0;
    if (!audit.empty()) {
      const std::vector<std::string> last = absl::StrSplit(audit.back().id, '-');
      int64_t last_ms = 0;
      int64_t last_seq = 0;
      if (last.size() == 2 && absl::SimpleAtoi(last[0], &last_ms) &&
          absl::SimpleAtoi(last[1], &last_seq) && ms <= last_ms) {
        ms = last_ms;
        seq = last_seq + 1;
      }
    }
    entry.id = absl::StrCat(ms, "-", seq);
    entry.time = absl::FromUnixMillis(ms);
    audit.push_back(std::move(entry));
  }

  // The lease unless it expired by `now`.
  const std::string& LeaseAt(absl::Time now) {
    if (!lease.empty() && now >= lease_expires) lease.clear();
    return lease;
  }

  // check_contact of scripts.h: the contact exists in `want` and, when `handler` is set, is
  // held by it.
  ContactRecord* Check(const std::string& cid, ContactState want, const std::string* handler,
                       EffectResult* refused) {
    auto it = contacts.find(cid);
    if (it == contacts.end()) {
      *refused = Refuse(absl::StrCat("contact ", cid, " does not exist"));
      return nullptr;
    }
    const core::Contact& c = it->second.contact;
    if (c.state != want || (handler != nullptr && c.handler_id != *handler)) {
      std::string what = absl::StrCat("contact ", cid, " is ", core::ContactStateName(c.state));
      if (!c.handler_id.empty()) absl::StrAppend(&what, " to ", c.handler_id);
      std::string expected(core::ContactStateName(want));
      if (handler != nullptr && !handler->empty()) absl::StrAppend(&expected, " to ", *handler);
      *refused = Refuse(absl::StrCat(what, ", expected ", expected));
      return nullptr;
    }
    return &it->second;
  }

  void Hold(const std::string& hid, const std::string& cid, core::Channel channel,
            core::HoldState hold, absl::Time wrap_up_deadline) {
    held[hid][cid] = core::HeldContact{cid, channel, hold, wrap_up_deadline};
  }
  void Unhold(const std::string& hid, const std::string& cid) {
    auto it = held.find(hid);
    if (it == held.end()) return;
    it->second.erase(cid);
    if (it->second.empty()) held.erase(it);
  }

  EffectResult Apply(const core::Effect& effect) {
    EffectResult refused;
    auto history = [](ContactRecord& r, absl::Time time, ContactState s, const std::string& hid,
                      std::string reason) {
      r.history.push_back(HistoryEntry{time, s, hid, std::move(reason)});
    };
    return std::visit(
        Overloaded{
            [&](const core::ContactCreated& e) -> EffectResult {
              const core::Contact& c = e.contact;
              const bool keyed = !c.idempotency_key.empty();
              if (keyed) {
                auto legacy = legacy_idempotency.find(std::string(c.idempotency_key.str()));
                if (legacy != legacy_idempotency.end()) {
                  return EffectResult{
                      absl::AlreadyExistsError(absl::StrCat("contact '", legacy->second,
                                                            "' exists for this idempotency key")),
                      legacy->second, false};
                }
              }
              if (auto it = contacts.find(c.id); it != contacts.end()) {
                if (!keyed) return Refuse(absl::StrCat("contact ", c.id, " already exists"));
                return EffectResult{absl::AlreadyExistsError(absl::StrCat(
                                        "contact '", c.id, "' exists for this idempotency key")),
                                    c.id, state::IsLive(it->second.contact.state)};
              }
              ContactRecord& r = contacts[c.id];
              r.contact = c;
              r.contact.idempotency_key = core::SharedString();
              for (const std::string* p : {&c.party_pseudonym, &c.case_reference}) {
                if (state::keys::ValidPseudonym(*p)) resident_index[*p].insert(c.id);
              }
              history(r, c.created_at, c.state, c.handler_id,
                      e.reason.empty() ? std::string(state::kCreatedReason) : e.reason);
              return EffectResult{};
            },
            [&](const core::ContactOffered& e) -> EffectResult {
              ContactRecord* r = Check(e.contact_id, ContactState::kQueued, nullptr, &refused);
              if (r == nullptr) return refused;
              const std::string channel(core::ChannelName(e.channel));
              if (r->contact.channel != e.channel) {
                return Refuse(absl::StrCat("contact ", e.contact_id, " is on channel ",
                                           core::ChannelName(r->contact.channel), ", not ",
                                           channel));
              }
              auto h = handlers.find(e.handler_id);
              if (h == handlers.end()) {
                return Refuse(absl::StrCat("handler ", e.handler_id, " is not signed in"));
              }
              if (h->second.presence != core::Presence::kAvailable) {
                return Refuse(absl::StrCat("handler ", e.handler_id, " is ",
                                           core::PresenceName(h->second.presence)));
              }
              int load = 0;
              for (const auto& [cid, hc] : held[e.handler_id]) load += hc.channel == e.channel;
              const int capacity = h->second.capacity[e.channel];
              if (load >= capacity) {
                return Refuse(absl::StrCat("handler ", e.handler_id, " has no free capacity on ",
                                           channel, " (", load, " of ", capacity, ")"));
              }
              r->contact.state = ContactState::kOffered;
              r->contact.handler_id = e.handler_id;
              r->contact.offer_deadline = e.deadline;
              Hold(e.handler_id, e.contact_id, e.channel, core::HoldState::kOffered,
                   absl::InfiniteFuture());
              h->second.last_offer_at = e.time;
              history(*r, e.time, ContactState::kOffered, e.handler_id, "");
              return EffectResult{};
            },
            [&](const core::OfferWithdrawn& e) -> EffectResult {
              ContactRecord* r =
                  Check(e.contact_id, ContactState::kOffered, &e.handler_id, &refused);
              if (r == nullptr) return refused;
              core::Contact& c = r->contact;
              c.state = ContactState::kQueued;
              c.handler_id.clear();
              c.offer_deadline = absl::InfiniteFuture();
              const bool declined = e.reason == "rejected" || e.reason == "offer_timeout";
              if (declined && std::find(c.declined_by.begin(), c.declined_by.end(), e.handler_id) ==
                                  c.declined_by.end()) {
                c.declined_by.push_back(e.handler_id);
              }
              Unhold(e.handler_id, e.contact_id);
              history(*r, e.time, ContactState::kQueued, e.handler_id, e.reason);
              return EffectResult{};
            },
            [&](const core::OfferAccepted& e) -> EffectResult {
              ContactRecord* r =
                  Check(e.contact_id, ContactState::kOffered, &e.handler_id, &refused);
              if (r == nullptr) return refused;
              r->contact.state = ContactState::kConnected;
              r->contact.offer_deadline = absl::InfiniteFuture();
              Hold(e.handler_id, e.contact_id, r->contact.channel, core::HoldState::kConnected,
                   absl::InfiniteFuture());
              history(*r, e.time, ContactState::kConnected, e.handler_id, "");
              return EffectResult{};
            },
            [&](const core::ContactCompleted& e) -> EffectResult {
              ContactRecord* r =
                  Check(e.contact_id, ContactState::kConnected, &e.handler_id, &refused);
              if (r == nullptr) return refused;
              r->contact.state = ContactState::kCompleted;
              r->contact.handler_id.clear();
              Hold(e.handler_id, e.contact_id, r->contact.channel, core::HoldState::kWrapUp,
                   e.wrap_up_deadline);
              history(*r, e.time, ContactState::kCompleted, e.handler_id, "");
              return EffectResult{};
            },
            [&](const core::WrapUpFinished& e) -> EffectResult {
              const core::HeldContact* hc = nullptr;
              if (auto h = held.find(e.handler_id); h != held.end()) {
                if (auto it = h->second.find(e.contact_id); it != h->second.end()) hc = &it->second;
              }
              if (hc == nullptr) {
                return Refuse(absl::StrCat("handler ", e.handler_id, " does not hold contact ",
                                           e.contact_id));
              }
              if (hc->state != core::HoldState::kWrapUp) {
                return Refuse(absl::StrCat("handler ", e.handler_id, " holds contact ",
                                           e.contact_id, " as ", state::HoldStateName(hc->state),
                                           ", not ",
                                           state::HoldStateName(core::HoldState::kWrapUp)));
              }
              Unhold(e.handler_id, e.contact_id);
              if (auto c = contacts.find(e.contact_id); c != contacts.end()) {
                history(c->second, e.time, ContactState::kCompleted, e.handler_id, e.reason);
              }
              return EffectResult{};
            },
            [&](const core::ContactAbandoned& e) -> EffectResult {
              ContactRecord* r = Check(e.contact_id, e.previous, &e.handler_id, &refused);
              if (r == nullptr) return refused;
              r->contact.state = ContactState::kAbandoned;
              r->contact.handler_id.clear();
              r->contact.offer_deadline = absl::InfiniteFuture();
              if (!e.handler_id.empty()) Unhold(e.handler_id, e.contact_id);
              history(*r, e.time, ContactState::kAbandoned, e.handler_id, e.reason);
              return EffectResult{};
            },
            [&](const core::ContactTransferred& e) -> EffectResult {
              ContactRecord* r =
                  Check(e.contact_id, ContactState::kConnected, &e.from_handler_id, &refused);
              if (r == nullptr) return refused;
              core::Contact& c = r->contact;
              c.state = ContactState::kQueued;
              c.handler_id.clear();
              c.offer_deadline = absl::InfiniteFuture();
              c.queue = e.to_queue;
              c.enqueued_at = e.enqueued_at;
              c.declined_by.clear();
              Unhold(e.from_handler_id, e.contact_id);
              history(*r, e.time, ContactState::kQueued, e.from_handler_id,
                      absl::StrCat("transferred to ", e.to_queue));
              return EffectResult{};
            },
            [&](const core::ContactUpdated& e) -> EffectResult {
              ContactRecord* r = Check(e.contact.id, ContactState::kQueued, nullptr, &refused);
              if (r == nullptr) return refused;
              // The routing fields (contact_codec.h: EncodeRoutingFields), nothing else.
              core::Contact& c = r->contact;
              const core::Contact& u = e.contact;
              c.queue = u.queue;
              c.priority = u.priority;
              c.enqueued_at = u.enqueued_at;
              c.callback = u.callback;
              c.escalation_level = u.escalation_level;
              c.min_proficiency = u.min_proficiency;
              c.overflow_queues = u.overflow_queues;
              c.required_skills = u.required_skills;
              c.reserved_for = u.reserved_for;
              c.reserved_until = u.reserved_until;
              history(*r, e.time, ContactState::kQueued, "",
                      e.reason.empty() ? "updated" : e.reason);
              return EffectResult{};
            },
            [&](const core::ContactPersonSet& e) -> EffectResult {
              const std::string member =
                  state::ContactPersonMember(e.mapping.party_pseudonym, e.mapping.domain);
              if (e.mapping.expires_at <= e.time) {
                contact_persons.erase(member);
              } else {
                contact_persons[member] = e.mapping;
              }
              if (!e.replaces_pseudonym.empty()) {
                contact_persons.erase(
                    state::ContactPersonMember(e.replaces_pseudonym, e.mapping.domain));
              }
              return EffectResult{};
            },
            [&](const core::ResidentErased& e) -> EffectResult {
              const std::set<std::string> mine(e.pseudonyms.begin(), e.pseudonyms.end());
              std::set<std::string> doomed;
              for (const std::string& p : e.pseudonyms) {
                auto index = resident_index.find(p);
                if (index == resident_index.end()) continue;
                for (const std::string& cid : index->second) {
                  auto it = contacts.find(cid);
                  if (it == contacts.end()) continue;
                  const core::Contact& c = it->second.contact;
                  if (!mine.contains(c.party_pseudonym) && !mine.contains(c.case_reference)) {
                    continue;
                  }
                  if (state::IsLive(c.state)) {
                    return Refuse(absl::StrCat("contact ", cid, " of the resident is ",
                                               core::ContactStateName(c.state)));
                  }
                  doomed.insert(cid);
                }
              }
              EffectResult result;
              for (const std::string& cid : doomed) contacts.erase(cid);
              result.erased_contacts = static_cast<int64_t>(doomed.size());
              for (auto it = contact_persons.begin(); it != contact_persons.end();) {
                if (mine.contains(it->second.party_pseudonym)) {
                  it = contact_persons.erase(it);
                  ++result.erased_mappings;
                } else {
                  ++it;
                }
              }
              for (const std::string& p : e.pseudonyms) resident_index.erase(p);
              state::AuditEntry entry;
              entry.actor =
                  e.requested_by.empty() ? std::string(state::kAuditRouterActor) : e.requested_by;
              entry.action = std::string(state::kAuditEraseResident);
              std::vector<std::string> subjects;
              for (const std::string& p : e.pseudonyms) subjects.push_back(state::AuditSubject(p));
              entry.subject = absl::StrJoin(subjects, ",");
              entry.detail = absl::StrCat("contacts=", result.erased_contacts,
                                          " mappings=", result.erased_mappings);
              AppendAudit(std::move(entry));
              return result;
            },
            [&](const core::HandlerChanged& e) -> EffectResult {
              const std::string& hid = e.handler.id;
              if (e.handler.presence == core::Presence::kOffline) {
                auto h = held.find(hid);
                if (h != held.end() && !h->second.empty()) {
                  return Refuse(absl::StrCat("handler ", hid, " still holds ", h->second.size(),
                                             " contact(s)"));
                }
                handlers.erase(hid);
                held.erase(hid);
                return EffectResult{};
              }
              core::Handler stored = e.handler;
              stored.held.clear();
              stored.proficiency.clear();  // not stored (handler_codec.h)
              handlers[hid] = std::move(stored);
              return EffectResult{};
            },
        },
        effect);
  }
};

struct InMemoryStateStore::Backing {
  mutable absl::Mutex mu;
  bool available ABSL_GUARDED_BY(mu) = true;
  std::map<std::string, InMemoryTenant> tenants ABSL_GUARDED_BY(mu);
};

InMemoryStateStore::InMemoryStateStore(InMemoryStateStoreOptions options)
    : InMemoryStateStore(std::make_shared<Backing>(), options) {}

InMemoryStateStore::InMemoryStateStore(std::shared_ptr<Backing> backing,
                                       InMemoryStateStoreOptions options)
    : backing_(std::move(backing)), options_(options) {}

InMemoryStateStore::~InMemoryStateStore() = default;

std::unique_ptr<InMemoryStateStore> InMemoryStateStore::NewReplica(
    InMemoryStateStoreOptions options) const {
  return std::unique_ptr<InMemoryStateStore>(new InMemoryStateStore(backing_, options));
}

void InMemoryStateStore::Count(int Counters::*call) {
  absl::MutexLock lock(&mu_);
  ++(counters_.*call);
}

absl::Time InMemoryStateStore::Now() const {
  return options_.clock != nullptr ? options_.clock->Now() : absl::Now();
}

absl::Time InMemoryStateStore::LeaseNow() const {
  return options_.lease_clock != nullptr ? options_.lease_clock->Now() : absl::Now();
}

std::string InMemoryStateStore::FenceOf(const std::string& tenant) const {
  absl::MutexLock lock(&mu_);
  auto it = fences_.find(tenant);
  return it == fences_.end() ? std::string() : it->second;
}

void InMemoryStateStore::SetFence(const std::string& tenant, std::string lease) {
  absl::MutexLock lock(&mu_);
  fences_[tenant] = std::move(lease);
}

absl::StatusOr<std::vector<EffectResult>> InMemoryStateStore::Apply(
    absl::Span<const state::TenantEffect> effects) {
  std::vector<EffectResult> results(effects.size());
  std::vector<size_t> sent;
  for (size_t i = 0; i < effects.size(); ++i) {
    results[i].status = Validate(effects[i]);
    if (results[i].status.ok()) sent.push_back(i);
  }
  {
    absl::MutexLock lock(&mu_);
    ++counters_.apply;
    counters_.effects += static_cast<int64_t>(effects.size());
    if (sent.empty()) return results;
    // Whether this call fails is decided as it starts, so that a failure armed while an earlier
    // call waits in PauseApply() hits the next call.
    absl::Status failure;
    if (fail_applies_ > 0) {
      --fail_applies_;
      failure = fail_status_;
    }
    ++apply_waiting_;
    mu_.Await(absl::Condition(
        +[](bool* paused) { return !*paused; }, &paused_));
    --apply_waiting_;
    if (!failure.ok()) return failure;
  }
  std::vector<std::string> fences;
  fences.reserve(sent.size());
  for (size_t i : sent) fences.push_back(FenceOf(effects[i].tenant));
  {
    absl::MutexLock lock(&backing_->mu);
    if (!backing_->available) return Unreachable();
    const absl::Time now = LeaseNow();
    for (size_t j = 0; j < sent.size(); ++j) {
      const state::TenantEffect& te = effects[sent[j]];
      InMemoryTenant& tenant = backing_->tenants[te.tenant];
      const std::string& holder = tenant.LeaseAt(now);
      if (!fences[j].empty() && holder != fences[j]) {
        results[sent[j]].status = absl::PermissionDeniedError(
            absl::StrCat("fenced: the tenant's lease is now '", holder, "'"));
        continue;
      }
      results[sent[j]] = tenant.Apply(te.effect);
    }
  }
  absl::MutexLock lock(&mu_);
  applied_batches_.push_back(sent.size());
  return results;
}

absl::StatusOr<state::TenantSnapshot> InMemoryStateStore::LoadTenant(const std::string& tenant) {
  Count(&Counters::load_tenant);
  WISSEL_RETURN_IF_ERROR(CheckTenant(tenant));
  const absl::Time now = Now();
  absl::MutexLock lock(&backing_->mu);
  if (!backing_->available) return Unreachable();
  state::TenantSnapshot snapshot;
  auto t = backing_->tenants.find(tenant);
  if (t == backing_->tenants.end()) return snapshot;
  InMemoryTenant& data = t->second;
  for (const auto& [id, handler] : data.handlers) {
    core::Handler h = handler;
    if (auto held = data.held.find(id); held != data.held.end()) {
      for (const auto& [cid, hc] : held->second) h.held.push_back(hc);
    }
    snapshot.handlers.push_back(std::move(h));
  }
  for (const auto& [id, record] : data.contacts) {
    if (!state::IsLive(record.contact.state)) continue;
    snapshot.live_contacts.push_back(record.contact);
    snapshot.live_contacts.back().id = id;
  }
  // As Redis's live set orders them: by score (enqueued_at), then by member.
  std::sort(snapshot.live_contacts.begin(), snapshot.live_contacts.end(),
            [](const core::Contact& a, const core::Contact& b) {
              return std::tie(a.enqueued_at, a.id) < std::tie(b.enqueued_at, b.id);
            });
  std::vector<std::pair<std::string, core::ContactPersonMapping>> persons;
  for (const auto& [member, m] : data.contact_persons) {
    if (m.expires_at > now) persons.emplace_back(member, m);
  }
  std::sort(persons.begin(), persons.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second.expires_at, a.first) < std::tie(b.second.expires_at, b.first);
  });
  for (auto& [member, m] : persons) snapshot.contact_persons.push_back(std::move(m));
  return snapshot;
}

absl::StatusOr<state::StoredContact> InMemoryStateStore::LoadContact(
    const std::string& tenant, const std::string& contact_id) {
  Count(&Counters::load_contact);
  WISSEL_RETURN_IF_ERROR(CheckTenant(tenant));
  WISSEL_RETURN_IF_ERROR(CheckId("contact_id", contact_id));
  absl::MutexLock lock(&backing_->mu);
  if (!backing_->available) return Unreachable();
  auto t = backing_->tenants.find(tenant);
  if (t != backing_->tenants.end()) {
    if (auto it = t->second.contacts.find(contact_id); it != t->second.contacts.end()) {
      state::StoredContact stored{it->second.contact, it->second.history};
      stored.contact.id = contact_id;
      return stored;
    }
  }
  return absl::NotFoundError(absl::StrCat("contact_id: '", contact_id, "' not found"));
}

absl::StatusOr<std::string> InMemoryStateStore::FindByIdempotencyKey(
    const std::string& tenant, const std::string& idempotency_key) {
  Count(&Counters::find_by_idempotency_key);
  WISSEL_RETURN_IF_ERROR(CheckTenant(tenant));
  if (idempotency_key.empty()) return absl::InvalidArgumentError("idempotency_key: empty");
  absl::MutexLock lock(&backing_->mu);
  if (!backing_->available) return Unreachable();
  auto t = backing_->tenants.find(tenant);
  if (t != backing_->tenants.end()) {
    auto it = t->second.legacy_idempotency.find(idempotency_key);
    if (it != t->second.legacy_idempotency.end()) return it->second;
  }
  return absl::NotFoundError("idempotency_key: unused or expired");
}

absl::StatusOr<state::ResidentData> InMemoryStateStore::LoadResident(
    const std::string& tenant, const std::vector<std::string>& pseudonyms) {
  WISSEL_RETURN_IF_ERROR(CheckTenant(tenant));
  for (const std::string& p : pseudonyms) {
    if (!state::keys::ValidPseudonym(p)) {
      return absl::InvalidArgumentError("pseudonyms: not 64 lower-case hex digits");
    }
  }
  const absl::Time now = Now();
  absl::MutexLock lock(&backing_->mu);
  if (!backing_->available) return Unreachable();
  state::ResidentData data;
  auto t = backing_->tenants.find(tenant);
  if (t == backing_->tenants.end()) return data;
  const InMemoryTenant& d = t->second;
  const std::set<std::string> mine(pseudonyms.begin(), pseudonyms.end());
  std::set<std::string> ids;
  for (const std::string& p : pseudonyms) {
    if (auto index = d.resident_index.find(p); index != d.resident_index.end()) {
      ids.insert(index->second.begin(), index->second.end());
    }
  }
  for (const std::string& id : ids) {
    auto it = d.contacts.find(id);
    if (it == d.contacts.end()) continue;
    const core::Contact& c = it->second.contact;
    if (!mine.contains(c.party_pseudonym) && !mine.contains(c.case_reference)) continue;
    state::StoredContact stored{c, it->second.history};
    stored.contact.id = id;
    data.contacts.push_back(std::move(stored));
  }
  std::sort(data.contacts.begin(), data.contacts.end(),
            [](const state::StoredContact& a, const state::StoredContact& b) {
              return std::tie(a.contact.created_at, a.contact.id) <
                     std::tie(b.contact.created_at, b.contact.id);
            });
  for (const auto& [member, m] : d.contact_persons) {  // ordered by member: (pseudonym, domain)
    if (mine.contains(m.party_pseudonym) && m.expires_at > now) {
      data.contact_persons.push_back(m);
    }
  }
  return data;
}

absl::Status InMemoryStateStore::AppendAudit(const std::string& tenant,
                                             const std::vector<state::AuditEntry>& entries) {
  WISSEL_RETURN_IF_ERROR(CheckTenant(tenant));
  for (const state::AuditEntry& e : entries) {
    if (e.actor.empty() || e.action.empty()) {
      return absl::InvalidArgumentError("audit entry: actor and action are required");
    }
  }
  absl::MutexLock lock(&backing_->mu);
  if (!backing_->available) return Unreachable();
  if (entries.empty()) return absl::OkStatus();
  InMemoryTenant& d = backing_->tenants[tenant];
  for (state::AuditEntry e : entries) {
    // As stored: the fields AuditFields writes, nothing else.
    state::AuditEntry stored;
    stored.actor = std::move(e.actor);
    stored.action = std::move(e.action);
    stored.contact_id = std::move(e.contact_id);
    stored.subject = std::move(e.subject);
    stored.detail = std::move(e.detail);
    d.AppendAudit(std::move(stored));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<state::AuditEntry>> InMemoryStateStore::ReadAudit(
    const std::string& tenant, absl::Time since, size_t limit) {
  WISSEL_RETURN_IF_ERROR(CheckTenant(tenant));
  if (limit == 0) return absl::InvalidArgumentError("limit: must be at least 1");
  absl::MutexLock lock(&backing_->mu);
  if (!backing_->available) return Unreachable();
  std::vector<state::AuditEntry> out;
  auto t = backing_->tenants.find(tenant);
  if (t == backing_->tenants.end()) return out;
  // Stream ids have millisecond resolution: `since` counts by its millisecond, as XRANGE does.
  const absl::Time from = since == absl::InfinitePast()
                              ? absl::InfinitePast()
                              : absl::FromUnixMillis(absl::ToUnixMillis(since));
  const std::vector<state::AuditEntry>& audit = t->second.audit;
  for (auto it = audit.rbegin(); it != audit.rend() && out.size() < limit; ++it) {
    if (it->time < from) break;
    out.push_back(*it);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

absl::Status InMemoryStateStore::Ping() {
  Count(&Counters::ping);
  absl::MutexLock lock(&backing_->mu);
  return backing_->available ? absl::OkStatus() : Unreachable();
}

absl::StatusOr<std::vector<state::TenantLease>> InMemoryStateStore::ClaimLeases(
    absl::Span<const std::string> tenants, const state::LeaseClaim& claim) {
  Count(&Counters::claim_leases);
  for (const std::string& t : tenants) WISSEL_RETURN_IF_ERROR(CheckTenant(t));
  const absl::Time now = LeaseNow();
  const absl::Duration ttl = std::max(absl::Milliseconds(1), claim.ttl);
  absl::MutexLock lock(&backing_->mu);
  if (!backing_->available) return Unreachable();
  std::vector<state::TenantLease> leases;
  for (const std::string& t : tenants) {
    InMemoryTenant& data = backing_->tenants[t];
    state::TenantLease lease;
    lease.tenant = t;
    const std::string current = data.LeaseAt(now);
    // kClaimLease (scripts.h): renewed by the same nonce, taken over from a predecessor at the
    // same address, reported when another router holds it.
    std::vector<std::string> parts = absl::StrSplit(current, absl::MaxSplits('|', 2));
    const bool taken = parts.size() == 3;
    if (taken && parts[1] == claim.nonce) {
      data.lease_expires = now + ttl;
      lease.held = true;
      lease.lease = current;
    } else if (taken && parts[2] != claim.address) {
      lease.lease = current;
    } else {
      data.lease = absl::StrCat(++data.epoch, "|", claim.nonce, "|", claim.address);
      data.lease_expires = now + ttl;
      lease.held = lease.acquired = true;
      lease.lease = data.lease;
    }
    std::vector<std::string> holder = absl::StrSplit(lease.lease, absl::MaxSplits('|', 2));
    if (holder.size() == 3) lease.holder_address = holder[2];
    leases.push_back(std::move(lease));
  }
  return leases;
}

absl::Status InMemoryStateStore::ReleaseLeases(absl::Span<const std::string> tenants,
                                               const state::LeaseClaim& claim) {
  Count(&Counters::release_leases);
  for (const std::string& t : tenants) WISSEL_RETURN_IF_ERROR(CheckTenant(t));
  const absl::Time now = LeaseNow();
  absl::MutexLock lock(&backing_->mu);
  if (!backing_->available) return Unreachable();
  for (const std::string& t : tenants) {
    InMemoryTenant& data = backing_->tenants[t];
    std::vector<std::string> parts = absl::StrSplit(data.LeaseAt(now), absl::MaxSplits('|', 2));
    if (parts.size() == 3 && parts[1] == claim.nonce) data.lease.clear();
  }
  return absl::OkStatus();
}

void InMemoryStateStore::SetAvailable(bool available) {
  absl::MutexLock lock(&backing_->mu);
  backing_->available = available;
}

void InMemoryStateStore::FailNextApplies(int n, absl::Status status) {
  absl::MutexLock lock(&mu_);
  fail_applies_ = n;
  fail_status_ = std::move(status);
}

void InMemoryStateStore::PauseApply() {
  absl::MutexLock lock(&mu_);
  paused_ = true;
}

void InMemoryStateStore::ResumeApply() {
  absl::MutexLock lock(&mu_);
  paused_ = false;
}

int InMemoryStateStore::apply_waiting() const {
  absl::MutexLock lock(&mu_);
  return apply_waiting_;
}

void InMemoryStateStore::SeedLegacyIdempotencyKey(const std::string& tenant,
                                                  const std::string& idempotency_key,
                                                  const std::string& contact_id) {
  absl::MutexLock lock(&backing_->mu);
  backing_->tenants[tenant].legacy_idempotency[idempotency_key] = contact_id;
}

void InMemoryStateStore::ExpireLease(const std::string& tenant) {
  absl::MutexLock lock(&backing_->mu);
  backing_->tenants[tenant].lease.clear();
}

std::string InMemoryStateStore::Dump() const {
  std::string out;
  absl::MutexLock lock(&backing_->mu);
  for (const auto& [tenant, data] : backing_->tenants) {
    if (data.empty()) continue;  // only touched by refused or read-only calls
    absl::StrAppend(&out, "tenant ", tenant, " lease ", data.lease, " epoch ", data.epoch, "\n");
    for (const auto& [id, r] : data.contacts) {
      absl::StrAppend(&out, " contact ", id, " handler=", r.contact.handler_id);
      for (const auto& [field, value] : state::EncodeContact(r.contact)) {
        absl::StrAppend(&out, " ", field, "=", value);
      }
      for (const HistoryEntry& e : r.history) {
        absl::StrAppend(&out, "\n  history ", state::EncodeHistoryEntry(e));
      }
      absl::StrAppend(&out, "\n");
    }
    for (const auto& [id, h] : data.handlers) {
      absl::StrAppend(&out, " handler ", id);
      for (const auto& [field, value] : state::EncodeHandler(h)) {
        absl::StrAppend(&out, " ", field, "=", value);
      }
      absl::StrAppend(&out, "\n");
    }
    for (const auto& [hid, contacts] : data.held) {
      for (const auto& [cid, hc] : contacts) {
        absl::StrAppend(&out, " held ", hid, " ", cid, " ", state::EncodeHeld(hc), "\n");
      }
    }
    for (const auto& [member, m] : data.contact_persons) {
      absl::StrAppend(&out, " person ", member, " ", state::EncodeContactPerson(m), "\n");
    }
    for (const auto& [key, id] : data.legacy_idempotency) {
      absl::StrAppend(&out, " idempotency ", key, " ", id, "\n");
    }
    for (const auto& [pseudonym, ids] : data.resident_index) {
      absl::StrAppend(&out, " resident ", pseudonym, " ", absl::StrJoin(ids, ","), "\n");
    }
    for (const state::AuditEntry& e : data.audit) {
      absl::StrAppend(&out, " audit ", e.id, " ", absl::StrJoin(state::AuditFields(e), " "), "\n");
    }
  }
  return out;
}

InMemoryStateStore::Counters InMemoryStateStore::counters() const {
  absl::MutexLock lock(&mu_);
  return counters_;
}

std::vector<size_t> InMemoryStateStore::applied_batches() const {
  absl::MutexLock lock(&mu_);
  return applied_batches_;
}

}  // namespace wissel::testing
