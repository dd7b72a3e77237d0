// Redis AUTH and the router's least-privilege ACL (config/redis/wissel.acl.example) against a
// real redis-server that requires a password: the right credentials work across reconnects,
// wrong or missing ones fail clearly (naming the user, never the password) and leave no state,
// the router's Start fails with them, and the ACL user cannot do what the router does not need.
#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/config/router_config.h"
#include "router/engine/system_clock.h"
#include "router/service/server.h"
#include "router/state/redis_connection.h"
#include "router/state/redis_state_store.h"
#include "router/state/sentinel_resolver.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/router_harness.h"
#include "tests/integration/sentinel_cluster.h"
#include "tests/integration/wissel_acl.h"

namespace wissel::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kPassword[] = "test-wissel-password-0123";
constexpr char kWrongPassword[] = "test-not-the-password-987";

class RedisAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<RedisServerOptions> options = AclServerOptions(WISSEL_SOURCE_DIR, kPassword);
    ASSERT_TRUE(options.ok()) << options.status();
    auto server = RedisServer::Start(*options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  state::RedisEndpoint Endpoint(const std::string& username, const std::string& password) const {
    state::RedisEndpoint endpoint;
    endpoint.host = server_->host();
    endpoint.port = server_->port();
    endpoint.username = username;
    endpoint.password = password;
    endpoint.connect_timeout = absl::Seconds(1);
    endpoint.command_timeout = absl::Seconds(2);
    endpoint.reconnect_backoff_initial = absl::ZeroDuration();
    return endpoint;
  }

  std::unique_ptr<state::RedisStateStore> Store(const std::string& username,
                                                const std::string& password) const {
    state::RedisStateStoreOptions options;
    options.endpoint = Endpoint(username, password);
    return std::make_unique<state::RedisStateStore>(options);
  }

  // A refusal by the ACL: the command reached Redis and was answered NOPERM.
  void ExpectRefused(const std::vector<std::string>& command) {
    absl::StatusOr<std::string> reply = server_->CommandAs("wissel", kPassword, command);
    ASSERT_FALSE(reply.ok()) << command[0] << " was allowed: " << *reply;
    EXPECT_EQ(reply.status().code(), absl::StatusCode::kFailedPrecondition) << reply.status();
    EXPECT_THAT(std::string(reply.status().message()), StartsWith("NOPERM")) << command[0];
  }

  std::unique_ptr<RedisServer> server_;
};

TEST_F(RedisAuthTest, AclUserAuthenticatesOnConnectAndEveryReconnect) {
  state::RedisConnection connection(Endpoint("wissel", kPassword));
  const int script = connection.RegisterScript("return 1");
  absl::StatusOr<state::RedisReply> pong = connection.Command({"PING"});
  ASSERT_TRUE(pong.ok()) << pong.status();
  EXPECT_EQ(pong->str, "PONG");

  // A restart drops the connection; the next call connects again and must AUTH again before
  // it loads the scripts and runs anything.
  ASSERT_TRUE(server_->Restart().ok());
  absl::StatusOr<state::RedisReply> failed = connection.Command({"PING"});  // the dead socket
  absl::StatusOr<std::vector<state::RedisReply>> replies =
      connection.EvalPipeline({state::ScriptCall{script, {"w:{t}:probe"}, {}}});
  ASSERT_TRUE(replies.ok()) << replies.status() << " (after " << failed.status() << ")";
  EXPECT_EQ(replies->front().integer, 1);
  EXPECT_GE(connection.connect_attempts(), 2u);
  EXPECT_EQ(connection.failed_connects(), 0u);
}

TEST_F(RedisAuthTest, WrongPasswordIsUnauthenticatedNamingTheUserNotThePassword) {
  std::unique_ptr<state::RedisStateStore> store = Store("wissel", kWrongPassword);
  const absl::Status status = store->Ping();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("AUTH as user 'wissel' refused"), HasSubstr("WRONGPASS"),
                    Not(HasSubstr(kWrongPassword)), Not(HasSubstr(kPassword))));
  // The next call, inside the reconnect backoff, says the same and not "unreachable".
  const absl::Status again = store->Ping();
  EXPECT_EQ(again.code(), absl::StatusCode::kUnauthenticated) << again;
  EXPECT_THAT(std::string(again.message()), Not(HasSubstr(kWrongPassword)));
  // No state: nothing was written.
  absl::StatusOr<std::vector<std::string>> keys = server_->Keys("*");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_THAT(*keys, IsEmpty());
}

