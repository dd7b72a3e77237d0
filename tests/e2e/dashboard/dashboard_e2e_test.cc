// End to end: a real redis-server, the real wisseld (TLS, client certificates, access grants)
// and the real wissel-dashboard (HTTPS, its own client certificate with the supervisor role),
// and headless Chromium driven over the DevTools protocol. A scripted day of contacts through
// the router's gRPC API — handlers signing in, a contact steered to the digital alternative,
// contacts accepted, completed, abandoned and left waiting — changes what the page shows, checked
// in the DOM (the page's script draws it from the live stream, no reload) and in screenshots
// taken before and after. The page is used as a supervisor would: the login form, the keyboard,
// 400 % zoom, the logout. The router restarts mid-day: the dashboard resumes after the last event
// it had, counting nothing twice. And what must be refused is: no credentials, a wrong token,
// plain HTTP, a dashboard that would serve plain HTTP to the network, a dashboard without the
// supervisor role at the router.
//
// Every process runs on 127.0.0.1 on free ports, is bounded in time and stopped by its pid. The
// screenshots are kept in the build folder (their paths are printed).
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/bearer_token.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "router/transport/grpc_credentials.h"
#include "tests/e2e/dashboard/devtools_browser.h"
#include "tests/fakes/test_pki.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/wisseld_process.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kTenant[] = "gemeente-test";
constexpr char kChromium[] = "/usr/bin/chromium";
// Client certificate names (URI SANs) and their grants.
constexpr char kDashboardIdentity[] = "spiffe://test/wissel-dashboard";  // supervisor
constexpr char kDriverIdentity[] = "spiffe://test/driver";  // channel (phone, chat), handler_proxy
constexpr char kChannelIdentity[] = "spiffe://test/not-a-supervisor";  // channel (phone)
// The team lead's token; test value only.
constexpr char kToken[] = "e2e-teamleider-token-0123456789abcdef";

std::string RouterConfig(int port, int redis_port, const CertificateFiles& server,
                         const std::string& ca) {
  return absl::StrCat("listen_address: 127.0.0.1:", port, R"yaml(
drain_timeout: 2s
redis: {host: 127.0.0.1, port: )yaml",
                      redis_port, R"yaml(}
tls:
  certificate_file: )yaml",
                      server.certificate_file, "\n  private_key_file: ", server.private_key_file,
                      "\n  client_ca_file: ", ca, "\n", R"yaml(access:
  grants:
    - {certificate: "spiffe://test/wissel-dashboard", role: supervisor, tenants: [gemeente-test]}
    - {certificate: "spiffe://test/driver", role: channel, channels: [phone, chat],
       tenants: [gemeente-test]}
    - {certificate: "spiffe://test/driver", role: handler_proxy, tenants: [gemeente-test]}
    - {certificate: "spiffe://test/not-a-supervisor", role: channel, channels: [phone],
       tenants: [gemeente-test]}
tenants:
  - id: gemeente-test
    name: Gemeente Test
    dynamic_handlers: true
    pseudonym_secret: "test-secret-test-secret-test-secret-0123"
    contact_retention: 1d
    calendar: {time_zone: Europe/Amsterdam}
    handler_defaults:
      offer_timeout: 5m
      max_wrap_up: 5m
    queues:
      - {name: burgerzaken, sla_target: 5m}
      - {name: wmo, sla_target: 1s}
    topics:
      - {code: paspoort, name: Paspoort, domain: burgerzaken, queue: burgerzaken,
         digital_alternative: {url: "https://www.gemeente-test.nl/paspoort",
                               message: Vraag uw paspoort online aan.},
         person_after_digital_offer: false}
      - {code: rijbewijs, name: Rijbewijs, domain: burgerzaken, queue: burgerzaken}
      - {code: wmo-hulpmiddelen, name: Hulpmiddelen, domain: sociaal_domein, queue: wmo,
         phase: maatwerk}
      - {code: mantelzorg, name: Mantelzorg, domain: sociaal_domein, queue: wmo,
         phase: preventie}
)yaml");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Hex(absl::string_view token) {
  const base::TokenDigest d = base::DigestOf(token);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(d.bytes.data()), d.bytes.size()));
}

