// CorsPolicy: configured origins only, never "*", Vary: Origin always, preflights for the
// configured origins and the adapters' methods, state-changing requests from other origins
// refused, and the configuration's mistakes named.
#include "adapters/common/cors_policy.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::adapters {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Pair;

std::map<std::string, std::string> AsMap(const HeaderList& headers) {
  return {headers.begin(), headers.end()};
}

CorsPolicy Policy() {
  absl::StatusOr<CorsPolicy> policy =
      CorsPolicy::Create({"https://www.wisseloord.nl", "HTTPS://Formulieren.Wisseloord.nl/",
                          "https://chat.wisseloord.nl:8443", "http://localhost:3000"});
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy.ok() ? *policy : CorsPolicy();
}

TEST(CorsPolicyTest, ConfiguredOriginsAreNormalised) {
  EXPECT_THAT(
      Policy().origins(),
      ::testing::ElementsAre("https://www.wisseloord.nl", "https://formulieren.wisseloord.nl",
                             "https://chat.wisseloord.nl:8443", "http://localhost:3000"));
}

TEST(CorsPolicyTest, AllowedOriginGetsItselfBackAndVary) {
  const auto headers = AsMap(Policy().ResponseHeaders("https://www.wisseloord.nl"));
  EXPECT_EQ(headers.at("Access-Control-Allow-Origin"), "https://www.wisseloord.nl");
  EXPECT_EQ(headers.at("Vary"), "Origin");
  EXPECT_THAT(headers.at("Access-Control-Expose-Headers"), HasSubstr("Retry-After"));
  EXPECT_EQ(headers.count("Access-Control-Allow-Credentials"), 0u);
}

TEST(CorsPolicyTest, OtherOriginsGetNoAllowOrigin) {
  const CorsPolicy policy = Policy();
  for (const char* origin : {"https://evil.example", "https://www.wisseloord.nl.evil.example",
                             "http://www.wisseloord.nl", "https://www.wisseloord.nl:444", "null",
                             "*", "https://WWW.wisseloord.nl", ""}) {
    SCOPED_TRACE(origin);
    const auto headers = AsMap(policy.ResponseHeaders(origin));
    EXPECT_EQ(headers.count("Access-Control-Allow-Origin"), 0u);
    EXPECT_EQ(headers.at("Vary"), "Origin");
    EXPECT_FALSE(policy.Allows(origin));
  }
}

TEST(CorsPolicyTest, NoOriginsConfiguredAllowsNone) {
  const CorsPolicy none;
  EXPECT_FALSE(none.Allows("https://www.wisseloord.nl"));
  EXPECT_TRUE(none.RefusesRequest("POST", "https://www.wisseloord.nl"));
  EXPECT_FALSE(none.RefusesRequest("POST", ""));
}

TEST(CorsPolicyTest, StateChangingRequestsFromOtherOriginsAreRefused) {
  const CorsPolicy policy = Policy();
  EXPECT_TRUE(policy.RefusesRequest("POST", "https://evil.example"));
  EXPECT_TRUE(policy.RefusesRequest("DELETE", "https://evil.example"));
  EXPECT_TRUE(policy.RefusesRequest("PUT", "null"));
  EXPECT_FALSE(policy.RefusesRequest("POST", "https://www.wisseloord.nl"));
  EXPECT_FALSE(policy.RefusesRequest("GET", "https://evil.example"));  // reads: no effect
  EXPECT_FALSE(policy.RefusesRequest("HEAD", "https://evil.example"));
  EXPECT_FALSE(policy.RefusesRequest("POST", ""));  // not a browser page: curl, a server, a kiosk
}

TEST(CorsPolicyTest, PreflightForConfiguredOriginsAndMethodsOnly) {
  const CorsPolicy policy = Policy();
  EXPECT_TRUE(CorsPolicy::IsPreflight("OPTIONS", "https://a.nl", "POST"));
  EXPECT_FALSE(CorsPolicy::IsPreflight("OPTIONS", "", "POST"));
  EXPECT_FALSE(CorsPolicy::IsPreflight("OPTIONS", "https://a.nl", ""));
  EXPECT_FALSE(CorsPolicy::IsPreflight("POST", "https://a.nl", "POST"));

  absl::StatusOr<HeaderList> ok = policy.Preflight("https://chat.wisseloord.nl:8443", "POST");
  ASSERT_TRUE(ok.ok()) << ok.status();
  const auto headers = AsMap(*ok);
  EXPECT_EQ(headers.at("Access-Control-Allow-Origin"), "https://chat.wisseloord.nl:8443");
  EXPECT_EQ(headers.at("Access-Control-Allow-Methods"), "GET, POST, DELETE");
  EXPECT_THAT(headers.at("Access-Control-Allow-Headers"), HasSubstr("Authorization"));
  EXPECT_THAT(headers.at("Access-Control-Allow-Headers"), HasSubstr("Content-Type"));
  EXPECT_THAT(headers.at("Vary"), HasSubstr("Origin"));
  EXPECT_THAT(*ok, Contains(Pair("Access-Control-Max-Age", "600")));

  EXPECT_EQ(policy.Preflight("https://evil.example", "POST").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(policy.Preflight("https://www.wisseloord.nl", "PUT").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CorsPolicyTest, BadConfiguredOriginsAreNamed) {
  for (const char* bad :
       {"*", "null", "www.wisseloord.nl", "https://www.wisseloord.nl/chat",
        "https://www.wisseloord.nl?x=1", "ftp://www.wisseloord.nl", "https://", "https://a.nl:0",
        "https://a.nl:99999", "https://*.a.nl", "http://www.wisseloord.nl"}) {
    SCOPED_TRACE(bad);
    absl::StatusOr<CorsPolicy> policy = CorsPolicy::Create({"https://ok.nl", bad});
    ASSERT_FALSE(policy.ok());
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(policy.status().message(), HasSubstr("allowed_origins[1]"));
  }
}

}  // namespace
}  // namespace wissel::adapters