TEST_F(RedisAuthTest, UnknownUserIsUnauthenticated) {
  const absl::Status status = Store("nobody", kPassword)->Ping();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("user 'nobody'"));
}

TEST_F(RedisAuthTest, NoPasswordAgainstAServerThatRequiresOneIsUnauthenticated) {
  std::unique_ptr<state::RedisStateStore> store = Store("", "");
  const absl::Status status = store->Ping();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("NOAUTH"), HasSubstr("no password is configured")));
  // The scripts' connection too (a store loads its scripts on connect).
  state::RedisConnection connection(Endpoint("", ""));
  connection.RegisterScript("return 1");
  const absl::Status connect = connection.Connect();
  EXPECT_EQ(connect.code(), absl::StatusCode::kUnauthenticated) << connect;
  absl::StatusOr<std::vector<std::string>> keys = server_->Keys("*");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_THAT(*keys, IsEmpty());
}

TEST_F(RedisAuthTest, PasswordForAServerWithoutOneIsRefused) {
  // The operator believes Redis is protected; it is not. Say so instead of carrying on.
  auto open = RedisServer::Start();
  ASSERT_TRUE(open.ok()) << open.status();
  state::RedisEndpoint endpoint = Endpoint("", kPassword);
  endpoint.port = (*open)->port();
  state::RedisConnection connection(endpoint);
  const absl::Status status = connection.Connect();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("AUTH as the default user refused"), Not(HasSubstr(kPassword))));
}

TEST_F(RedisAuthTest, AclUserMayNotDoWhatTheRouterDoesNotNeed) {
  // The control: the user is authenticated and may write its own keys.
  ASSERT_TRUE(server_->CommandAs("wissel", kPassword, {"SET", "w:{t}:probe", "1"}).ok());
  ASSERT_TRUE(server_->Command({"SET", "other:key", "x"}).ok());

  ExpectRefused({"FLUSHALL"});
  ExpectRefused({"FLUSHDB"});
  ExpectRefused({"CONFIG", "GET", "*"});
  ExpectRefused({"CONFIG", "SET", "appendonly", "no"});
  ExpectRefused({"ACL", "LIST"});
  ExpectRefused({"KEYS", "*"});
  ExpectRefused({"KEYS", "other:*"});
  ExpectRefused({"SCAN", "0"});
  ExpectRefused({"CLIENT", "LIST"});
  ExpectRefused({"INFO"});
  ExpectRefused({"SHUTDOWN"});
  ExpectRefused({"SCRIPT", "FLUSH"});
  ExpectRefused({"EVAL", "return 1", "0"});
  ExpectRefused({"PUBLISH", "channel", "x"});
  // Keys outside w:{...}: neither written nor read, directly or from a script.
  ExpectRefused({"SET", "other:key", "y"});
  ExpectRefused({"GET", "other:key"});
  ExpectRefused({"DEL", "other:key"});
  ExpectRefused({"SET", "w:no-tag", "y"});
  absl::StatusOr<std::string> sha = server_->CommandAs(
      "wissel", kPassword, {"SCRIPT", "LOAD", "return redis.call('SET', KEYS[1], 'y')"});
  ASSERT_TRUE(sha.ok()) << sha.status();
  absl::StatusOr<std::string> scripted =
      server_->CommandAs("wissel", kPassword, {"EVALSHA", *sha, "1", "other:key"});
  ASSERT_FALSE(scripted.ok());
  EXPECT_THAT(std::string(scripted.status().message()), HasSubstr("NOPERM"));

  absl::StatusOr<std::string> untouched = server_->Command({"GET", "other:key"});
  ASSERT_TRUE(untouched.ok()) << untouched.status();
  EXPECT_EQ(*untouched, "x");
}

