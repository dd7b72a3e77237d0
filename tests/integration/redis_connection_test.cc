// RedisConnection against a real redis-server: the reconnect backoff (calls fail at once with a
// clear message between attempts, attempts are spaced, a success resets it), and a READONLY
// reply from a replica drops the connection so that the next call connects again.
#include "router/state/redis_connection.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"

namespace wissel::state {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::wissel::testing::RedisServer;
using ::wissel::testing::RedisServerOptions;

RedisEndpoint Endpoint(int port, absl::Duration initial_backoff) {
  RedisEndpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = port;
  endpoint.connect_timeout = absl::Milliseconds(500);
  endpoint.command_timeout = absl::Seconds(1);
  endpoint.reconnect_backoff_initial = initial_backoff;
  endpoint.reconnect_backoff_max = absl::Seconds(2);
  return endpoint;
}

TEST(RedisConnectionTest, FailsFastBetweenAttemptsWithAClearMessage) {
  const int port = wissel::testing::UnusedTcpPort();
  // A long first delay, so that the calls below certainly fall inside it.
  RedisConnection connection(Endpoint(port, absl::Seconds(2)));

  absl::StatusOr<RedisReply> first = connection.Command({"PING"});
  ASSERT_EQ(first.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(first.status().message()),
              MatchesRegex(absl::StrCat("redis at 127\\.0\\.0\\.1:", port,
                                        " unreachable: connect: .*; retrying in [0-9]+ ms")));
  EXPECT_EQ(connection.connect_attempts(), 1u);

  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<RedisReply> next = connection.Command({"PING"});
    ASSERT_EQ(next.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(std::string(next.status().message()), HasSubstr("; retrying in "));
  }
  // The 100 calls above made no attempt of their own: the backoff holds them off.
  EXPECT_EQ(connection.connect_attempts(), 1u);
  EXPECT_EQ(connection.failed_connects(), 1u);
}

TEST(RedisConnectionTest, AttemptsAreSpacedAndASuccessResetsTheBackoff) {
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  RedisConnection connection(Endpoint((*server)->port(), absl::Milliseconds(50)));
  ASSERT_TRUE(connection.Command({"PING"}).ok());
  ASSERT_TRUE((*server)->Kill().ok());

  // Calls in a tight loop for a while: a bounded number of attempts, however many calls.
  int calls = 0;
  const absl::Time until = absl::Now() + absl::Milliseconds(600);
  while (absl::Now() < until && calls < 1'000'000) {
    EXPECT_FALSE(connection.Command({"PING"}).ok());
    ++calls;
  }
  // 50 ms doubling, each drawn from [d/2, d]: 25+50+100+200+400 > 600 ms, so at most 6 attempts
  // (plus the first, after the lost connection) in 600 ms.
  EXPECT_LE(connection.connect_attempts(), 7u) << calls << " calls";
  EXPECT_GT(calls, 100);

  ASSERT_TRUE((*server)->Restart().ok());
  // Back within the longest backoff (2 s); bounded wait.
  absl::Status status;
  for (int i = 0; i < 500; ++i) {
    status = connection.Command({"PING"}).status();
    if (status.ok()) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_TRUE(status.ok()) << status;
  // Reset: a new outage starts again at the first delay, so the first attempt is immediate.
  const uint64_t attempts = connection.connect_attempts();
  ASSERT_TRUE((*server)->Kill().ok());
  EXPECT_FALSE(connection.Command({"PING"}).ok());  // the dropped connection
  ASSERT_TRUE((*server)->Restart().ok());
  absl::StatusOr<RedisReply> pong = connection.Command({"PING"});
  // Either the first failed attempt (after the drop) started a 25-50 ms backoff, or this call
  // reconnected; what must not happen is an inherited multi-second backoff.
  for (int i = 0; i < 100 && !pong.ok(); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    pong = connection.Command({"PING"});
  }
  EXPECT_TRUE(pong.ok()) << pong.status();
  EXPECT_LE(connection.connect_attempts(), attempts + 3);
}

TEST(RedisConnectionTest, ReadonlyReplyDropsTheConnection) {
  auto primary = RedisServer::Start();
  ASSERT_TRUE(primary.ok()) << primary.status();
  RedisServerOptions replica_options;
  replica_options.extra_args = {"--replicaof", "127.0.0.1", absl::StrCat((*primary)->port())};
  auto replica = RedisServer::Start(replica_options);
  ASSERT_TRUE(replica.ok()) << replica.status();

  RedisConnection connection(Endpoint((*replica)->port(), absl::ZeroDuration()));
  absl::StatusOr<RedisReply> reply = connection.Command({"SET", "k", "v"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_TRUE(reply->is_error());
  EXPECT_THAT(reply->str, HasSubstr("READONLY"));
  EXPECT_FALSE(connection.connected());  // the next call connects (and, with Sentinel, resolves)
  EXPECT_TRUE(connection.Command({"PING"}).ok());
  EXPECT_EQ(connection.connect_attempts(), 2u);
}

TEST(RedisConnectionTest, CommandsAfterTheScriptsFollowThemInTheSameRoundTrip) {
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  RedisConnection connection(Endpoint((*server)->port(), absl::ZeroDuration()));
  const int script = connection.RegisterScript("return redis.call('INCR', KEYS[1])");
  ASSERT_TRUE(connection.Connect().ok());
  ASSERT_TRUE((*server)->Command({"SCRIPT", "FLUSH"}).ok());  // forces the NOSCRIPT retry
  const std::vector<ScriptCall> calls = {{script, {"n"}, {}}, {script, {"n"}, {}}};
  const std::vector<RedisCommand> then = {{"GET", "n"}};
  absl::StatusOr<std::vector<RedisReply>> replies = connection.EvalPipeline(calls, then);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 3u);
  EXPECT_EQ((*replies)[0].integer, 1);
  EXPECT_EQ((*replies)[1].integer, 2);
  // Sent again after the retried calls: it sees both increments.
  EXPECT_EQ((*replies)[2].str, "2");
}

// Commands are written in the Redis protocol by RedisConnection itself: arguments that are
// empty, binary, contain CR LF or are longer than a read buffer arrive as they were sent, and a
// large pipeline of scripts and commands keeps its order.
TEST(RedisConnectionTest, ArgumentsArriveByteForByte) {
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  RedisConnection connection(Endpoint((*server)->port(), absl::ZeroDuration()));
  const int script = connection.RegisterScript(
      "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('STRLEN', KEYS[1])");
  const std::vector<std::string> values = {"", std::string("\0\r\n$3\r\n*1\xff", 11),
                                           std::string(70000, 'x'), "\r\n"};
  std::vector<ScriptCall> calls;
  std::vector<RedisCommand> gets;
  for (int i = 0; i < 200; ++i) {
    const std::string key = absl::StrCat("key:", i);
    calls.push_back({script, {key}, {values[i % values.size()]}});
    gets.push_back({"GET", key});
  }
  absl::StatusOr<std::vector<RedisReply>> replies = connection.EvalPipeline(calls, gets);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 400u);
  for (int i = 0; i < 200; ++i) {
    const std::string& value = values[i % values.size()];
    EXPECT_EQ((*replies)[i].integer, static_cast<int64_t>(value.size())) << i;
    EXPECT_EQ((*replies)[200 + i].str, value) << i;
  }
  absl::StatusOr<std::vector<RedisReply>> again = connection.Pipeline(gets);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->size(), 200u);
  EXPECT_EQ((*again)[1].str, values[1]);
  absl::StatusOr<RedisReply> one = connection.Command({"GET", "key:2"});
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->str, values[2]);
}

}  // namespace
}  // namespace wissel::state
