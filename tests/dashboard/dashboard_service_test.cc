// DashboardService over loopback HTTP, with a state fed by hand (no router): every route but
// /livez needs a supervisor's token or login; no credentials, a wrong token, a malformed header,
// an unknown or ended session are 401 with a problem body (the login form for a browser asking
// for the page); the login sets an HttpOnly, Secure, SameSite=Strict cookie and only from the
// dashboard's own origin; the snapshot and the event stream carry the figures; a logout ends
// the session and its stream.
#include "dashboard/dashboard_service.h"

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "base/bearer_token.h"
#include "dashboard/dashboard_state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/dashboard/event_builder.h"

namespace wissel::dashboard {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

// Test values only.
constexpr char kToken[] = "dashboard-test-token-0123456789";
constexpr char kOtherToken[] = "dashboard-other-token-0123456789";

std::string Hex(absl::string_view token) {
  const base::TokenDigest d = base::DigestOf(token);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(d.bytes.data()), d.bytes.size()));
}

class DashboardServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::TimeZone zone;
    ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &zone));
    now_ = absl::FromCivil(absl::CivilSecond(2026, 5, 12, 10, 0, 0), zone);
    DashboardModelOptions model;
    model.tenant = "gemeente-test";
    model.time_zone = zone;
    state_ = std::make_unique<DashboardState>(model, [this] { return now_; });
    testing::EventBuilder events;
    state_->AddEvent(events.Routed(now_ - absl::Minutes(2), "c1", "burgerzaken", "paspoort"));
    state_->AddEvent(events.Steered(now_ - absl::Minutes(1), "c2", "burgerzaken", "paspoort"));
    state_->Publish();

    adapters::HttpServerOptions http;
    http.threads = 6;
    http.max_streams = 2;
    http.allow_same_origin = true;
    server_ = std::make_unique<adapters::HttpServer>(http);
    DashboardServiceOptions options;
    absl::StatusOr<SupervisorTokens> supervisors =
        SupervisorTokens::Parse(absl::StrCat("teamleider=", Hex(kToken)), "test");
    ASSERT_TRUE(supervisors.ok()) << supervisors.status();
    options.supervisors = *supervisors;
    options.client_retry = absl::Seconds(1);
    service_ = std::make_unique<DashboardService>(options, state_.get(), server_.get());
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(10, 0);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  std::string Origin() const { return absl::StrCat("http://127.0.0.1:", server_->port()); }

  static httplib::Headers Bearer(const std::string& token) {
    return {{"Authorization", absl::StrCat("Bearer ", token)}};
  }

  // Logs in through the form; the session cookie's value ("" when refused).
  std::string Login(const std::string& token) {
    auto res = client_->Post("/login", {{"Origin", Origin()}, {"Accept", "text/html"}},
                             absl::StrCat("token=", token), "application/x-www-form-urlencoded");
    EXPECT_TRUE(res);
    if (!res || res->status != 303) return "";
    const std::string cookie = res->get_header_value("Set-Cookie");
    const std::string prefix = absl::StrCat(DashboardService::kCookieName, "=");
    EXPECT_TRUE(absl::StartsWith(cookie, prefix)) << cookie;
    return cookie.substr(prefix.size(), cookie.find(';') - prefix.size());
  }

  static httplib::Headers Cookie(const std::string& session) {
    return {{"Cookie", absl::StrCat(DashboardService::kCookieName, "=", session)}};
  }

  // POST /logout from the page, with the session's cookie.
  httplib::Result Logout(const std::string& session) {
    httplib::Headers headers = Cookie(session);
    headers.emplace("Origin", Origin());
    return client_->Post("/logout", headers, "", "application/x-www-form-urlencoded");
  }

  void ExpectUnauthenticated(const httplib::Result& res, const std::string& what) {
    ASSERT_TRUE(res) << what;
    EXPECT_EQ(res->status, 401) << what;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json") << what;
    EXPECT_EQ(res->get_header_value("WWW-Authenticate"), R"(Bearer realm="wissel-dashboard")")
        << what;
    EXPECT_EQ(Json::parse(res->body)["code"], "unauthenticated") << what;
    EXPECT_THAT(res->body, Not(HasSubstr("burgerzaken"))) << what;
  }

  absl::Time now_;
  std::unique_ptr<DashboardState> state_;
  std::unique_ptr<adapters::HttpServer> server_;
  std::unique_ptr<DashboardService> service_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(DashboardServiceTest, EveryRouteButLivezNeedsASupervisor) {
  auto live = client_->Get("/livez");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  for (const char* path : {"/", "/dashboard.js", "/dashboard.css", "/api/snapshot", "/api/stream",
                           "/healthz", "/no/such/path"}) {
    ExpectUnauthenticated(client_->Get(path), absl::StrCat(path, " without credentials"));
    ExpectUnauthenticated(client_->Get(path, Bearer(kOtherToken)),
                          absl::StrCat(path, " with another token"));
    ExpectUnauthenticated(client_->Get(path, {{"Authorization", "Basic dGVhbTpsZWlkZXI="}}),
                          absl::StrCat(path, " with Basic"));
    ExpectUnauthenticated(client_->Get(path, Cookie("not-a-session-0123456789")),
                          absl::StrCat(path, " with an unknown session"));
  }
  ExpectUnauthenticated(client_->Post("/logout", "", "application/x-www-form-urlencoded"),
                        "logout without credentials");
  // The token is judged alone: a wrong one is not saved by a good session beside it.
  const std::string session = Login(kToken);
  ASSERT_FALSE(session.empty());
  httplib::Headers both = Cookie(session);
  both.emplace("Authorization", absl::StrCat("Bearer ", kOtherToken));
  ExpectUnauthenticated(client_->Get("/api/snapshot", both), "wrong token with a session");
}

