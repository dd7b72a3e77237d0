// HttpServer's CORS and rate limit over loopback HTTP: configured origins get their CORS
// headers, others none; preflights; a state-changing request from a foreign origin is refused
// before its handler runs, one from the server's own origin only passes when allowed; a
// rate-limited route answers 429 with Retry-After and a problem body (the clock is faked,
// nothing sleeps); a gate answers every route but /livez before routing.
#include <httplib.h>

#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "adapters/common/http_api.pb.h"
#include "adapters/common/http_server.h"
#include "gtest/gtest.h"
#include "tests/adapters/common/parse_json.h"

namespace wissel::adapters {
namespace {

using testing::ParseJson;

class HttpServerSecurityTest : public ::testing::Test {
 protected:
  void Start(int per_minute, int burst, bool allow_same_origin = false,
             HttpServer::Gate gate = nullptr) {
    HttpServerOptions http;
    http.allow_same_origin = allow_same_origin;
    http.threads = 4;
    http.max_streams = 1;
    absl::StatusOr<CorsPolicy> cors = CorsPolicy::Create({"https://www.wisseloord.nl"});
    ASSERT_TRUE(cors.ok());
    http.cors = *cors;
    http.rate_limit.per_minute = per_minute;
    http.rate_limit.burst = burst;
    http.rate_limit.clock = [this] { return absl::FromUnixSeconds(now_.load()); };
    server_ = std::make_unique<HttpServer>(http);
    server_->Post("/v1/things", {"application/json"},
                  [this](const httplib::Request&, const RequestBody&, httplib::Response& res) {
                    ++created_;
                    res.status = 201;
                    res.set_content("{}", "application/json");
                  });
    server_->Post("/v1/other", {"application/json"},
                  [this](const httplib::Request&, const RequestBody&, httplib::Response& res) {
                    ++created_;
                    res.set_content("{}", "application/json");
                  });
    server_->Get("/v1/things", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("[]", "application/json");
    });
    server_->RateLimit("/v1/things");
    if (gate) server_->SetGate(std::move(gate));
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  httplib::Result PostFrom(const std::string& path, const std::string& origin) {
    httplib::Headers headers;
    if (!origin.empty()) headers.emplace("Origin", origin);
    return client_->Post(path.c_str(), headers, "{}", "application/json");
  }

  std::atomic<int64_t> now_{1772442000};
  std::atomic<int> created_{0};
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpServerSecurityTest, ConfiguredOriginGetsCorsHeaders) {
  Start(0, 1);
  auto res = client_->Get("/v1/things", {{"Origin", "https://www.wisseloord.nl"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "https://www.wisseloord.nl");
  EXPECT_EQ(res->get_header_value("Vary"), "Origin");
  auto posted = PostFrom("/v1/things", "https://www.wisseloord.nl");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 201);
  EXPECT_EQ(posted->get_header_value("Access-Control-Allow-Origin"), "https://www.wisseloord.nl");
  // Errors carry them too, so that the page can read the problem.
  auto missing = client_->Get("/v1/nothing", {{"Origin", "https://www.wisseloord.nl"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->get_header_value("Access-Control-Allow-Origin"), "https://www.wisseloord.nl");
}

TEST_F(HttpServerSecurityTest, ForeignOriginGetsNoCorsHeaderAndCannotChangeState) {
  Start(0, 1);
  auto read = client_->Get("/v1/things", {{"Origin", "https://evil.example"}});
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 200);
  EXPECT_FALSE(read->has_header("Access-Control-Allow-Origin"));
  EXPECT_EQ(read->get_header_value("Vary"), "Origin");

  for (const char* origin : {"https://evil.example", "null"}) {
    auto res = PostFrom("/v1/things", origin);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << origin;
    EXPECT_FALSE(res->has_header("Access-Control-Allow-Origin"));
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
    EXPECT_EQ(ParseJson<api::Problem>(res->body).code(), "origin_not_allowed");
  }
  auto del = client_->Delete("/v1/things", {{"Origin", "https://evil.example"}});
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 403);
  EXPECT_EQ(created_.load(), 0);  // the handler never ran
  // Without an Origin (not a browser page) the call works.
  auto plain = PostFrom("/v1/things", "");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 201);
  EXPECT_EQ(created_.load(), 1);
}

TEST_F(HttpServerSecurityTest, PreflightOnlyForConfiguredOrigins) {
  Start(0, 1);
  httplib::Headers ok_headers = {{"Origin", "https://www.wisseloord.nl"},
                                 {"Access-Control-Request-Method", "POST"},
                                 {"Access-Control-Request-Headers", "authorization,content-type"}};
  auto ok = client_->Options("/v1/things", ok_headers);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 204);
  EXPECT_EQ(ok->get_header_value("Access-Control-Allow-Origin"), "https://www.wisseloord.nl");
  EXPECT_EQ(ok->get_header_value("Access-Control-Allow-Methods"), "GET, POST, DELETE");
  EXPECT_NE(ok->get_header_value("Access-Control-Allow-Headers").find("Authorization"),
            std::string::npos);

