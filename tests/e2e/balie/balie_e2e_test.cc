// End to end: a real redis-server, the real wisseld and the real wissel-balie, a kiosk and a
// desk over HTTP, and the waiting-room display rendered by headless Chromium. Every process
// runs on 127.0.0.1 on free ports, is bounded in time and is stopped by PID. The screenshot of
// the display is kept (its path is printed) for a human to look at.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/wisseld_process.h"
#include "wissel/v1/handler_service.grpc.pb.h"

namespace wissel::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kTenant[] = "gemeente-test";
constexpr char kChromium[] = "/usr/bin/chromium";

std::string RouterConfig(int redis_port) {
  return absl::StrCat(R"yaml(
listen_address: 127.0.0.1:0
drain_timeout: 2s
redis: {host: 127.0.0.1, port: )yaml",
                      redis_port, R"yaml(}
# Loopback development mode: these tests are about routing, not access control
# (tests/integration/access_control_test.cc covers that, with TLS).
tls: {plaintext: true}
access: {allow_anonymous: true}
tenants:
  - id: gemeente-test
    name: Gemeente Test
    dynamic_handlers: true
    pseudonym_secret: "test-secret-test-secret-test-secret-0123"
    attributes:
      - {name: ticket, max_length: 16}
      - {name: kiosk, max_length: 64}
      - {name: visit, max_length: 16}
    contact_retention: 1d
    handler_defaults:
      offer_timeout: 1m
      max_wrap_up: 1m
    queues:
      - {name: balie-burgerzaken, default_handle_time: 10m}
      - {name: wmo, default_handle_time: 15m}
    topics:
      - {code: paspoort, name: Paspoort, domain: burgerzaken, queue: balie-burgerzaken}
      - {code: rijbewijs, name: Rijbewijs, domain: burgerzaken, queue: balie-burgerzaken}
      - {code: wmo-hulpmiddelen, name: Hulpmiddelen, domain: sociaal_domein, queue: wmo}
)yaml");
}

constexpr char kBalieConfig[] = R"yaml(
tenant: gemeente-test
display_title: Gemeente Test — Stadhuis
topic_groups:
  - {letter: A, name: Burgerzaken, topics: [paspoort, rijbewijs]}
  - {letter: B, name: Sociaal domein, topics: [wmo-hulpmiddelen]}
appointment_codes:
  - {prefix: PAS-, topic: paspoort}
desks:
  - {id: desk-1, name: Balie 1, teams: [balie-burgerzaken], token_env: E2E_DESK_1_TOKEN}
  - {id: desk-2, name: Balie 2, teams: [wmo], token_file: DIR/desk-2.token}
kiosk: {token_env: E2E_KIOSK_TOKEN}
)yaml";

