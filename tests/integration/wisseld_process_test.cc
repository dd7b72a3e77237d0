// The real wisseld binary: killed with SIGKILL and restarted it resumes every queued contact
// and handler state from Redis; on SIGTERM it drains and closes offer streams with a status.
#include "tests/integration/wisseld_process.h"

#include <signal.h>
#include <sys/wait.h>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/router_harness.h"

namespace wissel::testing {
namespace {

class WisseldProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    // A fixed address, as a restarted router keeps in production (same pod, same port): it
    // takes its tenants' leases over at once instead of waiting for them to expire.
    const int port = UnusedTcpPort();
    ASSERT_NE(port, 0);
    listen_ = absl::StrCat("127.0.0.1:", port);
    daemon_ = std::make_unique<WisseldProcess>(WISSELD_BINARY,
                                               TestConfigYaml(redis_->port(), "20s", listen_));
    StartDaemon();
  }

  void StartDaemon() {
    absl::Status s = daemon_->Start();
    ASSERT_TRUE(s.ok()) << s;
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", daemon_->port()),
                                       grpc::InsecureChannelCredentials());
    routing_ = v1::RoutingService::NewStub(channel);
    handlers_ = v1::HandlerService::NewStub(channel);
    operators_ = v1::OperatorService::NewStub(channel);
  }

  std::string Route(const std::string& key, const std::string& topic) {
    v1::RouteContactRequest req;
    req.mutable_contact()->set_tenant(kTenant);
    req.mutable_contact()->set_channel(v1::CHANNEL_PHONE);
    req.mutable_contact()->set_topic(topic);
    req.mutable_contact()->set_idempotency_key(key);
    v1::RouteContactResponse resp;
    grpc::Status s = routing_->RouteContact(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.contact_id();
  }

  void SignIn(const std::string& id, const std::string& skill) {
    v1::SignInRequest req;
    req.mutable_handler()->set_tenant(kTenant);
    req.mutable_handler()->set_handler_id(id);
    req.mutable_handler()->add_skills(skill);
    v1::Handler resp;
    grpc::Status s = handlers_->SignIn(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  void SetPresence(const std::string& id, v1::Presence presence) {
    v1::SetPresenceRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(id);
    req.set_presence(presence);
    v1::Handler resp;
    grpc::Status s = handlers_->SetPresence(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::Handler GetHandler(const std::string& id) {
    v1::GetHandlerRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(id);
    v1::Handler resp;
    grpc::Status s = handlers_->GetHandler(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  std::unique_ptr<RedisServer> redis_;
  std::string listen_;
  std::unique_ptr<WisseldProcess> daemon_;
  std::unique_ptr<v1::RoutingService::Stub> routing_;
  std::unique_ptr<v1::HandlerService::Stub> handlers_;
  std::unique_ptr<v1::OperatorService::Stub> operators_;
};

TEST_F(WisseldProcessTest, SigkillAndRestartKeepsQueuedContactsAndHandlerStates) {
  SignIn("h-balie", "burgerzaken");
  SetPresence("h-balie", v1::PRESENCE_AWAY);
  SignIn("h-wmo", "wmo");
  const std::string wmo = Route("wmo-call", "wmo-hulpmiddelen");
  {
    v1::OfferResponseRequest accept;
    accept.set_tenant(kTenant);
    accept.set_handler_id("h-wmo");
    accept.set_contact_id(wmo);
    v1::ContactRecord rec;
    grpc::Status s = handlers_->AcceptOffer(Ctx().get(), accept, &rec);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  std::vector<std::string> queued;
  for (int i = 0; i < 5; ++i) queued.push_back(Route(absl::StrCat("call-", i), "paspoort"));

  auto killed = daemon_->SignalAndWait(SIGKILL);
  ASSERT_TRUE(killed.ok());
  EXPECT_TRUE(WIFSIGNALED(*killed));
  StartDaemon();

  // Every queued contact is still queued, in its order; handler states are intact.
  v1::GetQueueStatsRequest stats_req;
  stats_req.set_tenant(kTenant);
  stats_req.set_queue("burgerzaken");
  v1::GetQueueStatsResponse stats;
  ASSERT_TRUE(operators_->GetQueueStats(Ctx().get(), stats_req, &stats).ok());
  ASSERT_EQ(stats.queues_size(), 1);
  EXPECT_EQ(stats.queues(0).waiting(), 5);
  EXPECT_EQ(GetHandler("h-balie").presence(), v1::PRESENCE_AWAY);
  v1::Handler h_wmo = GetHandler("h-wmo");
  EXPECT_EQ(h_wmo.presence(), v1::PRESENCE_AVAILABLE);
  EXPECT_THAT(h_wmo.contact_ids(), ::testing::ElementsAre(wmo));
  v1::GetContactRequest get;
  get.set_tenant(kTenant);
  get.set_contact_id(wmo);
  v1::ContactRecord rec;
  ASSERT_TRUE(routing_->GetContact(Ctx().get(), get, &rec).ok());
  EXPECT_EQ(rec.state(), v1::CONTACT_STATE_CONNECTED);

  // Routing goes on: the handler comes back and gets the queue in order.
  auto stream_ctx = Ctx(absl::Seconds(20));
  v1::StreamOffersRequest stream_req;
  stream_req.set_tenant(kTenant);
  stream_req.set_handler_id("h-balie");
  auto reader = handlers_->StreamOffers(stream_ctx.get(), stream_req);
  SetPresence("h-balie", v1::PRESENCE_AVAILABLE);
  v1::Offer offer;
  ASSERT_TRUE(reader->Read(&offer));
  EXPECT_EQ(offer.contact_id(), queued[0]);
  // A new contact after the restart is routed too.
  const std::string after = Route("after-restart", "wmo-hulpmiddelen");
  EXPECT_FALSE(after.empty());
  stream_ctx->TryCancel();
}

TEST_F(WisseldProcessTest, SigtermDrainsAndClosesOfferStreamsWithStatus) {
  SignIn("h1", "burgerzaken");
  auto stream_ctx = Ctx(absl::Seconds(20));
  v1::StreamOffersRequest stream_req;
  stream_req.set_tenant(kTenant);
  stream_req.set_handler_id("h1");
  auto reader = handlers_->StreamOffers(stream_ctx.get(), stream_req);
  const std::string contact = Route("call-1", "paspoort");
  v1::Offer offer;
  ASSERT_TRUE(reader->Read(&offer));
  EXPECT_EQ(offer.contact_id(), contact);

  auto exited = daemon_->SignalAndWait(SIGTERM);
  ASSERT_TRUE(exited.ok()) << exited.status();
  EXPECT_TRUE(WIFEXITED(*exited)) << daemon_->Log();
  EXPECT_EQ(WEXITSTATUS(*exited), 0);
  EXPECT_FALSE(reader->Read(&offer));
  grpc::Status finished = reader->Finish();
  EXPECT_TRUE(finished.ok()) << finished.error_code() << " " << finished.error_message();
  EXPECT_THAT(daemon_->Log(), ::testing::HasSubstr("draining"));
  // What was acknowledged before the drain is durable.
  auto state = redis_->Command({"HGET", absl::StrCat("w:{gemeente-test}:c:", contact), "state"});
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, "offered");
}

TEST_F(WisseldProcessTest, SighupReloadsAndRefusesABrokenFile) {
  const std::string queued = Route("before-reload", "paspoort");
  // A broken file: refused with file, line and reason; the running rules stay in force.
  daemon_->RewriteConfig(TestConfigYaml(redis_->port(), "20s", listen_) +
                         "  - this is not a tenant\n");
  ASSERT_EQ(kill(daemon_->pid(), SIGHUP), 0);
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (daemon_->Log().find("reload refused") == std::string::npos && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_THAT(daemon_->Log(), ::testing::HasSubstr("reload refused"));
  EXPECT_THAT(daemon_->Log(), ::testing::HasSubstr("wissel.yaml:"));
  EXPECT_FALSE(Route("still-routing", "rijbewijs").empty());

  // A good file with a new topic: applied without a restart; the queued contact is kept.
  std::string next = TestConfigYaml(redis_->port(), "20s", listen_);
  const std::string anchor =
      "      - {code: rijbewijs, name: Rijbewijs, domain: burgerzaken, queue: burgerzaken}\n";
  ASSERT_NE(next.find(anchor), std::string::npos);
  next.insert(next.find(anchor) + anchor.size(),
              "      - {code: verhuizing, name: Verhuizing, domain: burgerzaken, queue: wmo}\n");
  daemon_->RewriteConfig(next);
  ASSERT_EQ(kill(daemon_->pid(), SIGHUP), 0);
  while (daemon_->Log().find("configuration reloaded") == std::string::npos &&
         absl::Now() < give_up + absl::Seconds(10)) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_THAT(daemon_->Log(), ::testing::HasSubstr("configuration reloaded"));
  EXPECT_FALSE(Route("new-topic", "verhuizing").empty());
  v1::GetContactRequest get;
  get.set_tenant(kTenant);
  get.set_contact_id(queued);
  v1::ContactRecord rec;
  ASSERT_TRUE(routing_->GetContact(Ctx().get(), get, &rec).ok());
  EXPECT_EQ(rec.state(), v1::CONTACT_STATE_QUEUED);
  v1::GetQueueStatsRequest stats_req;
  stats_req.set_tenant(kTenant);
  stats_req.set_queue("burgerzaken");
  v1::GetQueueStatsResponse stats;
  ASSERT_TRUE(operators_->GetQueueStats(Ctx().get(), stats_req, &stats).ok());
  EXPECT_EQ(stats.queues(0).waiting(), 2);  // "before-reload" and "still-routing"
}

}  // namespace
}  // namespace wissel::testing
