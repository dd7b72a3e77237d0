// Redis Sentinel: the router finds the primary through three sentinels and follows a failover.
//
// A primary, its replica(s) and three redis-sentinel processes (quorum 2, down-after 1 s) run on
// free loopback ports (sentinel_cluster.h); the whole router runs in-process against the
// sentinels. Client threads route contacts; the primary is SIGKILLed mid-load; the sentinels
// promote a replica; the router must reconnect to it by itself (bounded wait) and routing must
// continue. Then every acknowledged contact is looked up on the new primary:
//  - asynchronous replication (the default): the contacts acknowledged before a point where the
//    test made sure (WAIT) that the replica had everything are all intact; of those acknowledged
//    after it, the ones the replica had not received when the primary died are lost — counted
//    and printed, not asserted (on loopback the replica is usually fast enough to lose none);
//  - WAIT mode (redis.min_replica_acks: 1, two replicas so one is left after the failover):
//    every acknowledged contact is intact.
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/state/sentinel_resolver.h"
#include "tests/integration/route_load.h"
#include "tests/integration/router_harness.h"
#include "tests/integration/sentinel_cluster.h"

namespace wissel::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kBeforeCheckpoint = 0;  // acknowledged, and then made sure to be on the replica
constexpr int kBeforeKill = 1;        // acknowledged while the primary lived
constexpr int kFailover = 2;          // sent while the sentinels fail over
constexpr int kAfter = 3;             // sent after the router reached the new primary

class SentinelFailoverTest : public ::testing::Test {
 protected:
  void StartCluster(int replicas) {
    SentinelClusterOptions options;
    options.replicas = replicas;
    auto cluster = SentinelCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
  }

  void StartRouter(int min_replica_acks) {
    std::string redis = absl::StrCat(
        "redis: {sentinel: {master_name: ", cluster_->options().master_name, ", addresses: [\"",
        absl::StrJoin(cluster_->sentinel_addresses(), "\", \""),
        "\"]}, connect_timeout: 1s, command_timeout: 2s, min_replica_acks: ", min_replica_acks,
        ", replica_ack_timeout: 500ms}");
    std::string yaml =
        absl::StrReplaceAll(TestConfigYaml(1), {{"redis: {host: 127.0.0.1, port: 1}", redis}});
    ASSERT_THAT(yaml, HasSubstr("sentinel"));
    auto config = config::ParseRouterConfig(yaml, "test.yaml");
    ASSERT_TRUE(config.ok()) << config.status();
    server_ = std::make_unique<service::Server>(*std::move(config), &clock_);
    absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    routing_ = v1::RoutingService::NewStub(channel_);
  }

  void TearDown() override {
    routing_.reset();
    channel_.reset();
    if (server_) server_->Shutdown(absl::Seconds(2));
    server_.reset();
    cluster_.reset();
  }

  // Whether the contact is in Redis now. A read that fails UNAVAILABLE is not an answer — Redis
  // closes its clients' connections when Sentinel reconfigures it — so it is tried again
  // (bounded) once the router's reader is back; NOT_FOUND or a wrong record is a loss.
  bool Intact(const RouteCall& call) {
    v1::GetContactRequest request;
    request.set_tenant(kTenant);
    request.set_contact_id(call.contact_id);
    grpc::Status status;
    for (int attempt = 1; attempt <= 10; ++attempt) {
      v1::ContactRecord record;
      status = routing_->GetContact(Ctx().get(), request, &record);
      if (status.ok())
        return record.contact_id() == call.contact_id && record.topic() == "paspoort";
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE) break;
      WaitForHealth(absl::StrCat("127.0.0.1:", server_->port()), 1, absl::Seconds(5));
      absl::SleepFor(absl::Milliseconds(200));
    }
    std::cerr << "contact " << call.contact_id << ": " << status.error_code() << " "
              << status.error_message() << "\n";
    return false;
  }

  // Kills the primary mid-load and waits until the router writes to the new one. Returns the
  // new primary's port (0 on failure, with a test failure recorded).
  int KillPrimaryAndFollow(RouteLoad& load) {
    RedisServer* primary = cluster_->servers()[0];
    const int old_port = primary->port();
    load.set_phase(kFailover);
    const absl::Time killed = absl::Now();
    EXPECT_TRUE(primary->Kill().ok());
    absl::StatusOr<int> new_port = cluster_->WaitForNewMaster(old_port, absl::Seconds(30));
    EXPECT_TRUE(new_port.ok()) << new_port.status() << "\n" << cluster_->SentinelLogs();
    if (!new_port.ok()) return 0;
    const absl::Duration promoted = absl::Now() - killed;
    load.set_phase(kAfter);
    EXPECT_TRUE(load.WaitForCount(grpc::StatusCode::OK, 50, absl::Seconds(30), kAfter))
        << "routing did not continue after the failover";
    // Reads (GetContact) go through the reader connection, which may still be in its reconnect
    // backoff (up to 2 s); health SERVING says it is back.
    EXPECT_TRUE(WaitForHealth(absl::StrCat("127.0.0.1:", server_->port()), 1, absl::Seconds(15)));
    std::cout << "failover: new primary 127.0.0.1:" << *new_port << " promoted "
              << absl::ToInt64Milliseconds(promoted) << " ms after the kill; routing again "
              << absl::ToInt64Milliseconds(absl::Now() - killed) << " ms after it (50 calls OK)"
              << std::endl;
    return *new_port;
  }

  engine::SystemClock clock_;
  std::unique_ptr<SentinelCluster> cluster_;
  std::unique_ptr<service::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RoutingService::Stub> routing_;
};

