// The metrics endpoint over loopback: HTTPS with the bearer token serves the registry; no
// token, a wrong token or another scheme get 401 before anything else; a plain HTTP client
// cannot talk to it; plain HTTP and anonymous scrapes only when configured, and only on
// loopback; every bad option is refused naming the option; a rotated token file is picked up.
#include "metrics/endpoint.h"

#include <httplib.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "metrics/registry.h"
#include "metrics/scrape_token.h"
#include "tests/fakes/test_pki.h"

namespace wissel::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kToken[] = "scrape-token-0123456789abcdef";

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

class EndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wissel-metrics-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    pki_ = std::make_unique<wissel::testing::TestPki>(dir_, "metrics");
    files_ = pki_->Issue("server", {"DNS:localhost", "IP:127.0.0.1"});
    token_file_ = dir_ + "/token";
    WriteFile(token_file_, std::string(kToken) + "\n");
    CounterFamily* routed =
        *registry_.AddCounter("wissel_contacts_routed_total", "Routed.", {"tenant"});
    routed->With({"gemeente-a"}).Increment(3);
  }
  void TearDown() override {
    if (endpoint_ != nullptr) endpoint_->Shutdown();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  EndpointOptions Secure() const {
    EndpointOptions options;
    options.listen_address = "127.0.0.1:0";
    options.certificate_file = files_.certificate_file;
    options.private_key_file = files_.private_key_file;
    options.bearer_token_file = token_file_;
    return options;
  }

  void Start(const EndpointOptions& options) {
    absl::StatusOr<std::unique_ptr<Endpoint>> endpoint =
        Endpoint::Create(options, ConfigFileNames(), &registry_);
    ASSERT_TRUE(endpoint.ok()) << endpoint.status();
    endpoint_ = *std::move(endpoint);
    ASSERT_TRUE(endpoint_->Start().ok());
  }

  std::unique_ptr<httplib::SSLClient> HttpsClient() const {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", endpoint_->port());
    client->set_ca_cert_path(pki_->ca_file().c_str());
    client->enable_server_certificate_verification(true);
    return client;
  }

  static httplib::Headers Bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  std::string dir_;
  std::unique_ptr<wissel::testing::TestPki> pki_;
  wissel::testing::CertificateFiles files_;
  std::string token_file_;
  Registry registry_;
  std::unique_ptr<Endpoint> endpoint_;
};

TEST_F(EndpointTest, HttpsWithTheTokenServesTheRegistry) {
  Start(Secure());
  EXPECT_TRUE(endpoint_->tls());
  auto res = HttpsClient()->Get("/metrics", Bearer(kToken));
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->get_header_value("Content-Type"), StartsWith("text/plain; version=0.0.4"));
  EXPECT_THAT(res->body, HasSubstr("wissel_contacts_routed_total{tenant=\"gemeente-a\"} 3"));
}

TEST_F(EndpointTest, NoTokenWrongTokenOrOtherSchemeIsRefused) {
  Start(Secure());
  auto client = HttpsClient();
  auto none = client->Get("/metrics");
  ASSERT_TRUE(none) << httplib::to_string(none.error());
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer realm=\"wissel-metrics\"");
  EXPECT_THAT(none->body, ::testing::Not(HasSubstr("wissel_")));

  auto wrong = client->Get("/metrics", Bearer("scrape-token-0123456789abcdeX"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_THAT(wrong->get_header_value("WWW-Authenticate"), HasSubstr("invalid_token"));
  EXPECT_THAT(wrong->body, ::testing::Not(HasSubstr("wissel_")));

  auto prefix = client->Get("/metrics", Bearer(std::string(kToken).substr(0, 20)));
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->status, 401);

  auto basic = client->Get("/metrics", {{"Authorization", "Basic c2NyYXBlOnRva2Vu"}});
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401);

  // Without the token not even the paths are told apart.
  auto other = client->Get("/debug");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 401);
  auto with_token = client->Get("/debug", Bearer(kToken));
  ASSERT_TRUE(with_token);
  EXPECT_EQ(with_token->status, 404);
}

TEST_F(EndpointTest, PlainHttpClientGetsNoMetricsFromTheHttpsEndpoint) {
  Start(Secure());
  httplib::Client plain("127.0.0.1", endpoint_->port());
  auto res = plain.Get("/metrics", Bearer(kToken));
  EXPECT_TRUE(!res || res->status != 200);
  if (res) {
    EXPECT_THAT(res->body, ::testing::Not(HasSubstr("wissel_contacts_routed_total")));
  }
}

TEST_F(EndpointTest, PlaintextAndAnonymousWhenConfiguredOnLoopback) {
  EndpointOptions options;
  options.listen_address = "127.0.0.1:0";
  options.plaintext = true;
  options.allow_anonymous = true;
  Start(options);
  EXPECT_FALSE(endpoint_->tls());
  httplib::Client plain("127.0.0.1", endpoint_->port());
  auto res = plain.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->body, HasSubstr("wissel_contacts_routed_total"));
}

TEST_F(EndpointTest, PlaintextWithATokenStillNeedsTheToken) {
  EndpointOptions options;
  options.listen_address = "127.0.0.1:0";
  options.plaintext = true;
  options.bearer_token_file = token_file_;
  Start(options);
  httplib::Client plain("127.0.0.1", endpoint_->port());
  auto none = plain.Get("/metrics");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  auto good = plain.Get("/metrics", Bearer(kToken));
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
}

