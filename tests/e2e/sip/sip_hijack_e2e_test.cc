// The hijack of a handler, end to end: a real redis-server, the real wisseld with TLS, mutual
// TLS and access grants, the real wissel-sip connected to it with its own client certificate,
// and sipp as the PBX. A second identity (another employee's certificate, or another adapter's)
// tries to sign in as mdw-001, take over its offer stream, move its SIP address and change its
// presence; every attempt is refused, mdw-001's own stream keeps its offers, and a phone call
// is still redirected (302) to the address the tenant's roster gives mdw-001.
//
// Before access control, any caller could do all of that, after which wissel-sip redirected
// mdw-001's calls wherever the attacker pointed them (docs/security.md, "Threat model").
// tests/integration/access_control_test.cc covers every RPC and role at the gRPC level; this
// test is the scenario through the phone adapter. It takes a few seconds.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "router/transport/grpc_credentials.h"
#include "tests/fakes/test_pki.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/wisseld_process.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kTenant[] = "gemeente-test";
constexpr char kSipp[] = "/usr/bin/sipp";
constexpr char kHandler[] = "mdw-001";
constexpr char kColleague[] = "mdw-002";
// mdw-001's address in the roster. wissel-sip's handler_uri_template would make
// sip:mdw-001@pbx.test, so a 302 naming this one came from the roster through GetHandler.
constexpr char kRosterAddress[] = "sip:1001@pbx.test";
constexpr char kAttackerAddress[] = "sip:attacker@evil.example";

// Client certificate names (URI SANs), each granted one role below.
constexpr char kSipIdentity[] = "spiffe://test/wissel-sip";          // channel: phone
constexpr char kHandlerIdentity[] = "spiffe://test/mdw-001";         // handler: mdw-001
constexpr char kColleagueIdentity[] = "spiffe://test/mdw-002";       // handler: mdw-002
constexpr char kRogueAdapterIdentity[] = "spiffe://test/rogue-sip";  // channel: phone

// One line of access.grants: `identity`'s certificate gets `role_and_scope` in the tenant.
std::string Grant(const char* identity, const char* role_and_scope) {
  return absl::StrCat("    - {certificate: \"", identity, "\", ", role_and_scope,
                      ", tenants: [gemeente-test]}\n");
}

// The router: TLS with client certificates from the test's CA and a grant per identity. No
// allow_anonymous and no dynamic handlers: only the roster's handlers, each only by itself.
// Phone capacity 2: mdw-001 still holds the first (direct) contact when sipp's call arrives.
std::string RouterConfig(int redis_port, const CertificateFiles& server, const std::string& ca) {
  return absl::StrCat(
      "listen_address: 127.0.0.1:0\ndrain_timeout: 2s\n",
      "redis: {host: 127.0.0.1, port: ", redis_port, "}\n",
      "tls:\n  certificate_file: ", server.certificate_file,
      "\n  private_key_file: ", server.private_key_file, "\n  client_ca_file: ", ca, "\n",
      "access:\n  grants:\n", Grant(kSipIdentity, "role: channel, channels: [phone]"),
      Grant(kHandlerIdentity, "role: handler, handler_id: mdw-001"),
      Grant(kColleagueIdentity, "role: handler, handler_id: mdw-002"),
      Grant(kRogueAdapterIdentity, "role: channel, channels: [phone]"), R"yaml(tenants:
  - id: gemeente-test
    name: Gemeente Test
    pseudonym_secret: "test-secret-test-secret-test-secret-0123"
    attributes:
      - {name: sip.dialled_number, max_length: 32}
      - {name: sip.ivr_choice, max_length: 16}
    contact_retention: 1d
    handler_defaults:
      capacity: {phone: 2}
      offer_timeout: 5m
      max_wrap_up: 1m
    queues:
      - {name: burgerzaken}
      - {name: wmo, default_handle_time: 10m}
    topics:
      - {code: paspoort, name: Paspoort, domain: burgerzaken, queue: burgerzaken}
      - {code: wmo-hulpmiddelen, name: Hulpmiddelen, domain: sociaal_domein, queue: wmo}
    handlers:
      - {id: mdw-001, name: Eerste, skills: {burgerzaken: 3}, address: "sip:1001@pbx.test"}
      - {id: mdw-002, name: Tweede, skills: {wmo: 3}, address: "sip:1002@pbx.test"}
)yaml");
}

