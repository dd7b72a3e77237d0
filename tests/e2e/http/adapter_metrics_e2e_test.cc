// An adapter's Prometheus endpoint, end to end: a real redis-server, the real wisseld and the
// real wissel-webform with --metrics_listen, its certificate and a token file. A web form
// submission and a 404 move wissel_http_requests_total (by route pattern, never by path) and
// wissel_router_calls_total; the scrape needs HTTPS and the token (none, a wrong one or plain
// HTTP get nothing); metrics flags that are not secure stop the adapter at start (exit 2) with
// the flag named.
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/test_pki.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/wisseld_process.h"

namespace wissel::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "adapter-metrics-token-0123456789";

std::string RouterConfig(int redis_port) {
  return absl::StrReplaceAll(R"yaml(
listen_address: 127.0.0.1:0
drain_timeout: 2s
redis: {host: 127.0.0.1, port: PORT}
tls: {plaintext: true}
access: {allow_anonymous: true}
tenants:
  - id: gemeente-test
    name: Gemeente Test
    pseudonym_secret: "test-secret-test-secret-test-secret-0123"
    attributes:
      - {name: submission_id, max_length: 128}
    queues:
      - {name: afval}
    topics:
      - {code: grofvuil, name: Grofvuil, domain: openbare_ruimte, queue: afval}
)yaml",
                             {{"PORT", absl::StrCat(redis_port)}});
}

class AdapterMetricsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wissel-adapter-metrics-XXXXXX";
    dir_ = mkdtemp(tmpl);
    pki_ = std::make_unique<TestPki>(dir_, "adapter");
    files_ = pki_->Issue("webform-metrics", {"DNS:localhost", "IP:127.0.0.1"});
    token_file_ = dir_ + "/token";
    std::ofstream(token_file_) << kToken << "\n";
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    router_ = std::make_unique<WisseldProcess>(WISSELD_BINARY, RouterConfig(redis_->port()));
    ASSERT_TRUE(router_->Start().ok()) << router_->Log();
  }
  void TearDown() override {
    webform_.reset();
    if (router_ != nullptr) (void)router_->SignalAndWait(SIGTERM, absl::Seconds(10));
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<ChildProcess> Webform(std::vector<std::string> metrics_flags) {
    std::vector<std::string> argv = {WISSEL_WEBFORM_BINARY, "--listen=127.0.0.1:0", "--plaintext",
                                     absl::StrCat("--router=127.0.0.1:", router_->port()),
                                     "--router_plaintext"};
    argv.insert(argv.end(), metrics_flags.begin(), metrics_flags.end());
    return std::make_unique<ChildProcess>(std::move(argv));
  }

  std::vector<std::string> SecureFlags() const {
    return {"--metrics_listen=127.0.0.1:0",
            absl::StrCat("--metrics_cert_file=", files_.certificate_file),
            absl::StrCat("--metrics_key_file=", files_.private_key_file),
            absl::StrCat("--metrics_token_file=", token_file_)};
  }

  httplib::Result Scrape(const httplib::Headers& headers) const {
    httplib::SSLClient client("127.0.0.1", metrics_port_);
    client.set_ca_cert_path(pki_->ca_file().c_str());
    client.enable_server_certificate_verification(true);
    return client.Get("/metrics", headers);
  }

  std::string dir_;
  std::unique_ptr<TestPki> pki_;
  CertificateFiles files_;
  std::string token_file_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<WisseldProcess> router_;
  std::unique_ptr<ChildProcess> webform_;
  int metrics_port_ = 0;
};

