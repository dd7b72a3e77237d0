// Integration tests of RedisStateStore against a real redis-server (RedisServer fixture): the
// life cycle of a contact, the checks of every script, capacity, idempotency, recovery with
// LoadTenant, routing-state updates, contact persons, TTLs, binary payloads, NOSCRIPT recovery
// and outages.
#include "router/state/redis_state_store.h"

#include <signal.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/state/contact_codec.h"
#include "router/state/redis_keys.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/redis_server.h"

namespace wissel::state {
namespace {

using core::Channel;
using core::ContactState;
using core::HoldState;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
using ::wissel::testing::RedisServer;

constexpr char kTenant[] = "utrecht";

absl::Time T(int64_t seconds) { return absl::FromUnixMicros(1700000000000000 + seconds * 1000000); }

core::Handler MakeHandler(const std::string& id, int phone = 1, int chat = 2,
                          core::Presence presence = core::Presence::kAvailable) {
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

core::Contact MakeContact(const std::string& id, absl::Time at, const std::string& idem = "",
                          Channel channel = Channel::kPhone) {
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

core::ContactCreated Created(const core::Contact& c) { return core::ContactCreated{c}; }
core::ContactOffered Offered(const std::string& cid, const std::string& hid, absl::Time at,
                             Channel channel = Channel::kPhone) {
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

// A contact with every policy and routing field set.
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

// Every field, as the codec writes it: equal maps mean equal contacts.
FieldMap AllFields(const core::Contact& c) {
  const FieldList fields = EncodeContact(c);
  return FieldMap(fields.begin(), fields.end());
}

// Two resident pseudonyms (HMAC-SHA256 hex, as router/privacy makes them).
const std::string kResident1 = "3f1c9a0e5b7d2468ace013579bdf02468ace013579bdf02468ace013579bdf01";
const std::string kResident2 = "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff";

class RedisStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    store_ = MakeStore();
  }

  RedisStateStoreOptions Options() const {
    RedisStateStoreOptions options;
    options.clock = &clock_;
    options.endpoint.host = server_->host();
    options.endpoint.port = server_->port();
    options.endpoint.connect_timeout = absl::Milliseconds(500);
    options.endpoint.command_timeout = absl::Seconds(1);
    // These tests restart Redis and expect the very next call to reconnect; the reconnect
    // backoff has its own tests (redis_connection_test.cc).
    options.endpoint.reconnect_backoff_initial = absl::ZeroDuration();
    options.tenant_retention["short"] = absl::Hours(1);
    return options;
  }
  std::unique_ptr<RedisStateStore> MakeStore() const {
    return std::make_unique<RedisStateStore>(Options());
  }

  std::vector<EffectResult> ApplyAll(const std::vector<core::Effect>& effects,
                                     const std::string& tenant = kTenant) {
    std::vector<TenantEffect> batch;
    for (const core::Effect& e : effects) batch.push_back(TenantEffect{tenant, e});
    absl::StatusOr<std::vector<EffectResult>> results = store_->Apply(batch);
    EXPECT_TRUE(results.ok()) << results.status();
    if (!results.ok()) return std::vector<EffectResult>(effects.size());
    EXPECT_EQ(results->size(), effects.size());
    return *results;
  }
  absl::Status ApplyOne(const core::Effect& effect, const std::string& tenant = kTenant) {
    return ApplyAll({effect}, tenant).front().status;
  }
  void ExpectAllOk(const std::vector<EffectResult>& results) {
    for (size_t i = 0; i < results.size(); ++i) {
      EXPECT_TRUE(results[i].status.ok()) << "effect " << i << ": " << results[i].status;
    }
  }

  std::string Field(const std::string& key, const std::string& field) {
    absl::StatusOr<std::string> v = server_->Command({"HGET", key, field});
    return v.ok() ? *v : "<" + std::string(v.status().message()) + ">";
  }
  std::vector<std::string> Live(const std::string& tenant = kTenant) {
    return *server_->CommandArray({"ZRANGE", keys::Live(tenant), "0", "-1"});
  }
  // Every key with its serialised value: equal dumps mean nothing changed.
  std::map<std::string, std::string> Dump() {
    std::map<std::string, std::string> dump;
    absl::StatusOr<std::vector<std::string>> all = server_->Keys();
    EXPECT_TRUE(all.ok()) << all.status();
    if (!all.ok()) return dump;
    for (const std::string& key : *all) dump[key] = *server_->Command({"DUMP", key});
    return dump;
  }

  // Handler h1 (phone 1, chat 2) and h2 signed in; c1 offered to h1, c2 connected to h2,
  // c3 queued, c4 in wrap-up at h1 (completed), c5 abandoned.
  void Populate() {
    ExpectAllOk(ApplyAll({
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
    }));
  }

  int64_t Ttl(const std::string& key) {
    int64_t ttl = -3;
    absl::StatusOr<std::string> reply = server_->Command({"TTL", key});
    EXPECT_TRUE(reply.ok() && absl::SimpleAtoi(*reply, &ttl)) << key;
    return ttl;
  }

  // "Now" of the contact-person mappings (LoadTenant asks this clock).
  wissel::testing::FakeClock clock_;
  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<RedisStateStore> store_;
};

TEST_F(RedisStateStoreTest, Ping) { EXPECT_TRUE(store_->Ping().ok()); }

TEST_F(RedisStateStoreTest, FullLifeCycle) {
  const std::string ck = keys::Contact(kTenant, "c1");
  const std::string held = keys::Held(kTenant, "h1");
  ASSERT_TRUE(ApplyOne(Changed(MakeHandler("h1"), T(0))).ok());
  EXPECT_EQ(Field(keys::Handler(kTenant, "h1"), "presence"), "available");
  EXPECT_EQ(Field(keys::Handler(kTenant, "h1"), "capacity"), "1,2,0,0,0");

  ASSERT_TRUE(ApplyOne(Created(MakeContact("c1", T(1), "idem-1"))).ok());
  EXPECT_EQ(Field(ck, "state"), "queued");
  // Enqueued as it was created: enqueued_at is created_at's (contact_codec.h), and the score.
  EXPECT_EQ(Field(ck, "created_at"), absl::StrCat(absl::ToUnixMicros(T(1))));
  EXPECT_EQ(*server_->Command({"HEXISTS", ck, "enqueued_at"}), "0");
  EXPECT_EQ(*server_->Command({"ZSCORE", keys::Live(kTenant), "c1"}),
            absl::StrCat(absl::ToUnixMicros(T(1))));
  EXPECT_THAT(Live(), ElementsAre("c1"));

  ASSERT_TRUE(ApplyOne(Offered("c1", "h1", T(2))).ok());
  EXPECT_EQ(Field(ck, "state"), "offered");
  EXPECT_EQ(Field(ck, "handler"), "h1");
  EXPECT_EQ(Field(ck, "offer_deadline"), absl::StrCat(absl::ToUnixMicros(T(32))));
  EXPECT_EQ(Field(held, "c1"), "phone|offered|inf");
  EXPECT_EQ(Field(keys::Handler(kTenant, "h1"), "last_offer_at"),
            absl::StrCat(absl::ToUnixMicros(T(2))));

  ASSERT_TRUE(ApplyOne(Accepted("c1", "h1", T(3))).ok());
  EXPECT_EQ(Field(ck, "state"), "connected");
  EXPECT_EQ(Field(ck, "offer_deadline"), "inf");
  EXPECT_EQ(Field(held, "c1"), "phone|connected|inf");

  ASSERT_TRUE(ApplyOne(Completed("c1", "h1", T(4))).ok());
  EXPECT_EQ(Field(ck, "state"), "completed");
  EXPECT_EQ(Field(held, "c1"), absl::StrCat("phone|wrap_up|", absl::ToUnixMicros(T(64))));
  EXPECT_THAT(Live(), IsEmpty());

  ASSERT_TRUE(ApplyOne(WrapUpDone("c1", "h1", T(5))).ok());
  EXPECT_EQ(*server_->Command({"EXISTS", held}), "0");

  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "c1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->contact.state, ContactState::kCompleted);
  EXPECT_TRUE(stored->contact.idempotency_key.empty());  // not stored: the id stands for it
  EXPECT_EQ(stored->contact.created_at, T(1));
  std::vector<std::string> states;
  for (const HistoryEntry& e : stored->history) {
    states.push_back(absl::StrCat(absl::ToUnixSeconds(e.time) - 1700000000, ":",
                                  core::ContactStateName(e.state), ":", e.handler_id, ":",
                                  e.reason));
  }
  EXPECT_THAT(states, ElementsAre("1:queued::created", "2:offered:h1:", "3:connected:h1:",
                                  "4:completed:h1:", "5:completed:h1:finished"));

  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_EQ(snapshot->handlers.size(), 1u);
  EXPECT_TRUE(snapshot->handlers[0].held.empty());
  EXPECT_TRUE(snapshot->live_contacts.empty());
}

TEST_F(RedisStateStoreTest, LifeCycleInOneBatch) {
  std::vector<EffectResult> results = ApplyAll({
      Changed(MakeHandler("h1"), T(0)),
      Created(MakeContact("c1", T(1))),
      Offered("c1", "h1", T(2)),
      Accepted("c1", "h1", T(3)),
      Completed("c1", "h1", T(4)),
      WrapUpDone("c1", "h1", T(5)),
      Created(MakeContact("c2", T(6))),
      Offered("c2", "h1", T(6)),
  });
  ExpectAllOk(results);
  EXPECT_EQ(Field(keys::Contact(kTenant, "c2"), "state"), "offered");
}

TEST_F(RedisStateStoreTest, EveryScriptRefusesAWrongStateAndChangesNothing) {
  Populate();
  const std::map<std::string, std::string> before = Dump();
  const std::vector<std::pair<std::string, core::Effect>> refused = {
      {"create existing id", Created(MakeContact("c3", T(20)))},
      {"offer connected", Offered("c2", "h1", T(20))},
      {"offer missing contact", Offered("nope", "h1", T(20))},
      {"offer on wrong channel", Offered("c3", "h1", T(20), Channel::kChat)},
      {"withdraw queued", Withdrawn("c3", "h1", T(20), "rejected")},
      {"withdraw from other handler", Withdrawn("c1", "h2", T(20), "rejected")},
      {"accept queued", Accepted("c3", "h1", T(20))},
      {"accept by other handler", Accepted("c1", "h2", T(20))},
      {"complete offered", Completed("c1", "h1", T(20))},
      {"complete by other handler", Completed("c2", "h1", T(20))},
      {"wrap-up of connected", WrapUpDone("c2", "h2", T(20))},
      {"wrap-up not held", WrapUpDone("c4", "h2", T(20))},
      {"abandon with wrong previous", Abandoned("c1", "h1", ContactState::kQueued, T(20))},
      {"abandon with wrong handler", Abandoned("c2", "h1", ContactState::kConnected, T(20))},
      {"abandon completed", Abandoned("c4", "", ContactState::kQueued, T(20))},
      {"abandon abandoned", Abandoned("c5", "", ContactState::kQueued, T(20))},
      {"transfer offered", Transferred("c1", "h1", "vergunningen", T(20))},
      {"transfer by other handler", Transferred("c2", "h1", "vergunningen", T(20))},
      {"sign out while holding", Changed(MakeHandler("h1", 1, 2, core::Presence::kOffline), T(20))},
      {"update offered", Updated(RichContact("c1", T(20)), T(20), "escalated")},
      {"update connected", Updated(RichContact("c2", T(20)), T(20), "escalated")},
      {"update completed", Updated(RichContact("c4", T(20)), T(20), "escalated")},
      {"update abandoned", Updated(RichContact("c5", T(20)), T(20), "escalated")},
      {"update missing contact", Updated(RichContact("nope", T(20)), T(20), "escalated")},
  };
  for (const auto& [what, effect] : refused) {
    absl::Status status = ApplyOne(effect);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << what << ": " << status;
    EXPECT_FALSE(status.message().empty()) << what;
  }
  EXPECT_EQ(Dump(), before);
}

TEST_F(RedisStateStoreTest, InvalidInputIsRefusedPerEffect) {
  std::vector<TenantEffect> batch = {
      {"Bad_Tenant", Created(MakeContact("c1", T(1)))},
      {kTenant, Created(MakeContact("bad:id", T(1)))},
      {kTenant, Created(MakeContact("c2", T(1)))},
      {kTenant, Abandoned("c2", "", ContactState::kCompleted, T(2))},
      {kTenant, Offered("c2", "", T(2))},
  };
  absl::StatusOr<std::vector<EffectResult>> results = store_->Apply(batch);
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*results)[1].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE((*results)[2].status.ok()) << (*results)[2].status;
  EXPECT_EQ((*results)[3].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*results)[4].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Live(), ElementsAre("c2"));
  EXPECT_EQ(store_->LoadTenant("Bad").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->LoadContact(kTenant, "a|b").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RedisStateStoreTest, CapacityAndPresenceAreChecked) {
  ExpectAllOk(ApplyAll({
      Changed(MakeHandler("h1", /*phone=*/1, /*chat=*/0), T(0)),
      Changed(MakeHandler("busy", 1, 1, core::Presence::kBusy), T(0)),
      Created(MakeContact("c1", T(1))),
      Created(MakeContact("c2", T(2))),
      Created(MakeContact("chat1", T(3), "", Channel::kChat)),
      Offered("c1", "h1", T(4)),
  }));
  const std::map<std::string, std::string> before = Dump();
  EXPECT_EQ(ApplyOne(Offered("c2", "h1", T(5))).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ApplyOne(Offered("chat1", "h1", T(5), Channel::kChat)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ApplyOne(Offered("c2", "busy", T(5))).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ApplyOne(Offered("c2", "unknown", T(5))).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Dump(), before);

  // Wrap-up still takes the slot; finishing it frees the slot.
  ExpectAllOk(ApplyAll({Accepted("c1", "h1", T(6)), Completed("c1", "h1", T(7))}));
  EXPECT_EQ(ApplyOne(Offered("c2", "h1", T(8))).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ApplyOne(WrapUpDone("c1", "h1", T(9))).ok());
  EXPECT_TRUE(ApplyOne(Offered("c2", "h1", T(10))).ok());

  // Only one of two replicas racing for the last slot wins.
  ExpectAllOk(ApplyAll({Changed(MakeHandler("h2", 1, 0), T(11)), Created(MakeContact("c3", T(12))),
                        Created(MakeContact("c4", T(12)))}));
  std::unique_ptr<RedisStateStore> replica = MakeStore();
  std::vector<TenantEffect> mine = {{kTenant, Offered("c3", "h2", T(13))}};
  std::vector<TenantEffect> theirs = {{kTenant, Offered("c4", "h2", T(13))}};
  absl::StatusOr<std::vector<EffectResult>> a, b;
  std::thread t1([&] { a = store_->Apply(mine); });
  std::thread t2([&] { b = replica->Apply(theirs); });
  t1.join();
  t2.join();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)[0].status.ok(), (*b)[0].status.ok());
  EXPECT_EQ(*server_->Command({"HLEN", keys::Held(kTenant, "h2")}), "1");
}

// A contact with an idempotency key has an id derived from the key (the service's rule), so
// creating it again is a retry: AlreadyExists naming it, with whether it is still live, and
// nothing written. Without a key it is a conflict (FailedPrecondition).
TEST_F(RedisStateStoreTest, CreatingAContactAgainIsARetry) {
  ASSERT_TRUE(ApplyOne(Created(MakeContact("c1", T(1), "key-1"))).ok());
  const std::map<std::string, std::string> before = Dump();
  std::vector<EffectResult> retry = ApplyAll({Created(MakeContact("c1", T(2), "key-1"))});
  EXPECT_EQ(retry[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(retry[0].existing_contact_id, "c1");
  EXPECT_TRUE(retry[0].existing_live);
  EXPECT_EQ(Dump(), before);
  EXPECT_THAT(Live(), ElementsAre("c1"));
  // The store keeps no key -> id mapping of its own.
  for (const auto& [key, value] : before) {
    EXPECT_THAT(key, ::testing::Not(::testing::HasSubstr(":i:"))) << key;
    EXPECT_THAT(key, ::testing::Not(::testing::HasSubstr(":idem:"))) << key;
  }
  EXPECT_EQ(store_->FindByIdempotencyKey(kTenant, "key-1").status().code(),
            absl::StatusCode::kNotFound);

  // Once closed, a retry still finds it, not live.
  ASSERT_TRUE(ApplyOne(Abandoned("c1", "", ContactState::kQueued, T(3))).ok());
  retry = ApplyAll({Created(MakeContact("c1", T(4), "key-1"))});
  EXPECT_EQ(retry[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(retry[0].existing_contact_id, "c1");
  EXPECT_FALSE(retry[0].existing_live);
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "c1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->contact.state, ContactState::kAbandoned);
  EXPECT_EQ(stored->contact.created_at, T(1));

  // Without a key, the same id twice is a conflict.
  ASSERT_TRUE(ApplyOne(Created(MakeContact("c2", T(5)))).ok());
  std::vector<EffectResult> again = ApplyAll({Created(MakeContact("c2", T(6)))});
  EXPECT_EQ(again[0].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(again[0].existing_contact_id.empty());

  // Ids are per tenant.
  EXPECT_TRUE(ApplyOne(Created(MakeContact("c1", T(1), "key-1")), "amersfoort").ok());
}

TEST_F(RedisStateStoreTest, LoadTenantReturnsHandlersHeldAndLiveContacts) {
  Populate();
  // A signed-out handler is gone.
  ExpectAllOk(ApplyAll({Changed(MakeHandler("h3"), T(10)),
                        Changed(MakeHandler("h3", 1, 2, core::Presence::kOffline), T(11))}));
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();

  ASSERT_EQ(snapshot->handlers.size(), 2u);
  const core::Handler& h1 = snapshot->handlers[0];
  const core::Handler& h2 = snapshot->handlers[1];
  EXPECT_EQ(h1.id, "h1");
  EXPECT_EQ(h2.id, "h2");
  EXPECT_EQ(h1.display_name, "Handler h1");
  EXPECT_THAT(h1.skills, ElementsAre("burgerzaken", "parkeren"));
  EXPECT_EQ(h1.capacity[Channel::kChat], 2);
  EXPECT_EQ(h1.presence, core::Presence::kAvailable);
  EXPECT_EQ(h1.last_offer_at, T(4));
  ASSERT_EQ(h1.held.size(), 2u);
  EXPECT_EQ(h1.held[0].contact_id, "c1");
  EXPECT_EQ(h1.held[0].channel, Channel::kChat);
  EXPECT_EQ(h1.held[0].state, HoldState::kOffered);
  EXPECT_EQ(h1.held[1].contact_id, "c4");
  EXPECT_EQ(h1.held[1].state, HoldState::kWrapUp);
  EXPECT_EQ(h1.held[1].wrap_up_deadline, T(63));
  EXPECT_EQ(h1.Load(Channel::kPhone), 1);
  ASSERT_EQ(h2.held.size(), 1u);
  EXPECT_EQ(h2.held[0].contact_id, "c2");
  EXPECT_EQ(h2.held[0].state, HoldState::kConnected);

  std::vector<std::string> live;
  for (const core::Contact& c : snapshot->live_contacts) live.push_back(c.id);
  EXPECT_THAT(live, ElementsAre("c1", "c2", "c3"));  // by enqueued_at
  EXPECT_EQ(snapshot->live_contacts[0].state, ContactState::kOffered);
  EXPECT_EQ(snapshot->live_contacts[0].handler_id, "h1");
  EXPECT_EQ(snapshot->live_contacts[1].state, ContactState::kConnected);
  EXPECT_EQ(snapshot->live_contacts[2].state, ContactState::kQueued);
  EXPECT_EQ(snapshot->live_contacts[2].created_at, T(7));

  absl::StatusOr<TenantSnapshot> empty = store_->LoadTenant("elsewhere");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->handlers.empty());
  EXPECT_TRUE(empty->live_contacts.empty());
}

TEST_F(RedisStateStoreTest, LoadTenantSkipsMissingAndMalformedEntries) {
  Populate();
  const std::string p = "w:{utrecht}:";
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"SADD", p + "handlers", "ghost", "bad-cap", "wrong-type", "bad:id"},
           {"HSET", p + "h:bad-cap", "id", "bad-cap", "capacity", "many", "presence", "away"},
           {"SET", p + "h:wrong-type", "a string"},
           {"HSET", p + "h:h2:held", "cx", "garbage"},
           {"ZADD", p + "live", "1", "gone", "2", "broken", "3", "closed"},
           {"HSET", p + "c:broken", "id", "broken", "channel", "fax"},
           {"HSET", p + "c:closed", "id", "closed", "channel", "phone", "queue", "q", "priority",
            "1", "state", "completed", "created_at", "1", "enqueued_at", "1"},
       }) {
    ASSERT_TRUE(server_->Command(cmd).ok());
  }
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  std::vector<std::string> handlers;
  for (const core::Handler& h : snapshot->handlers) handlers.push_back(h.id);
  EXPECT_THAT(handlers, ElementsAre("h1", "h2"));
  EXPECT_EQ(snapshot->handlers[1].held.size(), 1u);  // "cx" skipped
  std::vector<std::string> live;
  for (const core::Contact& c : snapshot->live_contacts) live.push_back(c.id);
  EXPECT_THAT(live, UnorderedElementsAre("c1", "c2", "c3"));

  ASSERT_TRUE(server_->Command({"SET", p + "handlers", "not a set"}).ok());
  EXPECT_EQ(store_->LoadTenant(kTenant).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(store_->LoadContact(kTenant, "broken").status().code(), absl::StatusCode::kDataLoss);
  // A script on a key of the wrong type is an error of that effect, not a crash.
  ASSERT_TRUE(server_->Command({"SET", p + "c:weird", "x"}).ok());
  EXPECT_EQ(ApplyOne(Offered("weird", "h1", T(30))).code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(store_->Ping().ok());
}

TEST_F(RedisStateStoreTest, LoadContactNotFound) {
  EXPECT_EQ(store_->LoadContact(kTenant, "nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RedisStateStoreTest, EveryKeyHasATtl) {
  Populate();
  ExpectAllOk(ApplyAll(
      {
          Created(MakeContact("s1", T(1), "short-key")),
          Changed(MakeHandler("hs"), T(1)),
          Offered("s1", "hs", T(2)),
      },
      "short"));
  ExpectAllOk(ApplyAll({Transferred("c2", "h2", "vergunningen", T(30)),
                        Withdrawn("c1", "h1", T(31), "rejected"),
                        Abandoned("c3", "", ContactState::kQueued, T(32))}));
  absl::StatusOr<std::vector<std::string>> all = server_->Keys();
  ASSERT_TRUE(all.ok());
  ASSERT_GE(all->size(), 15u);
  const int64_t month = 30 * 24 * 3600, week = 7 * 24 * 3600;
  int short_keys = 0;
  for (const std::string& key : *all) {
    int64_t ttl = 0;
    ASSERT_TRUE(absl::SimpleAtoi(*server_->Command({"TTL", key}), &ttl)) << key;
    EXPECT_GT(ttl, 0) << key;
    const bool handler_key =
        key.find("}:h:") != std::string::npos || key.find("}:handlers") != std::string::npos;
    if (key.rfind("w:{short}:", 0) == 0 && !handler_key) {
      ++short_keys;
      EXPECT_LE(ttl, 3600) << key;
    } else {
      EXPECT_LE(ttl, handler_key ? week : month) << key;
      EXPECT_GT(ttl, handler_key ? week - 60 : month - 60) << key;
    }
  }
  EXPECT_EQ(short_keys, 3);  // contact, history, live (no idempotency key: contact_codec.h)
}

TEST_F(RedisStateStoreTest, CreatedAsCompletedIsNeverLive) {
  core::Contact steered = MakeContact("digital", T(1), "idem-digital");
  steered.state = ContactState::kCompleted;
  core::Contact closed = MakeContact("closed", T(2));
  closed.state = ContactState::kCompleted;
  ExpectAllOk(
      ApplyAll({core::ContactCreated{steered, "steered_to_digital"},
                core::ContactCreated{closed, "closed"}, Created(MakeContact("queued", T(3)))}));
  EXPECT_THAT(Live(), ElementsAre("queued"));
  EXPECT_EQ(Field(keys::Contact(kTenant, "digital"), "state"), "completed");

  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_EQ(snapshot->live_contacts.size(), 1u);
  EXPECT_EQ(snapshot->live_contacts[0].id, "queued");

  // Still findable, with its reason as the first history entry, and idempotent.
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "digital");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->contact.state, ContactState::kCompleted);
  ASSERT_EQ(stored->history.size(), 1u);
  EXPECT_EQ(stored->history[0].state, ContactState::kCompleted);
  EXPECT_EQ(stored->history[0].reason, "steered_to_digital");
  EXPECT_EQ(stored->history[0].time, T(1));
  absl::StatusOr<StoredContact> queued = store_->LoadContact(kTenant, "queued");
  ASSERT_TRUE(queued.ok()) << queued.status();
  EXPECT_EQ(queued->history[0].reason, "created");  // no reason given
  std::vector<EffectResult> retry = ApplyAll({core::ContactCreated{steered, "steered_to_digital"}});
  EXPECT_EQ(retry[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(retry[0].existing_contact_id, "digital");
  EXPECT_FALSE(retry[0].existing_live);

  // Nothing may offer or abandon it.
  ASSERT_TRUE(ApplyOne(Changed(MakeHandler("h1"), T(4))).ok());
  EXPECT_EQ(ApplyOne(Offered("digital", "h1", T(5))).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ApplyOne(Abandoned("closed", "", ContactState::kQueued, T(5))).code(),
            absl::StatusCode::kFailedPrecondition);

  // A contact cannot be created offered or connected: there would be no held entry.
  const std::map<std::string, std::string> before = Dump();
  for (ContactState state : {ContactState::kOffered, ContactState::kConnected}) {
    core::Contact c = MakeContact("held", T(6));
    c.state = state;
    c.handler_id = "h1";
    EXPECT_EQ(ApplyOne(Created(c)).code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(Dump(), before);
}

TEST_F(RedisStateStoreTest, EveryContactFieldSurvivesLoadTenantAndLoadContact) {
  const core::Contact rich = RichContact("rich", T(1));
  ASSERT_TRUE(ApplyOne(Created(rich)).ok());
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_EQ(snapshot->live_contacts.size(), 1u);
  EXPECT_EQ(AllFields(snapshot->live_contacts[0]), AllFields(rich));
  EXPECT_EQ(snapshot->live_contacts[0].required_skills, rich.required_skills);
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "rich");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(AllFields(stored->contact), AllFields(rich));

  // Names that would break the stored lists are refused before anything is sent.
  for (auto mutate : std::vector<std::function<void(core::Contact&)>>{
           [](core::Contact& c) { c.overflow_queues = {"a,b"}; },
           [](core::Contact& c) { c.overflow_queues = {""}; },
           [](core::Contact& c) {
             c.required_skills = {{"wmo:3", 1}};
           },
           [](core::Contact& c) { c.reserved_for = "h 1"; },
       }) {
    core::Contact bad = RichContact("bad", T(2));
    mutate(bad);
    EXPECT_EQ(ApplyOne(Created(bad)).code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ApplyOne(Updated(bad, T(2), "x")).code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(store_->LoadContact(kTenant, "bad").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RedisStateStoreTest, ContactUpdatedOverwritesTheRoutingStateOfAQueuedContact) {
  Populate();
  // c3 (queued since T(7), behind c1 and c2) escalates: new queue, priority, skills, overflow,
  // a reservation, and it moves to the front.
  core::Contact c3 = MakeContact("c3", T(7), "idem-3");
  c3.queue = "wmo";
  c3.priority = 90;
  c3.enqueued_at = T(2);
  c3.callback = true;
  c3.escalation_level = 2;
  c3.min_proficiency = 2;
  c3.overflow_queues = {"kcc", "wmo-b"};
  c3.required_skills = {{"wmo", 3}};
  c3.reserved_for = "h2";
  c3.reserved_until = T(100);
  // Fields that are not routing state are not the update's to change.
  core::Contact changed = c3;
  changed.payload = "other payload";
  changed.topic = "other topic";
  changed.domain = "elsewhere";
  ASSERT_TRUE(ApplyOne(Updated(changed, T(20), "escalation step 2")).ok());

  EXPECT_EQ(*server_->Command({"ZSCORE", keys::Live(kTenant), "c3"}),
            absl::StrCat(absl::ToUnixMicros(T(2))));
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  std::vector<std::string> live;
  for (const core::Contact& c : snapshot->live_contacts) live.push_back(c.id);
  EXPECT_THAT(live, ElementsAre("c3", "c1", "c2"));  // by enqueued_at
  const core::Contact& loaded = snapshot->live_contacts[0];
  EXPECT_EQ(AllFields(loaded), AllFields(c3));
  EXPECT_EQ(loaded.payload, "payload of c3");
  EXPECT_EQ(loaded.reserved_until, T(100));
  EXPECT_THAT(loaded.overflow_queues, ElementsAre("kcc", "wmo-b"));

  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "c3");
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->history.size(), 2u);
  EXPECT_EQ(stored->history[1].time, T(20));
  EXPECT_EQ(stored->history[1].state, ContactState::kQueued);
  EXPECT_EQ(stored->history[1].reason, "escalation step 2");

  // The reservation ends: lists back to empty, reservation cleared.
  c3.reserved_for.clear();
  c3.reserved_until = absl::InfinitePast();
  c3.overflow_queues.clear();
  c3.required_skills.clear();
  ASSERT_TRUE(ApplyOne(Updated(c3, T(21), "")).ok());
  stored = store_->LoadContact(kTenant, "c3");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(AllFields(stored->contact), AllFields(c3));
  EXPECT_EQ(stored->history.back().reason, "updated");

  // The updated contact is still offered as usual.
  ASSERT_TRUE(ApplyOne(Changed(MakeHandler("h3"), T(22))).ok());
  EXPECT_TRUE(ApplyOne(Offered("c3", "h3", T(22))).ok());
}

// An idempotency key that a router before derived contact ids wrote lives as long as its
// contact: every change of the contact refreshes it. New contacts have no such key.
TEST_F(RedisStateStoreTest, LegacyIdempotencyKeyTtlFollowsTheContact) {
  const std::string idem = keys::Idempotency(kTenant, "key-1");
  const std::string ck = keys::Contact(kTenant, "c1");
  ExpectAllOk(ApplyAll({Changed(MakeHandler("h1"), T(0)), Created(MakeContact("c1", T(1), "key-1")),
                        Created(MakeContact("c2", T(1)))}));
  // Neither a key nor a field for it (the id stands for the key).
  EXPECT_EQ(*server_->Command({"HEXISTS", ck, "idem_key"}), "0");
  EXPECT_EQ(*server_->Command({"HEXISTS", ck, "idem"}), "0");
  EXPECT_EQ(*server_->Command({"EXISTS", idem}), "0");
  EXPECT_EQ(*server_->Command({"EXISTS", keys::LegacyIdempotency(kTenant, "key-1")}), "0");
  // As that router left it: the digest in the hash, the key's name built from it under the
  // tenant's tag.
  ASSERT_TRUE(server_->Command({"HSET", ck, "idem_key", keys::IdempotencyDigest("key-1")}).ok());
  ASSERT_TRUE(server_->Command({"SET", idem, "c1"}).ok());
  EXPECT_EQ(idem, absl::StrCat("w:{", kTenant, "}:i:", keys::IdempotencyDigest("key-1")));

  const int64_t month = 30 * 24 * 3600;
  // As if the key were a month old: every later effect on the contact renews it.
  const std::vector<core::Effect> steps = {
      Updated(MakeContact("c1", T(1), "key-1"), T(2), "escalated"),
      Offered("c1", "h1", T(3)),
      Withdrawn("c1", "h1", T(4), "handler_signed_out"),
      Offered("c1", "h1", T(5)),
      Accepted("c1", "h1", T(6)),
      Transferred("c1", "h1", "vergunningen", T(7)),
      Offered("c1", "h1", T(8)),
      Accepted("c1", "h1", T(9)),
      Completed("c1", "h1", T(10)),
      WrapUpDone("c1", "h1", T(11)),
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    ASSERT_TRUE(server_->Command({"EXPIRE", idem, "100"}).ok());
    ASSERT_TRUE(ApplyOne(steps[i]).ok()) << i;
    EXPECT_GT(Ttl(idem), month - 60) << "step " << i;
  }
  ASSERT_TRUE(server_->Command({"EXPIRE", idem, "100"}).ok());
  ASSERT_TRUE(ApplyOne(Abandoned("c2", "", ContactState::kQueued, T(12))).ok());
  EXPECT_LE(Ttl(idem), 100);  // another contact's change does not touch it

  // A hash without idem_key (an older one, or any new one) still works and refreshes no key;
  // one naming a key outside the tenant's hash tag is ignored.
  const std::string idem3 = keys::Idempotency(kTenant, "key-3");
  const std::string foreign = "w:{other}:idem:x";
  ExpectAllOk(
      ApplyAll({Created(MakeContact("c3", T(13), "key-3")), Created(MakeContact("c4", T(13)))}));
  ASSERT_TRUE(server_->Command({"SET", idem3, "c3", "EX", "100"}).ok());
  ASSERT_TRUE(server_->Command({"SET", foreign, "c4", "EX", "100"}).ok());
  ASSERT_TRUE(server_->Command({"HSET", keys::Contact(kTenant, "c4"), "idem_key", foreign}).ok());
  ExpectAllOk(ApplyAll({Abandoned("c3", "", ContactState::kQueued, T(14)),
                        Abandoned("c4", "", ContactState::kQueued, T(14))}));
  EXPECT_LE(Ttl(idem3), 100);
  EXPECT_LE(Ttl(foreign), 100);
  EXPECT_GT(Ttl(keys::Contact(kTenant, "c3")), month - 60);

  // A hash written when idem_key held the whole key name: still refreshed.
  const std::string idem5 = keys::LegacyIdempotency(kTenant, "key-5");
  ExpectAllOk(ApplyAll({Created(MakeContact("c5", T(15), "key-5"))}));
  ASSERT_TRUE(server_->Command({"HSET", keys::Contact(kTenant, "c5"), "idem_key", idem5}).ok());
  ASSERT_TRUE(server_->Command({"SET", idem5, "c5", "EX", "100"}).ok());
  ExpectAllOk(ApplyAll({Abandoned("c5", "", ContactState::kQueued, T(16))}));
  EXPECT_GT(Ttl(idem5), month - 60);

  // A hash written when idem_key held the whole SHA-256 in hex: its key w:{T}:idem:<hex> is
  // refreshed.
  const std::string legacy6 = keys::LegacyIdempotency(kTenant, "key-6");
  ExpectAllOk(ApplyAll({Created(MakeContact("c6", T(17), "key-6"))}));
  ASSERT_TRUE(server_
                  ->Command({"HSET", keys::Contact(kTenant, "c6"), "idem_key",
                             legacy6.substr(legacy6.size() - 64)})
                  .ok());
  ASSERT_TRUE(server_->Command({"SET", legacy6, "c6", "EX", "100"}).ok());
  ExpectAllOk(ApplyAll({Abandoned("c6", "", ContactState::kQueued, T(18))}));
  EXPECT_GT(Ttl(legacy6), month - 60);
}

TEST_F(RedisStateStoreTest, ContactPersonsAreStoredLoadedAndExpire) {
  const absl::Time now = clock_.Now();
  const int64_t year = 365 * 24 * 3600, week = 7 * 24 * 3600;
  ExpectAllOk(ApplyAll({
      PersonSet(kResident1, "sociaal_domein", "h1", now + absl::Hours(24 * 365), now),
      PersonSet(kResident1, "burgerzaken", "h2", now + absl::Seconds(10), now),
      PersonSet(kResident2, "sociaal_domein", "h2", now + absl::Hours(24 * 30), now),
  }));
  const std::string k1 = keys::ContactPerson(kTenant, kResident1, "sociaal_domein");
  const std::string k2 = keys::ContactPerson(kTenant, kResident1, "burgerzaken");
  const std::string index = keys::ContactPersons(kTenant);
  EXPECT_EQ(*server_->Command({"GET", k1}),
            absl::StrCat("h1|", absl::ToUnixMicros(now + absl::Hours(24 * 365))));
  EXPECT_EQ(*server_->Command({"ZSCORE", index, kResident1 + ":burgerzaken"}),
            absl::StrCat(absl::ToUnixMicros(now + absl::Seconds(10))));
  EXPECT_GT(Ttl(k1), year - 60);
  EXPECT_LE(Ttl(k1), year);
  EXPECT_GT(Ttl(k2), 0);
  EXPECT_LE(Ttl(k2), 10);  // Redis itself drops it when it expires
  EXPECT_GT(Ttl(index), year - 60);

  auto loaded = [&] {
    std::vector<std::string> out;
    absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    if (!snapshot.ok()) return out;
    for (const core::ContactPersonMapping& m : snapshot->contact_persons) {
      out.push_back(absl::StrCat(m.party_pseudonym.substr(0, 4), ":", m.domain, ":", m.handler_id,
                                 ":", absl::ToInt64Seconds(m.expires_at - now)));
    }
    return out;
  };
  // Ordered by expires_at.
  EXPECT_THAT(loaded(), ElementsAre("3f1c:burgerzaken:h2:10", "00ff:sociaal_domein:h2:2592000",
                                    "3f1c:sociaal_domein:h1:31536000"));

  // Past its expires_at (by the store's clock) a mapping is not loaded, although Redis has not
  // dropped it yet; a key Redis dropped is skipped although the index still names it.
  clock_.Advance(absl::Seconds(11));
  EXPECT_THAT(loaded(),
              ElementsAre("00ff:sociaal_domein:h2:2592000", "3f1c:sociaal_domein:h1:31536000"));
  ASSERT_TRUE(
      server_->Command({"DEL", keys::ContactPerson(kTenant, kResident2, "sociaal_domein")}).ok());
  EXPECT_THAT(loaded(), ElementsAre("3f1c:sociaal_domein:h1:31536000"));

  // A renewal replaces the handler and the expiry; a later write prunes expired index members.
  const absl::Time later = now + absl::Seconds(20);
  ASSERT_TRUE(
      ApplyOne(PersonSet(kResident1, "sociaal_domein", "h3", later + absl::Hours(24), later)).ok());
  EXPECT_EQ(*server_->Command({"GET", k1}),
            absl::StrCat("h3|", absl::ToUnixMicros(later + absl::Hours(24))));
  EXPECT_EQ(server_->Command({"ZSCORE", index, kResident1 + ":burgerzaken"}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_LE(Ttl(k1), 24 * 3600);
  EXPECT_GT(Ttl(index), year - 60);  // never shortened below an earlier mapping's TTL

  // Expiring at or before the effect's time removes the mapping; nothing is stored for a new one.
  ExpectAllOk(ApplyAll({PersonSet(kResident1, "sociaal_domein", "h3", later, later),
                        PersonSet(kResident2, "wmo", "h1", later - absl::Hours(1), later)}));
  EXPECT_EQ(*server_->Command({"EXISTS", k1, keys::ContactPerson(kTenant, kResident2, "wmo")}),
            "0");
  EXPECT_EQ(*server_->Command({"ZCARD", index}), "1");  // kResident2's deleted mapping
  EXPECT_THAT(loaded(), IsEmpty());

  // A fresh index lives at least the handler retention; every new key has a TTL.
  ASSERT_TRUE(
      ApplyOne(PersonSet(kResident1, "wmo", "h1", now + absl::Seconds(30), now), "amersfoort")
          .ok());
  EXPECT_GT(Ttl(keys::ContactPersons("amersfoort")), week - 60);
  EXPECT_LE(Ttl(keys::ContactPersons("amersfoort")), week);
  absl::StatusOr<std::vector<std::string>> all = server_->Keys("w:*:cp*");
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(all->empty());
  for (const std::string& key : *all) {
    EXPECT_GT(Ttl(key), 0) << key;
    // The resident appears in keys only as a pseudonym.
    EXPECT_THAT(key, MatchesRegex("w:\\{[a-z-]+\\}:(cps|cp:[0-9a-f]{64}:[a-z_]+)")) << key;
  }
}

TEST_F(RedisStateStoreTest, ContactPersonSetRefusesClearIdentifiersAndBadInput) {
  const absl::Time now = clock_.Now();
  const std::map<std::string, std::string> before = Dump();
  const std::vector<std::pair<std::string, core::Effect>> refused = {
      {"bsn", PersonSet("123456782", "wmo", "h1", now + absl::Hours(1), now)},
      {"e-mail", PersonSet("jan@example.nl", "wmo", "h1", now + absl::Hours(1), now)},
      {"upper-case hex", PersonSet(std::string(64, 'A'), "wmo", "h1", now + absl::Hours(1), now)},
      {"empty pseudonym", PersonSet("", "wmo", "h1", now + absl::Hours(1), now)},
      {"domain with ':'", PersonSet(kResident1, "a:b", "h1", now + absl::Hours(1), now)},
      {"empty domain", PersonSet(kResident1, "", "h1", now + absl::Hours(1), now)},
      {"bad handler", PersonSet(kResident1, "wmo", "h|1", now + absl::Hours(1), now)},
      {"never expires", PersonSet(kResident1, "wmo", "h1", absl::InfiniteFuture(), now)},
      {"no time", PersonSet(kResident1, "wmo", "h1", now, absl::InfinitePast())},
  };
  for (const auto& [what, effect] : refused) {
    absl::Status status = ApplyOne(effect);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << what << ": " << status;
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("123456782"))) << what;
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("jan@example"))) << what;
  }
  EXPECT_EQ(Dump(), before);

  // The core keys a case's contact person on the case pseudonym with domain "*".
  ASSERT_TRUE(ApplyOne(PersonSet(kResident2, "*", "h1", now + absl::Hours(1), now)).ok());
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_EQ(snapshot->contact_persons.size(), 1u);
  EXPECT_EQ(snapshot->contact_persons[0].party_pseudonym, kResident2);
  EXPECT_EQ(snapshot->contact_persons[0].domain, "*");
}

TEST_F(RedisStateStoreTest, LoadTenantSkipsMalformedContactPersons) {
  const absl::Time now = clock_.Now();
  ASSERT_TRUE(ApplyOne(PersonSet(kResident1, "wmo", "h1", now + absl::Hours(1), now)).ok());
  const std::string index = keys::ContactPersons(kTenant);
  const std::string future = absl::StrCat(absl::ToUnixMicros(now + absl::Hours(2)));
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"ZADD", index, future, "123456782:wmo"},         // not a pseudonym: no key is read
           {"ZADD", index, future, kResident2 + ":broken"},  // value malformed
           {"SET", keys::ContactPerson(kTenant, kResident2, "broken"), "no-time"},
           {"ZADD", index, future, kResident2 + ":hash"},  // wrong type: MGET gives nil
           {"HSET", keys::ContactPerson(kTenant, kResident2, "hash"), "a", "b"},
       }) {
    ASSERT_TRUE(server_->Command(cmd).ok());
  }
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_EQ(snapshot->contact_persons.size(), 1u);
  EXPECT_EQ(snapshot->contact_persons[0].party_pseudonym, kResident1);
  EXPECT_EQ(snapshot->contact_persons[0].domain, "wmo");
  EXPECT_EQ(snapshot->contact_persons[0].handler_id, "h1");
  EXPECT_EQ(snapshot->contact_persons[0].expires_at, now + absl::Hours(1));
}

TEST_F(RedisStateStoreTest, PayloadIsBinarySafe) {
  core::Contact c = MakeContact("bin", T(1));
  std::string bytes("\0\x01\xff|,:{}\r\n\0end", 14);
  for (int i = 0; i < 100000; ++i) bytes.push_back(static_cast<char>(i % 256));
  c.payload = bytes;
  ASSERT_TRUE(ApplyOne(Created(c)).ok());
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "bin");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->contact.payload.size(), c.payload.size());
  EXPECT_EQ(stored->contact.payload, c.payload);
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ(snapshot->live_contacts.size(), 1u);
  EXPECT_EQ(snapshot->live_contacts[0].payload, c.payload);
}

// A typical new contact: every value fits a listpack entry, so Redis keeps the hash compact;
// default values are not stored, and what is read back is what was written.
TEST_F(RedisStateStoreTest, TypicalContactIsStoredAsAListpack) {
  core::Contact c = MakeContact("typical", T(1), "chat:7f3e9c2a-session");
  c.party_pseudonym = kResident1;
  c.domain = "burgerzaken";
  c.language = "nl";
  c.required_skills = {{"paspoort", 1}};
  c.payload = std::string(600, 'x') + std::string("\0\xff", 2);
  ASSERT_TRUE(ApplyOne(Created(c)).ok());
  const std::string ck = keys::Contact(kTenant, "typical");
  EXPECT_EQ(*server_->Command({"OBJECT", "ENCODING", ck}), "listpack");
  EXPECT_EQ(*server_->Command({"HEXISTS", ck, "handler"}), "0");
  EXPECT_EQ(*server_->Command({"HEXISTS", ck, "reserved_until"}), "0");
  // 602 payload bytes: payload and p1..p8 hold 64 each, p9 the last 26.
  EXPECT_EQ(*server_->Command({"HSTRLEN", ck, "payload"}), "64");
  EXPECT_EQ(*server_->Command({"HSTRLEN", ck, "p9"}), "26");
  EXPECT_EQ(*server_->Command({"HEXISTS", ck, "p10"}), "0");
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "typical");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(AllFields(stored->contact), AllFields(c));
  EXPECT_EQ(stored->contact.payload, c.payload);
  EXPECT_EQ(stored->contact.offer_deadline, absl::InfiniteFuture());
  EXPECT_EQ(stored->contact.reserved_until, absl::InfinitePast());