// The adapter, as in sip_e2e_test.cc: 14 0123 is paspoort (queue burgerzaken, mdw-001's skill).
std::string SipConfig() {
  return R"yaml(tenant: gemeente-test
trusted_peers: [127.0.0.1]
numbers:
  - number: "14 0123"
    topic: paspoort
handler_uri_template: "sip:{handler}@pbx.test"
waiting:
  default: "sip:wacht@pbx.test"
announcements:
  closed: "sip:gesloten@pbx.test"
  digital: "sip:digitaal@pbx.test"
  callback: "sip:terugbellen@pbx.test"
retry_after: 5s
)yaml";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<grpc::ClientContext> Ctx(absl::Duration timeout = absl::Seconds(5)) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::microseconds(absl::ToInt64Microseconds(timeout)));
  return ctx;
}

// The value after "NAME=" on a line of sipp's log (written by the scenario's <log> actions).
std::string LoggedValue(const std::string& log, const std::string& name) {
  const std::string marker = name + "=";
  const size_t at = log.find(marker);
  if (at == std::string::npos) return "";
  const size_t end = log.find('\n', at);
  return std::string(absl::StripAsciiWhitespace(
      log.substr(at + marker.size(), end == std::string::npos ? end : end - at - marker.size())));
}

struct Stubs {
  std::unique_ptr<v1::RoutingService::Stub> routing;
  std::unique_ptr<v1::HandlerService::Stub> handlers;
};

