// Integration tests of RedisStateStore against a real redis-server (RedisServer fixture): the
// life cycle of a contact, the checks of every script, capacity, idempotency, recovery with
// LoadTenant, TTLs, binary payloads, NOSCRIPT recovery and outages.
#include "router/state/redis_state_store.h"

#include <signal.h>

#include <algorithm>
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
#include "tests/integration/redis_server.h"

namespace wissel::state {
namespace {

using core::Channel;
using core::ContactState;
using core::HoldState;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
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
    options.endpoint.host = server_->host();
    options.endpoint.port = server_->port();
    options.endpoint.connect_timeout = absl::Milliseconds(500);
    options.endpoint.command_timeout = absl::Seconds(1);
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
  EXPECT_EQ(Field(ck, "enqueued_at"), absl::StrCat(absl::ToUnixMicros(T(1))));
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
  EXPECT_EQ(stored->contact.idempotency_key, "idem-1");
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

TEST_F(RedisStateStoreTest, IdempotencyKeyCreatesOneContact) {
  ASSERT_TRUE(ApplyOne(Created(MakeContact("c1", T(1), "key-1"))).ok());
  const std::map<std::string, std::string> before = Dump();
  std::vector<EffectResult> again = ApplyAll({Created(MakeContact("c2", T(2), "key-1"))});
  EXPECT_EQ(again[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(again[0].existing_contact_id, "c1");
  // A retry of the very same create (its reply was lost) names itself.
  std::vector<EffectResult> retry = ApplyAll({Created(MakeContact("c1", T(1), "key-1"))});
  EXPECT_EQ(retry[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(retry[0].existing_contact_id, "c1");
  EXPECT_EQ(Dump(), before);
  EXPECT_EQ(store_->LoadContact(kTenant, "c2").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Live(), ElementsAre("c1"));

  absl::StatusOr<std::string> found = store_->FindByIdempotencyKey(kTenant, "key-1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, "c1");
  EXPECT_EQ(store_->FindByIdempotencyKey(kTenant, "key-2").status().code(),
            absl::StatusCode::kNotFound);
  // Keys are per tenant.
  EXPECT_EQ(store_->FindByIdempotencyKey("amersfoort", "key-1").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(ApplyOne(Created(MakeContact("c9", T(1), "key-1")), "amersfoort").ok());
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
  EXPECT_EQ(snapshot->live_contacts[2].idempotency_key, "idem-3");

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
  EXPECT_EQ(short_keys, 4);  // contact, history, live, idempotency key
}

TEST_F(RedisStateStoreTest, PayloadIsBinarySafe) {
  core::Contact c = MakeContact("bin", T(1));
  c.payload = std::string("\0\x01\xff|,:{}\r\n\0end", 14);
  for (int i = 0; i < 100000; ++i) c.payload.push_back(static_cast<char>(i % 256));
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
