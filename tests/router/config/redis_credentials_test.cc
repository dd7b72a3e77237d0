// redis.username / password_env / password_file (and the same under redis.sentinel): where the
// router's Redis password comes from, and that it never comes from the configuration file.
#include <stdlib.h>

#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/config/router_config.h"

namespace wissel::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kPassword[] = "test-redis-password-0123";

// A valid tenant after the redis section, so that only the redis part is under test.
constexpr char kTenant[] =
    "tenants:\n  - id: t\n    name: T\n    pseudonym_secret_env: WISSEL_TEST_PSEUDONYM_SECRET\n";

// The test's temporary directory, without a trailing slash.
std::string TestDir() {
  std::string dir = ::testing::TempDir();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

class RedisCredentialsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv("WISSEL_TEST_PSEUDONYM_SECRET", "0123456789abcdef0123456789abcdef", 1);
    setenv("WISSEL_TEST_REDIS_PASSWORD", kPassword, 1);
    setenv("WISSEL_TEST_SENTINEL_PASSWORD", "test-sentinel-password", 1);
    unsetenv("WISSEL_TEST_REDIS_UNSET");
  }

  static absl::StatusOr<RouterConfig> Parse(const std::string& redis,
                                            const LoadOptions& options = {}) {
    return ParseRouterConfig(absl::StrCat(redis, kTenant), TestDir() + "/test.yaml", options);
  }
};

TEST_F(RedisCredentialsTest, NoneConfiguredMeansNoAuth) {
  absl::StatusOr<RouterConfig> config = Parse("redis: {port: 6380}\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis.username, "");
  EXPECT_EQ(config->redis.password, "");
  EXPECT_EQ(config->redis.password_source, "");
  EXPECT_EQ(config->redis.sentinel.password, "");
}

TEST_F(RedisCredentialsTest, UserAndPasswordFromTheEnvironment) {
  absl::StatusOr<RouterConfig> config =
      Parse("redis:\n  username: wissel\n  password_env: WISSEL_TEST_REDIS_PASSWORD\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis.username, "wissel");
  EXPECT_EQ(config->redis.password, kPassword);
  EXPECT_EQ(config->redis.password_source, "env:WISSEL_TEST_REDIS_PASSWORD");
  EXPECT_THAT(config->warnings, IsEmpty());
}

TEST_F(RedisCredentialsTest, PasswordWithoutUserIsForTheDefaultUser) {
  absl::StatusOr<RouterConfig> config =
      Parse("redis:\n  password_env: WISSEL_TEST_REDIS_PASSWORD\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis.username, "");
  EXPECT_EQ(config->redis.password, kPassword);
}

TEST_F(RedisCredentialsTest, PasswordFileIsReadRelativeToTheConfigFile) {
  std::ofstream(TestDir() + "/wissel_redis_password.txt") << kPassword << "\n";
  absl::StatusOr<RouterConfig> config =
      Parse("redis:\n  username: wissel\n  password_file: wissel_redis_password.txt\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis.password, kPassword);  // the trailing newline is not part of it
  EXPECT_EQ(config->redis.password_source,
            absl::StrCat("file:", TestDir(), "/wissel_redis_password.txt"));
}

TEST_F(RedisCredentialsTest, LiteralPasswordIsRefusedWithoutEchoingIt) {
  absl::StatusOr<RouterConfig> config =
      Parse("redis:\n  username: wissel\n  password: hunter2-in-the-file\n");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("test.yaml:3:13: redis.password: a password is never written in the "
                        "configuration file; put it in an environment variable "
                        "(redis.password_env) or a file (redis.password_file)"));
  EXPECT_THAT(std::string(config.status().message()), Not(HasSubstr("hunter2")));
}

TEST_F(RedisCredentialsTest, UnsetEnvironmentVariableIsAnError) {
  absl::StatusOr<RouterConfig> config = Parse("redis:\n  password_env: WISSEL_TEST_REDIS_UNSET\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("test.yaml:2:17: redis.password_env: environment variable "
                        "'WISSEL_TEST_REDIS_UNSET' is not set or empty"));
}

TEST_F(RedisCredentialsTest, UnsetPasswordIsAWarningWhenSecretsAreNotRequired) {
  LoadOptions options;
  options.require_secrets = false;
  absl::StatusOr<RouterConfig> config =
      Parse("redis:\n  username: wissel\n  password_env: WISSEL_TEST_REDIS_UNSET\n", options);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis.password, "");
  EXPECT_EQ(config->redis.password_source, "env:WISSEL_TEST_REDIS_UNSET");
  EXPECT_THAT(config->warnings,
              ElementsAre(HasSubstr("test.yaml:3:17: redis.password_env: environment variable "
                                    "'WISSEL_TEST_REDIS_UNSET' is not set or empty (not "
                                    "required for this check)")));
}

TEST_F(RedisCredentialsTest, MissingPasswordFileIsAnError) {
  absl::StatusOr<RouterConfig> config = Parse("redis:\n  password_file: /nonexistent/password\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(
      std::string(config.status().message()),
      HasSubstr("test.yaml:2:18: redis.password_file: cannot open '/nonexistent/password'"));
}

TEST_F(RedisCredentialsTest, EmptyOrMultiLinePasswordFileIsAnError) {
  std::ofstream(TestDir() + "/wissel_redis_empty.txt") << "\n";
  absl::StatusOr<RouterConfig> empty = Parse("redis:\n  password_file: wissel_redis_empty.txt\n");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(std::string(empty.status().message()),
              HasSubstr("redis.password_file: the password from file:"));
  EXPECT_THAT(std::string(empty.status().message()), HasSubstr("is empty or spans several lines"));

  std::ofstream(TestDir() + "/wissel_redis_lines.txt") << "first-line\nsecond-line\n";
  absl::StatusOr<RouterConfig> lines = Parse("redis:\n  password_file: wissel_redis_lines.txt\n");
  ASSERT_FALSE(lines.ok());
  EXPECT_THAT(std::string(lines.status().message()), HasSubstr("is empty or spans several lines"));
  EXPECT_THAT(std::string(lines.status().message()), Not(HasSubstr("first-line")));
}

TEST_F(RedisCredentialsTest, EnvAndFileTogetherConflict) {
  absl::StatusOr<RouterConfig> config = Parse(
      "redis:\n  password_env: WISSEL_TEST_REDIS_PASSWORD\n  password_file: /nonexistent/p\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("test.yaml:3:18: redis.password_file: conflicts with "
                        "redis.password_env; give one of them"));
}

