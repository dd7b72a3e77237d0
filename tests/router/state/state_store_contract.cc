#include "tests/router/state/state_store_contract.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace wissel::state::contract {

using core::Channel;
using core::ContactState;

const char kResident1[] = "3f1c9a0e5b7d2468ace013579bdf02468ace013579bdf02468ace013579bdf01";
const char kResident2[] = "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff";

absl::Time T(int64_t seconds) { return absl::FromUnixMicros(1700000000000000 + seconds * 1000000); }

core::Handler MakeHandler(const std::string& id, int phone, int chat, core::Presence presence) {
  core::Handler h;
  h.id = id;
  h.display_name = "Handler " + id;
  h.address = "sip:" + id + "@gemeente.example";
  h.skills = {"burgerzaken", "parkeren"};
  h.teams = {"team-a"};
  h.capacity = core::PerChannel<int>(0);
  h.capacity[Channel::kPhone] = phone;
  h.capacity[Channel::kChat] = chat;
  h.presence = presence;
  return h;
}

core::Contact MakeContact(const std::string& id, absl::Time at, const std::string& idem,
                          Channel channel) {
  core::Contact c;
  c.id = id;
  c.channel = channel;
  c.topic = "paspoort";
  c.queue = "burgerzaken";
  c.priority = 50;
  c.idempotency_key = idem;
  c.party_pseudonym = "ps-" + id;
  c.created_at = at;
  c.enqueued_at = at;
  c.payload = "payload of " + id;
  return c;
}

core::Contact RichContact(const std::string& id, absl::Time at) {
  core::Contact c = MakeContact(id, at, "idem-" + id);
  c.domain = "sociaal_domein";
  c.needs = core::NeedBit(core::Need::kLowDigitalSkills) | core::NeedBit(core::Need::kImpairment);
  c.digid = core::DigidLevel::kMidden;
  c.language = "ar";
  c.wants_person = true;
  c.case_reference = "Z-2026-17";
  c.confidential = true;
  c.callback = true;
  c.escalation_level = 1;
  c.min_proficiency = 2;
  c.overflow_queues = {"kcc", "wmo-b"};
  c.required_skills = {{"wmo", 3}, {"taal.ar", 2}};
  c.reserved_for = "h1";
  c.reserved_until = at + absl::Minutes(5);
  return c;
}

FieldMap AllFields(const core::Contact& c) {
  const FieldList fields = EncodeContact(c);
  return FieldMap(fields.begin(), fields.end());
}

core::ContactCreated Created(const core::Contact& c) { return core::ContactCreated{c}; }
core::ContactOffered Offered(const std::string& cid, const std::string& hid, absl::Time at,
                             Channel channel) {
  return core::ContactOffered{cid, hid, channel, at, at + absl::Seconds(30)};
}
core::OfferWithdrawn Withdrawn(const std::string& cid, const std::string& hid, absl::Time at,
                               const std::string& reason) {
  return core::OfferWithdrawn{cid, hid, Channel::kPhone, at, reason};
}
core::OfferAccepted Accepted(const std::string& cid, const std::string& hid, absl::Time at) {
  return core::OfferAccepted{cid, hid, at};
}
core::ContactCompleted Completed(const std::string& cid, const std::string& hid, absl::Time at) {
  return core::ContactCompleted{cid, hid, Channel::kPhone, at, at + absl::Seconds(60)};
}
core::WrapUpFinished WrapUpDone(const std::string& cid, const std::string& hid, absl::Time at) {
  return core::WrapUpFinished{cid, hid, Channel::kPhone, at, "finished"};
}
core::ContactAbandoned Abandoned(const std::string& cid, const std::string& hid,
                                 ContactState previous, absl::Time at) {
  return core::ContactAbandoned{cid, hid, Channel::kPhone, previous, at, "caller_hung_up"};
}
core::ContactTransferred Transferred(const std::string& cid, const std::string& hid,
                                     const std::string& queue, absl::Time at) {
  return core::ContactTransferred{cid, hid, Channel::kPhone, queue, at, at};
}
core::HandlerChanged Changed(const core::Handler& h, absl::Time at) {
  return core::HandlerChanged{h, at};
}
core::ContactUpdated Updated(const core::Contact& c, absl::Time at, const std::string& reason) {
  return core::ContactUpdated{c, at, reason};
}
core::ContactPersonSet PersonSet(const std::string& pseudonym, const std::string& domain,
                                 const std::string& handler, absl::Time expires_at, absl::Time at) {
  return core::ContactPersonSet{core::ContactPersonMapping{pseudonym, domain, handler, expires_at},
                                at};
}

