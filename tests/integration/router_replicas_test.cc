// Three routers on one Redis, in process: one decides the tenant (the holder of its lease), the
// others forward calls and relay offer streams to it, so queue order and the contact-person
// policy hold whichever router a client calls. A router that stops hands the tenant over; a
// router whose lease was taken is fenced by Redis and writes nothing. (Killing routers under
// load: router_crash_test.)
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "router/config/router_config.h"
#include "router/engine/system_clock.h"
#include "router/service/server.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/router_harness.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/operator_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::testing {
namespace {

constexpr int kReplicas = 3;
// A valid BSN (11-proef).
constexpr char kResidentBsn[] = "111222333";

struct Replica {
  std::unique_ptr<service::Server> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::RoutingService::Stub> routing;
  std::unique_ptr<v1::HandlerService::Stub> handlers;
  std::unique_ptr<v1::OperatorService::Stub> operators;
};

// A handler's offer stream, bounded to 30 s.
struct Stream {
  std::unique_ptr<grpc::ClientContext> ctx;
  std::unique_ptr<grpc::ClientReader<v1::Offer>> reader;
  v1::Offer Next() {
    v1::Offer offer;
    EXPECT_TRUE(reader->Read(&offer)) << "offer stream ended";
    return offer;
  }
};

class RouterReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    // Replica 0 starts first and takes the tenant's lease.
    for (int i = 0; i < kReplicas; ++i) StartReplica(i);
    ASSERT_TRUE(replicas_[0].server->DecidesTenant(kTenant));
    ASSERT_FALSE(replicas_[1].server->DecidesTenant(kTenant));
    ASSERT_FALSE(replicas_[2].server->DecidesTenant(kTenant));
  }

  void TearDown() override {
    for (Replica& r : replicas_) {
      if (r.server) r.server->Shutdown(absl::Seconds(2));
    }
  }

  void StartReplica(int i) {
    auto config = config::ParseRouterConfig(TestConfigYaml(redis_->port(), "20s"), "test.yaml");
    ASSERT_TRUE(config.ok()) << config.status();
    Replica& r = replicas_[i];
    r.server = std::make_unique<service::Server>(*std::move(config), &clock_, cluster_);
    absl::Status started = r.server->Start();
    ASSERT_TRUE(started.ok()) << started;
    r.channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", r.server->port()),
                                    grpc::InsecureChannelCredentials());
    r.routing = v1::RoutingService::NewStub(r.channel);
    r.handlers = v1::HandlerService::NewStub(r.channel);
    r.operators = v1::OperatorService::NewStub(r.channel);
  }

  // The replica deciding the tenant, waiting (bounded) for a takeover; -1 if none.
  int WaitForDecider(absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time give_up = absl::Now() + timeout;
    while (absl::Now() < give_up) {
      for (int i = 0; i < kReplicas; ++i) {
        if (replicas_[i].server && replicas_[i].server->DecidesTenant(kTenant)) return i;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return -1;
  }

  grpc::Status Route(int replica, const std::string& key, v1::RouteContactResponse* resp,
                     const std::string& bsn = "") {
    v1::RouteContactRequest req;
    v1::Contact& c = *req.mutable_contact();
    c.set_tenant(kTenant);
    c.set_channel(v1::CHANNEL_PHONE);
    c.set_topic("paspoort");
    c.set_idempotency_key(key);
    if (!bsn.empty()) c.mutable_party()->set_bsn(bsn);
    return replicas_[replica].routing->RouteContact(Ctx().get(), req, resp);
  }

  std::string RouteQueued(int replica, const std::string& key) {
    v1::RouteContactResponse resp;
    grpc::Status s = Route(replica, key, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.decision().outcome(), v1::Decision::OUTCOME_QUEUED);
    return resp.contact_id();
  }

  void SignIn(int replica, const std::string& id, v1::Presence presence) {
    v1::SignInRequest req;
    req.mutable_handler()->set_tenant(kTenant);
    req.mutable_handler()->set_handler_id(id);
    req.mutable_handler()->add_skills("burgerzaken");
    req.mutable_handler()->set_presence(presence);
    v1::Handler resp;
    grpc::Status s = replicas_[replica].handlers->SignIn(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status SetPresence(int replica, const std::string& id, v1::Presence presence) {
    v1::SetPresenceRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(id);
    req.set_presence(presence);
    v1::Handler resp;
    return replicas_[replica].handlers->SetPresence(Ctx().get(), req, &resp);
  }

  Stream OpenStream(int replica, const std::string& handler_id) {
    Stream s;
    s.ctx = Ctx(absl::Seconds(30));
    v1::StreamOffersRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(handler_id);
    s.reader = replicas_[replica].handlers->StreamOffers(s.ctx.get(), req);
    return s;
  }

  grpc::Status Accept(int replica, const std::string& handler, const std::string& contact) {
    v1::OfferResponseRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(handler);
    req.set_contact_id(contact);
    v1::ContactRecord resp;
    return replicas_[replica].handlers->AcceptOffer(Ctx().get(), req, &resp);
  }

  grpc::Status Complete(int replica, const std::string& contact) {
    v1::CompleteContactRequest req;
    req.set_tenant(kTenant);
    req.set_contact_id(contact);
    v1::ContactRecord resp;
    return replicas_[replica].routing->CompleteContact(Ctx().get(), req, &resp);
  }

  grpc::Status FinishWrapUp(int replica, const std::string& handler, const std::string& contact) {
    v1::FinishWrapUpRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(handler);
    req.set_contact_id(contact);
    v1::Handler resp;
    return replicas_[replica].handlers->FinishWrapUp(Ctx().get(), req, &resp);
  }

  // Accepts, completes and wraps up `contact` for `handler`, each call at another replica.
  void Handle(const std::string& handler, const std::string& contact) {
    grpc::Status s = Accept(0, handler, contact);
    ASSERT_TRUE(s.ok()) << s.error_message();
    s = Complete(1, contact);
    ASSERT_TRUE(s.ok()) << s.error_message();
    s = FinishWrapUp(2, handler, contact);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Makes `call` until it answers something other than UNAVAILABLE, for at most 10 s: what a
  // client does while a tenant is taken over (peer_forwarding.h). A router learns the new
  // decider at its next lease round or when the old one refuses a forward, whichever is first.
  template <typename Call>
  grpc::Status RetryWhileUnavailable(const Call& call) {
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    grpc::Status s = call();
    while (s.error_code() == grpc::StatusCode::UNAVAILABLE && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(100));
      s = call();
    }
    return s;
  }

  int Waiting(int replica, bool during_takeover = false) {
    v1::GetQueueStatsRequest req;
    req.set_tenant(kTenant);
    req.set_queue("burgerzaken");
    v1::GetQueueStatsResponse resp;
    auto call = [&] {
      return replicas_[replica].operators->GetQueueStats(Ctx().get(), req, &resp);
    };
    grpc::Status s = during_takeover ? RetryWhileUnavailable(call) : call();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.queues_size() == 1 ? resp.queues(0).waiting() : -1;
  }

  service::ClusterOptions cluster_ = [] {
    service::ClusterOptions cluster;
    cluster.lease_ttl = absl::Milliseconds(1500);
    cluster.lease_renew_interval = absl::Milliseconds(250);
    return cluster;
  }();
  engine::SystemClock clock_;
  std::unique_ptr<RedisServer> redis_;
  Replica replicas_[kReplicas];
};

TEST_F(RouterReplicasTest, AContactRoutedAtOneReplicaIsOfferedToAHandlerStreamingFromAnother) {
  SignIn(1, "h1", v1::PRESENCE_AVAILABLE);
  Stream stream = OpenStream(1, "h1");  // relayed from replica 1 to replica 0

  v1::RouteContactResponse resp;
  const absl::Time sent = absl::Now();
  grpc::Status s = Route(2, "call-1", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.decision().outcome(), v1::Decision::OUTCOME_ASSIGNED);
  EXPECT_EQ(resp.decision().handler_id(), "h1");

  v1::Offer offer = stream.Next();
  // Pushed, not polled: printed for the record (no timing assertions in tests).
  std::cout << "relayed offer: routed at replica 2, decided at replica 0, received through "
               "replica 1 "
            << absl::FormatDuration(absl::Now() - sent) << " after the RouteContact call began"
            << std::endl;
  EXPECT_EQ(offer.kind(), v1::Offer::KIND_OFFER);
  EXPECT_EQ(offer.contact_id(), resp.contact_id());
  Handle("h1", resp.contact_id());

  // The same idempotency key at yet another replica: the same contact, nothing new.
  v1::RouteContactResponse again;
  s = Route(0, "call-1", &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.contact_id(), resp.contact_id());
  auto contacts = redis_->Keys("w:{gemeente-test}:c:*:h");
  ASSERT_TRUE(contacts.ok());
  EXPECT_EQ(contacts->size(), 1u);
}

TEST_F(RouterReplicasTest, QueueOrderHoldsWhicheverReplicaTheContactsArrivedAt) {
  SignIn(2, "h1", v1::PRESENCE_AWAY);
  std::vector<std::string> routed;
  for (int i = 0; i < 6; ++i) routed.push_back(RouteQueued(i % kReplicas, absl::StrCat("c-", i)));
  for (int i = 0; i < kReplicas; ++i) EXPECT_EQ(Waiting(i), 6) << "replica " << i;

  Stream stream = OpenStream(2, "h1");
  ASSERT_TRUE(SetPresence(1, "h1", v1::PRESENCE_AVAILABLE).ok());
  for (const std::string& expected : routed) {
    v1::Offer offer = stream.Next();
    ASSERT_EQ(offer.kind(), v1::Offer::KIND_OFFER);
    EXPECT_EQ(offer.contact_id(), expected) << "offered out of queue order";
    Handle("h1", offer.contact_id());
  }
  EXPECT_EQ(Waiting(1), 0);
}

TEST_F(RouterReplicasTest, TheContactPersonPolicyHoldsAcrossReplicas) {
  SignIn(1, "h1", v1::PRESENCE_AWAY);
  SignIn(2, "h2", v1::PRESENCE_AVAILABLE);
  Stream h2_stream = OpenStream(2, "h2");

  // h1 becomes the resident's contact person, through replica 2.
  v1::SetContactPersonRequest set;
  set.set_tenant(kTenant);
  set.mutable_party()->set_bsn(kResidentBsn);
  set.set_domain("burgerzaken");
  set.set_handler_id("h1");
  v1::SetContactPersonResponse set_resp;
  grpc::Status s = replicas_[2].routing->SetContactPerson(Ctx().get(), set, &set_resp);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // The resident calls in at replica 1: h2 is free, but the contact waits for h1.
  v1::RouteContactResponse resp;
  s = Route(1, "resident-call", &resp, kResidentBsn);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.decision().outcome(), v1::Decision::OUTCOME_QUEUED);

  // Another resident's call at replica 0 goes to h2 at once.
  v1::RouteContactResponse other;
  s = Route(0, "other-call", &other);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(other.decision().handler_id(), "h2");
  EXPECT_EQ(h2_stream.Next().contact_id(), other.contact_id());

  // h1 comes in at replica 1 and gets the resident's contact.
  Stream h1_stream = OpenStream(1, "h1");
  ASSERT_TRUE(SetPresence(0, "h1", v1::PRESENCE_AVAILABLE).ok());
  v1::Offer offer = h1_stream.Next();
  EXPECT_EQ(offer.contact_id(), resp.contact_id());
  Handle("h1", offer.contact_id());
}

TEST_F(RouterReplicasTest, AStoppingReplicaHandsItsTenantOverWithItsQueue) {
  SignIn(1, "h1", v1::PRESENCE_AWAY);
  std::vector<std::string> routed;
  for (int i = 0; i < 4; ++i) routed.push_back(RouteQueued(1 + i % 2, absl::StrCat("q-", i)));

  replicas_[0].server->Shutdown(absl::Seconds(2));  // gives its leases up
  replicas_[0].server.reset();
  const int decider = WaitForDecider();
  ASSERT_GE(decider, 1) << "no replica took the tenant over";
  const int other = decider == 1 ? 2 : 1;
  EXPECT_EQ(Waiting(other, /*during_takeover=*/true), 4) << "the queue survives the handover";

  Stream stream = OpenStream(other, "h1");
  ASSERT_TRUE(SetPresence(other, "h1", v1::PRESENCE_AVAILABLE).ok());
  for (const std::string& expected : routed) {
    v1::Offer offer = stream.Next();
    ASSERT_EQ(offer.kind(), v1::Offer::KIND_OFFER);
    EXPECT_EQ(offer.contact_id(), expected);
    ASSERT_TRUE(Accept(other, "h1", offer.contact_id()).ok());
    ASSERT_TRUE(Complete(decider, offer.contact_id()).ok());
    ASSERT_TRUE(FinishWrapUp(other, "h1", offer.contact_id()).ok());
  }
}

// Replicas whose lease rounds are an hour apart: after their start, they learn who decides
// only from a forwarded call or relayed stream that found nobody to serve it.
class RouterReplicasRareLeaseRoundsTest : public RouterReplicasTest {
 protected:
  RouterReplicasRareLeaseRoundsTest() {
    cluster_.lease_ttl = absl::Hours(2);
    cluster_.lease_renew_interval = absl::Hours(1);
  }
};

TEST_F(RouterReplicasRareLeaseRoundsTest, ARefusedForwardRenewsTheViewOfWhoDecides) {
  for (int i = 0; i < 4; ++i) RouteQueued(1 + i % 2, absl::StrCat("q-", i));

  replicas_[0].server->Shutdown(absl::Seconds(2));  // gives its leases up
  replicas_[0].server.reset();
  // Both replicas still name replica 0, and an hour-long lease round would leave it so.

  // A handler's offer stream at replica 2 is relayed to replica 0 and refused: replica 2
  // renews its view at once, finds the lease free and takes it.
  Stream refused = OpenStream(2, "h1");
  v1::Offer offer;
  EXPECT_FALSE(refused.reader->Read(&offer));
  EXPECT_EQ(refused.reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(WaitForDecider(), 2) << "the refused relay did not renew replica 2's view";

  // A call at replica 1 is forwarded to replica 0 and refused: replica 1 learns that replica 2
  // decides now, and the client's retry is forwarded there.
  EXPECT_EQ(Waiting(1, /*during_takeover=*/true), 4) << "the queue survives the handover";
  v1::RouteContactResponse resp;
  grpc::Status s = Route(1, "after-handover", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.decision().outcome(), v1::Decision::OUTCOME_QUEUED);
  EXPECT_EQ(Waiting(2), 5);
}

TEST_F(RouterReplicasTest, AReplicaThatLostItsLeaseIsFencedAndWritesNothing) {
  // Someone else holds the lease now (as if replica 0 had stalled past its TTL): replica 0
  // does not know yet; its next write is refused by Redis.
  ASSERT_TRUE(
      redis_->Command({"SET", "w:{gemeente-test}:owner", "999|intruder|127.0.0.1:1", "PX", "2000"})
          .ok());
  v1::RouteContactResponse resp;
  grpc::Status s = Route(0, "during-takeover", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  auto contacts = redis_->Keys("w:{gemeente-test}:c:*");
  ASSERT_TRUE(contacts.ok());
  EXPECT_TRUE(contacts->empty()) << "a fenced router wrote " << contacts->front();

  // When the intruder's lease expires a replica takes the tenant, and the retried call
  // succeeds, once.
  absl::SleepFor(absl::Milliseconds(2100));
  ASSERT_GE(WaitForDecider(), 0);
  s = RetryWhileUnavailable([&] { return Route(1, "during-takeover", &resp); });
  ASSERT_TRUE(s.ok()) << s.error_message();
  // One contact (its history is the hash's h0 until it changes), the key's own.
  auto written = redis_->Keys("w:{gemeente-test}:c:*");
  ASSERT_TRUE(written.ok());
  EXPECT_THAT(*written, ::testing::ElementsAre(absl::StrCat("w:{gemeente-test}:c:",
                                                            TestContactId("during-takeover"))));
  EXPECT_EQ(resp.contact_id(), TestContactId("during-takeover"));
}

}  // namespace
}  // namespace wissel::testing