// Test values only.
constexpr char kDesk1Token[] = "e2e-desk-1-token-0123456789";
constexpr char kDesk2Token[] = "e2e-desk-2-token-0123456789";
constexpr char kKioskToken[] = "e2e-kiosk-token-0123456789";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class BalieE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wissel-balie-e2e-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    wisseld_ = std::make_unique<WisseldProcess>(WISSELD_BINARY, RouterConfig(redis_->port()));
    ASSERT_TRUE(wisseld_->Start().ok()) << wisseld_->Log();
    std::ofstream(dir_ + "/balie.yaml") << absl::StrReplaceAll(kBalieConfig, {{"DIR", dir_}});
    std::ofstream(dir_ + "/desk-2.token") << kDesk2Token << "\n";
    StartBalie();
  }

  void TearDown() override {
    balie_.reset();
    if (wisseld_ != nullptr) (void)wisseld_->SignalAndWait(SIGTERM);
    wisseld_.reset();
    redis_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void StartBalie() {
    ++starts_;
    balie_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            WISSEL_BALIE_BINARY, "--config=" + dir_ + "/balie.yaml",
            absl::StrCat("--router=127.0.0.1:", wisseld_->port()), "--router_plaintext",
            "--listen=127.0.0.1:0", "--router_deadline=2s",
            "--ticket_state=" + dir_ + "/tickets.state", "--next_wait=5s", "--plaintext"},
        absl::StrCat(dir_, "/balie-", starts_, ".out"),
        absl::StrCat(dir_, "/balie-", starts_, ".err"),
        std::vector<std::string>{absl::StrCat("E2E_DESK_1_TOKEN=", kDesk1Token),
                                 absl::StrCat("E2E_KIOSK_TOKEN=", kKioskToken)});
    ASSERT_TRUE(balie_->Start().ok());
    absl::StatusOr<int> port = balie_->WaitForPort(absl::Seconds(20));
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_connection_timeout(5, 0);
    client_->set_read_timeout(15, 0);
    WaitForDeskSignedIn("desk-1");
  }

  // The desk agents sign in in the background: wait (bounded) until the router knows desk-1.
  void WaitForDeskSignedIn(const std::string& desk) {
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", wisseld_->port()),
                                       grpc::InsecureChannelCredentials());
    auto stub = v1::HandlerService::NewStub(channel);
    const absl::Time give_up = absl::Now() + absl::Seconds(15);
    while (absl::Now() < give_up) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
      v1::GetHandlerRequest req;
      req.set_tenant(kTenant);
      req.set_handler_id(desk);
      v1::Handler handler;
      if (stub->GetHandler(&ctx, req, &handler).ok()) return;
      absl::SleepFor(absl::Milliseconds(100));
    }
    FAIL() << desk << " never signed in: " << balie_->Log(std::string::npos);
  }

  // POST with the kiosk's token for check-ins and desk-1's for desk calls, or `token`.
  httplib::Result Post(const std::string& path, const std::string& body,
                       std::optional<std::string> token = std::nullopt) {
    if (!token) token = absl::StartsWith(path, "/checkins") ? kKioskToken : kDesk1Token;
    httplib::Headers headers;
    if (!token->empty()) headers.emplace("Authorization", absl::StrCat("Bearer ", *token));
    return client_->Post(absl::StrCat("/v1/balie/", kTenant, path), headers, body,
                         "application/json");
  }

  // Runs headless Chromium on the display page, bounded by `timeout 60`.
  absl::StatusOr<std::string> Chromium(const std::vector<std::string>& mode,
                                       const std::string& name) {
    std::vector<std::string> argv = {"/usr/bin/timeout",
                                     "-k",
                                     "5",
                                     "60",
                                     kChromium,
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--no-first-run",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--disable-sync",
                                     "--disable-dev-shm-usage",
                                     absl::StrCat("--user-data-dir=", dir_, "/chromium-", name),
                                     "--virtual-time-budget=5000"};
    argv.insert(argv.end(), mode.begin(), mode.end());
    argv.push_back(absl::StrCat("http://127.0.0.1:", port_, "/v1/balie/", kTenant, "/display"));
    ChildProcess chromium(argv, absl::StrCat(dir_, "/", name, ".out"),
                          absl::StrCat(dir_, "/", name, ".err"));
    if (absl::Status s = chromium.Start(); !s.ok()) return s;
    absl::StatusOr<int> status = chromium.Wait(absl::Seconds(75));
    if (!status.ok()) return status.status();
    if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
      return absl::InternalError(absl::StrCat(
          "chromium failed (", *status, "): ", chromium.Log(std::string::npos).substr(0, 3000)));
    }
    return ReadFile(absl::StrCat(dir_, "/", name, ".out"));
  }

  std::string dir_;
  int starts_ = 0;
  int port_ = 0;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<WisseldProcess> wisseld_;
  std::unique_ptr<ChildProcess> balie_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(BalieE2eTest, CheckInCallToDeskAndDisplayInChromium) {
  // The kiosk checks a walk-in resident in.
  const std::string checkin = R"({"kiosk_id":"kiosk-1","checkin_id":"e2e-1","topic":"paspoort"})";
  auto res = Post("/checkins", checkin);
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  ASSERT_EQ(res->status, 201) << res->body;
  EXPECT_THAT(res->body, HasSubstr("\"ticket\":\"A001\""));
  EXPECT_THAT(res->body, HasSubstr("\"outcome\":\"queued\""));
  EXPECT_THAT(res->body, HasSubstr("\"position\":1"));
  EXPECT_THAT(res->body, HasSubstr("\"expected_wait_seconds\""));

  // A retry of the same check-in prints the same ticket.
  auto retry = Post("/checkins", checkin);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->status, 200) << retry->body;
  EXPECT_THAT(retry->body, HasSubstr("\"ticket\":\"A001\""));

  // Bad input routes nothing.
  auto bad = Post("/checkins", R"({"kiosk_id":"kiosk-1","checkin_id":"e2e-2","topic":"x"})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("\"field\":\"topic\""));

  // Desk 1 is ready: the router offers it the resident; the adapter accepts and calls A001.
  auto next = Post("/desks/desk-1/next", "{}");
  ASSERT_TRUE(next);
  ASSERT_EQ(next->status, 200) << next->body;
  EXPECT_THAT(next->body, HasSubstr("\"status\":\"serving\""));
  EXPECT_THAT(next->body, HasSubstr("\"ticket\":\"A001\""));

  // The waiting-room display in a real browser.
  absl::StatusOr<std::string> dom = Chromium({"--dump-dom"}, "dump-dom");
  ASSERT_TRUE(dom.ok()) << dom.status();
  EXPECT_THAT(*dom, HasSubstr("<html lang=\"nl\">"));
  EXPECT_THAT(*dom, HasSubstr("aria-live=\"polite\""));
  EXPECT_THAT(*dom, HasSubstr("<div id=\"current\">A001</div>"));
  EXPECT_THAT(*dom, HasSubstr("naar Balie 1"));
  EXPECT_THAT(*dom, HasSubstr("aria-label=\"Ticket A001, balie 1\""));

  const std::string screenshot = absl::StrCat(WISSEL_BALIE_E2E_OUT, "/display.png");
  std::filesystem::remove(screenshot);
  absl::StatusOr<std::string> shot = Chromium(
      {"--screenshot=" + screenshot, "--window-size=1920,1080", "--hide-scrollbars"}, "screenshot");
  ASSERT_TRUE(shot.ok()) << shot.status();
  EXPECT_TRUE(std::filesystem::exists(screenshot));
  EXPECT_GT(std::filesystem::file_size(screenshot), 10000u);
  std::cout << "balie display screenshot: " << screenshot << std::endl;

  // The desk is done: the contact is completed and the desk's slot freed.
  auto done = Post("/desks/desk-1/done", "");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200) << done->body;
  EXPECT_THAT(done->body, HasSubstr("\"status\":\"closed\""));
}

