// HttpServer on a real loopback port: limits (413), media types (415), slow clients (408),
// malformed bodies (400), problem bodies on every error, health, stream slots and graceful
// shutdown. Misbehaving clients are raw sockets (raw_http.h).
#include "adapters/common/http_server.h"

#include <httplib.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "adapters/common/http_api.pb.h"
#include "adapters/common/json_body.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/common/raw_http.h"

namespace wissel::adapters {
namespace {

using testing::BodyOf;
using ::testing::HasSubstr;
using testing::RawConnection;
using testing::StatusOf;

api::Problem ParseProblem(const std::string& body) {
  api::Problem problem;
  const absl::Status s = ParseJsonBody(body, &problem);
  EXPECT_TRUE(s.ok()) << s << " in " << body;
  return problem;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpServerOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options);
    server_->Post("/echo", {kJsonMediaType, kFormMediaType},
                  [this](const httplib::Request&, const RequestBody& body, httplib::Response& res) {
                    ++handled_;
                    res.set_content(absl::StrCat(body.media_type.type, "|", body.data),
                                    "text/plain");
                  });
    server_->Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      in_slow_.Notify();
      absl::SleepFor(absl::Milliseconds(500));
      res.set_content("done", "text/plain");
    });
    server_->SetHealthCheck([this] { return health_; });
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(5, 0);
  }

  HttpServerOptions FastTimeouts() {
    HttpServerOptions options;
    options.read_timeout = absl::Seconds(1);
    options.keep_alive_timeout = absl::Seconds(1);
    options.max_body_bytes = 1024;
    return options;
  }

  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::atomic<int> handled_{0};
  absl::Notification in_slow_;
  absl::Status health_;
};

TEST_F(HttpServerTest, PassesTheBodyAndItsMediaType) {
  Start();
  auto res = client_->Post("/echo", R"({"a":1})", "application/json; charset=utf-8");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"(application/json|{"a":1})");
}

TEST_F(HttpServerTest, BodyAtTheLimitIsAccepted) {
  Start(FastTimeouts());
  auto res = client_->Post("/echo", std::string(1024, 'x'), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpServerTest, DeclaredBodyOverTheLimitIs413) {
  Start(FastTimeouts());
  auto res = client_->Post("/echo", std::string(1025, 'x'), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
  const api::Problem problem = ParseProblem(res->body);
  EXPECT_EQ(problem.status(), 413);
  EXPECT_EQ(problem.field(), "body");
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpServerTest, ChunkedBodyOverTheLimitIs413) {
  Start(FastTimeouts());
  RawConnection c(server_->port());
  const std::string chunk(800, 'x');
  ASSERT_TRUE(
      c.Send(absl::StrCat("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n",
                          "320\r\n", chunk, "\r\n320\r\n", chunk, "\r\n0\r\n\r\n")));
  const std::string response = c.ReadResponse(absl::Seconds(5));
  EXPECT_EQ(StatusOf(response), 413) << response;
  EXPECT_THAT(response, HasSubstr("Connection: close"));
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpServerTest, Expect100ContinueOverTheLimitIs413BeforeTheBody) {
  Start(FastTimeouts());
  RawConnection c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: 5000\r\nExpect: 100-continue\r\n\r\n"));
  const std::string response = c.ReadResponse(absl::Seconds(5));
  EXPECT_EQ(StatusOf(response), 413) << response;
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpServerTest, WrongOrMissingContentTypeIs415NamingTheHeader) {
  Start();
  for (const char* type : {"text/plain", "application/json; charset=latin1", "json"}) {
    auto res = client_->Post("/echo", "{}", type);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 415) << type;
    EXPECT_EQ(ParseProblem(res->body).field(), "Content-Type") << type;
  }
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"));
  const std::string response = c.ReadResponse(absl::Seconds(5));
  EXPECT_EQ(StatusOf(response), 415) << response;
  EXPECT_EQ(handled_, 0);
}

// A client that sends its headers and part of the body, then stalls: 408 with a problem body
// after the read timeout, and the connection is marked for closing.
TEST_F(HttpServerTest, StalledBodyIs408AfterTheReadTimeout) {
  Start(FastTimeouts());
  RawConnection c(server_->port());
  const absl::Time start = absl::Now();
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: 100\r\n\r\n{\"submission_id\": "));
  const std::string response = c.ReadResponse(absl::Seconds(5));
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(StatusOf(response), 408) << response;
  EXPECT_THAT(response, HasSubstr("Connection: close"));
  EXPECT_EQ(ParseProblem(BodyOf(response)).code(), "request_timeout");
  EXPECT_GE(took, absl::Milliseconds(900));
  EXPECT_LT(took, absl::Seconds(3));
  EXPECT_EQ(handled_, 0);
}

// A client that trickles its body (each byte within the read timeout) is cut off once the whole
// body has taken longer than the read timeout.
TEST_F(HttpServerTest, TrickledBodyIs408) {
  Start(FastTimeouts());
  RawConnection c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: 20\r\n\r\n"));
  std::string response;
  for (int i = 0; i < 20 && response.empty(); ++i) {
    if (!c.Send("x")) break;
    response = c.ReadResponse(absl::Milliseconds(300));
  }
  if (response.empty()) response = c.ReadResponse(absl::Seconds(2));
  EXPECT_EQ(StatusOf(response), 408) << response;
  EXPECT_EQ(handled_, 0);
}