TEST_F(RedisCredentialsTest, UserWithoutPasswordIsAnError) {
  absl::StatusOr<RouterConfig> config = Parse("redis:\n  username: wissel\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("test.yaml:2:13: redis.username: needs a password: set "
                        "redis.password_env or redis.password_file"));
}

TEST_F(RedisCredentialsTest, UserNameWithWhitespaceIsAnError) {
  absl::StatusOr<RouterConfig> config =
      Parse("redis:\n  username: \"wis sel\"\n  password_env: WISSEL_TEST_REDIS_PASSWORD\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("redis.username: must be a Redis ACL user name without whitespace"));
}

TEST_F(RedisCredentialsTest, SentinelsHaveTheirOwnCredentials) {
  absl::StatusOr<RouterConfig> config = Parse(
      "redis:\n  username: wissel\n  password_env: WISSEL_TEST_REDIS_PASSWORD\n"
      "  sentinel:\n    master_name: m\n    addresses: [\"a:26379\"]\n"
      "    username: wissel-sentinel\n    password_env: WISSEL_TEST_SENTINEL_PASSWORD\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis.password, kPassword);
  EXPECT_EQ(config->redis.sentinel.username, "wissel-sentinel");
  EXPECT_EQ(config->redis.sentinel.password, "test-sentinel-password");
  EXPECT_EQ(config->redis.sentinel.password_source, "env:WISSEL_TEST_SENTINEL_PASSWORD");
}

TEST_F(RedisCredentialsTest, LiteralSentinelPasswordIsRefused) {
  absl::StatusOr<RouterConfig> config = Parse(
      "redis:\n  sentinel:\n    master_name: m\n    addresses: [\"a:26379\"]\n"
      "    password: in-the-file\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("test.yaml:5:15: redis.sentinel.password: a password is never written"));
  EXPECT_THAT(std::string(config.status().message()), Not(HasSubstr("in-the-file")));
}

}  // namespace
}  // namespace wissel::config