  // The scripts treat the missing handler and declined as "": offer, reject, offer again.
  ExpectAllOk(ApplyAll({Changed(MakeHandler("h1"), T(2)), Offered("typical", "h1", T(3)),
                        Withdrawn("typical", "h1", T(4), "rejected")}));
  EXPECT_EQ(Field(ck, "declined"), "h1");
  EXPECT_EQ(Field(ck, "handler"), "");

  // ContactUpdated writes every routing field, so one that went back to its default is cleared.
  c.reserved_for = "h1";
  c.reserved_until = T(50);
  c.declined_by = {"h1"};
  ASSERT_TRUE(ApplyOne(Updated(c, T(5), "reserved")).ok());
  c.reserved_for.clear();
  c.reserved_until = absl::InfinitePast();
  ASSERT_TRUE(ApplyOne(Updated(c, T(6), "reservation over")).ok());
  stored = store_->LoadContact(kTenant, "typical");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(AllFields(stored->contact), AllFields(c));
  EXPECT_EQ(*server_->Command({"OBJECT", "ENCODING", ck}), "listpack");
}

// Idempotency keys written by routers before contact ids were derived from keys, under either
// of their names, still make a retry find its contact, through the create script and lookups.
TEST_F(RedisStateStoreTest, LegacyIdempotencyKeyIsStillHonoured) {
  ASSERT_TRUE(
      server_
          ->Command({"SET", keys::LegacyIdempotency(kTenant, "key-7"), "old-contact", "EX", "100"})
          .ok());
  EXPECT_EQ(ApplyOne(Created(MakeContact("c7", T(1), "key-7"))).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*server_->Command({"EXISTS", keys::Contact(kTenant, "c7")}), "0");
  EXPECT_EQ(*store_->FindByIdempotencyKey(kTenant, "key-7"), "old-contact");
  // And under the short name of the routers between.
  ASSERT_TRUE(
      server_->Command({"SET", keys::Idempotency(kTenant, "key-8"), "older-contact", "EX", "100"})
          .ok());
  std::vector<EffectResult> retry = ApplyAll({Created(MakeContact("c8", T(2), "key-8"))});
  EXPECT_EQ(retry[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(retry[0].existing_contact_id, "older-contact");
  EXPECT_FALSE(retry[0].existing_live);
  EXPECT_EQ(*server_->Command({"EXISTS", keys::Contact(kTenant, "c8")}), "0");
  EXPECT_EQ(*store_->FindByIdempotencyKey(kTenant, "key-8"), "older-contact");
  // A new key is written under no name.
  ASSERT_TRUE(ApplyOne(Created(MakeContact("c9", T(2), "key-9"))).ok());
  EXPECT_EQ(*server_->Command({"EXISTS", keys::Idempotency(kTenant, "key-9")}), "0");
  EXPECT_EQ(*server_->Command({"EXISTS", keys::LegacyIdempotency(kTenant, "key-9")}), "0");
  EXPECT_EQ(store_->FindByIdempotencyKey(kTenant, "key-9").status().code(),
            absl::StatusCode::kNotFound);
}

// A contact's first history entry lives in its hash (h0): a new contact is one key, and the
// history list appears with its first change. Hashes written before h0 (the whole history in
// the list) and first entries too long for a listpack value read the same.
TEST_F(RedisStateStoreTest, FirstHistoryEntryIsInTheHash) {
  auto history_of = [&](const std::string& id) {
    std::vector<std::string> out;
    absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, id);
    EXPECT_TRUE(stored.ok()) << stored.status();
    if (!stored.ok()) return out;
    for (const HistoryEntry& e : stored->history) {
      out.push_back(absl::StrCat(absl::ToUnixSeconds(e.time) - 1700000000, ":",
                                 core::ContactStateName(e.state), ":", e.handler_id, ":",
                                 e.reason));
    }
    return out;
  };
  ASSERT_TRUE(ApplyOne(Created(MakeContact("c1", T(1)))).ok());
  const std::string ck = keys::Contact(kTenant, "c1");
  const std::string hk = keys::History(kTenant, "c1");
  EXPECT_EQ(*server_->Command({"EXISTS", hk}), "0");
  // The plain "created" entry is only the state's name (contact_codec.h).
  EXPECT_EQ(Field(ck, "h0"), "queued");
  EXPECT_THAT(history_of("c1"), ElementsAre("1:queued::created"));

  ExpectAllOk(ApplyAll({Changed(MakeHandler("h1"), T(2)), Offered("c1", "h1", T(3))}));
  EXPECT_EQ(*server_->Command({"LLEN", hk}), "1");
  int64_t hash_ttl = 0, list_ttl = 0;
  ASSERT_TRUE(absl::SimpleAtoi(*server_->Command({"TTL", ck}), &hash_ttl));
  ASSERT_TRUE(absl::SimpleAtoi(*server_->Command({"TTL", hk}), &list_ttl));
  EXPECT_GT(list_ttl, 0);
  EXPECT_LE(std::abs(hash_ttl - list_ttl), 1);
  EXPECT_THAT(history_of("c1"), ElementsAre("1:queued::created", "3:offered:h1:"));

  // Written when h0 held the whole entry: read the same.
  ASSERT_TRUE(
      server_
          ->Command({"HSET", ck, "h0", absl::StrCat(absl::ToUnixMicros(T(1)), "|queued||created")})
          .ok());
  EXPECT_THAT(history_of("c1"), ElementsAre("1:queued::created", "3:offered:h1:"));

  // Written before h0 existed: the list holds the first entry too.
  ASSERT_TRUE(server_->Command({"HDEL", ck, "h0"}).ok());
  ASSERT_TRUE(
      server_->Command({"LPUSH", hk, absl::StrCat(absl::ToUnixMicros(T(1)), "|queued||created")})
          .ok());
  EXPECT_THAT(history_of("c1"), ElementsAre("1:queued::created", "3:offered:h1:"));

  // A first entry too long for a listpack value goes to the list; the hash stays a listpack.
  core::Contact closed = MakeContact("c2", T(4));
  closed.state = ContactState::kCompleted;
  const std::string reason(70, 'r');
  ASSERT_TRUE(ApplyOne(core::ContactCreated{closed, reason}).ok());
  const std::string ck2 = keys::Contact(kTenant, "c2");
  EXPECT_EQ(*server_->Command({"HEXISTS", ck2, "h0"}), "0");
  EXPECT_EQ(*server_->Command({"OBJECT", "ENCODING", ck2}), "listpack");
  EXPECT_THAT(history_of("c2"), ElementsAre(absl::StrCat("4:completed::", reason)));

  // Another reason than "created" is written whole in h0.
  core::Contact steered = MakeContact("c3", T(5));
  steered.state = ContactState::kCompleted;
  ASSERT_TRUE(ApplyOne(core::ContactCreated{steered, "steered_to_digital"}).ok());
  EXPECT_EQ(Field(keys::Contact(kTenant, "c3"), "h0"),
            absl::StrCat(absl::ToUnixMicros(T(5)), "|completed||steered_to_digital"));
  EXPECT_THAT(history_of("c3"), ElementsAre("5:completed::steered_to_digital"));
}

TEST_F(RedisStateStoreTest, WithdrawTransferAndAbandon) {
  ExpectAllOk(ApplyAll({
      Changed(MakeHandler("h1", 2, 0), T(0)),
      Created(MakeContact("c1", T(1))),
      Offered("c1", "h1", T(2)),
      Withdrawn("c1", "h1", T(3), "rejected"),
      Offered("c1", "h1", T(4)),
      Withdrawn("c1", "h1", T(5), "handler_signed_out"),
      Offered("c1", "h1", T(6)),
      Withdrawn("c1", "h1", T(7), "offer_timeout"),
  }));
  const std::string ck = keys::Contact(kTenant, "c1");
  EXPECT_EQ(Field(ck, "declined"), "h1");  // once, although declined twice
  EXPECT_EQ(Field(ck, "state"), "queued");
  EXPECT_EQ(Field(ck, "handler"), "");

  ExpectAllOk(ApplyAll({
      Offered("c1", "h1", T(8)),
      Accepted("c1", "h1", T(9)),
      Transferred("c1", "h1", "vergunningen", T(10)),
  }));
  EXPECT_EQ(Field(ck, "state"), "queued");
  EXPECT_EQ(Field(ck, "queue"), "vergunningen");
  EXPECT_EQ(Field(ck, "declined"), "");  // as the core does: the new queue starts afresh
  EXPECT_EQ(Field(ck, "enqueued_at"), absl::StrCat(absl::ToUnixMicros(T(10))));
  EXPECT_EQ(*server_->Command({"ZSCORE", keys::Live(kTenant), "c1"}),
            absl::StrCat(absl::ToUnixMicros(T(10))));
  EXPECT_EQ(*server_->Command({"EXISTS", keys::Held(kTenant, "h1")}), "0");

  // Abandoned while offered and while connected: the slot is freed.
  ExpectAllOk(ApplyAll({
      Offered("c1", "h1", T(11)),
      Abandoned("c1", "h1", ContactState::kOffered, T(12)),
      Created(MakeContact("c2", T(13))),
      Offered("c2", "h1", T(13)),
      Accepted("c2", "h1", T(14)),
      Abandoned("c2", "h1", ContactState::kConnected, T(15)),
  }));
  EXPECT_EQ(Field(ck, "state"), "abandoned");
  EXPECT_THAT(Live(), IsEmpty());
  EXPECT_EQ(*server_->Command({"EXISTS", keys::Held(kTenant, "h1")}), "0");
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "c1");
  ASSERT_TRUE(stored.ok());
  ASSERT_FALSE(stored->history.empty());
  EXPECT_EQ(stored->history.back().state, ContactState::kAbandoned);
  EXPECT_EQ(stored->history.back().reason, "caller_hung_up");
  EXPECT_EQ(stored->history[2].reason, "rejected");

  // Signing out with nothing held deletes the handler.
  ASSERT_TRUE(ApplyOne(Changed(MakeHandler("h1", 2, 0, core::Presence::kOffline), T(16))).ok());
  EXPECT_EQ(*server_->Command({"EXISTS", keys::Handler(kTenant, "h1")}), "0");
  EXPECT_EQ(*server_->Command({"SCARD", keys::Handlers(kTenant)}), "0");
}