// Stalling inside the headers is caught by cpp-httplib's own parser, before any route runs: it
// answers 400 (not 408) after the read timeout. Documented in the adapters' READMEs.
TEST_F(HttpServerTest, StalledHeadersAre400AfterTheReadTimeout) {
  Start(FastTimeouts());
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Ty"));
  const std::string response = c.ReadResponse(absl::Seconds(5));
  EXPECT_EQ(StatusOf(response), 400) << response;
  EXPECT_EQ(ParseProblem(BodyOf(response)).status(), 400);
}

TEST_F(HttpServerTest, MalformedChunkIs400) {
  Start(FastTimeouts());
  RawConnection c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"));
  const std::string response = c.ReadResponse(absl::Seconds(5));
  EXPECT_EQ(StatusOf(response), 400) << response;
  EXPECT_EQ(ParseProblem(BodyOf(response)).field(), "body");
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpServerTest, PostWithoutLengthHasAnEmptyBody) {
  Start(FastTimeouts());
  RawConnection c(server_->port());
  const absl::Time start = absl::Now();
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n"));
  const std::string response = c.ReadResponse(absl::Seconds(5));
  EXPECT_EQ(StatusOf(response), 200) << response;
  EXPECT_EQ(BodyOf(response), "application/json|");
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(900));  // did not wait for more
}

TEST_F(HttpServerTest, UnknownEndpointIs404Problem) {
  Start();
  auto res = client_->Get("/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_EQ(ParseProblem(res->body).instance(), "/nope");
}

// cpp-httplib would buffer a chunked body of any non-body route without a limit; such requests
// are refused before routing, without reading the body.
TEST_F(HttpServerTest, ChunkedBodyOutsideBodyRoutesIsRefusedUnread) {
  Start(FastTimeouts());
  for (const char* request_line : {"POST /nope HTTP/1.1", "GET /slow HTTP/1.1"}) {
    RawConnection c(server_->port());
    ASSERT_TRUE(c.Send(absl::StrCat(request_line,
                                    "\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    "400\r\n")));  // and then never the 1 KiB
    const std::string response = c.ReadResponse(absl::Milliseconds(800));
    EXPECT_THAT(StatusOf(response), ::testing::AnyOf(400, 404)) << request_line << response;
  }
}

TEST_F(HttpServerTest, HealthFollowsTheCheck) {
  Start();
  auto live = client_->Get("/livez");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  auto serving = client_->Get("/healthz");
  ASSERT_TRUE(serving);
  EXPECT_EQ(serving->status, 200);
  EXPECT_EQ(serving->body, R"({"status":"SERVING"})");
  health_ = absl::UnavailableError("router is not serving");
  auto down = client_->Get("/healthz");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503);
  EXPECT_EQ(down->get_header_value("Retry-After"), "2");
  EXPECT_EQ(ParseProblem(down->body).code(), "not_serving");
}

TEST_F(HttpServerTest, StreamSlotsAreBounded) {
  HttpServerOptions options;
  options.max_streams = 2;
  Start(options);
  auto a = server_->TryAcquireStream();
  auto b = server_->TryAcquireStream();
  EXPECT_NE(a, nullptr);
  EXPECT_NE(b, nullptr);
  EXPECT_EQ(server_->TryAcquireStream(), nullptr);
  a.reset();
  EXPECT_NE(server_->TryAcquireStream(), nullptr);
}

TEST_F(HttpServerTest, ShutdownFinishesRequestsInFlightThenRefuses) {
  Start();
  const int port = server_->port();
  int slow_status = 0;
  std::thread client([&] {
    auto slow = client_->Get("/slow");
    slow_status = slow ? slow->status : -1;
  });
  in_slow_.WaitForNotification();
  EXPECT_FALSE(server_->WaitForShutdown(absl::ZeroDuration()));
  server_->Shutdown();
  client.join();
  EXPECT_EQ(slow_status, 200);
  EXPECT_TRUE(server_->stopping());
  httplib::Client after("127.0.0.1", port);
  after.set_connection_timeout(1, 0);
  EXPECT_FALSE(after.Get("/livez"));
}

TEST(ListenAddressTest, Parses) {
  HttpServerOptions options;
  ASSERT_TRUE(ParseListenAddress("0.0.0.0:8081", &options).ok());
  EXPECT_EQ(options.host, "0.0.0.0");
  EXPECT_EQ(options.port, 8081);
  ASSERT_TRUE(ParseListenAddress(":9", &options).ok());
  EXPECT_EQ(options.host, "0.0.0.0");
  ASSERT_TRUE(ParseListenAddress("[::1]:0", &options).ok());
  EXPECT_EQ(options.host, "::1");
  EXPECT_FALSE(ParseListenAddress("localhost", &options).ok());
  EXPECT_FALSE(ParseListenAddress("h:70000", &options).ok());
}

}  // namespace
}  // namespace wissel::adapters
