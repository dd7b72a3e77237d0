// The balie adapter's endpoints over real HTTP (loopback) against a fake router: check-in and
// its retry, bad inputs that route nothing (400/404/413/415), the router down (503 with
// Retry-After), the display page and its event stream's backlog, health; and the credentials:
// the kiosk token for check-ins, each desk's own token for its calls (401 without, 403 with
// another), nothing drawn or routed for a refused call, the display public.
#include "adapters/balie/balie_service.h"

#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "adapters/balie/balie_api.pb.h"
#include "adapters/common/http_api.pb.h"
#include "base/bearer_token.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/balie/test_config.h"
#include "tests/adapters/common/fake_router_client.h"
#include "tests/adapters/common/parse_json.h"

namespace wissel::adapters::balie {
namespace {

using adapters::testing::ParseJson;
using ::testing::HasSubstr;

constexpr char kCheckins[] = "/v1/balie/gemeente-test/checkins";

class BalieServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = testing::TestConfig();
    TicketCounterOptions ticket_options;
    auto tickets = TicketCounter::Create(ticket_options, now_);
    ASSERT_TRUE(tickets.ok());
    tickets_ = *std::move(tickets);
    HttpServerOptions http;
    http.max_body_bytes = 1024;
    http.retry_after = absl::Seconds(3);
    server_ = std::make_unique<HttpServer>(http);
    BalieOptions options;
    options.clock = [this] { return now_; };
    options.credentials = BalieCredentials(base::DigestOf(testing::kKioskToken),
                                           {{"desk-1", base::DigestOf(testing::kDesk1Token)},
                                            {"desk-2", base::DigestOf(testing::kDesk2Token)}});
    service_ = std::make_unique<BalieService>(options, &config_, &router_, tickets_.get(), &board_,
                                              std::map<std::string, DeskAgent*>{}, server_.get());
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(5, 0);
  }
  void TearDown() override { server_->Shutdown(); }

  httplib::Result Checkin(const std::string& body,
                          const std::string& token = testing::kKioskToken) {
    return client_->Post(kCheckins, Auth(token), body, "application/json");
  }

  static httplib::Headers Auth(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", absl::StrCat("Bearer ", token)}};
  }

