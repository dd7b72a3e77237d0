// The adapters' common metrics: routes labelled by their pattern (never the path), bounded method
// and status labels, every answer of an HttpServer counted (handled, health, unrouted, refused
// before routing), and router calls counted by method and code through MeteredRouterClient.
#include "adapters/common/adapter_metrics.h"

#include <httplib.h>

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "adapters/common/metered_router_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/common/fake_router_client.h"

namespace wissel::adapters {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Loopback development options: the tests read the registry directly.
metrics::EndpointOptions LoopbackOptions() {
  metrics::EndpointOptions options;
  options.listen_address = "127.0.0.1:0";
  options.plaintext = true;
  options.allow_anonymous = true;
  return options;
}

TEST(AdapterMetricsTest, RouteLabelsArePatternsWithoutTheirGroups) {
  EXPECT_EQ(RouteLabel("/v1/chat/sessions"), "/v1/chat/sessions");
  EXPECT_EQ(RouteLabel(R"(/v1/forms/([^/]+)/([^/]+))"), "/v1/forms/{}/{}");
  EXPECT_EQ(RouteLabel(R"(/v1/balie/([^/]+)/desks/([^/]+)/next)"), "/v1/balie/{}/desks/{}/next");
  EXPECT_EQ(RouteLabel(R"(/a/((x|y)+)/b)"), "/a/{}/b");
}

TEST(AdapterMetricsTest, MethodAndStatusLabelsAreBounded) {
  EXPECT_EQ(HttpMethodLabel("GET"), "GET");
  EXPECT_EQ(HttpMethodLabel("DELETE"), "DELETE");
  EXPECT_EQ(HttpMethodLabel("BREW"), "other");
  EXPECT_EQ(HttpMethodLabel("get"), "other");
  EXPECT_EQ(HttpStatusClass(202), "2xx");
  EXPECT_EQ(HttpStatusClass(429), "4xx");
  EXPECT_EQ(HttpStatusClass(503), "5xx");
  EXPECT_EQ(HttpStatusClass(42), "other");
}

TEST(AdapterMetricsTest, DisabledOptionsMakeNoMetrics) {
  absl::StatusOr<std::unique_ptr<AdapterMetrics>> metrics =
      AdapterMetrics::Create(metrics::EndpointOptions{});
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(*metrics, nullptr);
}

TEST(AdapterMetricsTest, EveryAnswerOfTheServerIsCounted) {
  absl::StatusOr<std::unique_ptr<AdapterMetrics>> metrics =
      AdapterMetrics::Create(LoopbackOptions());
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  HttpServerOptions options;
  options.max_body_bytes = 16;
  HttpServer server(options);
  server.Get(R"(/v1/things/([^/]+))", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{}", "application/json");
  });
  server.Post("/v1/things", {"application/json"},
              [](const httplib::Request&, const RequestBody&, httplib::Response& res) {
                res.status = 201;
              });
  (*metrics)->Observe(&server);
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  ASSERT_EQ(client.Get("/v1/things/resident-7")->status, 200);
  ASSERT_EQ(client.Get("/v1/things/resident-8")->status, 200);
  ASSERT_EQ(client.Post("/v1/things", "{}", "application/json")->status, 201);
  ASSERT_EQ(client.Post("/v1/things", "text", "text/plain")->status, 415);
  ASSERT_EQ(client.Post("/v1/things", std::string(100, 'x'), "application/json")->status, 413);
  ASSERT_EQ(client.Get("/nowhere")->status, 404);
  ASSERT_EQ(client.Get("/livez")->status, 200);

  // The answer is counted after it is sent: wait (bounded) for the last one.
  const std::string last = "route=\"/livez\",status=\"2xx\"} 1";
  std::string text;
  for (int i = 0; i < 200 && !absl::StrContains(text, last); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    text = (*metrics)->registry()->Serialize();
  }
  server.Shutdown();
  EXPECT_THAT(text, HasSubstr("wissel_http_requests_total{method=\"GET\",route=\"/v1/things/{}\","
                              "status=\"2xx\"} 2"));
  EXPECT_THAT(text, HasSubstr("wissel_http_requests_total{method=\"POST\",route=\"/v1/things\","
                              "status=\"2xx\"} 1"));
  EXPECT_THAT(text, HasSubstr("wissel_http_requests_total{method=\"POST\",route=\"/v1/things\","
                              "status=\"4xx\"} 1"));
  // Refused before routing (the declared body is too large): no route answered it.
  EXPECT_THAT(text, HasSubstr("wissel_http_requests_total{method=\"POST\",route=\"unrouted\","
                              "status=\"4xx\"} 1"));
  EXPECT_THAT(text, HasSubstr("wissel_http_requests_total{method=\"GET\",route=\"unrouted\","
                              "status=\"4xx\"} 1"));
  EXPECT_THAT(text, HasSubstr(last));
  EXPECT_THAT(text, Not(HasSubstr("resident-7")));
}

TEST(AdapterMetricsTest, RouterCallsAreCountedByMethodAndCode) {
  absl::StatusOr<std::unique_ptr<AdapterMetrics>> metrics =
      AdapterMetrics::Create(LoopbackOptions());
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  testing::FakeRouterClient fake;
  RouterClient* router = (*metrics)->Meter(&fake);
  v1::RouteContactRequest request;
  request.mutable_contact()->set_tenant("gemeente-test");
  request.mutable_contact()->set_idempotency_key("k-1");
  ASSERT_TRUE(router->RouteContact(request).ok());
  fake.Fail(absl::UnavailableError("router down"));
  EXPECT_EQ(router->RouteContact(request).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(router->CheckHealth().ok());
  const std::string text = (*metrics)->registry()->Serialize();
  EXPECT_THAT(text, HasSubstr("wissel_router_calls_total{code=\"OK\",method=\"RouteContact\"} 1"));
  EXPECT_THAT(
      text, HasSubstr("wissel_router_calls_total{code=\"UNAVAILABLE\",method=\"RouteContact\"} 1"));
  EXPECT_THAT(
      text, HasSubstr("wissel_router_calls_total{code=\"UNAVAILABLE\",method=\"Health/Check\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("wissel_router_call_duration_seconds_count{method=\"RouteContact\"} 2"));
}

}  // namespace
}  // namespace wissel::adapters