std::vector<core::Effect> PopulateEffects() {
  return {
      Changed(MakeHandler("h1", 1, 2), T(0)),
      Changed(MakeHandler("h2", 1, 1), T(0)),
      Created(MakeContact("c4", T(1))),
      Offered("c4", "h1", T(1)),
      Accepted("c4", "h1", T(2)),
      Completed("c4", "h1", T(3)),
      Created(MakeContact("c1", T(4), "", Channel::kChat)),
      Offered("c1", "h1", T(4), Channel::kChat),
      Created(MakeContact("c2", T(5))),
      Offered("c2", "h2", T(5)),
      Accepted("c2", "h2", T(6)),
      Created(MakeContact("c3", T(7), "idem-3")),
      Created(MakeContact("c5", T(8))),
      Abandoned("c5", "", ContactState::kQueued, T(9)),
  };
}

std::vector<EffectResult> ApplyEffects(StateStore& store, const std::vector<core::Effect>& effects,
                                       const std::string& tenant) {
  std::vector<TenantEffect> batch;
  for (const core::Effect& e : effects) batch.push_back(TenantEffect{tenant, e});
  absl::StatusOr<std::vector<EffectResult>> results = store.Apply(batch);
  EXPECT_TRUE(results.ok()) << results.status();
  if (!results.ok()) return std::vector<EffectResult>(effects.size());
  EXPECT_EQ(results->size(), effects.size());
  return *results;
}

void ExpectAllOk(const std::vector<EffectResult>& results) {
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_TRUE(results[i].status.ok()) << "effect " << i << ": " << results[i].status;
  }
}

std::vector<std::string> ContactPersonLines(StateStore& store, absl::Time now,
                                            const std::string& tenant) {
  std::vector<std::string> out;
  absl::StatusOr<TenantSnapshot> snapshot = store.LoadTenant(tenant);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status();
  if (!snapshot.ok()) return out;
  for (const core::ContactPersonMapping& m : snapshot->contact_persons) {
    out.push_back(absl::StrCat(m.party_pseudonym.substr(0, 4), ":", m.domain, ":", m.handler_id,
                               ":", absl::ToInt64Seconds(m.expires_at - now)));
  }
  return out;
}

std::vector<std::string> HistoryLines(const StoredContact& stored) {
  std::vector<std::string> lines;
  for (const HistoryEntry& e : stored.history) {
    lines.push_back(absl::StrCat(absl::ToUnixSeconds(e.time) - 1700000000, ":",
                                 core::ContactStateName(e.state), ":", e.handler_id, ":",
                                 e.reason));
  }
  return lines;
}

void PrintTo(const StateStoreBackendFactory& factory, std::ostream* os) { *os << factory.name; }

std::string StateStoreBackendName(const ::testing::TestParamInfo<StateStoreBackendFactory>& info) {
  return info.param.name;
}

void StateStoreContractTest::SetUp() {
  absl::StatusOr<std::unique_ptr<StateStoreBackend>> backend = GetParam().start();
  ASSERT_TRUE(backend.ok()) << backend.status();
  backend_ = *std::move(backend);
  store_ = backend_->NewStore(&clock_);
}

std::vector<std::string> StateStoreContractTest::LiveIds(const std::string& tenant) {
  std::vector<std::string> ids;
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(tenant);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status();
  if (!snapshot.ok()) return ids;
  for (const core::Contact& c : snapshot->live_contacts) ids.push_back(c.id);
  return ids;
}

core::Contact StateStoreContractTest::Stored(const std::string& contact_id) {
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, contact_id);
  EXPECT_TRUE(stored.ok()) << contact_id << ": " << stored.status();
  if (!stored.ok()) {
    core::Contact missing;
    missing.id = "<missing>";
    return missing;
  }
  return stored->contact;
}

}  // namespace wissel::state::contract