  absl::Time now_ = absl::FromUnixSeconds(1772442000);  // 2026-03-02 10:00 Amsterdam
  BalieConfig config_;
  adapters::testing::FakeRouterClient router_;
  std::unique_ptr<TicketCounter> tickets_;
  DisplayBoard board_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<BalieService> service_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(BalieServiceTest, CheckinGivesTicketAndExpectedWait) {
  auto res = Checkin(R"({"kiosk_id":"kiosk-1","checkin_id":"c-1","topic":"paspoort"})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201) << res->body;
  const auto out = ParseJson<api::CheckinResponse>(res->body);
  EXPECT_EQ(out.ticket(), "A001");
  EXPECT_EQ(out.outcome(), "queued");
  EXPECT_EQ(out.position(), 1);
  EXPECT_EQ(out.expected_wait_seconds(), 120);
  EXPECT_THAT(out.message(), HasSubstr("A001"));
  EXPECT_THAT(out.message(), HasSubstr("2 minuten"));
  const std::vector<v1::RouteContactRequest> routed = router_.routed();
  ASSERT_EQ(routed.size(), 1u);
  const v1::Contact& contact = routed[0].contact();
  EXPECT_EQ(contact.channel(), v1::CHANNEL_BALIE);
  EXPECT_EQ(contact.attributes().at("ticket"), "A001");
  EXPECT_EQ(contact.idempotency_key(), "balie:kiosk-1:c-1");

  // Another group, then the same group again.
  auto b = Checkin(R"({"kiosk_id":"kiosk-1","checkin_id":"c-2","appointment_code":"PAS-WMO-1"})");
  ASSERT_TRUE(b);
  EXPECT_EQ(ParseJson<api::CheckinResponse>(b->body).ticket(), "B001");
  auto a = Checkin(R"({"kiosk_id":"kiosk-2","checkin_id":"c-1","topic":"rijbewijs"})");
  ASSERT_TRUE(a);
  EXPECT_EQ(ParseJson<api::CheckinResponse>(a->body).ticket(), "A002");
}

TEST_F(BalieServiceTest, RetryAnswersWithTheFirstTicket) {
  const std::string body = R"({"kiosk_id":"kiosk-1","checkin_id":"c-1","topic":"paspoort"})";
  auto first = Checkin(body);
  auto retry = Checkin(body);
  ASSERT_TRUE(first && retry);
  EXPECT_EQ(first->status, 201);
  EXPECT_EQ(retry->status, 200);
  const auto out = ParseJson<api::CheckinResponse>(retry->body);
  EXPECT_EQ(out.ticket(), "A001");
  EXPECT_TRUE(out.replayed());
  EXPECT_EQ(router_.created(), 1);
}

TEST_F(BalieServiceTest, BadInputRoutesNothing) {
  struct Case {
    std::string path;
    std::string body;
    std::string content_type;
    int status;
    std::string field;
  };
  const Case cases[] = {
      {kCheckins, "{", "application/json", 400, "body"},
      {kCheckins, R"({"kiosk_id":1,"checkin_id":"c","topic":"paspoort"})", "application/json", 400,
       "kiosk_id"},
      {kCheckins, R"({"kiosk_id":"k","topic":"paspoort"})", "application/json", 400, "checkin_id"},
      {kCheckins, R"({"kiosk_id":"k","checkin_id":"c","topic":"grofvuil"})", "application/json",
       400, "topic"},
      {kCheckins, R"({"kiosk_id":"k","checkin_id":"c","topic":"paspoort"})", "text/plain", 415,
       "Content-Type"},
      {kCheckins, std::string(2000, ' '), "application/json", 413, "body"},
      {"/v1/balie/gemeente-other/checkins", R"({"kiosk_id":"k","checkin_id":"c","topic":"x"})",
       "application/json", 404, "tenant"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body.substr(0, 80));
    auto res = client_->Post(c.path, Auth(testing::kKioskToken), c.body, c.content_type);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.status) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
    EXPECT_EQ(ParseJson<adapters::api::Problem>(res->body).field(), c.field) << res->body;
  }
  EXPECT_EQ(router_.route_calls(), 0);
}

TEST_F(BalieServiceTest, RouterDownIs503WithRetryAfter) {
  router_.Fail(absl::UnavailableError("router down"));
  auto res = Checkin(R"({"kiosk_id":"k","checkin_id":"c","topic":"paspoort"})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->get_header_value("Retry-After"), "3");
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
  auto health = client_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
}

TEST_F(BalieServiceTest, UnknownDeskIs404) {
  auto res = client_->Post("/v1/balie/gemeente-test/desks/desk-9/next", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(ParseJson<adapters::api::Problem>(res->body).field(), "desk");
}

TEST_F(BalieServiceTest, CheckinNeedsTheKioskToken) {
  const std::string body = R"({"kiosk_id":"kiosk-1","checkin_id":"c-1","topic":"paspoort"})";
  struct Case {
    std::string authorization;
    int status;
  };
  for (const Case& c : {Case{"", 401}, Case{"Basic a2lvc2s6a2lvc2s=", 401},
                        Case{absl::StrCat("Bearer ", testing::kDesk1Token), 403},
                        Case{"Bearer kiosk-test-token-012345678", 403}}) {
    SCOPED_TRACE(c.authorization);
    httplib::Headers headers;
    if (!c.authorization.empty()) headers.emplace("Authorization", c.authorization);
    auto res = client_->Post(kCheckins, headers, body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.status) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
    if (c.status == 401) {
      EXPECT_EQ(res->get_header_value("WWW-Authenticate"), R"(Bearer realm="wissel-balie")");
    }
  }
  EXPECT_EQ(router_.route_calls(), 0);
  // No ticket was drawn: the first real check-in is A001.
  auto ok = Checkin(body);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201) << ok->body;
  EXPECT_EQ(ParseJson<api::CheckinResponse>(ok->body).ticket(), "A001");
}

TEST_F(BalieServiceTest, DeskCallsNeedThatDesksToken) {
  struct Case {
    std::string method;
    std::string path;
  };
  for (const Case& c : {Case{"POST", "/desks/desk-1/next"}, Case{"POST", "/desks/desk-1/done"},
                        Case{"GET", "/desks/desk-1"}, Case{"GET", "/desks"}}) {
    SCOPED_TRACE(c.path);
    const std::string path = absl::StrCat("/v1/balie/gemeente-test", c.path);
    auto call = [&](const std::string& token) {
      return c.method == "GET" ? client_->Get(path, Auth(token))
                               : client_->Post(path, Auth(token), "{}", "application/json");
    };
    auto none = call("");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401) << none->body;
    auto kiosk = call(testing::kKioskToken);
    ASSERT_TRUE(kiosk);
    EXPECT_EQ(kiosk->status, 403) << kiosk->body;
    if (c.path != "/desks") {
      auto other_desk = call(testing::kDesk2Token);
      ASSERT_TRUE(other_desk);
      EXPECT_EQ(other_desk->status, 403) << other_desk->body;
    }
    // The right token passes the check (no desk agents in this test: the desk itself is 404;
    // the list answers).
    auto own = call(testing::kDesk1Token);
    ASSERT_TRUE(own);
    EXPECT_EQ(own->status, c.path == "/desks" ? 200 : 404) << own->body;
  }
  EXPECT_EQ(router_.route_calls(), 0);
}

TEST_F(BalieServiceTest, DisplayIsPublicAndReadOnly) {
  auto page = client_->Get("/v1/balie/gemeente-test/display");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  auto events = client_->Get("/v1/balie/gemeente-test/display/events?once=1");
  ASSERT_TRUE(events);
  EXPECT_EQ(events->status, 200);
  auto post = client_->Post("/v1/balie/gemeente-test/display", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
}

TEST_F(BalieServiceTest, DisplayPageAndBacklog) {
  auto page = client_->Get("/v1/balie/gemeente-test/display");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->get_header_value("Content-Type"), HasSubstr("text/html"));
  EXPECT_THAT(page->body, HasSubstr("aria-live=\"polite\""));

  board_.Publish({0, "A007", "desk-2", "Balie 2", now_});
  std::string received;
  auto events =
      client_->Get("/v1/balie/gemeente-test/display/events", [&](const char* data, size_t size) {
        received.append(data, size);
        return received.find("\n\n", received.find("event: called")) == std::string::npos;
      });
  EXPECT_THAT(received, HasSubstr("id: 1\nevent: called\ndata: "));
  EXPECT_THAT(received, HasSubstr("\"ticket\":\"A007\""));
  EXPECT_THAT(received, HasSubstr("\"desk_name\":\"Balie 2\""));
  EXPECT_THAT(received, HasSubstr("\"local_time\":\"10:00\""));

  // A snapshot ends after the backlog; ?after=N leaves out what the display saw.
  board_.Publish({0, "A008", "desk-1", "Balie 1", now_});
  auto snapshot = client_->Get("/v1/balie/gemeente-test/display/events?once=1&after=1");
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot->status, 200);
  EXPECT_THAT(snapshot->body, ::testing::Not(HasSubstr("A007")));
  EXPECT_THAT(snapshot->body, HasSubstr("id: 2\nevent: called"));
  EXPECT_THAT(snapshot->body, HasSubstr("A008"));
}

}  // namespace
}  // namespace wissel::adapters::balie
