// End to end: a real redis-server, the real wisseld and the real wissel-sip, with sipp as the
// PBX/caller (Debian package sip-tester). Scenarios live in tests/e2e/sip/scenarios. Every
// process runs on 127.0.0.1 on free ports and is stopped by PID; sipp runs bounded by -m and
// -timeout. The suite takes about 40 s, most of it the 30 s load run.
#include <arpa/inet.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/wisseld_process.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::testing {
namespace {

constexpr char kTenant[] = "gemeente-test";
constexpr char kSipp[] = "/usr/bin/sipp";

// The router: two queues; nobody will take wmo, so calls on it queue.
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
      - {name: sip.dialled_number, max_length: 32}
      - {name: sip.ivr_choice, max_length: 16}
    contact_retention: 1d
    handler_defaults:
      offer_timeout: 5m
      max_wrap_up: 1m
    queues:
      - {name: burgerzaken}
      - {name: wmo, default_handle_time: 10m}
    topics:
      - {code: paspoort, name: Paspoort, domain: burgerzaken, queue: burgerzaken}
      - {code: wmo-hulpmiddelen, name: Hulpmiddelen, domain: sociaal_domein, queue: wmo}
)yaml");
}

// The adapter: 14 0123 for paspoort (IVR 2: wmo), 14 0999 straight to wmo; SIP is taken from
// `trusted_peers` only (sipp sends from 127.0.0.1).
std::string SipConfig(const std::string& tenant, const std::string& trusted_peers = "[127.0.0.1]") {
  return absl::StrCat("tenant: ", tenant, "\ntrusted_peers: ", trusted_peers, R"yaml(
numbers:
  - number: "14 0123"
    topic: paspoort
    ivr: {"2": wmo-hulpmiddelen}
  - number: "14 0999"
    topic: wmo-hulpmiddelen
handler_uri_template: "sip:{handler}@pbx.test"
waiting:
  default: "sip:wacht@pbx.test"
  queues: {wmo: "sip:wacht-wmo@pbx.test", burgerzaken: "sip:wacht-burgerzaken@pbx.test"}
announcements:
  closed: "sip:gesloten@pbx.test"
  digital: "sip:digitaal@pbx.test"
  callback: "sip:terugbellen@pbx.test"
retry_after: 5s
)yaml");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return ctx;
}

// A running wissel-sip.
struct SipAdapter {
  std::unique_ptr<ChildProcess> process;
  int sip_port = 0;
  int health_port = 0;
  int metrics_port = 0;
};