TEST_F(AdapterMetricsE2eTest, RequestsAndRouterCallsAreCountedBehindTlsAndToken) {
  webform_ = Webform(SecureFlags());
  ASSERT_TRUE(webform_->Start().ok());
  ASSERT_TRUE(webform_->WaitForPort().ok()) << webform_->Log();
  absl::StatusOr<std::string> line =
      webform_->WaitForLine("wissel-webform: metrics on port", absl::Seconds(1));
  ASSERT_TRUE(line.ok()) << line.status();
  ASSERT_TRUE(absl::SimpleAtoi(line->substr(line->rfind(' ') + 1), &metrics_port_));

  httplib::Client http("127.0.0.1", webform_->port());
  auto submitted =
      http.Post("/v1/forms/gemeente-test/grofvuil",
                R"({"submission_id":"metrics-1","message":"Een bank"})", "application/json");
  ASSERT_TRUE(submitted);
  ASSERT_EQ(submitted->status, 202) << submitted->body;
  auto missing = http.Get("/v1/nothing-here");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  auto scraped = Scrape({{"Authorization", absl::StrCat("Bearer ", kToken)}});
  ASSERT_TRUE(scraped) << httplib::to_string(scraped.error());
  ASSERT_EQ(scraped->status, 200);
  const std::string& body = scraped->body;
  EXPECT_THAT(body,
              HasSubstr("wissel_http_requests_total{method=\"POST\",route=\"/v1/forms/{}/{}\","
                        "status=\"2xx\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("wissel_http_requests_total{method=\"GET\",route=\"unrouted\","
                              "status=\"4xx\"} 1\n"));
  EXPECT_THAT(body,
              HasSubstr("wissel_router_calls_total{code=\"OK\",method=\"RouteContact\"} 1\n"));
  EXPECT_THAT(body,
              HasSubstr("wissel_router_call_duration_seconds_count{method=\"RouteContact\"} 1\n"));
  // The path (with the tenant and the topic) is no label, nor is anything the form said.
  EXPECT_THAT(body, Not(HasSubstr("grofvuil")));
  EXPECT_THAT(body, Not(HasSubstr("metrics-1")));

  auto none = Scrape({});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  auto wrong = Scrape({{"Authorization", "Bearer adapter-metrics-token-012345678X"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_THAT(wrong->body, Not(HasSubstr("wissel_")));
  httplib::Client plain("127.0.0.1", metrics_port_);
  auto clear = plain.Get("/metrics", {{"Authorization", absl::StrCat("Bearer ", kToken)}});
  EXPECT_TRUE(!clear || clear->status != 200);

  absl::StatusOr<int> stopped = webform_->SignalAndWait(SIGTERM, absl::Seconds(10));
  ASSERT_TRUE(stopped.ok());
  EXPECT_TRUE(WIFEXITED(*stopped) && WEXITSTATUS(*stopped) == 0) << webform_->Log();
}

TEST_F(AdapterMetricsE2eTest, InsecureMetricsFlagsStopTheAdapter) {
  struct Case {
    std::vector<std::string> flags;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--metrics_listen=0.0.0.0:0", "--metrics_plaintext", "--metrics_allow_anonymous"},
       "--metrics_plaintext: plain HTTP is allowed only on a loopback listen address"},
      {{"--metrics_listen=127.0.0.1:0",
        absl::StrCat("--metrics_cert_file=", files_.certificate_file),
        absl::StrCat("--metrics_key_file=", files_.private_key_file)},
       "--metrics_token_file: is required"},
      {{"--metrics_listen=127.0.0.1:0", "--metrics_plaintext",
        absl::StrCat("--metrics_token_file=", dir_, "/missing")},
       "--metrics_token_file: cannot read"},
      {{"--metrics_token_file=/x"}, "--metrics_listen: is required"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    std::unique_ptr<ChildProcess> webform = Webform(c.flags);
    ASSERT_TRUE(webform->Start().ok());
    absl::StatusOr<int> exit = webform->Wait(absl::Seconds(10));
    ASSERT_TRUE(exit.ok()) << exit.status();
    EXPECT_TRUE(WIFEXITED(*exit) && WEXITSTATUS(*exit) == 2);
    EXPECT_THAT(webform->Log(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace wissel::testing
