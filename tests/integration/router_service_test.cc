// The whole router in-process against a real redis-server: routing, offers over the stream,
// accept/complete/wrap-up, offer expiry, idempotency, bad input, privacy, health, port reuse.
#include <grpcpp/generic/generic_stub.h>

#include <functional>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "router/state/redis_keys.h"
#include "router/state/redis_state_store.h"
#include "tests/integration/router_harness.h"

namespace wissel::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class RouterServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { harness_.SetUp(offer_timeout_); }
  void TearDown() override { harness_.TearDown(); }

  v1::Contact NewContact(const std::string& key, const std::string& topic = "paspoort") {
    v1::Contact c;
    c.set_tenant(kTenant);
    c.set_channel(v1::CHANNEL_PHONE);
    c.set_topic(topic);
    c.set_idempotency_key(key);
    return c;
  }

  absl::StatusOr<v1::RouteContactResponse> Route(const v1::Contact& contact) {
    v1::RouteContactRequest req;
    *req.mutable_contact() = contact;
    v1::RouteContactResponse resp;
    grpc::Status s = harness_.routing().RouteContact(Ctx().get(), req, &resp);
    if (!s.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
    }
    return resp;
  }

  grpc::Status SignIn(const std::string& id, const std::string& skill) {
    v1::SignInRequest req;
    req.mutable_handler()->set_tenant(kTenant);
    req.mutable_handler()->set_handler_id(id);
    req.mutable_handler()->add_skills(skill);
    v1::Handler resp;
    return harness_.handlers().SignIn(Ctx().get(), req, &resp);
  }

  // Opens a handler's offer stream; the returned context bounds it to 20 s.
  struct Stream {
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::ClientReader<v1::Offer>> reader;
    v1::Offer Next() {
      v1::Offer offer;
      EXPECT_TRUE(reader->Read(&offer)) << "offer stream ended";
      return offer;
    }
  };
  Stream OpenStream(const std::string& handler_id) {
    Stream s;
    s.ctx = Ctx(absl::Seconds(20));
    v1::StreamOffersRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(handler_id);
    s.reader = harness_.handlers().StreamOffers(s.ctx.get(), req);
    return s;
  }

  grpc::Status Respond(const std::string& handler, const std::string& contact, bool accept) {
    v1::OfferResponseRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(handler);
    req.set_contact_id(contact);
    v1::ContactRecord resp;
    return accept ? harness_.handlers().AcceptOffer(Ctx().get(), req, &resp)
                  : harness_.handlers().RejectOffer(Ctx().get(), req, &resp);
  }

  v1::ContactRecord Get(const std::string& contact_id) {
    v1::GetContactRequest req;
    req.set_tenant(kTenant);
    req.set_contact_id(contact_id);
    v1::ContactRecord resp;
    grpc::Status s = harness_.routing().GetContact(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  std::vector<std::string> ContactKeys() {
    auto keys = harness_.redis().Keys("w:{gemeente-test}:c:*");
    EXPECT_TRUE(keys.ok());
    std::vector<std::string> out;
    for (const std::string& k : keys.value_or(std::vector<std::string>{})) {
      if (!absl::EndsWith(k, ":h")) out.push_back(k);
    }
    return out;
  }

  // Writes a queued paspoort contact straight into Redis, as another writer would, without
  // the router knowing.
  core::Contact WriteBehindTheRouter(const std::string& id, const std::string& key) {
    state::RedisStateStoreOptions options;
    options.endpoint.host = "127.0.0.1";
    options.endpoint.port = harness_.redis().port();
    state::RedisStateStore behind(options);
    core::Contact c;
    c.id = id;
    c.idempotency_key = key;
    c.channel = core::Channel::kPhone;
    c.topic = "paspoort";
    c.queue = "burgerzaken";
    c.created_at = c.enqueued_at = absl::Now() - absl::Seconds(5);
    absl::StatusOr<std::vector<state::EffectResult>> written =
        behind.Apply({{kTenant, core::ContactCreated{c, ""}}});
    EXPECT_TRUE(written.ok() && (*written)[0].status.ok());
    return c;
  }

  // A RouteContact with `key` answers with the existing contact `id` (replayed, no second
  // contact), which the router then offers to the first handler that signs in.
  void ExpectRetryReplaysAndIsOffered(const std::string& key, const std::string& id) {
    auto retry = Route(NewContact(key));
    ASSERT_TRUE(retry.ok()) << retry.status();
    EXPECT_EQ(retry->contact_id(), id);
    EXPECT_TRUE(retry->replayed());
    EXPECT_EQ(ContactKeys().size(), 1u);
    Stream stream = OpenStream("h1");
    ASSERT_TRUE(SignIn("h1", "burgerzaken").ok());
    EXPECT_EQ(stream.Next().contact_id(), id);
  }

  std::string offer_timeout_ = "2s";
  RouterHarness harness_;
};

TEST_F(RouterServiceTest, RoutesToTheOneAvailableHandler) {
  ASSERT_TRUE(SignIn("h1", "burgerzaken").ok());
  Stream stream = OpenStream("h1");
  auto resp = Route(NewContact("call-1"));
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->decision().outcome(), v1::Decision::OUTCOME_ASSIGNED);
  EXPECT_EQ(resp->decision().handler_id(), "h1");
  EXPECT_EQ(resp->decision().queue(), "burgerzaken");
  EXPECT_THAT(resp->decision().reasons(), Not(IsEmpty()));

  v1::Offer offer = stream.Next();
  EXPECT_EQ(offer.kind(), v1::Offer::KIND_OFFER);
  EXPECT_EQ(offer.contact_id(), resp->contact_id());
  EXPECT_EQ(offer.contact().topic(), "paspoort");
  // Durable before the reply: the contact is in Redis as offered.
  auto state = harness_.redis().Command(
      {"HGET", absl::StrCat("w:{gemeente-test}:c:", resp->contact_id()), "state"});
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, "offered");
}

