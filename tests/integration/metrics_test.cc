// The router's Prometheus endpoint, on the real wisseld binary against a real redis-server:
// contacts routed, offered, accepted, rejected and cancelled over gRPC move the counters they
// should (outcome, "digitaal, tenzij" result and exemption reason, offers, service level against
// the queue's sla_target and the topic's norm, abandons); the gauges show the queue and the
// handler; Redis going away shows as wissel_redis_up 0. Scraped with an HTTPS client and the
// bearer token; without a token, with a wrong one or over plain HTTP nothing is served, and a
// router configured to serve metrics in clear on a non-loopback address refuses to start.
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/test_pki.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/router_harness.h"
#include "tests/integration/wisseld_process.h"

namespace wissel::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kScrapeToken[] = "metrics-test-token-0123456789";

// A tenant with a topic whose digital alternative steers phone calls away, a queue with a 30 s
// service-level target and a 60 s answer norm on the phone; the gRPC side in loopback development
// mode (this test is about the metrics endpoint, which has TLS and a token).
std::string ConfigYaml(int redis_port, const std::string& metrics) {
  return absl::StrReplaceAll(R"yaml(
listen_address: 127.0.0.1:0
drain_timeout: 2s
redis: {host: 127.0.0.1, port: PORT}
tls: {plaintext: true}
access: {allow_anonymous: true}
METRICS
tenants:
  - id: gemeente-test
    name: Gemeente Test
    dynamic_handlers: true
    pseudonym_secret: "test-secret-test-secret-test-secret-0123"
    handler_defaults:
      capacity: {phone: 1, chat: 1}
      blocks: {phone: []}           # a call does not block a chat here: both are offered at once
      offer_timeout: 1m
    queues:
      - {name: burgerzaken, sla_target: 30s}
    topics:
      - code: paspoort
        name: Paspoort
        domain: burgerzaken
        queue: burgerzaken
        digital_alternative: {url: "https://www.gemeente.test/paspoort", message: "Online"}
        person_after_digital_offer: false
        norms: {phone: {answer_within: 60s}}
      - {code: rijbewijs, name: Rijbewijs, domain: burgerzaken, queue: burgerzaken}
)yaml",
                             {{"PORT", absl::StrCat(redis_port)}, {"METRICS", metrics}});
}

// The value of `series` in `samples`; fails the test (and returns -1) when it is missing.
double At(const std::map<std::string, double>& samples, const std::string& series) {
  auto it = samples.find(series);
  EXPECT_NE(it, samples.end()) << "no series " << series << " among:\n"
                               << [&samples] {
                                    std::string all;
                                    for (const auto& [name, value] : samples)
                                      absl::StrAppend(&all, name, " ", value, "\n");
                                    return all;
                                  }();
  return it == samples.end() ? -1 : it->second;
}