TEST_F(RedisStateStoreTest, RecoversFromScriptFlush) {
  ASSERT_TRUE(ApplyOne(Changed(MakeHandler("h1"), T(0))).ok());
  ASSERT_TRUE(server_->Command({"SCRIPT", "FLUSH"}).ok());
  ExpectAllOk(ApplyAll(
      {Created(MakeContact("c1", T(1))), Offered("c1", "h1", T(2)), Accepted("c1", "h1", T(3))}));
  EXPECT_EQ(Field(keys::Contact(kTenant, "c1"), "state"), "connected");
  // The refused ones stay refused after the reload.
  ASSERT_TRUE(server_->Command({"SCRIPT", "FLUSH"}).ok());
  std::vector<EffectResult> results =
      ApplyAll({Accepted("c1", "h1", T(4)), Completed("c1", "h1", T(5))});
  EXPECT_EQ(results[0].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(results[1].status.ok()) << results[1].status;
}

TEST_F(RedisStateStoreTest, OutageIsUnavailableQuicklyAndHealsAfterRestart) {
  ExpectAllOk(ApplyAll({Changed(MakeHandler("h1"), T(0)), Created(MakeContact("c1", T(1)))}));
  ASSERT_TRUE(server_->Kill().ok());

  const absl::Time start = absl::Now();
  std::vector<TenantEffect> batch = {{kTenant, Created(MakeContact("c2", T(2)))},
                                     {kTenant, Offered("c1", "h1", T(2))}};
  EXPECT_EQ(store_->Apply(batch).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->Ping().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->LoadTenant(kTenant).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->LoadContact(kTenant, "c1").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->FindByIdempotencyKey(kTenant, "k").status().code(),
            absl::StatusCode::kUnavailable);
  // Bounded by the timeouts (0.5 s connect, 1 s command), not hanging.
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));

  ASSERT_TRUE(server_->Restart().ok());
  EXPECT_TRUE(store_->Ping().ok());
  ExpectAllOk(ApplyAll({Changed(MakeHandler("h1"), T(3)), Created(MakeContact("c3", T(3))),
                        Offered("c3", "h1", T(4))}));
}