// A free loopback port below the kernel's ephemeral range, for the router, which is restarted
// on the same port. gRPC listens with SO_REUSEPORT: a port from the ephemeral range, free while
// the router is down, may be taken meanwhile by any other program on the machine that binds
// port 0 (another test's gRPC server), and the restarted router would then share it with that
// program, which gets some of the dashboard's connections.
int RouterPort() {
  int low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low;
  std::mt19937 random(std::random_device{}());
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int port =
        20000 + static_cast<int>(random() % static_cast<unsigned>(std::max(1, low - 20000)));
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    if (free) return port;
  }
  return UnusedTcpPort();
}

std::unique_ptr<grpc::ClientContext> Ctx(absl::Duration timeout = absl::Seconds(10)) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::microseconds(absl::ToInt64Microseconds(timeout)));
  return ctx;
}

// A JavaScript expression: the text of a cell of the page's tables (null when absent).
std::string Cell(const std::string& table, const std::string& key, const std::string& field) {
  return absl::StrCat("(document.querySelector('#", table, " tr[data-key=\"", key,
                      "\"] [data-field=\"", field, "\"]') || {}).textContent");
}
std::string Text(const std::string& id) {
  return absl::StrCat("(document.getElementById('", id, "') || {}).textContent");
}

class DashboardE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wissel-dashboard-e2e-XXXXXX";
    dir_ = mkdtemp(tmpl);
    pki_ = std::make_unique<TestPki>(dir_, "test");
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    router_port_ = RouterPort();
    const CertificateFiles server = pki_->Issue("router", {"DNS:localhost", "IP:127.0.0.1"});
    router_config_ = RouterConfig(router_port_, redis_->port(), server, pki_->ca_file());
    std::ofstream(dir_ + "/router.yaml") << router_config_;
    wisseld_ = std::make_unique<WisseldProcess>(WISSELD_BINARY, router_config_);
    ASSERT_TRUE(wisseld_->Start().ok()) << wisseld_->Log();
    ASSERT_EQ(wisseld_->port(), router_port_);
    std::ofstream(dir_ + "/supervisors")
        << "# the team leads\nteamleider-burgerzaken=" << Hex(kToken) << "\n";
    https_ = pki_->Issue("dashboard-https", {"IP:127.0.0.1", "DNS:localhost"});

    const CertificateFiles driver = pki_->Issue("driver", {absl::StrCat("URI:", kDriverIdentity)});
    auto channel =
        transport::CreateChannel(absl::StrCat("127.0.0.1:", router_port_),
                                 transport::ClientTls{.ca_file = pki_->ca_file(),
                                                      .certificate_file = driver.certificate_file,
                                                      .private_key_file = driver.private_key_file},
                                 "--test");
    ASSERT_TRUE(channel.ok()) << channel.status();
    routing_ = v1::RoutingService::NewStub(*channel);
    handlers_ = v1::HandlerService::NewStub(*channel);
  }

  void TearDown() override {
    browser_.reset();
    for (auto& dashboard : dashboards_) {
      if (dashboard->pid() > 0) {
        absl::StatusOr<int> status = dashboard->SignalAndWait(SIGTERM, absl::Seconds(15));
        EXPECT_TRUE(status.ok() && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
            << "wissel-dashboard did not stop cleanly: " << dashboard->Log();
      }
    }
    dashboards_.clear();
    routing_.reset();
    handlers_.reset();
    if (wisseld_ != nullptr) (void)wisseld_->SignalAndWait(SIGTERM);
    wisseld_.reset();
    redis_.reset();
    pki_.reset();
    if (HasFailure()) {
      std::cout << "logs kept in " << dir_ << std::endl;  // for a human to look at
      return;
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A dashboard on HTTPS whose router identity is `identity`; nullptr (and a failure) when it
  // does not come up.
  ChildProcess* StartDashboard(const std::string& identity) {
    const std::string name = identity.substr(identity.rfind('/') + 1);
    const CertificateFiles client = pki_->Issue(name, {absl::StrCat("URI:", identity)});
    const std::string log = absl::StrCat(dir_, "/", name, ".log");
    dashboards_.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{WISSEL_DASHBOARD_BINARY, absl::StrCat("--tenant=", kTenant),
                                 "--config=" + dir_ + "/router.yaml", "--listen=127.0.0.1:0",
                                 "--tls_cert_file=" + https_.certificate_file,
                                 "--tls_key_file=" + https_.private_key_file,
                                 absl::StrCat("--router=127.0.0.1:", router_port_),
                                 "--router_ca_file=" + pki_->ca_file(),
                                 "--router_cert_file=" + client.certificate_file,
                                 "--router_key_file=" + client.private_key_file,
                                 "--supervisor_tokens_file=" + dir_ + "/supervisors",
                                 "--stats_interval=500ms", "--router_deadline=2s"},
        log, log));
    ChildProcess* dashboard = dashboards_.back().get();
    absl::Status s = dashboard->Start();
    if (s.ok()) s = dashboard->WaitForPort().status();
    if (!s.ok()) {
      ADD_FAILURE() << "wissel-dashboard: " << s << dashboard->Log();
      return nullptr;
    }
    return dashboard;
  }

  std::unique_ptr<httplib::SSLClient> Client(const ChildProcess* dashboard) {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", dashboard->port());
    client->set_ca_cert_path(pki_->ca_file().c_str());
    client->enable_server_certificate_verification(true);
    client->set_read_timeout(10, 0);
    return client;
  }

  // GET /api/snapshot with the team lead's token, parsed.
  Json Snapshot(const ChildProcess* dashboard) {
    auto res = Client(dashboard)->Get("/api/snapshot",
                                      {{"Authorization", absl::StrCat("Bearer ", kToken)}});
    EXPECT_TRUE(res) << httplib::to_string(res.error());
    if (!res || res->status != 200) return Json();
    return Json::parse(res->body);
  }

  // Headless Chromium, logged in through the dashboard's form, on the page.
  void OpenPageLoggedIn(const ChildProcess* dashboard) {
    browser_ = std::make_unique<DevToolsBrowser>(
        kChromium, dir_ + "/chromium-profile", dir_ + "/chromium.log",
        std::vector<std::string>{"--ignore-certificate-errors", "--window-size=1280,900"});
    ASSERT_TRUE(browser_->Start().ok());
    ASSERT_TRUE(browser_->SetViewport(1280, 900, 1).ok());
    const std::string origin = absl::StrCat("https://127.0.0.1:", dashboard->port());
    // Not logged in: the page answers with the login form.
    ASSERT_TRUE(browser_->Navigate(origin + "/").ok());
    ASSERT_TRUE(
        browser_
            ->WaitUntil("!!document.querySelector('form[action=\"/login\"]')", absl::Seconds(10))
            .ok());
    // A wrong token: the form again, with an alert.
    ASSERT_TRUE(browser_
                    ->Evaluate("document.getElementById('token').value = 'not-the-token-0123456';"
                               "document.querySelector('form').submit(); true")
                    .ok());
    absl::Status s = browser_->WaitUntil("!!document.querySelector('[role=\"alert\"]')",
                                         absl::Seconds(15), "document.body.innerText");
    ASSERT_TRUE(s.ok()) << s;
    // The team lead's token: the dashboard.
    ASSERT_TRUE(browser_
                    ->Evaluate(absl::StrCat("document.getElementById('token').value = '", kToken,
                                            "'; document.querySelector('form').submit(); true"))
                    .ok());
    s = browser_->WaitForPath("/", absl::Seconds(15));
    ASSERT_TRUE(s.ok()) << s;
    s = browser_->WaitUntil(absl::StrCat(Text("status"), " === 'Live'"), absl::Seconds(30),
                            Text("status"));
    ASSERT_TRUE(s.ok()) << s << dashboard->Log();
  }

  // Waits until the page shows `value` for `expression`; the test fails otherwise.
  void ExpectShown(const std::string& expression, const std::string& value,
                   absl::Duration timeout = absl::Seconds(30)) {
    const absl::Status s = browser_->WaitUntil(
        absl::StrCat(expression, " === ", Json(value).dump()), timeout, expression);
    EXPECT_TRUE(s.ok()) << s;
  }

  // Writes a screenshot and checks that it is a real picture of the page: a PNG of the window's
  // width and of a size that only a drawn page has.
  std::string Screenshot(const std::string& name, bool full_page, uint32_t width) {
    const std::string path = absl::StrCat(WISSEL_DASHBOARD_E2E_OUT, "/", name, ".png");
    std::filesystem::remove(path);
    const absl::Status s = browser_->Screenshot(path, full_page);
    EXPECT_TRUE(s.ok()) << s;
    const std::string png = ReadFile(path);
    absl::StatusOr<PngSize> size = PngDimensions(png);
    EXPECT_TRUE(size.ok()) << path;
    if (size.ok()) {
      EXPECT_EQ(size->width, width) << path;
      EXPECT_GE(size->height, 400u) << path;
    }
    EXPECT_GT(png.size(), 20000u) << path;
    std::cout << "dashboard screenshot: " << path << std::endl;
    return png;
  }

  v1::Handler SignIn(const std::string& id, const std::string& skill, v1::Presence presence,
                     bool chat) {
    v1::SignInRequest req;
    v1::Handler* h = req.mutable_handler();
    h->set_tenant(kTenant);
    h->set_handler_id(id);
    h->add_skills(skill);
    h->set_presence(presence);
    v1::ChannelCapacity* phone = h->add_capacity();
    phone->set_channel(v1::CHANNEL_PHONE);
    phone->set_max_contacts(1);
    v1::ChannelCapacity* chats = h->add_capacity();
    chats->set_channel(v1::CHANNEL_CHAT);
    chats->set_max_contacts(chat ? 1 : 0);
    v1::Handler out;
    const grpc::Status s = handlers_->SignIn(Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << id << ": " << s.error_message();
    return out;
  }

  v1::RouteContactResponse Route(const std::string& key, v1::Channel channel,
                                 const std::string& topic, bool need = false,
                                 bool wants_person = false) {
    v1::RouteContactRequest req;
    v1::Contact* c = req.mutable_contact();
    c->set_tenant(kTenant);
    c->set_channel(channel);
    c->set_topic(topic);
    c->set_idempotency_key(key);
    if (need) c->add_needs(v1::NEED_LOW_DIGITAL_SKILLS);
    c->set_wants_person(wants_person);
    v1::RouteContactResponse out;
    const grpc::Status s = routing_->RouteContact(Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << key << ": " << s.error_message();
    return out;
  }

  // The next offer on `reader`, which must be for `contact_id`; accepted.
  void AcceptNext(grpc::ClientReader<v1::Offer>* reader, const std::string& handler,
                  const std::string& contact_id) {
    v1::Offer offer;
    ASSERT_TRUE(reader->Read(&offer)) << "no offer for " << contact_id;
    ASSERT_EQ(offer.kind(), v1::Offer::KIND_OFFER);
    ASSERT_EQ(offer.contact_id(), contact_id);
    v1::OfferResponseRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(handler);
    req.set_contact_id(contact_id);
    v1::ContactRecord record;
    const grpc::Status s = handlers_->AcceptOffer(Ctx().get(), req, &record);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  std::string dir_;
  std::unique_ptr<TestPki> pki_;
  std::unique_ptr<RedisServer> redis_;
  int router_port_ = 0;
  std::string router_config_;
  std::unique_ptr<WisseldProcess> wisseld_;
  CertificateFiles https_;
  std::unique_ptr<v1::RoutingService::Stub> routing_;
  std::unique_ptr<v1::HandlerService::Stub> handlers_;
  std::vector<std::unique_ptr<ChildProcess>> dashboards_;
  std::unique_ptr<DevToolsBrowser> browser_;
};

TEST_F(DashboardE2eTest, AScriptedDayChangesWhatThePageShows) {
  ChildProcess* dashboard = StartDashboard(kDashboardIdentity);
  ASSERT_NE(dashboard, nullptr);
  OpenPageLoggedIn(dashboard);
  ASSERT_FALSE(HasFailure());

  // The morning: nobody has called yet.
  ExpectShown(Text("t-routed"), "0");
  ExpectShown(Text("t-waiting"), "0");
  ExpectShown(Text("tenant-name"), "Gemeente Test");
  ExpectShown(Cell("queues", "burgerzaken", "sla_target"), "5 min");
  const std::string morning = Screenshot("dashboard-morning", /*full_page=*/true, 1280);

  // The day. Three handlers: one available for the phone only, one busy, one away.
  SignIn("mw-bz-1", "burgerzaken", v1::PRESENCE_AVAILABLE, /*chat=*/false);
  SignIn("mw-bz-2", "burgerzaken", v1::PRESENCE_BUSY, /*chat=*/true);
  SignIn("mw-wmo-1", "wmo", v1::PRESENCE_AWAY, /*chat=*/true);
  grpc::ClientContext offers_context;
  offers_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  v1::StreamOffersRequest stream_request;
  stream_request.set_tenant(kTenant);
  stream_request.set_handler_id("mw-bz-1");
  std::unique_ptr<grpc::ClientReader<v1::Offer>> offers =
      handlers_->StreamOffers(&offers_context, stream_request);

  // A: paspoort by phone: steered to the digital alternative ("digitaal, tenzij").
  const v1::RouteContactResponse a = Route("dag-a", v1::CHANNEL_PHONE, "paspoort");
  EXPECT_EQ(a.decision().outcome(), v1::Decision::OUTCOME_DIGITAL);
  // B: paspoort by phone for a resident with low digital skills (exempt): accepted, completed,
  // wrapped up.
  const v1::RouteContactResponse b = Route("dag-b", v1::CHANNEL_PHONE, "paspoort", /*need=*/true);
  AcceptNext(offers.get(), "mw-bz-1", b.contact_id());
  {
    v1::CompleteContactRequest req;
    req.set_tenant(kTenant);
    req.set_contact_id(b.contact_id());
    v1::ContactRecord record;
    const grpc::Status s = routing_->CompleteContact(Ctx().get(), req, &record);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::FinishWrapUpRequest wrap;
    wrap.set_tenant(kTenant);
    wrap.set_handler_id("mw-bz-1");
    wrap.set_contact_id(b.contact_id());
    v1::Handler handler;
    const grpc::Status w = handlers_->FinishWrapUp(Ctx().get(), wrap, &handler);
    ASSERT_TRUE(w.ok()) << w.error_message();
  }
  // C: rijbewijs by phone: accepted, still in conversation.
  const v1::RouteContactResponse c = Route("dag-c", v1::CHANNEL_PHONE, "rijbewijs");
  AcceptNext(offers.get(), "mw-bz-1", c.contact_id());
  // D: paspoort by chat, the resident wants a person (exempt): nobody takes chats now, waits.
  Route("dag-d", v1::CHANNEL_CHAT, "paspoort", false, /*wants_person=*/true);
  // E: rijbewijs by phone: waits, then the resident hangs up.
  const v1::RouteContactResponse e = Route("dag-e", v1::CHANNEL_PHONE, "rijbewijs");
  {
    v1::CancelContactRequest req;
    req.set_tenant(kTenant);
    req.set_contact_id(e.contact_id());
    req.set_reason("caller_hung_up");
    v1::ContactRecord record;
    const grpc::Status s = routing_->CancelContact(Ctx().get(), req, &record);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // F and G: the WMO team's handler is away: both wait, over the team's 1 s norm soon.
  Route("dag-f", v1::CHANNEL_PHONE, "wmo-hulpmiddelen");
  Route("dag-g", v1::CHANNEL_PHONE, "mantelzorg");

  // What the page shows now, drawn from the stream without a reload.
  ExpectShown(Text("t-routed"), "7");
  ExpectShown(Text("t-handled"), "2");
  ExpectShown(Text("t-abandoned"), "1");
  ExpectShown(Text("t-waiting"), "3");
  ExpectShown(Text("t-sl"), "66,7%");
  ExpectShown(Cell("queues", "burgerzaken", "waiting"), "1");
  ExpectShown(Cell("queues", "burgerzaken", "routed"), "5");
  ExpectShown(Cell("queues", "burgerzaken", "handled"), "2");
  ExpectShown(Cell("queues", "burgerzaken", "abandoned"), "1");
  ExpectShown(Cell("queues", "burgerzaken", "service_level"), "66,7%");
  ExpectShown(Cell("queues", "burgerzaken", "handlers_signed_in"), "2");
  ExpectShown(Cell("queues", "wmo", "waiting"), "2");
  ExpectShown(Cell("queues", "wmo", "routed"), "2");
  ExpectShown(Cell("queues", "wmo", "service_level"), "–");
  ExpectShown(Cell("queues", "wmo", "handlers_available"), "0");
  EXPECT_TRUE(browser_
                  ->WaitUntil(absl::StrCat("document.querySelector('#queues tr[data-key=\"wmo\"] "
                                           "[data-field=\"longest_wait\"]').classList.contains("
                                           "'over') && ",
                                           Cell("queues", "wmo", "longest_wait"),
                                           ".includes('(boven norm)')"),
                              absl::Seconds(30), Cell("queues", "wmo", "longest_wait"))
                  .ok());
  ExpectShown(
      "document.querySelector('#handler-counts tr[data-state=\"in_conversation\"] "
      "td').textContent",
      "1");
  ExpectShown("document.querySelector('#handler-counts tr[data-state=\"busy\"] td').textContent",
              "1");
  ExpectShown("document.querySelector('#handler-counts tr[data-state=\"away\"] td').textContent",
              "1");
  ExpectShown(
      "document.querySelector('#handler-counts tr[data-state=\"available\"] td').textContent", "0");
  ExpectShown(Cell("handlers", "mw-bz-1", "state"), "In gesprek");
  ExpectShown(Cell("handlers", "mw-wmo-1", "state"), "Afwezig");
  ExpectShown(Cell("digital", "burgerzaken/", "routed"), "5");
  ExpectShown(Cell("digital", "burgerzaken/", "steered"), "1");
  ExpectShown(Cell("digital", "burgerzaken/", "exempt_need"), "1");
  ExpectShown(Cell("digital", "burgerzaken/", "exempt_wants_person"), "1");
  ExpectShown(Cell("digital", "sociaal_domein/maatwerk", "phase"), "Maatwerk");
  ExpectShown(Cell("digital", "sociaal_domein/preventie", "routed"), "1");
  ExpectShown("document.querySelector('#digital tfoot [data-field=\"steered\"]').textContent", "1");
  EXPECT_TRUE(browser_
                  ->WaitUntil(absl::StrCat(Text("cap-flow"),
                                           ".includes('7 binnengekomen, 2 afgehandeld, 1 "
                                           "afgebroken')"),
                              absl::Seconds(30), Text("cap-flow"))
                  .ok());
  EXPECT_TRUE(browser_
                  ->WaitUntil("document.querySelectorAll('#chart-flow svg polyline').length === 3 "
                              "&& document.querySelectorAll('#chart-wait svg rect').length > 0",
                              absl::Seconds(30))
                  .ok());
  // What a screen reader hears (the first announcement comes at once).
  EXPECT_TRUE(browser_
                  ->WaitUntil(absl::StrCat(Text("announce"), ".includes('contacten wachten')"),
                              absl::Seconds(30), Text("announce"))
                  .ok());

  // The whole page as the DOM has it.
  absl::StatusOr<Json> dom = browser_->Evaluate("document.documentElement.outerHTML");
  ASSERT_TRUE(dom.ok()) << dom.status();
  const std::string html = dom->get<std::string>();
  std::ofstream(absl::StrCat(WISSEL_DASHBOARD_E2E_OUT, "/dashboard-dom.html")) << html;
  EXPECT_THAT(html, HasSubstr(R"(<html lang="nl">)"));
  EXPECT_THAT(html, HasSubstr(R"(aria-live="polite")"));
  EXPECT_THAT(html, HasSubstr(R"(<caption id="cap-queues">Wachtrijen nu en vandaag</caption>)"));
  EXPECT_THAT(html, HasSubstr(R"(<th scope="row">burgerzaken</th>)"));
  EXPECT_THAT(html, HasSubstr(R"(role="img" aria-labelledby="cap-flow")"));

  // The screenshot differs from the morning's, and is the one for the README.
  const std::string day = Screenshot("dashboard", /*full_page=*/true, 1280);
  EXPECT_NE(day, morning);

  // The keyboard: the first Tab reaches the skip link, visibly; Enter jumps to the figures; the
  // next Tab reaches the first table's scrollable region.
  ASSERT_TRUE(browser_->Navigate(absl::StrCat("https://127.0.0.1:", dashboard->port(), "/")).ok());
  ExpectShown(Text("t-routed"), "7");
  ASSERT_TRUE(browser_->PressKey("Tab").ok());
  ExpectShown("document.activeElement.className", "skip");
  ExpectShown("getComputedStyle(document.activeElement).outlineStyle", "solid");
  ASSERT_TRUE(browser_->PressKey("Enter").ok());
  ExpectShown("document.activeElement.id", "inhoud");
  ASSERT_TRUE(browser_->PressKey("Tab").ok());
  ExpectShown("document.activeElement.getAttribute('aria-labelledby')", "cap-queues");

  // 400 % zoom of a 1280 pixel screen: 320 CSS pixels wide. The page reflows (no sideways
  // scrolling of the page; a wide table scrolls within its own region).
  ASSERT_TRUE(browser_->SetViewport(320, 900, 4).ok());
  EXPECT_TRUE(browser_
                  ->WaitUntil("document.documentElement.scrollWidth <= window.innerWidth",
                              absl::Seconds(10),
                              "document.documentElement.scrollWidth + ' > ' + window.innerWidth")
                  .ok());
  ExpectShown("String(window.innerWidth)", "320");
  Screenshot("dashboard-zoom-400", /*full_page=*/false, 1280);
  ASSERT_TRUE(browser_->SetViewport(1280, 900, 1).ok());

  // The router restarts: the page says the connection is gone, then comes back; the dashboard
  // resumes after the last event it had: one new contact counts once, nothing twice.
  offers_context.TryCancel();
  (void)offers->Finish();
  ASSERT_TRUE(wisseld_->SignalAndWait(SIGTERM).ok());
  EXPECT_TRUE(browser_
                  ->WaitUntil(absl::StrCat(Text("status"), ".startsWith('Geen verbinding')"),
                              absl::Seconds(30), Text("status"))
                  .ok());
  ASSERT_TRUE(wisseld_->Start().ok()) << wisseld_->Log();
  ExpectShown(Text("status"), "Live");
  if (HasFailure()) std::cout << "wisseld: " << wisseld_->Log() << std::endl;
  Route("dag-h", v1::CHANNEL_PHONE, "rijbewijs");
  ExpectShown(Text("t-routed"), "8");
  EXPECT_TRUE(browser_
                  ->WaitUntil(absl::StrCat(Text("cap-flow"), ".includes('8 binnengekomen')"),
                              absl::Seconds(30), Text("cap-flow"))
                  .ok());
  const Json snapshot = Snapshot(dashboard);
  EXPECT_EQ(snapshot["totals"]["routed"], 8);
  EXPECT_EQ(snapshot["totals"]["handled"], 2);
  EXPECT_EQ(snapshot["totals"]["steered"], 1);
  int bucket_routed = 0;
  for (const Json& bucket : snapshot["chart"]["buckets"])
    bucket_routed += bucket["routed"].get<int>();
  EXPECT_EQ(bucket_routed, 8);
  EXPECT_EQ(snapshot["feed"]["connected"], true);

  // The logout ends the session: the login form, also for the page itself.
  ASSERT_TRUE(browser_->Evaluate("document.querySelector('form.logout').submit(); true").ok());
  ASSERT_TRUE(browser_->WaitForPath("/login", absl::Seconds(15)).ok());
  ASSERT_TRUE(browser_->Navigate(absl::StrCat("https://127.0.0.1:", dashboard->port(), "/")).ok());
  ExpectShown(
      "String(!!document.querySelector('form[action=\"/login\"]') && "
      "!document.getElementById('queues'))",
      "true");
}

TEST_F(DashboardE2eTest, WhatMustBeRefusedIs) {
  ChildProcess* dashboard = StartDashboard(kDashboardIdentity);
  ASSERT_NE(dashboard, nullptr);
  std::unique_ptr<httplib::SSLClient> client = Client(dashboard);
  auto live = client->Get("/livez");
  ASSERT_TRUE(live) << httplib::to_string(live.error());
  EXPECT_EQ(live->status, 200);
  const httplib::Headers token = {{"Authorization", absl::StrCat("Bearer ", kToken)}};
  const httplib::Headers wrong = {{"Authorization", "Bearer not-the-token-0123456789abcdef"}};
  for (const char* path : {"/", "/api/snapshot", "/api/stream", "/healthz", "/dashboard.js"}) {
    for (const httplib::Headers& headers : {httplib::Headers{}, wrong}) {
      auto res = client->Get(path, headers);
      ASSERT_TRUE(res) << path;
      EXPECT_EQ(res->status, 401) << path;
      EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json") << path;
      EXPECT_EQ(Json::parse(res->body)["code"], "unauthenticated") << path;
    }
  }
  auto login = client->Post("/login", "token=not-the-token-0123456789abcdef",
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 401);
  EXPECT_FALSE(login->has_header("Set-Cookie"));
  // With the token: the figures, and health once the retained events are read.
  auto snapshot = client->Get("/api/snapshot", token);
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot->status, 200);
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  int health = 0;
  while (absl::Now() < give_up) {
    auto res = client->Get("/healthz", token);
    health = res ? res->status : 0;
    if (health == 200) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_EQ(health, 200);

  // Plain HTTP to the HTTPS port gets no answer.
  httplib::Client plain("127.0.0.1", dashboard->port());
  plain.set_read_timeout(5, 0);
  auto plain_res = plain.Get("/livez");
  EXPECT_FALSE(plain_res && plain_res->status == 200);

  // A dashboard that would serve plain HTTP to the network, or neither HTTPS nor plain HTTP, or
  // let nobody in, does not start (exit 2, saying why).
  struct Refusal {
    std::vector<std::string> flags;
    std::string says;
  };
  const std::string tokens = "--supervisor_tokens_file=" + dir_ + "/supervisors";
  const std::string router = absl::StrCat("--router=127.0.0.1:", router_port_);
  const Refusal refusals[] = {
      {{"--plaintext", "--listen=0.0.0.0:0", tokens, router, "--router_plaintext"},
       "only on a loopback listen address"},
      {{"--listen=127.0.0.1:0", tokens, router, "--router_plaintext"}, "HTTPS needs"},
      {{"--plaintext", "--listen=127.0.0.1:0", router, "--router_plaintext"},
       "--supervisor_tokens_file"},
      {{"--plaintext", "--listen=127.0.0.1:0", tokens, "--router=10.1.2.3:7450",
        "--router_plaintext"},
       "loopback"},
  };
  for (const Refusal& r : refusals) {
    std::vector<std::string> argv = {WISSEL_DASHBOARD_BINARY, absl::StrCat("--tenant=", kTenant)};
    argv.insert(argv.end(), r.flags.begin(), r.flags.end());
    ChildProcess refused(argv);
    ASSERT_TRUE(refused.Start().ok());
    absl::StatusOr<int> status = refused.Wait(absl::Seconds(20));
    ASSERT_TRUE(status.ok()) << r.says;
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2) << r.says << ": " << *status;
    EXPECT_THAT(refused.Log(), HasSubstr(r.says));
  }

  // A dashboard whose certificate has no supervisor role: the router refuses its stream; the
  // dashboard says so (page and health) and keeps trying.
  ChildProcess* unauthorised = StartDashboard(kChannelIdentity);
  ASSERT_NE(unauthorised, nullptr);
  std::string error;
  const absl::Time until = absl::Now() + absl::Seconds(30);
  while (absl::Now() < until) {
    const Json s = Snapshot(unauthorised);
    if (s.is_object()) error = s["feed"]["error"].get<std::string>();
    if (absl::StrContains(error, "PERMISSION_DENIED")) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_THAT(error, HasSubstr("WatchEvents: PERMISSION_DENIED"));
  auto refused_health = Client(unauthorised)->Get("/healthz", token);
  ASSERT_TRUE(refused_health);
  EXPECT_EQ(refused_health->status, 503);
}

}  // namespace
}  // namespace wissel::testing