TEST_F(RouterServiceTest, QueuedThenOfferedAcceptedCompletedAndWrappedUp) {
  auto first = Route(NewContact("call-1"));
  auto second = Route(NewContact("call-2"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->decision().outcome(), v1::Decision::OUTCOME_QUEUED);
  EXPECT_EQ(first->decision().position(), 1);
  EXPECT_EQ(second->decision().position(), 2);
  EXPECT_GT(second->decision().expected_wait().seconds(), 0);

  v1::GetQueueStatsRequest stats_req;
  stats_req.set_tenant(kTenant);
  stats_req.set_queue("burgerzaken");
  v1::GetQueueStatsResponse stats;
  ASSERT_TRUE(harness_.operators().GetQueueStats(Ctx().get(), stats_req, &stats).ok());
  ASSERT_EQ(stats.queues_size(), 1);
  EXPECT_EQ(stats.queues(0).waiting(), 2);

  Stream stream = OpenStream("h1");
  ASSERT_TRUE(SignIn("h1", "burgerzaken").ok());
  v1::Offer offer = stream.Next();
  ASSERT_EQ(offer.contact_id(), first->contact_id());
  ASSERT_TRUE(Respond("h1", offer.contact_id(), /*accept=*/true).ok());
  EXPECT_EQ(Get(first->contact_id()).state(), v1::CONTACT_STATE_CONNECTED);

  v1::CompleteContactRequest complete;
  complete.set_tenant(kTenant);
  complete.set_contact_id(first->contact_id());
  v1::ContactRecord completed;
  ASSERT_TRUE(harness_.routing().CompleteContact(Ctx().get(), complete, &completed).ok());
  EXPECT_EQ(completed.state(), v1::CONTACT_STATE_COMPLETED);

  v1::FinishWrapUpRequest wrap;
  wrap.set_tenant(kTenant);
  wrap.set_handler_id("h1");
  wrap.set_contact_id(first->contact_id());
  v1::Handler after;
  ASSERT_TRUE(harness_.handlers().FinishWrapUp(Ctx().get(), wrap, &after).ok());

  v1::Offer next = stream.Next();
  EXPECT_EQ(next.contact_id(), second->contact_id());

  v1::ContactRecord record = Get(first->contact_id());
  EXPECT_EQ(record.state(), v1::CONTACT_STATE_COMPLETED);
  std::vector<v1::ContactState> history;
  for (const auto& e : record.history()) history.push_back(e.state());
  // The last entry records the end of the handler's wrap-up for this contact.
  EXPECT_EQ(history,
            (std::vector<v1::ContactState>{v1::CONTACT_STATE_QUEUED, v1::CONTACT_STATE_OFFERED,
                                           v1::CONTACT_STATE_CONNECTED, v1::CONTACT_STATE_COMPLETED,
                                           v1::CONTACT_STATE_COMPLETED}));
  ASSERT_EQ(record.history_size(), 5);
  EXPECT_EQ(record.history(1).handler_id(), "h1");
  EXPECT_EQ(record.history(4).reason(), "finished");
  EXPECT_EQ(record.decision().outcome(), v1::Decision::OUTCOME_QUEUED);
}

class OfferTimeoutTest : public RouterServiceTest {
 protected:
  OfferTimeoutTest() { offer_timeout_ = "1s"; }
};

TEST_F(OfferTimeoutTest, ExpiredOfferGoesBackToItsPlace) {
  auto first = Route(NewContact("call-1"));
  auto second = Route(NewContact("call-2"));
  ASSERT_TRUE(first.ok() && second.ok());
  Stream stream = OpenStream("h1");
  ASSERT_TRUE(SignIn("h1", "burgerzaken").ok());
  v1::Offer offer = stream.Next();
  ASSERT_EQ(offer.contact_id(), first->contact_id());

  // Not answered: withdrawn after the offer timeout.
  v1::Offer withdrawn = stream.Next();
  EXPECT_EQ(withdrawn.kind(), v1::Offer::KIND_WITHDRAWN);
  EXPECT_EQ(withdrawn.contact_id(), first->contact_id());
  EXPECT_EQ(Get(first->contact_id()).state(), v1::CONTACT_STATE_QUEUED);
  EXPECT_EQ(Respond("h1", first->contact_id(), true).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  v1::GetHandlerRequest get;
  get.set_tenant(kTenant);
  get.set_handler_id("h1");
  v1::Handler h1;
  ASSERT_TRUE(harness_.handlers().GetHandler(Ctx().get(), get, &h1).ok());
  EXPECT_EQ(h1.presence(), v1::PRESENCE_AWAY);

  // The next handler gets the first contact again: it kept its place.
  Stream stream2 = OpenStream("h2");
  ASSERT_TRUE(SignIn("h2", "burgerzaken").ok());
  EXPECT_EQ(stream2.Next().contact_id(), first->contact_id());
}

// A personal attribute reaches Redis only encrypted; GetContact and the handler's offer show
// it in clear. (The tenant lists ivr, page and naam, naam personal: router_harness.h.)
TEST_F(RouterServiceTest, PersonalAttributeIsEncryptedInRedisAndReadableThroughTheApi) {
  ASSERT_TRUE(SignIn("mw-1", "burgerzaken").ok());
  Stream stream = OpenStream("mw-1");
  v1::Contact contact = NewContact("call-naam");
  (*contact.mutable_attributes())["naam"] = "Aaltje Testpersoon-Wisseloord";
  (*contact.mutable_attributes())["ivr"] = "3";
  auto routed = Route(contact);
  ASSERT_TRUE(routed.ok()) << routed.status();
  const v1::Offer offer = stream.Next();
  EXPECT_EQ(offer.contact().attributes().at("naam"), "Aaltje Testpersoon-Wisseloord");

  const std::string dump = harness_.DumpRedis();
  EXPECT_THAT(dump, Not(HasSubstr("Aaltje")));
  EXPECT_THAT(dump, Not(HasSubstr("Testpersoon-Wisseloord")));
  EXPECT_THAT(dump, HasSubstr("enc:v1:"));

  const v1::ContactRecord record = Get(routed->contact_id());
  EXPECT_EQ(record.attributes().at("naam"), "Aaltje Testpersoon-Wisseloord");
  EXPECT_EQ(record.attributes().at("ivr"), "3");
}

TEST_F(RouterServiceTest, AttributeNotAllowedIsRefusedByNameAndWritesNothing) {
  v1::Contact contact = NewContact("call-onbekend");
  (*contact.mutable_attributes())["adres"] = "Dorpsstraat 1";
  v1::RouteContactRequest req;
  *req.mutable_contact() = contact;
  v1::RouteContactResponse resp;
  grpc::Status s = harness_.routing().RouteContact(Ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("contact.attributes[adres]: not allowed"));
  EXPECT_THAT(s.error_message(), Not(HasSubstr("Dorpsstraat")));
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  google::rpc::BadRequest bad_request;
  ASSERT_EQ(details.details_size(), 1);
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).field(), "contact.attributes[adres]");
  EXPECT_THAT(ContactKeys(), IsEmpty());
  EXPECT_THAT(harness_.DumpRedis(), Not(HasSubstr("Dorpsstraat")));
}