TEST_F(RedisStateStoreTest, GracefulRestartKeepsTheState) {
  Populate();
  ASSERT_TRUE(server_->Stop().ok());
  EXPECT_EQ(store_->Ping().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(server_->Restart().ok());
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->handlers.size(), 2u);
  EXPECT_EQ(snapshot->live_contacts.size(), 3u);
  EXPECT_TRUE(ApplyOne(Accepted("c1", "h1", T(20))).ok());
}

TEST_F(RedisStateStoreTest, HungServerTimesOut) {
  ASSERT_TRUE(store_->Ping().ok());
  ASSERT_EQ(kill(server_->pid(), SIGSTOP), 0);
  const absl::Time start = absl::Now();
  std::vector<TenantEffect> batch = {{kTenant, Created(MakeContact("c1", T(1)))}};
  EXPECT_EQ(store_->Apply(batch).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  ASSERT_EQ(kill(server_->pid(), SIGCONT), 0);
  // The reply of the timed-out call must not be mistaken for the next call's.
  EXPECT_TRUE(store_->Ping().ok());
  std::vector<EffectResult> results = ApplyAll({Created(MakeContact("c2", T(2)))});
  EXPECT_TRUE(results[0].status.ok()) << results[0].status;
}

TEST_F(RedisStateStoreTest, ConcurrentCallersShareOneStore) {
  constexpr int kThreads = 4, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<TenantEffect> batch = {
            {kTenant, Created(MakeContact(absl::StrCat("c", t, "-", i), T(i)))}};
        absl::StatusOr<std::vector<EffectResult>> r = store_->Apply(batch);
        EXPECT_TRUE(r.ok() && (*r)[0].status.ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(*server_->Command({"ZCARD", keys::Live(kTenant)}), absl::StrCat(kThreads * kPerThread));
}

}  // namespace
}  // namespace wissel::state