TEST_F(DashboardServiceTest, ABrowserWithoutLoginGetsTheLoginFormWith401) {
  auto res = client_->Get("/", {{"Accept", "text/html,application/xhtml+xml"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_THAT(res->get_header_value("Content-Type"), HasSubstr("text/html"));
  EXPECT_THAT(res->body, HasSubstr(R"(<form method="post" action="/login">)"));
  EXPECT_THAT(res->body, HasSubstr(R"(<html lang="nl">)"));
  EXPECT_THAT(res->body, Not(HasSubstr("role=\"alert\"")));
  EXPECT_THAT(res->get_header_value("Content-Security-Policy"),
              HasSubstr("frame-ancestors 'none'"));
  auto form = client_->Get("/login");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 200);
  EXPECT_THAT(form->body, HasSubstr(R"(<label for="token">)"));
}

TEST_F(DashboardServiceTest, TheTokenOpensTheSnapshotAndThePage) {
  auto res = client_->Get("/api/snapshot", Bearer(kToken));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  const Json j = Json::parse(res->body);
  EXPECT_EQ(j["tenant"], "gemeente-test");
  EXPECT_EQ(j["totals"]["routed"], 2);
  EXPECT_EQ(j["totals"]["steered"], 1);
  EXPECT_EQ(j["queues"][0]["queue"], "burgerzaken");
  EXPECT_EQ(j["queues"][0]["waiting"], 1);
  EXPECT_EQ(j["queues"][0]["longest_wait_s"], 120);

  auto page = client_->Get("/", Bearer(kToken));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr(R"(<html lang="nl">)"));
  EXPECT_THAT(page->body, HasSubstr(R"(aria-live="polite")"));
  EXPECT_THAT(page->body, HasSubstr(R"(<script src="/dashboard.js" defer></script>)"));
  EXPECT_THAT(page->body, Not(HasSubstr("http://")));  // nothing from elsewhere
  EXPECT_THAT(page->body, Not(HasSubstr("https://")));
  const std::string csp = page->get_header_value("Content-Security-Policy");
  EXPECT_THAT(csp, HasSubstr("default-src 'none'"));
  EXPECT_THAT(csp, HasSubstr("script-src 'self'"));
  EXPECT_THAT(csp, Not(HasSubstr("unsafe")));
  EXPECT_EQ(page->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  auto script = client_->Get("/dashboard.js", Bearer(kToken));
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_THAT(script->get_header_value("Content-Type"), HasSubstr("text/javascript"));
  EXPECT_THAT(script->body, HasSubstr("new EventSource('/api/stream')"));
  EXPECT_THAT(script->body, Not(HasSubstr("innerHTML")));
}

TEST_F(DashboardServiceTest, LoginSetsAStrictCookieOnlyFromTheOwnOrigin) {
  // A wrong token: 401 with the form again (a browser) or a problem (anyone else); no cookie.
  auto wrong =
      client_->Post("/login", {{"Origin", Origin()}, {"Accept", "text/html"}},
                    absl::StrCat("token=", kOtherToken), "application/x-www-form-urlencoded");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_THAT(wrong->body, HasSubstr(R"(role="alert")"));
  EXPECT_FALSE(wrong->has_header("Set-Cookie"));
  auto empty = client_->Post("/login", "token=", "application/x-www-form-urlencoded");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 401);
  EXPECT_EQ(Json::parse(empty->body)["code"], "unauthenticated");
  // Another site's page cannot log a browser in (nor out).
  auto foreign = client_->Post("/login", {{"Origin", "https://evil.example"}},
                               absl::StrCat("token=", kToken), "application/x-www-form-urlencoded");
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403);
  EXPECT_FALSE(foreign->has_header("Set-Cookie"));

  auto res = client_->Post("/login", {{"Origin", Origin()}}, absl::StrCat("token=", kToken),
                           "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_EQ(res->get_header_value("Location"), "/");
  const std::string cookie = res->get_header_value("Set-Cookie");
  EXPECT_TRUE(absl::StartsWith(cookie, "__Host-wissel-dashboard=")) << cookie;
  EXPECT_THAT(cookie, HasSubstr("; Path=/;"));
  EXPECT_THAT(cookie, HasSubstr("; HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("; Secure"));
  EXPECT_THAT(cookie, HasSubstr("; SameSite=Strict"));
  EXPECT_THAT(cookie, Not(HasSubstr(kToken)));  // a session id, not the token
  EXPECT_THAT(cookie, Not(HasSubstr("Domain")));

  const std::string session = Login(kToken);
  auto snapshot = client_->Get("/api/snapshot", Cookie(session));
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot->status, 200);

  // Logout ends the session; the cookie is expired.
  auto logout = Logout(session);
  ASSERT_TRUE(logout);
  EXPECT_EQ(logout->status, 303);
  EXPECT_EQ(logout->get_header_value("Location"), "/login");
  EXPECT_THAT(logout->get_header_value("Set-Cookie"), HasSubstr("Max-Age=0"));
  ExpectUnauthenticated(client_->Get("/api/snapshot", Cookie(session)), "after logout");
}

TEST_F(DashboardServiceTest, HealthFollowsTheFeed) {
  auto res = client_->Get("/healthz", Bearer(kToken));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_THAT(res->body, HasSubstr("event stream"));
  state_->SetFeedStatus(true, false, "");
  state_->Publish();
  res = client_->Get("/healthz", Bearer(kToken));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_THAT(res->body, HasSubstr("retained events"));
  state_->SetFeedStatus(true, true, "");
  state_->Publish();
  res = client_->Get("/healthz", Bearer(kToken));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(DashboardServiceTest, TheStreamSendsSnapshotsAndEndsWithTheLogin) {
  const std::string session = Login(kToken);
  ASSERT_FALSE(session.empty());
  std::string received;
  absl::Notification first;
  absl::Notification second;
  std::atomic<int> events{0};
  httplib::Client stream_client("127.0.0.1", server_->port());
  stream_client.set_read_timeout(20, 0);
  std::thread reader([&] {
    (void)stream_client.Get("/api/stream", Cookie(session), [&](const char* data, size_t size) {
      received.append(data, size);
      size_t n = 0;
      for (size_t at = received.find("event: snapshot"); at != std::string::npos;
           at = received.find("event: snapshot", at + 1)) {
        ++n;
      }
      events = static_cast<int>(n);
      if (n >= 1 && !first.HasBeenNotified()) first.Notify();
      if (n >= 2 && !second.HasBeenNotified()) second.Notify();
      return true;
    });
  });
  ASSERT_TRUE(first.WaitForNotificationWithTimeout(absl::Seconds(10)));
  // A change is published and sent.
  testing::EventBuilder more;
  state_->AddEvent(more.Routed(now_, "c3", "wmo", "wmo-hulpmiddelen"));
  state_->Publish();
  ASSERT_TRUE(second.WaitForNotificationWithTimeout(absl::Seconds(10)));
  // The logout ends the stream (the reader returns).
  auto logout = Logout(session);
  ASSERT_TRUE(logout);
  reader.join();
  EXPECT_THAT(received, HasSubstr("retry: 1000\n\n"));
  EXPECT_THAT(received, HasSubstr("id: 1\nevent: snapshot\ndata: {"));
  EXPECT_THAT(received, HasSubstr(R"("queue":"wmo")"));
  EXPECT_GE(events.load(), 2);
}

}  // namespace
}  // namespace wissel::dashboard