// The samples of a text exposition: "name{labels}" -> value.
std::map<std::string, double> ParseSamples(const std::string& text) {
  std::map<std::string, double> samples;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    const size_t space = line.rfind(' ');
    double value = 0;
    if (space == absl::string_view::npos || !absl::SimpleAtod(line.substr(space + 1), &value)) {
      continue;
    }
    samples[std::string(line.substr(0, space))] = value;
  }
  return samples;
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wissel-metrics-it-XXXXXX";
    dir_ = mkdtemp(tmpl);
    pki_ = std::make_unique<TestPki>(dir_, "metrics");
    files_ = pki_->Issue("wisseld", {"DNS:localhost", "IP:127.0.0.1"});
    token_file_ = dir_ + "/scrape-token";
    std::ofstream(token_file_) << kScrapeToken << "\n";
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
  }
  void TearDown() override {
    daemon_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string SecureMetrics() const {
    return absl::StrCat("metrics:\n  listen_address: 127.0.0.1:0\n  tls: {certificate_file: ",
                        files_.certificate_file, ", private_key_file: ", files_.private_key_file,
                        "}\n  bearer_token_file: ", token_file_, "\n");
  }

  void StartDaemon() {
    daemon_ = std::make_unique<WisseldProcess>(WISSELD_BINARY,
                                               ConfigYaml(redis_->port(), SecureMetrics()));
    absl::Status started = daemon_->Start();
    ASSERT_TRUE(started.ok()) << started << "\n" << daemon_->Log();
    absl::StatusOr<std::string> line = daemon_->WaitForLine("metrics on port", absl::Seconds(5));
    ASSERT_TRUE(line.ok()) << line.status();
    ASSERT_TRUE(absl::SimpleAtoi(line->substr(line->rfind(' ') + 1), &metrics_port_)) << *line;
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", daemon_->port()),
                                       grpc::InsecureChannelCredentials());
    routing_ = v1::RoutingService::NewStub(channel);
    handlers_ = v1::HandlerService::NewStub(channel);
  }

  std::unique_ptr<httplib::SSLClient> Https() const {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", metrics_port_);
    client->set_ca_cert_path(pki_->ca_file().c_str());
    client->enable_server_certificate_verification(true);
    return client;
  }

  // One scrape with the token; fails the test unless it answers 200.
  std::string Scrape() const {
    auto res = Https()->Get("/metrics", {{"Authorization", std::string("Bearer ") + kScrapeToken}});
    EXPECT_TRUE(res) << httplib::to_string(res.error());
    if (!res) return "";
    EXPECT_EQ(res->status, 200);
    return res->body;
  }

  // Scrapes until `series` has `value` (gauges are refreshed by the routing thread every
  // second); returns the last samples. Bounded: the test fails on the comparison afterwards.
  std::map<std::string, double> ScrapeUntil(const std::string& series, double value) const {
    std::map<std::string, double> samples;
    for (int attempt = 0; attempt < 100; ++attempt) {
      samples = ParseSamples(Scrape());
      auto it = samples.find(series);
      if (it != samples.end() && it->second == value) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return samples;
  }

  std::string Route(const std::string& key, v1::Channel channel, const std::string& topic,
                    v1::Need need = v1::NEED_UNSPECIFIED, bool wants_person = false) {
    v1::RouteContactRequest req;
    req.mutable_contact()->set_tenant(kTenant);
    req.mutable_contact()->set_channel(channel);
    req.mutable_contact()->set_topic(topic);
    req.mutable_contact()->set_idempotency_key(key);
    if (need != v1::NEED_UNSPECIFIED) req.mutable_contact()->add_needs(need);
    req.mutable_contact()->set_wants_person(wants_person);
    v1::RouteContactResponse resp;
    grpc::Status s = routing_->RouteContact(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.contact_id();
  }

  grpc::Status Respond(bool accept, const std::string& handler, const std::string& contact) {
    v1::OfferResponseRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(handler);
    req.set_contact_id(contact);
    v1::ContactRecord rec;
    return accept ? handlers_->AcceptOffer(Ctx().get(), req, &rec)
                  : handlers_->RejectOffer(Ctx().get(), req, &rec);
  }

  std::string dir_;
  std::unique_ptr<TestPki> pki_;
  CertificateFiles files_;
  std::string token_file_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<WisseldProcess> daemon_;
  int metrics_port_ = 0;
  std::unique_ptr<v1::RoutingService::Stub> routing_;
  std::unique_ptr<v1::HandlerService::Stub> handlers_;
};

TEST_F(MetricsTest, RoutingMovesTheCountersAndGauges) {
  StartDaemon();
  const std::string t = absl::StrCat("tenant=\"", kTenant, "\"");
  {
    // Before any contact: the families are there, the router serves and holds its tenant.
    const std::map<std::string, double> s =
        ScrapeUntil(absl::StrCat("wissel_tenant_decided{", t, "}"), 1);
    EXPECT_EQ(At(s, "wissel_router_serving"), 1);
    EXPECT_EQ(At(s, "wissel_redis_up"), 1);
    EXPECT_EQ(At(s, absl::StrCat("wissel_lease_changes_total{outcome=\"acquired\",", t, "}")), 1);
    EXPECT_EQ(At(s, absl::StrCat("wissel_queue_sla_target_seconds{queue=\"burgerzaken\",", t, "}")),
              30);
  }

  // "Digitaal, tenzij": steered away; a need and a wish for a person get a person.
  const std::string steered = Route("m-1", v1::CHANNEL_PHONE, "paspoort");
  const std::string need = Route("m-2", v1::CHANNEL_PHONE, "paspoort", v1::NEED_LOW_DIGITAL_SKILLS);
  const std::string wants = Route("m-3", v1::CHANNEL_PHONE, "paspoort", v1::NEED_UNSPECIFIED, true);
  const std::string chat = Route("m-4", v1::CHANNEL_CHAT, "rijbewijs");
  Route("m-4", v1::CHANNEL_CHAT, "rijbewijs");  // a retry: replayed, not counted again

  // A handler signs in and is offered the boosted phone call and the chat.
  constexpr char kHandler[] = "mw-metrics";
  {
    v1::SignInRequest req;
    req.mutable_handler()->set_tenant(kTenant);
    req.mutable_handler()->set_handler_id(kHandler);
    req.mutable_handler()->add_skills("burgerzaken");
    v1::Handler resp;
    grpc::Status s = handlers_->SignIn(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_THAT(resp.contact_ids(), ::testing::UnorderedElementsAre(need, chat));
  }
  ASSERT_TRUE(Respond(true, kHandler, need).ok());
  ASSERT_TRUE(Respond(false, kHandler, chat).ok());
  {
    v1::CancelContactRequest req;
    req.set_tenant(kTenant);
    req.set_contact_id(wants);
    req.set_reason("caller_hung_up");
    v1::ContactRecord rec;
    grpc::Status s = routing_->CancelContact(Ctx().get(), req, &rec);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  const std::string body = Scrape();
  const std::map<std::string, double> s = ParseSamples(body);
  auto at = [&s](const std::string& series) { return At(s, series); };
  const std::string phone = absl::StrCat("channel=\"phone\"");
  const std::string chat_label = absl::StrCat("channel=\"chat\"");
  EXPECT_EQ(
      at(absl::StrCat("wissel_contacts_routed_total{", phone, ",outcome=\"digital\",", t, "}")), 1);
  EXPECT_EQ(
      at(absl::StrCat("wissel_contacts_routed_total{", phone, ",outcome=\"queued\",", t, "}")), 2);
  EXPECT_EQ(
      at(absl::StrCat("wissel_contacts_routed_total{", chat_label, ",outcome=\"queued\",", t, "}")),
      1);
  EXPECT_EQ(at(absl::StrCat("wissel_digital_first_total{", phone,
                            ",outcome=\"steered_to_digital\",", t, "}")),
            1);
  EXPECT_EQ(
      at(absl::StrCat("wissel_digital_first_total{", phone, ",outcome=\"exempt_need\",", t, "}")),
      1);
  EXPECT_EQ(at(absl::StrCat("wissel_digital_first_total{", phone,
                            ",outcome=\"exempt_wants_person\",", t, "}")),
            1);
  EXPECT_EQ(at(absl::StrCat("wissel_digital_first_exemptions_total{", phone,
                            ",reason=\"low_digital_skills\",", t, "}")),
            1);
  EXPECT_EQ(at(absl::StrCat("wissel_digital_first_exemptions_total{", phone,
                            ",reason=\"wants_person\",", t, "}")),
            1);
  EXPECT_EQ(at(absl::StrCat("wissel_offers_total{", phone, ",", t, "}")), 1);
  EXPECT_EQ(at(absl::StrCat("wissel_offers_total{", chat_label, ",", t, "}")), 1);
  EXPECT_EQ(
      at(absl::StrCat("wissel_offer_outcomes_total{", phone, ",outcome=\"accepted\",", t, "}")), 1);
  EXPECT_EQ(at(absl::StrCat("wissel_offer_outcomes_total{", chat_label, ",outcome=\"rejected\",", t,
                            "}")),
            1);
  const std::string q = absl::StrCat(phone, ",queue=\"burgerzaken\",", t);
  EXPECT_EQ(at(absl::StrCat("wissel_contacts_answered_total{", q, "}")), 1);
  EXPECT_EQ(at(absl::StrCat("wissel_contacts_answered_within_sla_total{", q, "}")), 1);
  EXPECT_EQ(at(absl::StrCat("wissel_contact_wait_seconds_count{", q, "}")), 1);
  EXPECT_EQ(at(absl::StrCat("wissel_contacts_answered_with_norm_total{", phone, ",", t,
                            ",topic=\"paspoort\"}")),
            1);
  EXPECT_EQ(at(absl::StrCat("wissel_contacts_answered_within_norm_total{", phone, ",", t,
                            ",topic=\"paspoort\"}")),
            1);
  EXPECT_EQ(at(absl::StrCat("wissel_contacts_abandoned_total{", phone,
                            ",reason=\"cancelled\",state=\"queued\",", t, "}")),
            1);
  EXPECT_EQ(at("wissel_grpc_requests_total{code=\"OK\",method=\"RoutingService/RouteContact\"}"),
            5);
  EXPECT_EQ(at("wissel_grpc_requests_total{code=\"OK\",method=\"HandlerService/AcceptOffer\"}"), 1);
  EXPECT_GE(
      at("wissel_grpc_request_duration_seconds_count{method=\"RoutingService/RouteContact\"}"), 5);
  EXPECT_GE(at("wissel_redis_batches_total{outcome=\"ok\"}"), 1);
  EXPECT_GE(at("wissel_redis_round_trip_seconds_count"), 1);
  EXPECT_GE(at("wissel_redis_batch_operations_count"), 1);

  // Nothing names a contact, a handler or a resident.
  for (const std::string& id : {steered, need, wants, chat, std::string(kHandler)}) {
    EXPECT_THAT(body, Not(HasSubstr(id)));
  }

  // The gauges, from the routing thread's snapshot: the rejected chat waits again; the handler
  // is connected on the phone.
  const std::map<std::string, double> g = ScrapeUntil(
      absl::StrCat("wissel_handler_contacts{", phone, ",state=\"connected\",", t, "}"), 1);
  EXPECT_EQ(At(g, absl::StrCat("wissel_handler_contacts{", phone, ",state=\"connected\",", t, "}")),
            1);
  EXPECT_EQ(
      At(g, absl::StrCat("wissel_queue_waiting{channel=\"chat\",queue=\"burgerzaken\",", t, "}")),
      1);
  EXPECT_EQ(At(g, absl::StrCat("wissel_handlers{state=\"available\",", t, "}")), 1);
  EXPECT_EQ(At(g, absl::StrCat("wissel_handler_capacity{channel=\"phone\",", t, "}")), 1);
  EXPECT_EQ(At(g, absl::StrCat("wissel_queue_handlers_signed_in{queue=\"burgerzaken\",", t, "}")),
            1);
}

TEST_F(MetricsTest, RedisGoingAwayShows) {
  StartDaemon();
  ScrapeUntil("wissel_redis_up", 1);
  ASSERT_TRUE(redis_->Stop().ok());
  std::map<std::string, double> s = ScrapeUntil("wissel_redis_up", 0);
  EXPECT_EQ(At(s, "wissel_redis_up"), 0);
  EXPECT_EQ(At(s, "wissel_router_serving"), 0);
  ASSERT_TRUE(redis_->Restart().ok());
  s = ScrapeUntil("wissel_redis_up", 1);
  EXPECT_EQ(At(s, "wissel_redis_up"), 1);
  EXPECT_EQ(At(s, "wissel_router_serving"), 1);
}

TEST_F(MetricsTest, NoTokenWrongTokenOrPlainHttpGetsNothing) {
  StartDaemon();
  auto client = Https();
  auto none = client->Get("/metrics");
  ASSERT_TRUE(none) << httplib::to_string(none.error());
  EXPECT_EQ(none->status, 401);
  EXPECT_THAT(none->body, Not(HasSubstr("wissel_")));
  auto wrong = client->Get("/metrics", {{"Authorization", "Bearer metrics-test-token-0123456780"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_THAT(wrong->body, Not(HasSubstr("wissel_")));
  httplib::Client plain("127.0.0.1", metrics_port_);
  auto clear = plain.Get("/metrics", {{"Authorization", std::string("Bearer ") + kScrapeToken}});
  EXPECT_TRUE(!clear || clear->status != 200);
  if (clear) {
    EXPECT_THAT(clear->body, Not(HasSubstr("wissel_router_serving")));
  }
}

TEST_F(MetricsTest, InsecureMetricsConfigurationRefusesToStart) {
  struct Case {
    std::string metrics;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"metrics: {listen_address: \"0.0.0.0:0\", tls: {plaintext: true}, allow_anonymous: true}\n",
       "metrics.tls.plaintext: plain HTTP is allowed only on a loopback listen address"},
      {absl::StrCat("metrics: {listen_address: \"0.0.0.0:0\", tls: {certificate_file: ",
                    files_.certificate_file, ", private_key_file: ", files_.private_key_file,
                    "}, allow_anonymous: true}\n"),
       "metrics.allow_anonymous: scrapes without a token are allowed only on a loopback"},
      {absl::StrCat("metrics: {listen_address: \"127.0.0.1:0\", tls: {certificate_file: ",
                    files_.certificate_file, ", private_key_file: ", files_.private_key_file,
                    "}}\n"),
       "metrics.bearer_token_file: is required"},
      // Without metrics.tls the router's own certificate is used: here the router has none.
      {absl::StrCat("metrics: {listen_address: \"127.0.0.1:0\", bearer_token_file: ", token_file_,
                    "}\n"),
       "metrics.tls.certificate_file: is required"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.metrics);
    WisseldProcess daemon(WISSELD_BINARY, ConfigYaml(redis_->port(), c.metrics));
    absl::Status started = daemon.Start(absl::Seconds(10));
    EXPECT_FALSE(started.ok());
    EXPECT_THAT(daemon.Log(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace wissel::testing