// The client side of AUTH to the sentinels, with a redis-server standing in for a sentinel (it
// speaks the same protocol and has the same AUTH): a refused AUTH fails the resolution with
// Unauthenticated, not as an outage. (A NOPERM for SENTINEL itself needs a real sentinel: a
// plain server does not know the command at all.)
TEST_F(RedisAuthTest, SentinelsRefusingTheCredentialsFailTheResolution) {
  state::SentinelEndpoint sentinels;
  sentinels.master_name = "wissel";
  sentinels.addresses = {state::HostPort{server_->host(), server_->port()}};
  sentinels.username = "wissel";
  sentinels.password = kWrongPassword;
  state::SentinelResolver wrong(sentinels, absl::Seconds(1), absl::Seconds(2));
  absl::StatusOr<state::HostPort> master = wrong.ResolveMaster();
  EXPECT_EQ(master.status().code(), absl::StatusCode::kUnauthenticated) << master.status();
  EXPECT_THAT(std::string(master.status().message()),
              AllOf(HasSubstr("user 'wissel'"), Not(HasSubstr(kWrongPassword))));

  // A connection that finds its master through such sentinels fails to connect with the code.
  state::RedisEndpoint endpoint = Endpoint("wissel", kPassword);
  endpoint.sentinel = sentinels;
  state::RedisConnection connection(endpoint);
  const absl::Status connect = connection.Connect();
  EXPECT_EQ(connect.code(), absl::StatusCode::kUnauthenticated) << connect;
}

// A real redis-sentinel with ACL users, among them the sentinel user of docs/security.md: the
// router's resolver authenticates with the sentinels' own credentials, and a refused AUTH or a
// refused SENTINEL command fail the resolution with their codes.
TEST(SentinelAuthTest, SentinelUsersAuthenticateAndTheirAclIsEnforced) {
  SentinelClusterOptions options;
  options.replicas = 0;
  options.sentinels = 1;
  options.quorum = 1;
  options.sentinel_config_lines = {
      "user wissel-sentinel on >test-sentinel-password -@all +sentinel|get-master-addr-by-name",
      "user no-sentinel on >test-sentinel-password -@all +ping"};
  absl::StatusOr<std::unique_ptr<SentinelCluster>> cluster = SentinelCluster::Start(options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  const std::vector<std::string> addresses = (*cluster)->sentinel_addresses();
  ASSERT_EQ(addresses.size(), 1u);
  state::SentinelEndpoint sentinels;
  sentinels.master_name = "wissel";
  sentinels.addresses = {
      state::HostPort{"127.0.0.1", std::stoi(addresses[0].substr(addresses[0].rfind(':') + 1))}};
  sentinels.username = "wissel-sentinel";
  sentinels.password = "test-sentinel-password";

  state::SentinelResolver resolver(sentinels, absl::Seconds(1), absl::Seconds(2));
  absl::StatusOr<state::HostPort> master = resolver.ResolveMaster();
  ASSERT_TRUE(master.ok()) << master.status();
  EXPECT_EQ(master->port, (*cluster)->servers()[0]->port());

  // Through the sentinels to the master, which needs no password here.
  state::RedisEndpoint endpoint;
  endpoint.sentinel = sentinels;
  state::RedisConnection connection(endpoint);
  absl::StatusOr<state::RedisReply> pong = connection.Command({"PING"});
  ASSERT_TRUE(pong.ok()) << pong.status();
  EXPECT_EQ(pong->str, "PONG");

  state::SentinelEndpoint wrong = sentinels;
  wrong.password = kWrongPassword;
  master = state::SentinelResolver(wrong, absl::Seconds(1), absl::Seconds(2)).ResolveMaster();
  EXPECT_EQ(master.status().code(), absl::StatusCode::kUnauthenticated) << master.status();
  EXPECT_THAT(std::string(master.status().message()), Not(HasSubstr(kWrongPassword)));

  state::SentinelEndpoint denied = sentinels;
  denied.username = "no-sentinel";
  master = state::SentinelResolver(denied, absl::Seconds(1), absl::Seconds(2)).ResolveMaster();
  EXPECT_EQ(master.status().code(), absl::StatusCode::kPermissionDenied) << master.status();
  EXPECT_THAT(std::string(master.status().message()), HasSubstr("NOPERM"));

  state::SentinelEndpoint none = sentinels;
  none.username.clear();
  none.password.clear();
  // The default user of these sentinels is open (the cluster's own questions use it), so a
  // resolver without credentials still resolves: the sentinels decide, not the router.
  EXPECT_TRUE(
      state::SentinelResolver(none, absl::Seconds(1), absl::Seconds(2)).ResolveMaster().ok());
}

// The router's Start with the ACL user: refused credentials fail it at once with
// Unauthenticated (wisseld does not wait for an outage to end), the right ones start it.
class RouterStartAuthTest : public RedisAuthTest {
 protected:
  static void SetUpTestSuite() {
    setenv("WISSEL_TEST_REDIS_PASSWORD", kPassword, 1);
    setenv("WISSEL_TEST_REDIS_WRONG_PASSWORD", kWrongPassword, 1);
  }

  absl::StatusOr<config::RouterConfig> Config(absl::string_view credentials) const {
    const std::string direct = absl::StrCat("redis: {host: 127.0.0.1, port: ", server_->port());
    const std::string yaml = absl::StrReplaceAll(TestConfigYaml(server_->port()),
                                                 {{direct, absl::StrCat(direct, credentials)}});
    return config::ParseRouterConfig(yaml, "test.yaml");
  }

  engine::SystemClock clock_;
};

TEST_F(RouterStartAuthTest, WrongPasswordFailsStart) {
  absl::StatusOr<config::RouterConfig> config =
      Config(", username: wissel, password_env: WISSEL_TEST_REDIS_WRONG_PASSWORD");
  ASSERT_TRUE(config.ok()) << config.status();
  service::Server server(*std::move(config), &clock_);
  const absl::Status started = server.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kUnauthenticated) << started;
  EXPECT_THAT(std::string(started.message()),
              AllOf(HasSubstr("user 'wissel'"), Not(HasSubstr(kWrongPassword))));
}