TEST_F(RouterServiceTest, SameIdempotencyKeyIsOneContact) {
  auto a = Route(NewContact("sip-call-id-42@pbx"));
  auto b = Route(NewContact("sip-call-id-42@pbx"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->contact_id(), b->contact_id());
  EXPECT_FALSE(a->replayed());
  EXPECT_TRUE(b->replayed());
  EXPECT_EQ(ContactKeys().size(), 1u);

  // Also once the contact is closed and no longer in the router's memory.
  v1::CancelContactRequest cancel;
  cancel.set_tenant(kTenant);
  cancel.set_contact_id(a->contact_id());
  v1::ContactRecord cancelled;
  ASSERT_TRUE(harness_.routing().CancelContact(Ctx().get(), cancel, &cancelled).ok());
  EXPECT_EQ(cancelled.state(), v1::CONTACT_STATE_ABANDONED);
  v1::ContactRecord again;
  EXPECT_EQ(harness_.routing().CancelContact(Ctx().get(), cancel, &again).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  cancel.set_contact_id("0000000000");
  EXPECT_EQ(harness_.routing().CancelContact(Ctx().get(), cancel, &again).error_code(),
            grpc::StatusCode::NOT_FOUND);
  cancel.set_contact_id(a->contact_id());
  auto c = Route(NewContact("sip-call-id-42@pbx"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->contact_id(), a->contact_id());
  EXPECT_TRUE(c->replayed());
  EXPECT_EQ(c->decision().outcome(), v1::Decision::OUTCOME_QUEUED);
  EXPECT_EQ(ContactKeys().size(), 1u);
  // And the router goes on normally afterwards.
  auto d = Route(NewContact("another"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(ContactKeys().size(), 2u);
}

// A retry of a contact that was completed and whose handler is still in wrap-up answers as the
// contact was answered; it is not offered again, and the handler keeps its wrap-up.
TEST_F(RouterServiceTest, RetryOfACompletedContactInWrapUpReplaysIt) {
  Stream stream = OpenStream("h1");
  ASSERT_TRUE(SignIn("h1", "burgerzaken").ok());
  v1::Contact chat = NewContact("chat-session-7");
  chat.set_channel(v1::CHANNEL_CHAT);  // three chat slots: room for a second offer
  auto first = Route(chat);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->contact_id(), TestContactId("chat-session-7"));
  EXPECT_EQ(first->decision().outcome(), v1::Decision::OUTCOME_ASSIGNED);
  ASSERT_EQ(stream.Next().contact_id(), first->contact_id());
  ASSERT_TRUE(Respond("h1", first->contact_id(), /*accept=*/true).ok());
  v1::CompleteContactRequest complete;
  complete.set_tenant(kTenant);
  complete.set_contact_id(first->contact_id());
  v1::ContactRecord completed;
  ASSERT_TRUE(harness_.routing().CompleteContact(Ctx().get(), complete, &completed).ok());

  auto retry = Route(chat);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->contact_id(), first->contact_id());
  EXPECT_TRUE(retry->replayed());
  EXPECT_EQ(retry->decision().outcome(), v1::Decision::OUTCOME_ASSIGNED);
  EXPECT_EQ(retry->decision().handler_id(), "h1");
  EXPECT_EQ(Get(first->contact_id()).state(), v1::CONTACT_STATE_COMPLETED);
  EXPECT_EQ(ContactKeys().size(), 1u);

  // The router goes on: the next chat is offered to h1, which still holds the first in wrap-up.
  v1::Contact next_chat = NewContact("chat-session-8");
  next_chat.set_channel(v1::CHANNEL_CHAT);
  auto next = Route(next_chat);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->decision().handler_id(), "h1");
  EXPECT_EQ(stream.Next().contact_id(), next->contact_id());
  v1::GetHandlerRequest get;
  get.set_tenant(kTenant);
  get.set_handler_id("h1");
  v1::Handler h1;
  ASSERT_TRUE(harness_.handlers().GetHandler(Ctx().get(), get, &h1).ok());
  EXPECT_THAT(h1.contact_ids(), UnorderedElementsAre(first->contact_id(), next->contact_id()));
}

// A contact that is live in the store but not in the router's memory (written behind its back)
// is found by a retry of its key: the router answers from the store and reloads the tenant, so
// the contact is offered from then on.
TEST_F(RouterServiceTest, AContactLiveInTheStoreButNotInMemoryIsReloaded) {
  const core::Contact c =
      WriteBehindTheRouter(TestContactId("written-elsewhere"), "written-elsewhere");

  ExpectRetryReplaysAndIsOffered("written-elsewhere", c.id);
}

// A contact created before ids were derived from idempotency keys (a random id; its key under
// the key's older name) is still the one a retry of its key gets, live in memory after a restart.
TEST_F(RouterServiceTest, RetryOfAContactFromBeforeDerivedIdsFindsIt) {
  const core::Contact c = WriteBehindTheRouter("legacyRandomId1", "sip-call-from-last-week@pbx");
  // As the routers before wrote it: the key in the hash and under its own name.
  const std::string hash = absl::StrCat("w:{", kTenant, "}:c:", c.id);
  ASSERT_TRUE(
      harness_.redis().Command({"HSET", hash, "id", c.id, "idem", c.idempotency_key.str()}).ok());
  ASSERT_TRUE(
      harness_.redis()
          .Command({"SET", state::keys::Idempotency(kTenant, c.idempotency_key.str()), c.id})
          .ok());
  harness_.StopRouter();
  harness_.StartRouter(offer_timeout_);  // loads it: live in memory

  ExpectRetryReplaysAndIsOffered("sip-call-from-last-week@pbx", c.id);
}

struct BadContactCase {
  std::string name;
  std::function<void(v1::Contact&)> mutate;
  std::string field;
};

TEST_F(RouterServiceTest, BadInputNamesTheFieldAndChangesNothing) {
  const std::vector<BadContactCase> cases = {
      {"missing tenant", [](v1::Contact& c) { c.clear_tenant(); }, "contact.tenant"},
      {"unknown tenant", [](v1::Contact& c) { c.set_tenant("gemeente-nergens"); },
       "contact.tenant"},
      {"missing channel", [](v1::Contact& c) { c.set_channel(v1::CHANNEL_UNSPECIFIED); },
       "contact.channel"},
      {"unknown channel", [](v1::Contact& c) { c.set_channel(static_cast<v1::Channel>(99)); },
       "contact.channel"},
      {"missing topic", [](v1::Contact& c) { c.clear_topic(); }, "contact.topic"},
      {"unknown topic", [](v1::Contact& c) { c.set_topic("vuurwerkvergunning"); }, "contact.topic"},
      {"invalid bsn", [](v1::Contact& c) { c.mutable_party()->set_bsn("123456789"); },
       "contact.party.bsn"},
      {"zero bsn", [](v1::Contact& c) { c.mutable_party()->set_bsn("000000000"); },
       "contact.party.bsn"},
      {"short bsn", [](v1::Contact& c) { c.mutable_party()->set_bsn("12345678"); },
       "contact.party.bsn"},
      {"bad kvk", [](v1::Contact& c) { c.mutable_party()->set_kvk_number("1234"); },
       "contact.party.kvk_number"},
      {"vestiging without kvk",
       [](v1::Contact& c) { c.mutable_party()->set_vestigingsnummer("000012345678"); },
       "contact.party.vestigingsnummer"},
      {"bad phone", [](v1::Contact& c) { c.mutable_party()->set_phone_number("bel me"); },
       "contact.party.phone_number"},
      {"bad email", [](v1::Contact& c) { c.mutable_party()->set_email("geen-adres"); },
       "contact.party.email"},
      {"priority too high", [](v1::Contact& c) { c.set_priority(101); }, "contact.priority"},
      {"negative priority", [](v1::Contact& c) { c.set_priority(-1); }, "contact.priority"},
      {"missing idempotency key", [](v1::Contact& c) { c.clear_idempotency_key(); },
       "contact.idempotency_key"},
      {"oversized idempotency key",
       [](v1::Contact& c) { c.set_idempotency_key(std::string(129, 'k')); },
       "contact.idempotency_key"},
      {"oversized topic", [](v1::Contact& c) { c.set_topic(std::string(65, 't')); },
       "contact.topic"},
      {"oversized case", [](v1::Contact& c) { c.set_case_reference(std::string(65, 'z')); },
       "contact.case_reference"},
      {"bad language", [](v1::Contact& c) { c.set_language("nl NL"); }, "contact.language"},
      {"unknown need", [](v1::Contact& c) { c.add_needs(static_cast<v1::Need>(42)); },
       "contact.needs"},
      {"oversized attribute",
       [](v1::Contact& c) { (*c.mutable_attributes())["ivr"] = std::string(513, 'x'); },
       "contact.attributes[ivr]"},
      {"too many attributes",
       [](v1::Contact& c) {
         for (int i = 0; i < 33; ++i) (*c.mutable_attributes())[absl::StrCat("k", i)] = "v";
       },
       "contact.attributes"},
  };
  for (const BadContactCase& tc : cases) {
    SCOPED_TRACE(tc.name);
    v1::Contact contact = NewContact("bad-" + tc.name);
    tc.mutate(contact);
    v1::RouteContactRequest req;
    *req.mutable_contact() = contact;
    v1::RouteContactResponse resp;
    grpc::Status s = harness_.routing().RouteContact(Ctx().get(), req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr(tc.field));
    google::rpc::Status details;
    ASSERT_TRUE(details.ParseFromString(s.error_details()));
    ASSERT_EQ(details.details_size(), 1);
    google::rpc::BadRequest bad_request;
    ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
    ASSERT_EQ(bad_request.field_violations_size(), 1);
    EXPECT_EQ(bad_request.field_violations(0).field(), tc.field);
    // The message never repeats the identifier.
    EXPECT_THAT(s.error_message(), Not(HasSubstr("123456789")));
  }
  // The only keys are the tenant's lease (router/state/redis_keys.h), taken at start.
  auto keys = harness_.redis().Keys("*");
  ASSERT_TRUE(keys.ok());
  EXPECT_THAT(*keys, UnorderedElementsAre("w:{gemeente-test}:owner", "w:{gemeente-test}:epoch"))
      << "bad input must change nothing";
}

TEST_F(RouterServiceTest, UnknownHandlerOrOfferIsAClearError) {
  EXPECT_EQ(Respond("nobody", "0123", true).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(SignIn("h1", "wmo").ok());
  auto r = Route(NewContact("call-1"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Respond("h1", r->contact_id(), true).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Respond("h1", "no-such-contact", true).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::SignInRequest bad;
  bad.mutable_handler()->set_tenant(kTenant);
  bad.mutable_handler()->set_handler_id("h 2");
  v1::Handler out;
  grpc::Status s = harness_.handlers().SignIn(Ctx().get(), bad, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("handler.handler_id"));
  v1::GetContactRequest get;
  get.set_tenant(kTenant);
  get.set_contact_id("ffffffff");
  v1::ContactRecord rec;
  EXPECT_EQ(harness_.routing().GetContact(Ctx().get(), get, &rec).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(RouterServiceTest, NoPersonalIdentifierIsStoredInClear) {
  ASSERT_TRUE(SignIn("h1", "burgerzaken").ok());
  v1::Contact bsn = NewContact("k1");
  bsn.mutable_party()->set_bsn("111222333");
  v1::Contact phone = NewContact("k2");
  phone.mutable_party()->set_phone_number("06-12345678");
  v1::Contact email = NewContact("k3", "wmo-hulpmiddelen");
  email.mutable_party()->set_email("Inwoner@Example.nl");
  v1::Contact kvk = NewContact("k4");
  kvk.mutable_party()->set_kvk_number("69599084");
  kvk.mutable_party()->set_vestigingsnummer("000038509504");
  std::vector<std::string> pseudonyms;
  for (const v1::Contact& c : {bsn, phone, email, kvk}) {
    auto r = Route(c);
    ASSERT_TRUE(r.ok()) << r.status();
    v1::ContactRecord rec = Get(r->contact_id());
    EXPECT_EQ(rec.party_pseudonym().size(), 64u);
    pseudonyms.push_back(rec.party_pseudonym());
  }
  const std::string bsn_pseudonym = pseudonyms[0];
  // The same resident gets the same pseudonym on another contact (continuity).
  v1::Contact again = NewContact("k5", "rijbewijs");
  again.mutable_party()->set_bsn("111222333");
  auto r = Route(again);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Get(r->contact_id()).party_pseudonym(), bsn_pseudonym);

  const std::string dump = harness_.DumpRedis();
  ASSERT_FALSE(dump.empty());
  for (const char* clear :
       {"111222333", "12345678", "0612345678", "+31612345678", "inwoner@example.nl",
        "Inwoner@Example.nl", "69599084", "000038509504"}) {
    EXPECT_THAT(dump, Not(HasSubstr(clear))) << clear;
  }
}

TEST_F(RouterServiceTest, HealthIsServing) {
  grpc::GenericStub stub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", harness_.server().port()),
                                             grpc::InsecureChannelCredentials()));
  grpc::Slice empty("", 0);  // HealthCheckRequest{service: ""} serialises to nothing
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   status = s;
                   done.Notify();
                 });
  done.WaitForNotification();
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING
}

TEST_F(RouterServiceTest, SecondRouterOnATakenPortRefusesToStart) {
  auto config = config::ParseRouterConfig(
      TestConfigYaml(harness_.redis().port(), "2s",
                     absl::StrCat("127.0.0.1:", harness_.server().port())),
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  engine::SystemClock clock;
  service::Server second(*std::move(config), &clock);
  absl::Status started = second.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kFailedPrecondition) << started;
}

TEST_F(RouterServiceTest, RestartInProcessResumesQueuedContactsAndHandlers) {
  ASSERT_TRUE(SignIn("h-wmo", "wmo").ok());
  auto a = Route(NewContact("call-1"));
  auto b = Route(NewContact("call-2"));
  ASSERT_TRUE(a.ok() && b.ok());
  harness_.StopRouter();
  harness_.StartRouter();
  v1::GetHandlerRequest get;
  get.set_tenant(kTenant);
  get.set_handler_id("h-wmo");
  v1::Handler h;
  ASSERT_TRUE(harness_.handlers().GetHandler(Ctx().get(), get, &h).ok());
  EXPECT_EQ(h.presence(), v1::PRESENCE_AVAILABLE);
  Stream stream = OpenStream("h1");
  ASSERT_TRUE(SignIn("h1", "burgerzaken").ok());
  EXPECT_EQ(stream.Next().contact_id(), a->contact_id());
}

TEST_F(RouterServiceTest, ReloadKeepsTrafficAndRefusesWhatNeedsARestart) {
  ASSERT_TRUE(SignIn("h1", "burgerzaken").ok());
  Stream stream = OpenStream("h1");
  auto offered = Route(NewContact("offered-before"));
  ASSERT_TRUE(offered.ok());
  ASSERT_EQ(stream.Next().contact_id(), offered->contact_id());

  // A new pseudonym secret would break continuity: refused, nothing changes.
  std::string yaml = TestConfigYaml(harness_.redis().port());
  std::string changed_secret = yaml;
  changed_secret.replace(changed_secret.find("test-secret-"), 12, "other-secret");
  auto bad = config::ParseRouterConfig(changed_secret, "next.yaml");
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_EQ(harness_.server().Reload(*std::move(bad)).code(), absl::StatusCode::kInvalidArgument);

  // Moving a topic to another queue applies at once; the outstanding offer stands.
  yaml.replace(
      yaml.find("{code: rijbewijs, name: Rijbewijs, domain: burgerzaken, queue: burgerzaken}"), 75,
      "{code: rijbewijs, name: Rijbewijs, domain: burgerzaken, queue: wmo}       ");
  auto next = config::ParseRouterConfig(yaml, "next.yaml");
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_TRUE(harness_.server().Reload(*std::move(next)).ok());
  auto moved = Route(NewContact("after-reload", "rijbewijs"));
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->decision().queue(), "wmo");
  EXPECT_TRUE(Respond("h1", offered->contact_id(), /*accept=*/true).ok());
}

}  // namespace
}  // namespace wissel::testing
