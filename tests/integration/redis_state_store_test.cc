// Integration tests of what is particular to RedisStateStore, against a real redis-server
// (RedisServer fixture): the key layout and hash fields the scripts write, TTLs, listpack
// encoding, idempotency keys and hashes of older routers, malformed data in Redis, NOSCRIPT
// recovery, restarts and a hung server. What every StateStore must do (each script's refusals,
// idempotent creates, LoadTenant/LoadContact, leases and fencing, outages) is the contract suite
// (tests/router/state/state_store_contract.h), run against Redis by
// redis_state_store_contract_test.cc.
#include "router/state/redis_state_store.h"

#include <signal.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/state/contact_codec.h"
#include "router/state/redis_keys.h"
#include "tests/fakes/fake_clock.h"
#include "tests/integration/redis_server.h"
#include "tests/router/state/state_store_contract.h"

namespace wissel::state {
namespace {

using core::Channel;
using core::ContactState;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
using ::wissel::testing::RedisServer;

// The effect builders shared with the contract suite.
using contract::Abandoned;
using contract::Accepted;
using contract::AllFields;
using contract::ApplyEffects;
using contract::Changed;
using contract::Completed;
using contract::ContactPersonLines;
using contract::Created;
using contract::ExpectAllOk;
using contract::kResident1;
using contract::kResident2;
using contract::kTenant;
using contract::MakeContact;
using contract::MakeHandler;
using contract::Offered;
using contract::PersonSet;
using contract::PopulateEffects;
using contract::T;
using contract::Transferred;
using contract::Updated;
using contract::Withdrawn;
using contract::WrapUpDone;

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
    return ApplyEffects(*store_, effects, tenant);
  }
  absl::Status ApplyOne(const core::Effect& effect, const std::string& tenant = kTenant) {
    return ApplyAll({effect}, tenant).front().status;
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

  // As the contract suite's Populate (contract::PopulateEffects).
  void Populate() { ExpectAllOk(ApplyAll(PopulateEffects())); }

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

// The keys and fields each step of a life cycle writes.
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

  // What LoadContact and LoadTenant return now: the contract suite's FullLifeCycle.
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
    if (absl::EndsWith(key, "}:events")) {
      // The event stream keeps its own retention (event_retention, default 8 days).
      EXPECT_LE(ttl, 8 * 24 * 3600) << key;
      EXPECT_GT(ttl, 8 * 24 * 3600 - 60) << key;
      continue;
    }
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
  EXPECT_EQ(*server_->Command({"ZSCORE", index, std::string(kResident1) + ":burgerzaken"}),
            absl::StrCat(absl::ToUnixMicros(now + absl::Seconds(10))));
  EXPECT_GT(Ttl(k1), year - 60);
  EXPECT_LE(Ttl(k1), year);
  EXPECT_GT(Ttl(k2), 0);
  EXPECT_LE(Ttl(k2), 10);  // Redis itself drops it when it expires
  EXPECT_GT(Ttl(index), year - 60);

  auto loaded = [&] { return ContactPersonLines(*store_, now); };
  // The order by expires_at and the end of a mapping by the store's clock: the contract suite.
  // Past its expires_at a mapping is not loaded, although Redis has not dropped it yet; a key
  // Redis dropped is skipped although the index still names it.
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
  EXPECT_EQ(
      server_->Command({"ZSCORE", index, std::string(kResident1) + ":burgerzaken"}).status().code(),
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

TEST_F(RedisStateStoreTest, LoadTenantSkipsMalformedContactPersons) {
  const absl::Time now = clock_.Now();
  ASSERT_TRUE(ApplyOne(PersonSet(kResident1, "wmo", "h1", now + absl::Hours(1), now)).ok());
  const std::string index = keys::ContactPersons(kTenant);
  const std::string future = absl::StrCat(absl::ToUnixMicros(now + absl::Hours(2)));
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"ZADD", index, future, "123456782:wmo"},  // not a pseudonym: no key is read
           {"ZADD", index, future, std::string(kResident2) + ":broken"},  // value malformed
           {"SET", keys::ContactPerson(kTenant, kResident2, "broken"), "no-time"},
           {"ZADD", index, future,
            std::string(kResident2) + ":hash"},  // wrong type: MGET gives nil
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

// The keys and fields of a withdrawal, a transfer, abandonment and sign-out (what the store
// returns after them: the contract suite's WithdrawTransferAndAbandon).
TEST_F(RedisStateStoreTest, WithdrawTransferAndAbandon) {
  ExpectAllOk(ApplyAll({
      Changed(MakeHandler("h1", 2, 0), T(0)),
      Created(MakeContact("c1", T(1))),
      Offered("c1", "h1", T(2)),
      Withdrawn("c1", "h1", T(3), "rejected"),
      Offered("c1", "h1", T(4)),
      Withdrawn("c1", "h1", T(5), "offer_timeout"),
  }));
  const std::string ck = keys::Contact(kTenant, "c1");
  EXPECT_EQ(Field(ck, "declined"), "h1");  // once, although declined twice
  EXPECT_EQ(Field(ck, "handler"), "");

  ExpectAllOk(ApplyAll({Offered("c1", "h1", T(8)), Accepted("c1", "h1", T(9)),
                        Transferred("c1", "h1", "vergunningen", T(10))}));
  EXPECT_EQ(Field(ck, "declined"), "");  // as the core does: the new queue starts afresh
  EXPECT_EQ(Field(ck, "enqueued_at"), absl::StrCat(absl::ToUnixMicros(T(10))));
  EXPECT_EQ(*server_->Command({"ZSCORE", keys::Live(kTenant), "c1"}),
            absl::StrCat(absl::ToUnixMicros(T(10))));
  EXPECT_EQ(*server_->Command({"EXISTS", keys::Held(kTenant, "h1")}), "0");

  // Abandoned while offered: the held hash goes with its last entry.
  ExpectAllOk(
      ApplyAll({Offered("c1", "h1", T(11)), Abandoned("c1", "h1", ContactState::kOffered, T(12))}));
  EXPECT_EQ(Field(ck, "state"), "abandoned");
  EXPECT_THAT(Live(), IsEmpty());
  EXPECT_EQ(*server_->Command({"EXISTS", keys::Held(kTenant, "h1")}), "0");

  // Signing out with nothing held deletes the handler.
  ASSERT_TRUE(ApplyOne(Changed(MakeHandler("h1", 2, 0, core::Presence::kOffline), T(16))).ok());
  EXPECT_EQ(*server_->Command({"EXISTS", keys::Handler(kTenant, "h1")}), "0");
  EXPECT_EQ(*server_->Command({"SCARD", keys::Handlers(kTenant)}), "0");
}

// The key-level side of contract tests: what is (not) written for an idempotency key, a
// retry, a closed create and an update's live score.
TEST_F(RedisStateStoreTest, IdempotencyKeysAreWrittenUnderNoName) {
  ASSERT_TRUE(ApplyOne(Created(MakeContact("c1", T(1), "key-1"))).ok());
  std::vector<EffectResult> retry = ApplyAll({Created(MakeContact("c1", T(2), "key-1"))});
  EXPECT_EQ(retry[0].status.code(), absl::StatusCode::kAlreadyExists);
  // The store keeps no key -> id mapping of its own.
  for (const auto& [key, value] : Dump()) {
    EXPECT_THAT(key, ::testing::Not(::testing::HasSubstr(":i:"))) << key;
    EXPECT_THAT(key, ::testing::Not(::testing::HasSubstr(":idem:"))) << key;
  }
  // A create refused for a legacy key writes no hash.
  ASSERT_TRUE(
      server_
          ->Command({"SET", keys::LegacyIdempotency(kTenant, "key-7"), "old-contact", "EX", "100"})
          .ok());
  EXPECT_EQ(ApplyOne(Created(MakeContact("c7", T(1), "key-7"))).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*server_->Command({"EXISTS", keys::Contact(kTenant, "c7")}), "0");
  ASSERT_TRUE(
      server_->Command({"SET", keys::Idempotency(kTenant, "key-8"), "older-contact", "EX", "100"})
          .ok());
  EXPECT_EQ(ApplyOne(Created(MakeContact("c8", T(2), "key-8"))).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*server_->Command({"EXISTS", keys::Contact(kTenant, "c8")}), "0");
  // A new key is written under no name.
  ASSERT_TRUE(ApplyOne(Created(MakeContact("c9", T(2), "key-9"))).ok());
  EXPECT_EQ(*server_->Command({"EXISTS", keys::Idempotency(kTenant, "key-9")}), "0");
  EXPECT_EQ(*server_->Command({"EXISTS", keys::LegacyIdempotency(kTenant, "key-9")}), "0");
}

TEST_F(RedisStateStoreTest, ClosedCreatesAndUpdatesInKeys) {
  core::Contact steered = MakeContact("digital", T(1), "idem-digital");
  steered.state = ContactState::kCompleted;
  ExpectAllOk(ApplyAll(
      {core::ContactCreated{steered, "steered_to_digital"}, Created(MakeContact("queued", T(3)))}));
  EXPECT_THAT(Live(), ElementsAre("queued"));
  EXPECT_EQ(Field(keys::Contact(kTenant, "digital"), "state"), "completed");

  // An update moves the contact's score in the live set to its enqueued_at.
  core::Contact queued = MakeContact("queued", T(3));
  queued.enqueued_at = T(2);
  ASSERT_TRUE(ApplyOne(Updated(queued, T(4), "escalated")).ok());
  EXPECT_EQ(*server_->Command({"ZSCORE", keys::Live(kTenant), "queued"}),
            absl::StrCat(absl::ToUnixMicros(T(2))));
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

}  // namespace
}  // namespace wissel::state
