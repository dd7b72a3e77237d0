// Tests the RedisServer fixture itself: start, commands, restart with the same data, kill.
#include "tests/integration/redis_server.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::testing {
namespace {

TEST(RedisServerTest, StartsAndAnswers) {
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ((*server)->host(), "127.0.0.1");
  EXPECT_GT((*server)->port(), 0);
  EXPECT_GT((*server)->pid(), 0);
  EXPECT_FALSE((*server)->dir().empty());
  auto pong = (*server)->Command({"PING"});
  ASSERT_TRUE(pong.ok()) << pong.status();
  EXPECT_EQ(*pong, "PONG");
  ASSERT_TRUE((*server)->Command({"SET", "a", std::string("x\0y", 3)}).ok());
  EXPECT_EQ(*(*server)->Command({"GET", "a"}), std::string("x\0y", 3));
  EXPECT_EQ((*server)->Command({"GET", "missing"}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*server)->Command({"NOSUCHCOMMAND"}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*(*server)->Command({"INCR", "n"}), "1");
}

TEST(RedisServerTest, AclFileMakesTheServerRequireAuth) {
  RedisServerOptions options;
  options.acl_lines = {"user default on >test-admin ~* &* +@all",
                       "user reader on >test-reader ~r:* -@all +get"};
  options.admin_password = "test-admin";
  auto server = RedisServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  // The fixture's own helpers authenticate as the administrator, across a restart too.
  ASSERT_TRUE((*server)->Command({"SET", "r:1", "v"}).ok());
  ASSERT_TRUE((*server)->Restart().ok());
  EXPECT_EQ(*(*server)->Command({"GET", "r:1"}), "v");
  auto keys = (*server)->Keys();
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_THAT(*keys, ::testing::ElementsAre("r:1"));
  // Another user through CommandAs: what its ACL allows, and a refusal of the rest.
  EXPECT_EQ(*(*server)->CommandAs("reader", "test-reader", {"GET", "r:1"}), "v");
  EXPECT_EQ((*server)->CommandAs("reader", "test-reader", {"SET", "r:1", "w"}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*server)->CommandAs("reader", "wrong", {"GET", "r:1"}).status().code(),
            absl::StatusCode::kUnauthenticated);
  // Without credentials the server answers NOAUTH.
  EXPECT_EQ((*server)->CommandAs("", "", {"GET", "r:1"}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(RedisServerTest, KeysScansEverything) {
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  for (int i = 0; i < 2500; ++i) {
    ASSERT_TRUE((*server)->Command({"SET", "k" + std::to_string(i), "v"}).ok());
  }
  auto keys = (*server)->Keys();
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->size(), 2500u);
  auto some = (*server)->Keys("k1?");
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some->size(), 10u);
  ASSERT_TRUE((*server)->FlushAll().ok());
  EXPECT_TRUE((*server)->Keys()->empty());
}

TEST(RedisServerTest, RestartKeepsDataAndPort) {
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  ASSERT_TRUE((*server)->Command({"SET", "durable", "yes"}).ok());
  ASSERT_TRUE((*server)->Stop().ok());
  EXPECT_FALSE((*server)->running());
  EXPECT_EQ((*server)->Command({"PING"}).status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE((*server)->Restart().ok());
  EXPECT_EQ((*server)->port(), port);
  EXPECT_EQ(*(*server)->Command({"GET", "durable"}), "yes");
}

TEST(RedisServerTest, KillThenRestart) {
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  const pid_t pid = (*server)->pid();
  ASSERT_TRUE((*server)->Kill().ok());
  EXPECT_EQ((*server)->pid(), -1);
  EXPECT_NE(kill(pid, 0), 0);  // reaped
  ASSERT_TRUE((*server)->Restart().ok());
  EXPECT_EQ(*(*server)->Command({"PING"}), "PONG");
}

TEST(RedisServerTest, DestructorRemovesDirectory) {
  std::string dir;
  {
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    dir = (*server)->dir();
    EXPECT_EQ(access(dir.c_str(), F_OK), 0);
  }
  EXPECT_NE(access(dir.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace wissel::testing