class SipHijackE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/wissel-sip-hijack-XXXXXX";
    dir_ = mkdtemp(tmpl);
    pki_ = new TestPki(dir_, "deployment");
    const CertificateFiles server = pki_->Issue("wisseld", {"DNS:localhost", "IP:127.0.0.1"});
    const CertificateFiles sip = Certificate(kSipIdentity);
    auto redis = RedisServer::Start();
    if (!redis.ok()) {
      setup_error_ = redis.status().ToString();
      return;
    }
    redis_ = *std::move(redis);
    wisseld_ = std::make_unique<WisseldProcess>(
        WISSELD_BINARY, RouterConfig(redis_->port(), server, pki_->ca_file()));
    if (absl::Status s = wisseld_->Start(); !s.ok()) {
      setup_error_ = s.ToString();
      return;
    }
    // wissel-sip with its own certificate (mutual TLS): no --router_plaintext.
    const std::string config = absl::StrCat(dir_, "/sip.yaml");
    std::ofstream(config) << SipConfig();
    const std::string log = absl::StrCat(dir_, "/wissel-sip.log");
    adapter_ = new ChildProcess(
        {WISSEL_SIP_BINARY, "--config=" + config,
         absl::StrCat("--router=127.0.0.1:", wisseld_->port()),
         "--router_ca_file=" + pki_->ca_file(), "--router_cert_file=" + sip.certificate_file,
         "--router_key_file=" + sip.private_key_file, "--udp_listen=127.0.0.1:0",
         "--tcp_listen=127.0.0.1:0", "--health_listen=127.0.0.1:0", "--router_deadline=2s"},
        log, log);
    if (absl::Status s = adapter_->Start(); !s.ok()) {
      setup_error_ = s.ToString();
      return;
    }
    absl::StatusOr<std::string> line =
        adapter_->WaitForLine("wissel-sip: listening", absl::Seconds(20));
    if (!line.ok()) {
      setup_error_ = absl::StrCat(line.status().ToString(), "\n", adapter_->Log());
      return;
    }
    // "wissel-sip: listening udp=N tcp=N health=N router=..."
    for (absl::string_view field : absl::StrSplit(*line, ' ')) {
      if (absl::ConsumePrefix(&field, "udp=")) (void)absl::SimpleAtoi(field, &sip_port_);
    }
    if (sip_port_ == 0) setup_error_ = absl::StrCat("bad listening line: ", *line);
  }

  static void TearDownTestSuite() {
    if (adapter_ != nullptr) {
      absl::StatusOr<int> status = adapter_->SignalAndWait(SIGTERM, absl::Seconds(10));
      EXPECT_TRUE(status.ok() && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
          << "wissel-sip did not stop cleanly on SIGTERM: " << adapter_->Log();
      delete adapter_;
      adapter_ = nullptr;
    }
    if (wisseld_ != nullptr) (void)wisseld_->SignalAndWait(SIGTERM);
    wisseld_.reset();
    redis_.reset();
    delete pki_;
    pki_ = nullptr;
    certificates_.clear();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  // A client certificate of the deployment's CA naming `uri`, issued once: wissel-sip watches
  // its files, which must not be rewritten under it.
  static CertificateFiles Certificate(const std::string& uri) {
    auto it = certificates_.find(uri);
    if (it == certificates_.end()) {
      it = certificates_
               .emplace(uri, pki_->Issue(std::string(absl::StripPrefix(uri, "spiffe://test/")),
                                         {absl::StrCat("URI:", uri)}))
               .first;
    }
    return it->second;
  }

  static std::string Target() { return absl::StrCat("127.0.0.1:", wisseld_->port()); }

  static Stubs StubsOn(const std::shared_ptr<grpc::Channel>& channel) {
    return Stubs{v1::RoutingService::NewStub(channel), v1::HandlerService::NewStub(channel)};
  }

  // Stubs over TLS presenting the certificate of `uri`, or no certificate when `uri` is empty.
  static Stubs As(const std::string& uri) {
    transport::ClientTls tls{.ca_file = pki_->ca_file()};
    if (!uri.empty()) {
      const CertificateFiles files = Certificate(uri);
      tls.certificate_file = files.certificate_file;
      tls.private_key_file = files.private_key_file;
    }
    auto channel = transport::CreateChannel(Target(), tls, "--test");
    EXPECT_TRUE(channel.ok()) << channel.status();
    return StubsOn(*channel);
  }

  // The calls an attacker would make to take over mdw-001, each for handler `handler_id`.
  static grpc::Status SignIn(Stubs& s, const std::string& handler_id,
                             const std::string& address = "") {
    v1::SignInRequest req;
    req.mutable_handler()->set_tenant(kTenant);
    req.mutable_handler()->set_handler_id(handler_id);
    if (!address.empty()) req.mutable_handler()->set_address(address);
    v1::Handler out;
    return s.handlers->SignIn(Ctx().get(), req, &out);
  }
  // Opens mdw-001's offer stream and reads until it ends. A stream that was refused ends at
  // once with the refusal; one that was let in would run into the short deadline (and would
  // have replaced mdw-001's own stream meanwhile).
  static grpc::Status StreamOffers(Stubs& s, const std::string& handler_id) {
    v1::StreamOffersRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(handler_id);
    auto ctx = Ctx(absl::Milliseconds(500));
    auto reader = s.handlers->StreamOffers(ctx.get(), req);
    v1::Offer offer;
    while (reader->Read(&offer)) {
    }
    return reader->Finish();
  }
  static grpc::Status SetPresence(Stubs& s, const std::string& handler_id, v1::Presence presence) {
    v1::SetPresenceRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(handler_id);
    req.set_presence(presence);
    v1::Handler out;
    return s.handlers->SetPresence(Ctx().get(), req, &out);
  }
  static grpc::Status SignOut(Stubs& s, const std::string& handler_id) {
    v1::SignOutRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(handler_id);
    v1::Handler out;
    return s.handlers->SignOut(Ctx().get(), req, &out);
  }

  // Runs sipp's roster_address_call.xml once against wissel-sip; returns sipp's exit code and
  // fills `log` with its message log (the scenario's <log> lines).
  static int RunSipp(const std::string& name, std::string* log, std::string* output) {
    const std::string log_path = absl::StrCat(dir_, "/", name, "-messages.log");
    const std::string errors = absl::StrCat(dir_, "/", name, "-errors.log");
    const std::string out = absl::StrCat(dir_, "/", name, "-sipp.out");
    ChildProcess sipp({kSipp,        absl::StrCat("127.0.0.1:", sip_port_),
                       "-sf",        absl::StrCat(WISSEL_SIP_SCENARIOS, "/roster_address_call.xml"),
                       "-s",         "140123",
                       "-i",         "127.0.0.1",
                       "-nostdin",   "-m",
                       "1",          "-timeout",
                       "20s",        "-timeout_error",
                       "-trace_err", "-error_file",
                       errors,       "-trace_logs",
                       "-log_file",  log_path},
                      out, out);
    int exit_code = -1;
    if (sipp.Start().ok()) {
      absl::StatusOr<int> status = sipp.Wait(absl::Seconds(35));
      if (status.ok() && WIFEXITED(*status)) exit_code = WEXITSTATUS(*status);
    }
    *log = ReadFile(log_path);
    *output =
        absl::StrCat(sipp.Log(3000), "\n-- errors:\n", ReadFile(errors).substr(0, 3000),
                     "\n-- wissel-sip:\n", adapter_->Log(3000), "\n-- wisseld:\n", wisseld_->Log());
    return exit_code;
  }

  static inline std::string dir_;
  static inline std::string setup_error_;
  static inline TestPki* pki_ = nullptr;
  static inline std::map<std::string, CertificateFiles> certificates_;
  static inline std::unique_ptr<RedisServer> redis_;
  static inline std::unique_ptr<WisseldProcess> wisseld_;
  static inline ChildProcess* adapter_ = nullptr;
  static inline int sip_port_ = 0;
};

// Without credentials nobody gets as far as the access check's question "which handler?":
// plaintext does not even connect to the TLS listener, TLS without a client certificate (or
// token) is UNAUTHENTICATED for every handler call on mdw-001.
TEST_F(SipHijackE2eTest, WithoutCredentialsNothingIsDoneForTheHandler) {
  Stubs plaintext = StubsOn(grpc::CreateChannel(Target(), grpc::InsecureChannelCredentials()));
  EXPECT_EQ(SignIn(plaintext, kHandler, kAttackerAddress).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(StreamOffers(plaintext, kHandler).error_code(), grpc::StatusCode::UNAVAILABLE);

  Stubs anonymous = As("");
  EXPECT_EQ(SignIn(anonymous, kHandler).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(SignIn(anonymous, kHandler, kAttackerAddress).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(StreamOffers(anonymous, kHandler).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(SetPresence(anonymous, kHandler, v1::PRESENCE_AWAY).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(SignOut(anonymous, kHandler).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(SipHijackE2eTest, AnotherIdentityCannotTakeOverTheHandlerAndItsCallStillReachesIt) {
  // The real mdw-001 signs in with its own certificate and gets the roster's address.
  Stubs self = As(kHandlerIdentity);
  v1::SignInRequest sign_in;
  sign_in.mutable_handler()->set_tenant(kTenant);
  sign_in.mutable_handler()->set_handler_id(kHandler);
  v1::Handler handler;
  grpc::Status status = self.handlers->SignIn(Ctx().get(), sign_in, &handler);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(handler.address(), kRosterAddress);

  // It opens its offer stream. A contact routed by the phone adapter's identity reaches that
  // stream, so the stream is attached (not merely requested) before the attacker's attempts:
  // a stream the attacker were allowed to open afterwards would replace it.
  auto stream_ctx = Ctx(absl::Seconds(60));
  v1::StreamOffersRequest stream_req;
  stream_req.set_tenant(kTenant);
  stream_req.set_handler_id(kHandler);
  std::unique_ptr<grpc::ClientReader<v1::Offer>> stream =
      self.handlers->StreamOffers(stream_ctx.get(), stream_req);
  bool stream_open = true;
  // The next offer on mdw-001's stream, or why the stream ended.
  auto next_offer = [&](v1::Offer* offer) -> grpc::Status {
    if (stream->Read(offer)) return grpc::Status::OK;
    stream_open = false;
    const grpc::Status ended = stream->Finish();
    return ended.ok() ? grpc::Status(grpc::StatusCode::UNKNOWN, "ended without error") : ended;
  };
  absl::Cleanup close_stream = [&] {
    if (!stream_open) return;
    stream_ctx->TryCancel();
    (void)stream->Finish();
  };
  Stubs phone = As(kSipIdentity);
  v1::RouteContactRequest route;
  route.mutable_contact()->set_tenant(kTenant);
  route.mutable_contact()->set_channel(v1::CHANNEL_PHONE);
  route.mutable_contact()->set_topic("paspoort");
  route.mutable_contact()->set_idempotency_key("hijack-first");
  v1::RouteContactResponse routed;
  status = phone.routing->RouteContact(Ctx().get(), route, &routed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::Offer offer;
  status = next_offer(&offer);
  ASSERT_TRUE(status.ok()) << "mdw-001's stream ended: " << status.error_message();
  EXPECT_EQ(offer.kind(), v1::Offer::KIND_OFFER);
  EXPECT_EQ(offer.contact_id(), routed.contact_id());

  // The attackers: a colleague's certificate (handler role, for mdw-002) and another adapter's
  // (channel role, phone, as wissel-sip's own).
  for (const char* identity : {kColleagueIdentity, kRogueAdapterIdentity}) {
    SCOPED_TRACE(identity);
    Stubs attacker = As(identity);
    status = SignIn(attacker, kHandler);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << "SignIn as mdw-001: " << status.error_message();
    status = SignIn(attacker, kHandler, kAttackerAddress);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << "SignIn as mdw-001 with another address: " << status.error_message();
    status = StreamOffers(attacker, kHandler);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << "StreamOffers for mdw-001: " << status.error_message();
    status = SetPresence(attacker, kHandler, v1::PRESENCE_AWAY);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << "SetPresence of mdw-001: " << status.error_message();
    status = SignOut(attacker, kHandler);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << "SignOut of mdw-001: " << status.error_message();
  }
  // The colleague cannot give even itself an address of its choosing (the roster's field).
  Stubs colleague = As(kColleagueIdentity);
  status = SignIn(colleague, kColleague, kAttackerAddress);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("handler.address"));

  // mdw-001 is as it was: signed in, available, at the roster's address.
  v1::GetHandlerRequest get;
  get.set_tenant(kTenant);
  get.set_handler_id(kHandler);
  status = self.handlers->GetHandler(Ctx().get(), get, &handler);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(handler.address(), kRosterAddress);
  EXPECT_EQ(handler.presence(), v1::PRESENCE_AVAILABLE);

  // A resident calls 14 0123: wissel-sip routes the call (mutual TLS, channel role) and
  // redirects it to mdw-001's roster address; the scenario checks the 302's Contact.
  std::string log;
  std::string output;
  ASSERT_EQ(RunSipp("call", &log, &output), 0) << output;
  EXPECT_EQ(LoggedValue(log, "contact"), kRosterAddress) << log;
  EXPECT_THAT(log, ::testing::Not(HasSubstr("evil.example")));
  const std::string contact_id = LoggedValue(log, "contact_id");
  ASSERT_FALSE(contact_id.empty()) << log;

  // And the offer of that call arrives on mdw-001's own stream, which is still open.
  status = next_offer(&offer);
  ASSERT_TRUE(status.ok()) << "mdw-001's stream ended: " << status.error_message();
  EXPECT_EQ(offer.kind(), v1::Offer::KIND_OFFER);
  EXPECT_EQ(offer.contact_id(), contact_id);
  EXPECT_EQ(offer.contact().handler_id(), kHandler);
}

}  // namespace
}  // namespace wissel::testing