TEST_F(EndpointTest, BadOptionsAreRefusedNamingTheOption) {
  struct Case {
    const char* what;
    std::function<void(EndpointOptions&)> change;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"plaintext off loopback",
       [](EndpointOptions& o) {
         o.listen_address = "0.0.0.0:9464";
         o.plaintext = true;
         o.certificate_file.clear();
         o.private_key_file.clear();
       },
       "metrics.tls.plaintext: plain HTTP is allowed only on a loopback"},
      {"plaintext with files", [](EndpointOptions& o) { o.plaintext = true; },
       "metrics.tls.plaintext: excludes"},
      {"anonymous off loopback",
       [](EndpointOptions& o) {
         o.listen_address = "[::]:9464";
         o.bearer_token_file.clear();
         o.allow_anonymous = true;
       },
       "metrics.allow_anonymous: scrapes without a token are allowed only on a loopback"},
      {"anonymous with a token", [](EndpointOptions& o) { o.allow_anonymous = true; },
       "metrics.allow_anonymous: excludes"},
      {"no token", [](EndpointOptions& o) { o.bearer_token_file.clear(); },
       "metrics.bearer_token_file: is required"},
      {"two tokens", [](EndpointOptions& o) { o.bearer_token_env = "X"; },
       "metrics.bearer_token_file and metrics.bearer_token_env"},
      {"no certificate", [](EndpointOptions& o) { o.certificate_file.clear(); },
       "metrics.tls.certificate_file: is required"},
      {"no key", [](EndpointOptions& o) { o.private_key_file.clear(); },
       "metrics.tls.private_key_file: is required"},
      {"bad address", [](EndpointOptions& o) { o.listen_address = "localhost"; },
       "metrics.listen_address: 'localhost' is not host:port"},
      {"bad port", [](EndpointOptions& o) { o.listen_address = "127.0.0.1:99999"; },
       "metrics.listen_address:"},
      {"missing certificate file",
       [](EndpointOptions& o) { o.certificate_file = "/nonexistent/cert.pem"; },
       "metrics.tls.certificate_file:"},
      {"missing token file", [](EndpointOptions& o) { o.bearer_token_file = "/nonexistent/token"; },
       "metrics.bearer_token_file: cannot read"},
      {"unset token variable",
       [](EndpointOptions& o) {
         o.bearer_token_file.clear();
         o.bearer_token_env = "WISSEL_METRICS_TEST_UNSET_VARIABLE";
       },
       "metrics.bearer_token_env: the environment variable WISSEL_METRICS_TEST_UNSET_VARIABLE "
       "is not set"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    EndpointOptions options = Secure();
    c.change(options);
    absl::StatusOr<std::unique_ptr<Endpoint>> endpoint =
        Endpoint::Create(options, ConfigFileNames(), &registry_);
    ASSERT_FALSE(endpoint.ok());
    EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(endpoint.status().message()), HasSubstr(c.message));
  }
  // The flags' names for the adapters.
  EndpointOptions options = Secure();
  options.bearer_token_file.clear();
  EXPECT_THAT(std::string(ValidateEndpointOptions(options, FlagNames()).message()),
              StartsWith("--metrics_token_file: is required"));
}

TEST_F(EndpointTest, WeakTokensAreRefused) {
  for (const std::string& token : {std::string("short-token"), std::string("with space in it!"),
                                   std::string(4097, 'a'), std::string("\n\n")}) {
    WriteFile(token_file_, token);
    absl::StatusOr<std::unique_ptr<Endpoint>> endpoint =
        Endpoint::Create(Secure(), ConfigFileNames(), &registry_);
    ASSERT_FALSE(endpoint.ok());
    EXPECT_THAT(std::string(endpoint.status().message()),
                StartsWith("metrics.bearer_token_file: "));
  }
}

TEST_F(EndpointTest, TokenFromTheEnvironment) {
  setenv("WISSEL_METRICS_TEST_TOKEN", kToken, 1);
  EndpointOptions options = Secure();
  options.bearer_token_file.clear();
  options.bearer_token_env = "WISSEL_METRICS_TEST_TOKEN";
  Start(options);
  unsetenv("WISSEL_METRICS_TEST_TOKEN");
  auto client = HttpsClient();
  auto good = client->Get("/metrics", Bearer(kToken));
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
  auto none = client->Get("/metrics");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
}

TEST_F(EndpointTest, ARotatedTokenFileReplacesTheToken) {
  absl::StatusOr<std::unique_ptr<ScrapeToken>> token =
      ScrapeToken::FromFile(token_file_, "token", absl::ZeroDuration());
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_TRUE((*token)->Matches(std::string("Bearer ") + kToken));
  EXPECT_FALSE((*token)->Matches("Bearer the-next-token-0123456789"));

  // Replaced the way a Secret volume replaces it: a new file renamed over the old one.
  WriteFile(token_file_ + ".new", "the-next-token-0123456789\n");
  std::filesystem::rename(token_file_ + ".new", token_file_);
  EXPECT_TRUE((*token)->Matches("Bearer the-next-token-0123456789"));
  EXPECT_FALSE((*token)->Matches(std::string("Bearer ") + kToken));

  // A broken replacement keeps the token in force.
  WriteFile(token_file_ + ".new", "short\n");
  std::filesystem::rename(token_file_ + ".new", token_file_);
  EXPECT_TRUE((*token)->Matches("Bearer the-next-token-0123456789"));
  EXPECT_FALSE((*token)->Matches("Bearer short"));
  EXPECT_FALSE((*token)->Matches(""));
}

}  // namespace
}  // namespace wissel::metrics