  auto foreign = client_->Options("/v1/things", {{"Origin", "https://evil.example"},
                                                 {"Access-Control-Request-Method", "POST"}});
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403);
  EXPECT_FALSE(foreign->has_header("Access-Control-Allow-Origin"));
  EXPECT_FALSE(foreign->has_header("Access-Control-Allow-Methods"));

  auto put = client_->Options("/v1/things", {{"Origin", "https://www.wisseloord.nl"},
                                             {"Access-Control-Request-Method", "PUT"}});
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 403);
  EXPECT_FALSE(put->has_header("Access-Control-Allow-Methods"));
}

TEST_F(HttpServerSecurityTest, RateLimitedRouteAnswers429WithRetryAfter) {
  Start(/*per_minute=*/6, /*burst=*/2);
  for (int i = 0; i < 2; ++i) {
    auto res = PostFrom("/v1/things", "");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 201);
  }
  auto limited = PostFrom("/v1/things", "");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->get_header_value("Retry-After"), "10");
  EXPECT_EQ(limited->get_header_value("Content-Type"), "application/problem+json");
  const auto problem = ParseJson<api::Problem>(limited->body);
  EXPECT_EQ(problem.status(), 429);
  EXPECT_EQ(problem.code(), "too_many_requests");
  EXPECT_EQ(created_.load(), 2);  // the refused call did nothing

  // Other routes and reads are not limited.
  auto other = PostFrom("/v1/other", "");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  auto read = client_->Get("/v1/things");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 200);

  // Ten seconds later a token is back.
  now_ += 10;
  auto again = PostFrom("/v1/things", "");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 201);
}

// A page served by the server itself posts with the server's own origin (scheme and Host):
// refused like any other origin unless the server allows its own; other origins stay refused.
TEST_F(HttpServerSecurityTest, OwnOriginPassesOnlyWhenAllowed) {
  Start(0, 1);
  const std::string own = absl::StrCat("http://127.0.0.1:", server_->port());
  auto refused = PostFrom("/v1/other", own);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(created_.load(), 0);

  server_->Shutdown();
  Start(0, 1, /*allow_same_origin=*/true);
  const std::string self = absl::StrCat("http://127.0.0.1:", server_->port());
  auto allowed = PostFrom("/v1/other", self);
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
  EXPECT_EQ(created_.load(), 1);
  // Another scheme, another port, another host, "null": other origins.
  for (const std::string& origin :
       {absl::StrCat("https://127.0.0.1:", server_->port()),
        absl::StrCat("http://127.0.0.1:", server_->port() + 1), std::string("http://127.0.0.1"),
        std::string("https://evil.example"), std::string("null")}) {
    auto res = PostFrom("/v1/other", origin);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << origin;
  }
  EXPECT_EQ(created_.load(), 1);
}

// A gate sees every request but GET /livez before routing: the health check and unknown paths
// included; what it refuses never reaches a handler, and a refused body is not read.
TEST_F(HttpServerSecurityTest, GateAnswersEveryRouteButLivez) {
  std::atomic<int> gated{0};
  Start(0, 1, false, [&gated](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("X-Key") == "open") return false;
    ++gated;
    res.status = 401;
    res.set_content("{}", "application/json");
    return true;
  });
  for (const char* path : {"/v1/things", "/healthz", "/nothing"}) {
    auto res = client_->Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 401) << path;
  }
  auto posted = PostFrom("/v1/things", "");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 401);
  EXPECT_EQ(posted->get_header_value("Connection"), "close");
  EXPECT_EQ(created_.load(), 0);
  auto live = client_->Get("/livez");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  EXPECT_EQ(gated.load(), 4);

  auto open = client_->Get("/healthz", {{"X-Key", "open"}});
  ASSERT_TRUE(open);
  EXPECT_EQ(open->status, 200);
  auto created = client_->Post("/v1/things", {{"X-Key", "open"}}, "{}", "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201);
  EXPECT_EQ(created_.load(), 1);
}

}  // namespace
}  // namespace wissel::adapters