TEST_F(SentinelFailoverTest, ResolverAsksTheSentinelsInTurn) {
  StartCluster(1);
  const int primary = cluster_->servers()[0]->port();
  state::SentinelEndpoint endpoint;
  endpoint.master_name = cluster_->options().master_name;
  endpoint.addresses.push_back({"127.0.0.1", UnusedTcpPort()});  // a sentinel that is down
  for (const std::string& a : cluster_->sentinel_addresses()) {
    endpoint.addresses.push_back({"127.0.0.1", std::stoi(a.substr(a.rfind(':') + 1))});
  }
  state::SentinelResolver resolver(endpoint, absl::Milliseconds(500), absl::Seconds(1));
  absl::StatusOr<state::HostPort> master = resolver.ResolveMaster();
  ASSERT_TRUE(master.ok()) << master.status();
  EXPECT_EQ(master->host, "127.0.0.1");
  EXPECT_EQ(master->port, primary);
  // The sentinel that answered is asked first next time.
  EXPECT_EQ(resolver.order().front().port, endpoint.addresses[1].port);

  endpoint.master_name = "no-such-master";
  state::SentinelResolver unknown(endpoint, absl::Milliseconds(500), absl::Seconds(1));
  absl::StatusOr<state::HostPort> none = unknown.ResolveMaster();
  EXPECT_EQ(none.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(none.status().message()),
              HasSubstr("does not know master 'no-such-master'"));
  EXPECT_THAT(std::string(none.status().message()), HasSubstr("Connection refused"));

  // A replica is refused by the ROLE check, however it was named.
  state::RedisEndpoint direct;
  direct.port = cluster_->servers()[1]->port();
  state::RedisConnection replica(direct);
  absl::StatusOr<state::RedisReply> role = replica.Command({"ROLE"});
  ASSERT_TRUE(role.ok()) << role.status();
  EXPECT_EQ(state::CheckRoleIsMaster(*role).code(), absl::StatusCode::kUnavailable);
}

TEST_F(SentinelFailoverTest, AsynchronousReplicationFollowsTheFailover) {
  StartCluster(1);
  StartRouter(/*min_replica_acks=*/0);
  RouteLoad::Options options;
  options.tenant = kTenant;
  RouteLoad load(channel_, options);
  load.set_phase(kBeforeCheckpoint);
  load.Start();
  ASSERT_TRUE(load.WaitForCount(grpc::StatusCode::OK, 100, absl::Seconds(30)));
  // Checkpoint: everything acknowledged so far is on the replica once WAIT says so.
  load.set_phase(kBeforeKill);
  absl::StatusOr<std::string> acked = cluster_->servers()[0]->Command({"WAIT", "1", "5000"});
  ASSERT_TRUE(acked.ok() && *acked == "1") << acked.status();
  ASSERT_TRUE(load.WaitForCount(grpc::StatusCode::OK, 50, absl::Seconds(30), kBeforeKill));
  ASSERT_NE(KillPrimaryAndFollow(load), 0);
  load.Stop();

  int checkpointed = 0, checkpointed_intact = 0, later = 0, later_intact = 0, failed = 0;
  std::set<grpc::StatusCode> codes;
  for (const RouteCall& c : load.calls()) {
    if (c.code != grpc::StatusCode::OK) {
      ++failed;
      codes.insert(c.code);
      continue;
    }
    const bool intact = Intact(c);
    if (c.phase == kBeforeCheckpoint) {
      ++checkpointed;
      checkpointed_intact += intact;
      EXPECT_TRUE(intact) << "contact " << c.contact_id << " was on the replica";
    } else {
      ++later;
      later_intact += intact;
    }
  }
  for (grpc::StatusCode code : codes) EXPECT_EQ(code, grpc::StatusCode::UNAVAILABLE);
  std::cout << "failover(async): acknowledged=" << checkpointed + later
            << " intact=" << checkpointed_intact + later_intact
            << " lost=" << (checkpointed + later) - (checkpointed_intact + later_intact)
            << " (replicated_before_kill=" << checkpointed
            << " lost_of_them=" << checkpointed - checkpointed_intact
            << ") failed_unavailable=" << failed << std::endl;
}

TEST_F(SentinelFailoverTest, WaitModeLosesNoAcknowledgedContact) {
  // Two replicas: after the failover one is left to acknowledge, so routing can continue.
  StartCluster(2);
  StartRouter(/*min_replica_acks=*/1);
  RouteLoad::Options options;
  options.tenant = kTenant;
  RouteLoad load(channel_, options);
  load.set_phase(kBeforeKill);
  load.Start();
  ASSERT_TRUE(load.WaitForCount(grpc::StatusCode::OK, 150, absl::Seconds(30)));
  ASSERT_NE(KillPrimaryAndFollow(load), 0);
  load.Stop();

  int acknowledged = 0, intact = 0, not_replicated = 0, failed = 0;
  for (const RouteCall& c : load.calls()) {
    if (c.code != grpc::StatusCode::OK) {
      ++failed;
      EXPECT_EQ(c.code, grpc::StatusCode::UNAVAILABLE) << c.message;
      not_replicated += absl::StrContains(c.message, "not replicated");
      continue;
    }
    ++acknowledged;
    if (Intact(c)) {
      ++intact;
    } else {
      ADD_FAILURE() << "acknowledged contact " << c.contact_id << " (phase " << c.phase
                    << ") is lost";
    }
  }
  std::cout << "failover(wait): acknowledged=" << acknowledged << " intact=" << intact
            << " lost=" << acknowledged - intact << " failed_unavailable=" << failed
            << " (not_replicated=" << not_replicated << ")" << std::endl;
  EXPECT_EQ(acknowledged, intact);
}

}  // namespace
}  // namespace wissel::testing
