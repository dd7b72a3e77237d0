// BalieCredentials: tokens read from the environment or files the config names, refused when
// missing, short, malformed or shared; the kiosk's and each desk's checks (401/403 as statuses).
#include "adapters/balie/balie_credentials.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/balie/test_config.h"

namespace wissel::adapters::balie {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class BalieCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wissel-balie-cred-XXXXXX";
    dir_ = mkdtemp(tmpl);
    config_ = testing::TestConfig();
    config_.desks[1].token.file = dir_ + "/desk-2";
    std::ofstream(config_.desks[1].token.file) << testing::kDesk2Token << "\n";
    env_ = {{"TEST_DESK_1_TOKEN", testing::kDesk1Token},
            {"TEST_KIOSK_TOKEN", testing::kKioskToken}};
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  absl::StatusOr<BalieCredentials> Load() {
    return BalieCredentials::Load(config_, [this](const std::string& name) {
      const auto it = env_.find(name);
      return it == env_.end() ? std::nullopt : std::optional<std::string>(it->second);
    });
  }

  static std::string Bearer(const std::string& token) { return "Bearer " + token; }

  std::string dir_;
  BalieConfig config_;
  std::map<std::string, std::string> env_;
};

TEST_F(BalieCredentialsTest, EachCallerHasItsOwnToken) {
  absl::StatusOr<BalieCredentials> credentials = Load();
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_TRUE(credentials->CheckKiosk(Bearer(testing::kKioskToken)).ok());
  EXPECT_TRUE(credentials->CheckDesk("desk-1", Bearer(testing::kDesk1Token)).ok());
  EXPECT_TRUE(credentials->CheckDesk("desk-2", Bearer(testing::kDesk2Token)).ok());  // from file
  EXPECT_TRUE(credentials->CheckAnyDesk(Bearer(testing::kDesk2Token)).ok());

  EXPECT_EQ(credentials->CheckKiosk("").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(credentials->CheckKiosk("Basic eDp5").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(credentials->CheckKiosk(Bearer(testing::kDesk1Token)).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(credentials->CheckDesk("desk-1", "").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(credentials->CheckDesk("desk-1", Bearer(testing::kDesk2Token)).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(credentials->CheckDesk("desk-1", Bearer(testing::kKioskToken)).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(credentials->CheckDesk("desk-9", Bearer(testing::kDesk1Token)).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(credentials->CheckAnyDesk(Bearer(testing::kKioskToken)).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(credentials->CheckAnyDesk("").code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(BalieCredentialsTest, NobodyWithoutCredentials) {
  const BalieCredentials none;
  EXPECT_EQ(none.CheckKiosk(Bearer(testing::kKioskToken)).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(none.CheckDesk("desk-1", Bearer(testing::kDesk1Token)).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(BalieCredentialsTest, BadTokensStopTheStartWithoutShowingThem) {
  struct Case {
    std::function<void()> change;
    std::string error;
  };
  const Case cases[] = {
      {[this] { env_.erase("TEST_KIOSK_TOKEN"); },
       "kiosk.token_env (TEST_KIOSK_TOKEN): is not set"},
      {[this] { env_["TEST_DESK_1_TOKEN"] = "short"; },
       "desks[0].token_env (TEST_DESK_1_TOKEN): the token must be at least 16"},
      {[this] { env_["TEST_DESK_1_TOKEN"] = "has spaces in the token"; },
       "desks[0].token_env (TEST_DESK_1_TOKEN): the token must be of"},
      {[this] { config_.desks[1].token.file = dir_ + "/missing"; }, "desks[1].token_file"},
      {[this] { env_["TEST_KIOSK_TOKEN"] = testing::kDesk1Token; },
       "kiosk: has the same token as desks[0]"},
  };
  for (const Case& c : cases) {
    SetUp();
    c.change();
    absl::StatusOr<BalieCredentials> credentials = Load();
    ASSERT_FALSE(credentials.ok()) << c.error;
    EXPECT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(credentials.status().message(), HasSubstr(c.error));
    for (const auto& [name, value] : env_) {
      EXPECT_THAT(credentials.status().message(), Not(HasSubstr(value)));
    }
    TearDown();
  }
}

}  // namespace
}  // namespace wissel::adapters::balie