class SipE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/wissel-sip-e2e-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto redis = RedisServer::Start();
    if (!redis.ok()) {
      setup_error_ = redis.status().ToString();
      return;
    }
    redis_ = *std::move(redis);
    wisseld_ = std::make_unique<WisseldProcess>(WISSELD_BINARY, RouterConfig(redis_->port()));
    if (absl::Status s = wisseld_->Start(); !s.ok()) {
      setup_error_ = s.ToString();
      return;
    }
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", wisseld_->port()),
                                       grpc::InsecureChannelCredentials());
    routing_ = v1::RoutingService::NewStub(channel);
    handlers_ = v1::HandlerService::NewStub(channel);
    absl::StatusOr<SipAdapter> adapter =
        StartAdapter("main", kTenant, absl::StrCat("127.0.0.1:", wisseld_->port()));
    if (!adapter.ok()) {
      setup_error_ = adapter.status().ToString();
      return;
    }
    adapter_ = new SipAdapter(*std::move(adapter));
  }

  static void TearDownTestSuite() {
    if (adapter_ != nullptr) {
      const std::string log = adapter_->process->Log(1 << 20);
      // Privacy: the caller's number never appears in the adapter's log.
      EXPECT_EQ(log.find("612345678"), std::string::npos) << log;
      absl::StatusOr<int> status = adapter_->process->SignalAndWait(SIGTERM, absl::Seconds(10));
      EXPECT_TRUE(status.ok() && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
          << "wissel-sip did not stop cleanly on SIGTERM: " << adapter_->process->Log();
      delete adapter_;
      adapter_ = nullptr;
    }
    routing_.reset();
    handlers_.reset();
    if (wisseld_ != nullptr) (void)wisseld_->SignalAndWait(SIGTERM);
    wisseld_.reset();
    redis_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  static absl::StatusOr<SipAdapter> StartAdapter(const std::string& name, const std::string& tenant,
                                                 const std::string& router,
                                                 const std::string& trusted_peers = "[127.0.0.1]") {
    const std::string config = absl::StrCat(dir_, "/", name, "-sip.yaml");
    std::ofstream(config) << SipConfig(tenant, trusted_peers);
    SipAdapter adapter;
    adapter.process = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            WISSEL_SIP_BINARY, "--config=" + config, "--router=" + router, "--router_plaintext",
            "--udp_listen=127.0.0.1:0", "--tcp_listen=127.0.0.1:0", "--health_listen=127.0.0.1:0",
            "--router_deadline=2s",
            // Loopback development mode for the metrics endpoint (its TLS
            // and token: tests/e2e/http/adapter_metrics_e2e_test.cc).
            "--metrics_listen=127.0.0.1:0", "--metrics_plaintext", "--metrics_allow_anonymous"},
        absl::StrCat(dir_, "/", name, "-wissel-sip.log"),
        absl::StrCat(dir_, "/", name, "-wissel-sip.log"));
    if (absl::Status s = adapter.process->Start(); !s.ok()) return s;
    absl::StatusOr<std::string> line =
        adapter.process->WaitForLine("wissel-sip: listening", absl::Seconds(20));
    if (!line.ok()) return line.status();
    // Printed before the listening line: "wissel-sip: metrics on port N".
    absl::StatusOr<std::string> metrics_line =
        adapter.process->WaitForLine("wissel-sip: metrics on port", absl::Seconds(1));
    if (!metrics_line.ok() || !absl::SimpleAtoi(metrics_line->substr(metrics_line->rfind(' ') + 1),
                                                &adapter.metrics_port)) {
      return absl::InternalError("no metrics port");
    }
    // "wissel-sip: listening udp=N tcp=N health=N router=..."
    for (absl::string_view field : absl::StrSplit(*line, ' ')) {
      if (absl::ConsumePrefix(&field, "udp=")) (void)absl::SimpleAtoi(field, &adapter.sip_port);
      if (absl::ConsumePrefix(&field, "health=")) {
        (void)absl::SimpleAtoi(field, &adapter.health_port);
      }
    }
    if (adapter.sip_port == 0 || adapter.health_port == 0) {
      return absl::InternalError(absl::StrCat("bad listening line: ", *line));
    }
    return adapter;
  }

  struct SippRun {
    int exit_code = -1;
    std::string output;
    std::string stats_path;
    std::string log_path;
    absl::Duration elapsed;
  };

  // Runs sipp with `scenario` against `port`, bounded by -timeout and our own wait.
  static SippRun RunSipp(const std::string& name, const std::string& scenario, int port,
                         const std::string& service, std::vector<std::string> extra,
                         absl::Duration timeout = absl::Seconds(20)) {
    SippRun run;
    run.stats_path = absl::StrCat(dir_, "/", name, "-stats.csv");
    run.log_path = absl::StrCat(dir_, "/", name, "-messages.log");
    std::vector<std::string> argv = {kSipp,
                                     absl::StrCat("127.0.0.1:", port),
                                     "-sf",
                                     absl::StrCat(WISSEL_SIP_SCENARIOS, "/", scenario),
                                     "-s",
                                     service,
                                     "-i",
                                     "127.0.0.1",
                                     "-nostdin",
                                     "-timeout",
                                     absl::StrCat(absl::ToInt64Seconds(timeout), "s"),
                                     "-timeout_error",
                                     "-trace_stat",
                                     "-stf",
                                     run.stats_path,
                                     "-trace_err",
                                     "-error_file",
                                     absl::StrCat(dir_, "/", name, "-errors.log"),
                                     "-trace_logs",
                                     "-log_file",
                                     run.log_path};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const std::string sipp_out = absl::StrCat(dir_, "/", name, "-sipp.out");
    ChildProcess sipp(argv, sipp_out, sipp_out);
    const absl::Time start = absl::Now();
    if (!sipp.Start().ok()) return run;
    absl::StatusOr<int> status = sipp.Wait(timeout + absl::Seconds(15));
    run.elapsed = absl::Now() - start;
    if (status.ok() && WIFEXITED(*status)) run.exit_code = WEXITSTATUS(*status);
    run.output =
        absl::StrCat(sipp.Log(3000), "\n-- errors:\n",
                     ReadFile(absl::StrCat(dir_, "/", name, "-errors.log")).substr(0, 3000),
                     "\n-- wissel-sip:\n", adapter_ ? adapter_->process->Log(3000) : "");
    return run;
  }

  // Last row of a sipp -trace_stat file as column -> value.
  static std::map<std::string, std::string> LastStats(const std::string& path) {
    std::map<std::string, std::string> out;
    std::ifstream in(path);
    std::string header;
    std::string line;
    std::string last;
    if (!std::getline(in, header)) return out;
    while (std::getline(in, line)) {
      if (!line.empty()) last = line;
    }
    const std::vector<std::string> names = absl::StrSplit(header, ';');
    const std::vector<std::string> values = absl::StrSplit(last, ';');
    for (size_t i = 0; i < names.size() && i < values.size(); ++i) out[names[i]] = values[i];
    return out;
  }

  // The contact the router made for a Call-ID (RouteContact with the same idempotency key is
  // a replay and changes nothing).
  static std::string ContactForCallId(const std::string& call_id, const std::string& topic) {
    v1::RouteContactRequest request;
    request.mutable_contact()->set_tenant(kTenant);
    request.mutable_contact()->set_channel(v1::CHANNEL_PHONE);
    request.mutable_contact()->set_topic(topic);
    request.mutable_contact()->set_idempotency_key("sip:" + call_id);
    v1::RouteContactResponse response;
    grpc::Status status = routing_->RouteContact(Ctx().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(response.replayed()) << "wissel-sip had not routed " << call_id;
    return response.contact_id();
  }

  static v1::ContactRecord GetContact(const std::string& contact_id) {
    v1::GetContactRequest request;
    request.set_tenant(kTenant);
    request.set_contact_id(contact_id);
    v1::ContactRecord record;
    grpc::Status status = routing_->GetContact(Ctx().get(), request, &record);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return record;
  }

  // Polls until the contact is abandoned (bounded).
  static v1::ContactState AwaitAbandoned(const std::string& contact_id) {
    v1::ContactState state = v1::CONTACT_STATE_UNSPECIFIED;
    for (int i = 0; i < 100; ++i) {
      state = GetContact(contact_id).state();
      if (state == v1::CONTACT_STATE_ABANDONED) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return state;
  }

  static inline std::string dir_;
  static inline std::string setup_error_;
  static inline std::unique_ptr<RedisServer> redis_;
  static inline std::unique_ptr<WisseldProcess> wisseld_;
  static inline SipAdapter* adapter_ = nullptr;
  static inline std::unique_ptr<v1::RoutingService::Stub> routing_;
  static inline std::unique_ptr<v1::HandlerService::Stub> handlers_;
};

TEST_F(SipE2eTest, OptionsKeepAliveOverUdpAndTcp) {
  for (const char* transport : {"u1", "t1"}) {
    SippRun run = RunSipp(absl::StrCat("options-", transport), "options_ping.xml",
                          adapter_->sip_port, "140123", {"-t", transport, "-m", "1"});
    EXPECT_EQ(run.exit_code, 0) << transport << "\n" << run.output;
  }
}

TEST_F(SipE2eTest, RoutedCallIsRedirectedToTheHandler) {
  v1::SignInRequest sign_in;
  sign_in.mutable_handler()->set_tenant(kTenant);
  sign_in.mutable_handler()->set_handler_id("h-1042");
  sign_in.mutable_handler()->add_skills("burgerzaken");
  sign_in.mutable_handler()->set_address("sip:1042@pbx.test");
  v1::Handler handler;
  ASSERT_TRUE(handlers_->SignIn(Ctx().get(), sign_in, &handler).ok());

  SippRun run = RunSipp("routed", "routed_call.xml", adapter_->sip_port, "140123", {"-m", "1"});
  ASSERT_EQ(run.exit_code, 0) << run.output;

  // The contact the 302 named is offered to that handler, with the caller pseudonymised.
  const std::string log = ReadFile(run.log_path);
  const size_t at = log.find("contact_id=");
  ASSERT_NE(at, std::string::npos) << log;
  const std::string contact_id(
      absl::StripAsciiWhitespace(log.substr(at + 11, log.find('\n', at) - at - 11)));
  const v1::ContactRecord record = GetContact(contact_id);
  EXPECT_EQ(record.handler_id(), "h-1042");
  EXPECT_EQ(record.channel(), v1::CHANNEL_PHONE);
  EXPECT_EQ(record.topic(), "paspoort");
  EXPECT_EQ(record.party_kind(), "phone");
  EXPECT_FALSE(record.party_pseudonym().empty());
  EXPECT_EQ(record.attributes().at("sip.dialled_number"), "140123");
}

TEST_F(SipE2eTest, QueuedCallIsRedirectedToTheWaitingUriOverUdpAndTcp) {
  for (const char* transport : {"u1", "t1"}) {
    SippRun run = RunSipp(absl::StrCat("queued-", transport), "queued_call.xml", adapter_->sip_port,
                          "140123", {"-t", transport, "-m", "2"});
    EXPECT_EQ(run.exit_code, 0) << transport << "\n" << run.output;
  }
}

TEST_F(SipE2eTest, CancelWhileRoutingIsAnswered487AndTheContactAbandoned) {
  // Hold the router so that the INVITE is still being routed when the CANCEL arrives.
  ASSERT_EQ(kill(wisseld_->pid(), SIGSTOP), 0);
  SippRun run = RunSipp("cancel-pending", "cancel_pending.xml", adapter_->sip_port, "140999",
                        {"-m", "1", "-cid_str", "cancel-pending-%u@e2e"});
  ASSERT_EQ(kill(wisseld_->pid(), SIGCONT), 0);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  absl::SleepFor(absl::Milliseconds(200));  // let the adapter finish its router calls
  const std::string contact_id = ContactForCallId("cancel-pending-1@e2e", "wmo-hulpmiddelen");
  EXPECT_EQ(AwaitAbandoned(contact_id), v1::CONTACT_STATE_ABANDONED);
}

TEST_F(SipE2eTest, CancelAfterTheRedirectAbandonsTheContact) {
  SippRun run = RunSipp("cancel-after", "cancel_after_redirect.xml", adapter_->sip_port, "140999",
                        {"-m", "1", "-cid_str", "cancel-after-%u@e2e"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string contact_id = ContactForCallId("cancel-after-1@e2e", "wmo-hulpmiddelen");
  EXPECT_EQ(AwaitAbandoned(contact_id), v1::CONTACT_STATE_ABANDONED);
}

// wissel-sip's trusted peers: a caller that is not the PBX (here sipp on 127.0.0.1, when only
// 127.0.0.2 and 10.0.0.0/8 are trusted) gets 403 over UDP and TCP, and the router never hears
// of the call.
TEST_F(SipE2eTest, UntrustedPeerGets403AndTheRouterIsNotAsked) {
  absl::StatusOr<SipAdapter> guarded =
      StartAdapter("guarded", kTenant, absl::StrCat("127.0.0.1:", wisseld_->port()),
                   "[127.0.0.2/32, 10.0.0.0/8]");
  ASSERT_TRUE(guarded.ok()) << guarded.status();
  for (const char* transport : {"u1", "t1"}) {
    SippRun run = RunSipp(
        absl::StrCat("forbidden-", transport), "forbidden_call.xml", guarded->sip_port, "140123",
        {"-t", transport, "-m", "1", "-cid_str", absl::StrCat("forbidden-", transport, "-%u@e2e")});
    EXPECT_EQ(run.exit_code, 0) << transport << "\n" << run.output << guarded->process->Log();
  }

  // The adapter refused both INVITEs and dropped both ACKs (four messages), and routed
  // nothing...
  httplib::Client http("127.0.0.1", guarded->metrics_port);
  http.set_read_timeout(5, 0);
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics) << httplib::to_string(metrics.error());
  EXPECT_THAT(metrics->body, ::testing::HasSubstr("wissel_sip_forbidden_total 4\n"));
  EXPECT_THAT(metrics->body, ::testing::HasSubstr("wissel_sip_invites_total 0\n"));
  EXPECT_THAT(metrics->body, ::testing::HasSubstr("wissel_sip_requests_total 0\n"));
  EXPECT_THAT(metrics->body, ::testing::HasSubstr(
                                 "wissel_sip_responses_total{code=\"403\",method=\"INVITE\"} 2\n"));
  EXPECT_THAT(metrics->body, ::testing::Not(::testing::HasSubstr("method=\"RouteContact\"")));
  // The health listener, which answers probes without authentication, serves no metrics.
  httplib::Client health("127.0.0.1", guarded->health_port);
  auto not_here = health.Get("/metrics");
  ASSERT_TRUE(not_here) << httplib::to_string(not_here.error());
  EXPECT_EQ(not_here->status, 404);
  // ...and the router has no contact for those calls: routing the same Call-ID now makes a new
  // one instead of replaying the adapter's.
  for (const char* transport : {"u1", "t1"}) {
    v1::RouteContactRequest request;
    request.mutable_contact()->set_tenant(kTenant);
    request.mutable_contact()->set_channel(v1::CHANNEL_PHONE);
    request.mutable_contact()->set_topic("paspoort");
    request.mutable_contact()->set_idempotency_key(
        absl::StrCat("sip:forbidden-", transport, "-1@e2e"));
    v1::RouteContactResponse response;
    grpc::Status status = routing_->RouteContact(Ctx().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_FALSE(response.replayed()) << transport;
  }
  (void)guarded->process->SignalAndWait(SIGTERM, absl::Seconds(10));
}

// Without trusted peers wissel-sip does not start at all.
TEST_F(SipE2eTest, RefusesToStartWithoutTrustedPeers) {
  absl::StatusOr<SipAdapter> open =
      StartAdapter("open", kTenant, absl::StrCat("127.0.0.1:", wisseld_->port()), "[]");
  ASSERT_FALSE(open.ok());
  const std::string log = ReadFile(absl::StrCat(dir_, "/open-wissel-sip.log"));
  EXPECT_THAT(log,
              ::testing::HasSubstr("trusted_peers: list the addresses or CIDR blocks of the PBX"));
}

// A tenant whose phone line is never open (no opening hours on any day).
std::string ClosedRouterConfig(int redis_port) {
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
  - id: gemeente-dicht
    name: Gemeente Dicht
    dynamic_handlers: true
    pseudonym_secret: "test-secret-test-secret-test-secret-0123"
    attributes:
      - {name: sip.dialled_number, max_length: 32}
      - {name: sip.ivr_choice, max_length: 16}
    calendar:
      time_zone: Europe/Amsterdam
      hours: {phone: {}}
      closed_message: "We zijn gesloten."
    queues:
      - {name: burgerzaken}
      - {name: wmo}
    topics:
      - {code: paspoort, name: Paspoort, domain: burgerzaken, queue: burgerzaken}
      - {code: wmo-hulpmiddelen, name: Hulpmiddelen, domain: sociaal_domein, queue: wmo}
)yaml");
}

// A call to a tenant whose phone channel is closed gets OUTCOME_CLOSED from the router's
// calendar and is redirected to the closed announcement. Self-contained: its own wisseld for a
// tenant that is never open, on the suite's Redis.
TEST_F(SipE2eTest, OutsideOpeningHoursRedirectsToTheClosedAnnouncement) {
  WisseldProcess closed_router(WISSELD_BINARY, ClosedRouterConfig(redis_->port()));
  absl::Status started = closed_router.Start();
  ASSERT_TRUE(started.ok()) << started;
  absl::StatusOr<SipAdapter> adapter =
      StartAdapter("closed", "gemeente-dicht", absl::StrCat("127.0.0.1:", closed_router.port()));
  ASSERT_TRUE(adapter.ok()) << adapter.status();
  SippRun run = RunSipp("closed", "closed_call.xml", adapter->sip_port, "140123", {"-m", "1"});
  EXPECT_EQ(run.exit_code, 0) << run.output << adapter->process->Log();
  (void)adapter->process->SignalAndWait(SIGTERM, absl::Seconds(10));
  (void)closed_router.SignalAndWait(SIGTERM);
}

TEST_F(SipE2eTest, RouterUnreachableIs503WithRetryAfterAndHealthSaysSo) {
  absl::StatusOr<SipAdapter> down =
      StartAdapter("down", kTenant, absl::StrCat("127.0.0.1:", UnusedTcpPort()));
  ASSERT_TRUE(down.ok()) << down.status();
  SippRun run = RunSipp("router-down", "router_down.xml", down->sip_port, "140123", {"-m", "1"},
                        absl::Seconds(10));
  EXPECT_EQ(run.exit_code, 0) << run.output << down->process->Log();
  EXPECT_LT(run.elapsed, absl::Seconds(8));  // answered, not hung

  httplib::Client http("127.0.0.1", down->health_port);
  http.set_read_timeout(5, 0);
  auto health = http.Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error()) << down->process->Log();
  EXPECT_EQ(health->status, 503);
  httplib::Client main_http("127.0.0.1", adapter_->health_port);
  main_http.set_read_timeout(5, 0);
  auto main_health = main_http.Get("/healthz");
  ASSERT_TRUE(main_health);
  EXPECT_EQ(main_health->status, 200) << main_health->body;

  absl::StatusOr<int> status = down->process->SignalAndWait(SIGTERM, absl::Seconds(10));
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << down->process->Log();
}

TEST_F(SipE2eTest, Load200CallsPerSecondFor30SecondsWithoutFailedCalls) {
  SippRun run = RunSipp(
      "load", "load_call.xml", adapter_->sip_port, "140999",
      {"-r", "200", "-rp", "1000", "-m", "6000", "-l", "2000", "-fd", "5", "-max_socket", "64"},
      absl::Seconds(60));
  const std::map<std::string, std::string> stats = LastStats(run.stats_path);
  const std::string successful =
      stats.count("SuccessfulCall(C)") ? stats.at("SuccessfulCall(C)") : "?";
  const std::string failed = stats.count("FailedCall(C)") ? stats.at("FailedCall(C)") : "?";
  const double seconds = absl::ToDoubleSeconds(run.elapsed);
  auto stat = [&stats](const std::string& name) {
    return stats.count(name) ? stats.at(name) : std::string("?");
  };
  std::cout << "[ load     ] sipp: " << successful << " successful, " << failed
            << " failed calls in " << seconds << " s = " << (6000.0 / seconds)
            << " calls/s (target 200/s); INVITE->302 under 10 ms: "
            << stat("ResponseTimeRepartition1_<10") << ", retransmissions "
            << stat("Retransmissions(C)") << std::endl;
  RecordProperty("successful_calls", successful);
  RecordProperty("failed_calls", failed);
  RecordProperty("elapsed_seconds", absl::StrCat(seconds));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(successful, "6000") << run.output;
  EXPECT_EQ(failed, "0") << run.output;
}

}  // namespace
}  // namespace wissel::testing