TEST_F(RouterStartAuthTest, MissingPasswordFailsStart) {
  absl::StatusOr<config::RouterConfig> config = Config("");
  ASSERT_TRUE(config.ok()) << config.status();
  service::Server server(*std::move(config), &clock_);
  const absl::Status started = server.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kUnauthenticated) << started;
}

TEST_F(RouterStartAuthTest, AclUserStartsTheRouter) {
  absl::StatusOr<config::RouterConfig> config =
      Config(", username: wissel, password_env: WISSEL_TEST_REDIS_PASSWORD");
  ASSERT_TRUE(config.ok()) << config.status();
  service::Server server(*std::move(config), &clock_);
  const absl::Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started;
  // What the router does with Redis beyond its scripts is allowed too: the event stream
  // (XINFO STREAM, XREAD) after a routed contact.
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port()),
                                     grpc::InsecureChannelCredentials());
  v1::RouteContactRequest route;
  route.mutable_contact()->set_tenant(kTenant);
  route.mutable_contact()->set_channel(v1::CHANNEL_CHAT);
  route.mutable_contact()->set_topic("paspoort");
  route.mutable_contact()->set_idempotency_key("acl-1");
  v1::RouteContactResponse routed;
  grpc::Status s = v1::RoutingService::NewStub(channel)->RouteContact(Ctx().get(), route, &routed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto operators = v1::OperatorService::NewStub(channel);
  for (const std::string after : {"0", "0-1"}) {
    v1::WatchEventsRequest watch;
    watch.set_tenant(kTenant);
    watch.set_after(after);
    watch.set_until_newest(true);
    auto ctx = Ctx();
    auto reader = operators->WatchEvents(ctx.get(), watch);
    v1::Event event;
    int events = 0;
    while (reader->Read(&event)) ++events;
    s = reader->Finish();
    EXPECT_TRUE(s.ok()) << after << ": " << s.error_message();
    EXPECT_EQ(events, 1) << after;
  }
  server.Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace wissel::testing
