// The stricter durability mode (redis.min_replica_acks, replica_ack.h) against a real primary
// and replica: with the replica present a batch is OK; with it stopped the batch is Unavailable
// ("not replicated") although the primary applied it, and a retry with the same idempotency key
// finds the same contact instead of creating a second one — through the store and through the
// whole router.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/state/redis_state_store.h"
#include "tests/integration/router_harness.h"

namespace wissel::testing {
namespace {

using ::testing::HasSubstr;

class ReplicaAckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // No diskless-sync delay (5 s by default): the restarted replica resynchronises at once; no
    // shutdown wait for lagging replicas (10 s by default): a stop is a stop.
    RedisServerOptions primary_options;
    primary_options.extra_args = {"--repl-diskless-sync-delay", "0", "--shutdown-timeout", "0"};
    auto primary = RedisServer::Start(primary_options);
    ASSERT_TRUE(primary.ok()) << primary.status();
    primary_ = *std::move(primary);
    RedisServerOptions replica_options;
    // No append-only file on the replica: a replica refuses SIGTERM while it writes its first
    // one after a sync, which would stretch every stop to the fixture's SIGKILL timeout.
    replica_options.extra_args = {"--replicaof", "127.0.0.1", absl::StrCat(primary_->port()),
                                  "--appendonly", "no"};
    auto replica = RedisServer::Start(replica_options);
    ASSERT_TRUE(replica.ok()) << replica.status();
    replica_ = *std::move(replica);
    // The replica must be attached before the first WAIT can count it.
    for (int i = 0; i < 200; ++i) {
      if (primary_->Command({"WAIT", "1", "50"}).value_or("0") == "1") return;
    }
    FAIL() << "replica did not attach";
  }

  std::unique_ptr<RedisServer> primary_;
  std::unique_ptr<RedisServer> replica_;
};

core::Contact NewContact(const std::string& id, const std::string& key) {
  core::Contact c;
  c.id = id;
  c.channel = core::Channel::kPhone;
  c.topic = "paspoort";
  c.queue = "burgerzaken";
  c.idempotency_key = key;
  c.created_at = absl::FromUnixSeconds(1700000000);
  c.enqueued_at = c.created_at;
  return c;
}

TEST_F(ReplicaAckTest, StoreReportsABatchNoReplicaAcknowledged) {
  state::RedisStateStoreOptions options;
  options.endpoint.host = "127.0.0.1";
  options.endpoint.port = primary_->port();
  options.min_replica_acks = 1;
  // Generous: on a loaded machine a present replica may take a while to acknowledge.
  options.replica_ack_timeout = absl::Milliseconds(1500);
  state::RedisStateStore store(options);

  std::vector<state::TenantEffect> first = {{"t", core::ContactCreated{NewContact("c1", "k1")}}};
  absl::StatusOr<std::vector<state::EffectResult>> ok = store.Apply(first);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE((*ok)[0].status.ok()) << (*ok)[0].status;
  EXPECT_TRUE(replica_->Command({"EXISTS", "w:{t}:c:c1"}).value_or("") == "1");

  ASSERT_TRUE(replica_->Kill().ok());
  std::vector<state::TenantEffect> second = {{"t", core::ContactCreated{NewContact("c2", "k2")}}};
  absl::StatusOr<std::vector<state::EffectResult>> refused = store.Apply(second);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("not replicated to 1 replica(s) in time (0 acknowledged)"));
  // Applied on the primary all the same: a retry of the same create finds its own contact.
  EXPECT_EQ(primary_->Command({"EXISTS", "w:{t}:c:c2"}).value_or(""), "1");
  ASSERT_TRUE(replica_->Restart().ok());
  absl::StatusOr<std::vector<state::EffectResult>> retried;
  for (int i = 0; i < 10; ++i) {  // until the restarted replica has attached again
    retried = store.Apply(second);
    if (retried.ok()) break;
  }
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ((*retried)[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ((*retried)[0].existing_contact_id, "c2");
}

TEST_F(ReplicaAckTest, RouterRepliesUnavailableAndTheRetryReturnsTheSameContact) {
  std::string yaml =
      absl::StrReplaceAll(TestConfigYaml(primary_->port()),
                          {{absl::StrCat("port: ", primary_->port(), "}"),
                            absl::StrCat("port: ", primary_->port(),
                                         ", min_replica_acks: 1, replica_ack_timeout: 1500ms}")}});
  auto config = config::ParseRouterConfig(yaml, "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->redis.min_replica_acks, 1);
  engine::SystemClock clock;
  service::Server server(*std::move(config), &clock);
  ASSERT_TRUE(server.Start().ok());
  auto stub = v1::RoutingService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", server.port()), grpc::InsecureChannelCredentials()));
  auto route = [&](const std::string& key, v1::RouteContactResponse* response) {
    v1::RouteContactRequest request;
    request.mutable_contact()->set_tenant(kTenant);
    request.mutable_contact()->set_channel(v1::CHANNEL_PHONE);
    request.mutable_contact()->set_topic("paspoort");
    request.mutable_contact()->set_idempotency_key(key);
    return stub->RouteContact(Ctx().get(), request, response);
  };

  v1::RouteContactResponse replicated;
  grpc::Status ok = route("call-1", &replicated);
  ASSERT_TRUE(ok.ok()) << ok.error_message();

  ASSERT_TRUE(replica_->Kill().ok());
  v1::RouteContactResponse unused;
  grpc::Status refused = route("call-2", &unused);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(refused.error_message(), HasSubstr("not replicated to 1 replica(s) in time"));

  ASSERT_TRUE(replica_->Restart().ok());
  v1::RouteContactResponse first, second;
  grpc::Status retry;
  for (int i = 0; i < 10; ++i) {  // bounded: until the replica has attached again
    retry = route("call-2", &first);
    if (retry.ok()) break;
  }
  ASSERT_TRUE(retry.ok()) << retry.error_message();
  EXPECT_TRUE(first.replayed());  // the contact the refused call created on the primary
  ASSERT_TRUE(route("call-2", &second).ok());
  EXPECT_EQ(second.contact_id(), first.contact_id());
  EXPECT_EQ(first.contact_id(), TestContactId("call-2"));
  absl::StatusOr<std::vector<std::string>> contacts =
      primary_->Keys(absl::StrCat("w:{", kTenant, "}:c:*"));
  ASSERT_TRUE(contacts.ok());
  // call-1 and call-2, one contact each.
  EXPECT_THAT(*contacts, ::testing::UnorderedElementsAre(
                             absl::StrCat("w:{", kTenant, "}:c:", TestContactId("call-1")),
                             absl::StrCat("w:{", kTenant, "}:c:", TestContactId("call-2"))));
  server.Shutdown(absl::Seconds(2));
}

}  // namespace
}  // namespace wissel::testing