TEST_F(BalieE2eTest, TicketsSurviveARestartAndRouterDownIs503) {
  auto first = Post("/checkins", R"({"kiosk_id":"k","checkin_id":"r-1","topic":"rijbewijs"})");
  ASSERT_TRUE(first);
  EXPECT_THAT(first->body, HasSubstr("\"ticket\":\"A001\""));
  auto wmo = Post("/checkins", R"({"kiosk_id":"k","checkin_id":"r-2","topic":"wmo-hulpmiddelen"})");
  ASSERT_TRUE(wmo);
  EXPECT_THAT(wmo->body, HasSubstr("\"ticket\":\"B001\""));

  // SIGTERM: a clean stop; the restarted adapter continues the day's numbering.
  absl::StatusOr<int> stopped = balie_->SignalAndWait(SIGTERM, absl::Seconds(15));
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_TRUE(WIFEXITED(*stopped) && WEXITSTATUS(*stopped) == 0) << *stopped;
  StartBalie();
  auto second =
      Post("/checkins", R"({"kiosk_id":"k","checkin_id":"r-3","appointment_code":"PAS-99"})");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 201) << second->body;
  EXPECT_THAT(second->body, HasSubstr("\"ticket\":\"A002\""));
  EXPECT_THAT(second->body, HasSubstr("\"topic\":\"paspoort\""));

  // The router goes away: 503 with Retry-After, quickly, and nothing hangs.
  ASSERT_TRUE(wisseld_->SignalAndWait(SIGTERM).ok());
  wisseld_.reset();
  const absl::Time start = absl::Now();
  auto down = Post("/checkins", R"({"kiosk_id":"k","checkin_id":"r-4","topic":"paspoort"})");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503) << down->body;
  EXPECT_FALSE(down->get_header_value("Retry-After").empty());
  EXPECT_EQ(down->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  auto health = client_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);

  stopped = balie_->SignalAndWait(SIGTERM, absl::Seconds(15));
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_TRUE(WIFEXITED(*stopped) && WEXITSTATUS(*stopped) == 0) << balie_->Log(std::string::npos);
}

