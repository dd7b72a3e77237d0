#include "router/security/oidc_options.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/security/jwks_url.h"

namespace wissel::security {
namespace {

using ::testing::StartsWith;

OidcOptions Valid() {
  OidcOptions options;
  options.issuer = "https://idp.example/realms/kcc";
  options.audience = "wissel";
  options.jwks_url = "https://idp.example/realms/kcc/protocol/openid-connect/certs";
  return options;
}

std::string ErrorOf(const OidcOptions& options) {
  const absl::Status status = ValidateOidcOptions(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return std::string(status.message());
}

TEST(OidcOptionsTest, AcceptsValidOptions) {
  EXPECT_TRUE(ValidateOidcOptions(Valid()).ok());
  OidcOptions file = Valid();
  file.jwks_url.clear();
  file.jwks_file = "/etc/wissel/jwks.json";
  EXPECT_TRUE(ValidateOidcOptions(file).ok());
  OidcOptions edges = Valid();
  edges.clock_skew = absl::Minutes(5);
  edges.jwks_min_refresh = absl::ZeroDuration();
  edges.groups_claim = "";
  edges.handler_claim = "";
  EXPECT_TRUE(ValidateOidcOptions(edges).ok());
  edges.clock_skew = absl::ZeroDuration();
  edges.jwks_min_refresh = edges.jwks_refresh;
  EXPECT_TRUE(ValidateOidcOptions(edges).ok());
}

TEST(OidcOptionsTest, RequiresIssuerAndAudience) {
  OidcOptions options = Valid();
  options.issuer.clear();
  EXPECT_THAT(ErrorOf(options), StartsWith("issuer: "));
  options = Valid();
  options.audience.clear();
  EXPECT_THAT(ErrorOf(options), StartsWith("audience: "));
}

TEST(OidcOptionsTest, RequiresExactlyOneJwksSource) {
  OidcOptions options = Valid();
  options.jwks_file = "/etc/wissel/jwks.json";
  EXPECT_THAT(ErrorOf(options), StartsWith("jwks_file: exactly one"));
  options.jwks_file.clear();
  options.jwks_url.clear();
  EXPECT_THAT(ErrorOf(options), StartsWith("jwks_file: exactly one"));
  options.jwks_file = "/etc/wissel/jwks.json";
  options.jwks_ca_file = "/etc/wissel/ca.pem";
  EXPECT_THAT(ErrorOf(options), StartsWith("jwks_ca_file: "));
}

TEST(OidcOptionsTest, BoundsSkewAndRefresh) {
  OidcOptions options = Valid();
  options.clock_skew = absl::Minutes(5) + absl::Seconds(1);
  EXPECT_THAT(ErrorOf(options), StartsWith("clock_skew: "));
  options.clock_skew = -absl::Seconds(1);
  EXPECT_THAT(ErrorOf(options), StartsWith("clock_skew: "));
  options = Valid();
  options.jwks_refresh = absl::Milliseconds(999);
  EXPECT_THAT(ErrorOf(options), StartsWith("jwks_refresh: "));
  options = Valid();
  options.jwks_min_refresh = options.jwks_refresh + absl::Seconds(1);
  EXPECT_THAT(ErrorOf(options), StartsWith("jwks_min_refresh: "));
  options.jwks_min_refresh = -absl::Seconds(1);
  EXPECT_THAT(ErrorOf(options), StartsWith("jwks_min_refresh: "));
}

TEST(OidcOptionsTest, RefusesEmptyClaimPathSegments) {
  OidcOptions options = Valid();
  options.groups_claim = "realm_access..roles";
  EXPECT_THAT(ErrorOf(options), StartsWith("groups_claim: "));
  options = Valid();
  options.handler_claim = ".name";
  EXPECT_THAT(ErrorOf(options), StartsWith("handler_claim: "));
}

TEST(OidcOptionsTest, HttpOnlyToLoopback) {
  OidcOptions options = Valid();
  for (const char* url :
       {"http://127.0.0.1:8080/keys", "http://localhost/keys", "http://[::1]:9000/keys",
        "http://127.10.0.1/keys", "https://login.microsoftonline.com/t/discovery/v2.0/keys"}) {
    options.jwks_url = url;
    EXPECT_TRUE(ValidateOidcOptions(options).ok()) << url;
  }
  for (const char* url :
       {"http://idp.example/keys", "http://10.0.0.1/keys", "http://127.0.0.1.evil.example/keys",
        "http://localhost.evil.example/keys", "http://[::2]/keys", "ftp://idp.example/keys",
        "idp.example/keys", "https://user:pw@idp.example/keys", "https:///keys",
        "https://idp.example:99999/keys", "https://idp.example:/keys", "https://idp.example/a b",
        "https://idp.example/keys#frag", "http://0x7f.0.0.1/keys", "http://127.0.0.01x/keys"}) {
    options.jwks_url = url;
    EXPECT_THAT(ErrorOf(options), StartsWith("jwks_url: ")) << url;
  }
}

TEST(JwksUrlTest, SplitsHostPortAndPath) {
  absl::StatusOr<JwksUrl> url =
      ParseJwksUrl("https://login.microsoftonline.com/t/discovery/v2.0/keys");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->https);
  EXPECT_EQ(url->host, "login.microsoftonline.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->path, "/t/discovery/v2.0/keys");
  url = ParseJwksUrl("http://[::1]:8080?x=1");
  ASSERT_TRUE(url.ok());
  EXPECT_FALSE(url->https);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->path, "/?x=1");
  url = ParseJwksUrl("http://localhost");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->path, "/");
}

}  // namespace
}  // namespace wissel::security