// Desk calls need that desk's token and check-ins the kiosk's: without one 401, with another
// (another desk's, the kiosk's at a desk, a desk's at the kiosk) 403, and nothing happens — no
// ticket drawn, nothing routed, the desk not made ready. The display needs no credentials.
TEST_F(BalieE2eTest, DesksAndKioskNeedTheirOwnTokensTheDisplayNone) {
  struct Case {
    std::string path;
    std::string body;
    std::string token;
    int status;
  };
  const std::string checkin = R"({"kiosk_id":"k","checkin_id":"t-1","topic":"paspoort"})";
  const Case cases[] = {
      {"/desks/desk-1/next", "{}", "", 401},
      {"/desks/desk-1/next", "{}", "not-the-desk-token-0123", 403},
      {"/desks/desk-1/next", "{}", kDesk2Token, 403},
      {"/desks/desk-1/next", "{}", kKioskToken, 403},
      {"/desks/desk-1/done", "{}", kKioskToken, 403},
      {"/checkins", checkin, "", 401},
      {"/checkins", checkin, kDesk1Token, 403},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.path, " ", c.token));
    auto res = Post(c.path, c.body, c.token);
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, c.status) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
  }
  auto desk = client_->Get(absl::StrCat("/v1/balie/", kTenant, "/desks/desk-1"));
  ASSERT_TRUE(desk);
  EXPECT_EQ(desk->status, 401);
  auto own = client_->Get(absl::StrCat("/v1/balie/", kTenant, "/desks/desk-1"),
                          {{"Authorization", absl::StrCat("Bearer ", kDesk1Token)}});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200);
  EXPECT_THAT(own->body, ::testing::Not(HasSubstr("\"status\":\"ready\"")));
  EXPECT_THAT(own->body, ::testing::Not(HasSubstr("\"status\":\"serving\"")));

  // The display, read-only and public.
  auto page = client_->Get(absl::StrCat("/v1/balie/", kTenant, "/display"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  auto events = client_->Get(absl::StrCat("/v1/balie/", kTenant, "/display/events?once=1"));
  ASSERT_TRUE(events);
  EXPECT_EQ(events->status, 200);
  EXPECT_THAT(events->body, ::testing::Not(HasSubstr("event: called")));

  // Nothing was drawn or routed: the first real check-in is A001 and nobody is ahead of it.
  auto real = Post("/checkins", checkin);
  ASSERT_TRUE(real);
  EXPECT_EQ(real->status, 201) << real->body;
  EXPECT_THAT(real->body, HasSubstr("\"ticket\":\"A001\""));
  EXPECT_THAT(real->body, HasSubstr("\"position\":1"));
  auto next = Post("/desks/desk-1/next", "{}");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200) << next->body;
  EXPECT_THAT(next->body, HasSubstr("\"ticket\":\"A001\""));
}

}  // namespace
}  // namespace wissel::testing
