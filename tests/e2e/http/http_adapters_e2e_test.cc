// End to end: a real redis-server, the real wisseld, and the real wissel-chat and wissel-webform
// binaries, each a process on a free loopback port, driven over real HTTP (cpp-httplib client,
// and raw sockets for the slow client) and gRPC (the handler's side).
//
// One router and one adapter of each kind serve the whole suite (started once, stopped by pid);
// tests use their own session and submission ids. Tests that need an adapter of their own
// (router down, SIGTERM, HTTPS, rate limit, CORS) start one. The shared adapters serve plain
// HTTP on loopback (--plaintext) with a rate limit high enough for the whole suite.
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "adapters/chat/chat_api.pb.h"
#include "adapters/common/http_api.pb.h"
#include "adapters/webform/webform_api.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/common/parse_json.h"
#include "tests/adapters/common/raw_http.h"
#include "tests/adapters/common/sse_reader.h"
#include "tests/adapters/common/test_certificates.h"
#include "tests/adapters/common/tls_probe.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/wisseld_process.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::testing {
namespace {

using adapters::testing::BodyOf;
using adapters::testing::EventReader;
using adapters::testing::ParseJson;
using adapters::testing::PeerCommonName;
using adapters::testing::RawConnection;
using adapters::testing::StatusOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTenant[] = "gemeente-test";

// Two teams; "grofvuil" has a web form norm of 5 working days.
std::string RouterConfig(int redis_port) {
  return absl::StrReplaceAll(R"yaml(
listen_address: 127.0.0.1:0
drain_timeout: 2s
redis: {host: 127.0.0.1, port: PORT}
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
      - {name: category, max_length: 512}
      - {name: page, max_length: 512}
      - {name: submission_id, max_length: 128}
    contact_retention: 1d
    handler_defaults:
      offer_timeout: 30s
      max_wrap_up: 1m
    queues:
      - {name: burgerzaken}
      - {name: wmo, default_handle_time: 10m}
      - {name: afval}
    topics:
      - {code: paspoort, name: Paspoort, domain: burgerzaken, queue: burgerzaken}
      - {code: wmo-hulpmiddelen, name: Hulpmiddelen, domain: sociaal_domein, queue: wmo}
      - {code: grofvuil, name: Grofvuil, domain: openbare_ruimte, queue: afval,
         norms: {web_form: {working_days: 5}}}
  # A second municipality: the same ids there are other contacts, and tokens do not cross.
  - id: gemeente-ander
    name: Gemeente Ander
    dynamic_handlers: true
    pseudonym_secret: "ander-secret-ander-secret-ander-secret-01"
    attributes:
      - {name: submission_id, max_length: 128}
    contact_retention: 1d
    queues:
      - {name: afval}
    topics:
      - {code: grofvuil, name: Grofvuil, domain: openbare_ruimte, queue: afval}
)yaml",
                             {{"PORT", absl::StrCat(redis_port)}});
}

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return ctx;
}

class HttpAdaptersE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = redis->release();
    router_ = new WisseldProcess(WISSELD_BINARY, RouterConfig(redis_->port()));
    ASSERT_TRUE(router_->Start().ok()) << router_->Log();
    channel_ = new std::shared_ptr<grpc::Channel>(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", router_->port()), grpc::InsecureChannelCredentials()));
    chat_ = StartChat();
    webform_ = StartWebform({});
  }

  static void TearDownTestSuite() {
    delete chat_;
    delete webform_;
    if (router_ != nullptr) (void)router_->SignalAndWait(SIGTERM, absl::Seconds(10));
    delete router_;
    delete channel_;
    delete redis_;
  }

  static std::string RouterTarget() { return absl::StrCat("127.0.0.1:", router_->port()); }

  // Starts `process` and waits (bounded) for its "listening on port N" line.
  static absl::Status StartListening(ChildProcess& process) {
    if (absl::Status s = process.Start(); !s.ok()) return s;
    return process.WaitForPort().status();
  }

  static ChildProcess* StartChat() {
    auto* chat =
        new ChildProcess({WISSEL_CHAT_BINARY, "--listen=127.0.0.1:0", "--plaintext",
                          "--rate_limit_burst=1000", "--read_timeout=1s", "--poll_interval=100ms",
                          absl::StrCat("--router=", RouterTarget()), "--router_plaintext"});
    const absl::Status s = StartListening(*chat);
    EXPECT_TRUE(s.ok()) << s << chat->Log();
    return chat;
  }

  // `env` configures the adapter by environment, as in a container.
  static ChildProcess* StartWebform(std::vector<std::string> env, std::string router = "") {
    if (router.empty()) env.push_back(absl::StrCat("WISSEL_ROUTER=", RouterTarget()));
    env.push_back("WISSEL_PLAINTEXT=true");
    env.push_back("WISSEL_ROUTER_PLAINTEXT=true");  // the test's router runs plaintext on loopback
    auto* webform = new ChildProcess({WISSEL_WEBFORM_BINARY, "--listen=127.0.0.1:0",
                                      "--read_timeout=1s", "--rate_limit_burst=1000"},
                                     std::move(env));
    const absl::Status s = StartListening(*webform);
    EXPECT_TRUE(s.ok()) << s << webform->Log();
    return webform;
  }

  static httplib::Client Client(const ChildProcess* process) {
    httplib::Client client("127.0.0.1", process->port());
    client.set_read_timeout(5, 0);
    client.set_connection_timeout(2, 0);
    return client;
  }

  httplib::Result OpenChat(const std::string& session_id, const std::string& topic = "paspoort",
                           const std::string& token = "") {
    return Client(chat_).Post(
        "/v1/chat/sessions", Auth(token),
        absl::StrCat(R"({"tenant":"gemeente-test","session_id":")", session_id, R"(","topic":")",
                     topic, R"(","language":"nl","needs":["low_digital_skills"]})"),
        "application/json");
  }

  static httplib::Headers Auth(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", absl::StrCat("Bearer ", token)}};
  }

  // The events URL with the session token, as a browser's EventSource passes it.
  static std::string WithToken(const std::string& events_url, const std::string& token) {
    return absl::StrCat(events_url, "?session_token=", token);
  }

  // The contact's state as the router has it.
  std::string ContactState(const std::string& contact_id) {
    auto stub = v1::RoutingService::NewStub(*channel_);
    v1::GetContactRequest request;
    request.set_tenant(kTenant);
    request.set_contact_id(contact_id);
    v1::ContactRecord record;
    const grpc::Status s = stub->GetContact(Ctx().get(), request, &record);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return v1::ContactState_Name(record.state());
  }

  void SignIn(const std::string& handler_id, const std::string& skill) {
    auto stub = v1::HandlerService::NewStub(*channel_);
    v1::SignInRequest request;
    request.mutable_handler()->set_tenant(kTenant);
    request.mutable_handler()->set_handler_id(handler_id);
    request.mutable_handler()->add_skills(skill);
    v1::Handler response;
    const grpc::Status s = stub->SignIn(Ctx().get(), request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  void Accept(const std::string& handler_id, const std::string& contact_id) {
    auto stub = v1::HandlerService::NewStub(*channel_);
    v1::OfferResponseRequest request;
    request.set_tenant(kTenant);
    request.set_handler_id(handler_id);
    request.set_contact_id(contact_id);
    v1::ContactRecord response;
    const grpc::Status s = stub->AcceptOffer(Ctx().get(), request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Every key in Redis with its string value or its members (values of every type), and each
  // contact's payload whole.
  static std::string DumpRedis() { return redis_->Dump(); }

  static std::set<std::string> RedisKeys() {
    auto keys = redis_->Keys("*");
    EXPECT_TRUE(keys.ok()) << keys.status();
    return keys.ok() ? std::set<std::string>(keys->begin(), keys->end()) : std::set<std::string>();
  }

  static RedisServer* redis_;
  static WisseldProcess* router_;
  static ChildProcess* chat_;
  static ChildProcess* webform_;
  static std::shared_ptr<grpc::Channel>* channel_;
};

RedisServer* HttpAdaptersE2eTest::redis_ = nullptr;
WisseldProcess* HttpAdaptersE2eTest::router_ = nullptr;
ChildProcess* HttpAdaptersE2eTest::chat_ = nullptr;
ChildProcess* HttpAdaptersE2eTest::webform_ = nullptr;
std::shared_ptr<grpc::Channel>* HttpAdaptersE2eTest::channel_ = nullptr;

// A queued chat is assigned once a handler signs in, which the events stream shows; a retried
// open is the same contact; ending the session completes the contact and ends the stream.
TEST_F(HttpAdaptersE2eTest, ChatSessionFromQueueToAssignedToEnded) {
  auto opened = OpenChat("e2e-chat-1");
  ASSERT_TRUE(opened);
  ASSERT_EQ(opened->status, 200) << opened->body;
  const auto session = ParseJson<adapters::chat::api::SessionResponse>(opened->body);
  EXPECT_EQ(session.outcome(), "queued");
  EXPECT_EQ(session.queue(), "burgerzaken");
  EXPECT_EQ(session.position(), 1);
  const std::string contact = session.contact_id();
  ASSERT_FALSE(contact.empty());
  const std::string token = session.session_token();
  ASSERT_FALSE(token.empty());

  EventReader events(chat_->port(), WithToken(session.events_url(), token));
  ASSERT_TRUE(events.WaitFor("position")) << events.Text();
  EXPECT_EQ(ParseJson<adapters::chat::api::SessionEvent>(events.Data("position")).position(), 1);

  auto retried = OpenChat("e2e-chat-1", "paspoort", token);
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->status, 200);
  EXPECT_EQ(ParseJson<adapters::chat::api::SessionResponse>(retried->body).contact_id(), contact);

  SignIn("h-chat-1", "burgerzaken");
  ASSERT_TRUE(events.WaitFor("assigned")) << events.Text();
  auto assigned = ParseJson<adapters::chat::api::SessionEvent>(events.Data("assigned"));
  EXPECT_EQ(assigned.handler_id(), "h-chat-1");
  EXPECT_EQ(assigned.state(), "offered");

  Accept("h-chat-1", contact);
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (ParseJson<adapters::chat::api::SessionEvent>(events.Data("assigned")).state() !=
             "connected" &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(ParseJson<adapters::chat::api::SessionEvent>(events.Data("assigned")).state(),
            "connected");

  auto ended = Client(chat_).Post("/v1/chat/sessions/gemeente-test/e2e-chat-1/end", Auth(token),
                                  R"({"reason":"completed"})", "application/json");
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->status, 200) << ended->body;
  EXPECT_EQ(ParseJson<adapters::chat::api::EndSessionResponse>(ended->body).state(), "completed");
  ASSERT_TRUE(events.WaitFor("ended")) << events.Text();
  EXPECT_EQ(ParseJson<adapters::chat::api::SessionEvent>(events.Data("ended")).state(),
            "completed");
  EXPECT_TRUE(events.WaitForEnd());
}

// The position on the stream moves up when the contact ahead leaves (the visitor ends it).
TEST_F(HttpAdaptersE2eTest, ChatPositionMovesUpWhenTheOneAheadLeaves) {
  auto first = OpenChat("e2e-wmo-1", "wmo-hulpmiddelen");
  auto second = OpenChat("e2e-wmo-2", "wmo-hulpmiddelen");
  ASSERT_TRUE(first && second);
  ASSERT_EQ(second->status, 200) << second->body;
  const auto second_session = ParseJson<adapters::chat::api::SessionResponse>(second->body);
  EXPECT_EQ(second_session.position(), 2);
  const std::string first_token =
      ParseJson<adapters::chat::api::SessionResponse>(first->body).session_token();
  EventReader events(chat_->port(),
                     WithToken(second_session.events_url(), second_session.session_token()));
  ASSERT_TRUE(events.WaitFor("position"));
  EXPECT_EQ(ParseJson<adapters::chat::api::SessionEvent>(events.Data("position")).position(), 2);

  auto left = Client(chat_).Delete("/v1/chat/sessions/gemeente-test/e2e-wmo-1", Auth(first_token));
  ASSERT_TRUE(left);
  EXPECT_EQ(left->status, 200) << left->body;
  EXPECT_EQ(ParseJson<adapters::chat::api::EndSessionResponse>(left->body).state(), "abandoned");
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (ParseJson<adapters::chat::api::SessionEvent>(events.Data("position")).position() != 1 &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(ParseJson<adapters::chat::api::SessionEvent>(events.Data("position")).position(), 1)
      << events.Text();
  auto gone = Client(chat_).Delete("/v1/chat/sessions/gemeente-test/e2e-wmo-2",
                                   Auth(second_session.session_token()));
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 200);
  EXPECT_TRUE(events.WaitFor("ended"));
}

TEST_F(HttpAdaptersE2eTest, WebformJsonAndUrlencodedAreAccepted) {
  auto json = Client(webform_).Post(
      "/v1/forms/gemeente-test/grofvuil",
      R"({"submission_id":"e2e-form-1","email":"inwoner@example.nl","name":"A. Inwoner",
          "message":"Bank en matras","attributes":{"category":"afval"}})",
      "application/json");
  ASSERT_TRUE(json);
  ASSERT_EQ(json->status, 202) << json->body;
  const auto accepted = ParseJson<adapters::webform::api::SubmissionAccepted>(json->body);
  EXPECT_FALSE(accepted.contact_id().empty());
  EXPECT_EQ(accepted.queue(), "afval");
  EXPECT_EQ(accepted.outcome(), "queued");
  EXPECT_EQ(json->get_header_value("Location"),
            absl::StrCat("/v1/forms/gemeente-test/contacts/", accepted.contact_id()));

  auto form = Client(webform_).Post(
      "/v1/forms/gemeente-test/grofvuil",
      "submission_id=e2e-form-2&email=ander%40example.nl&message=Koelkast&category=afval",
      "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  ASSERT_EQ(form->status, 202) << form->body;
  const auto second = ParseJson<adapters::webform::api::SubmissionAccepted>(form->body);
  EXPECT_NE(second.contact_id(), accepted.contact_id());

  // The same submission again is the same work item (and hands out no status token).
  auto again = Client(webform_).Post(
      "/v1/forms/gemeente-test/grofvuil",
      "submission_id=e2e-form-2&email=ander%40example.nl&message=Koelkast&category=afval",
      "application/x-www-form-urlencoded");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 202);
  const auto resubmitted = ParseJson<adapters::webform::api::SubmissionAccepted>(again->body);
  EXPECT_EQ(resubmitted.contact_id(), second.contact_id());
  EXPECT_TRUE(resubmitted.status_token().empty());

  auto status =
      Client(webform_).Get(form->get_header_value("Location"), Auth(second.status_token()));
  ASSERT_TRUE(status);
  ASSERT_EQ(status->status, 200) << status->body;
  EXPECT_EQ(ParseJson<adapters::webform::api::SubmissionStatus>(status->body).state(), "queued");

  // Personal data of the form is nowhere in Redis in clear.
  const std::string dump = DumpRedis();
  for (const char* clear :
       {"inwoner@example.nl", "ander@example.nl", "A. Inwoner", "Koelkast", "Bank en matras"}) {
    EXPECT_THAT(dump, Not(HasSubstr(clear))) << clear;
  }
}

// Enable when the router computes expected_handling_date (calendar + the topic's norm).
TEST_F(HttpAdaptersE2eTest, WebformAnswersWithTheExpectedHandlingDate) {
  auto res = Client(webform_).Post("/v1/forms/gemeente-test/grofvuil",
                                   R"({"submission_id":"e2e-form-date"})", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  const auto accepted = ParseJson<adapters::webform::api::SubmissionAccepted>(res->body);
  EXPECT_TRUE(
      std::regex_match(accepted.expected_handling_date(), std::regex(R"(\d{4}-\d{2}-\d{2})")))
      << res->body;
}

// Bad input gets a problem naming the field, and changes nothing in Redis.
TEST_F(HttpAdaptersE2eTest, BadInputLeavesNothingInRedis) {
  const std::set<std::string> before = RedisKeys();
  struct Bad {
    const ChildProcess* adapter;
    std::string path;
    std::string content_type;
    std::string body;
    int status;
    std::string field;
  };
  const std::string big(70 * 1024, 'x');
  const std::vector<Bad> bad = {
      {chat_, "/v1/chat/sessions", "application/json", R"({"tenant":)", 400, "body"},
      {chat_, "/v1/chat/sessions", "application/json",
       R"({"tenant":"gemeente-test","session_id":12,"topic":"paspoort"})", 400, "session_id"},
      {chat_, "/v1/chat/sessions", "application/json",
       R"({"tenant":"gemeente-test","session_id":"bad-1","topic":"paspoort","x":1})", 400, "x"},
      {chat_, "/v1/chat/sessions", "application/json",
       R"({"tenant":"gemeente-test","topic":"paspoort"})", 400, "session_id"},
      {chat_, "/v1/chat/sessions", "application/json",
       R"({"tenant":"gemeente-test","session_id":"bad-2","topic":"bestaat-niet"})", 400, "topic"},
      {chat_, "/v1/chat/sessions", "application/json",
       R"({"tenant":"gemeente-nergens","session_id":"bad-3","topic":"paspoort"})", 400, "tenant"},
      {chat_, "/v1/chat/sessions", "application/json",
       R"({"tenant":"gemeente-test","session_id":"bad-4","topic":"paspoort",
           "party":{"bsn":"123456789"}})",
       400, "party.bsn"},
      {chat_, "/v1/chat/sessions", "application/json", big, 413, "body"},
      {chat_, "/v1/chat/sessions", "text/plain", "bad-5", 415, "Content-Type"},
      {webform_, "/v1/forms/gemeente-test/grofvuil", "application/json", "{", 400, "body"},
      {webform_, "/v1/forms/gemeente-test/bestaat-niet", "application/json",
       R"({"submission_id":"bad-6"})", 400, "topic"},
      {webform_, "/v1/forms/gemeente-test/grofvuil", "application/x-www-form-urlencoded",
       "submission_id=bad-7&message=%zz", 400, "message"},
      {webform_, "/v1/forms/gemeente-test/grofvuil", "application/x-www-form-urlencoded",
       "name=zonder+id", 400, "submission_id"},
      {webform_, "/v1/forms/gemeente-test/grofvuil", "application/x-www-form-urlencoded",
       "submission_id=bad-8&email=geen-adres", 400, "email"},
      {webform_, "/v1/forms/gemeente-test/grofvuil", "application/x-www-form-urlencoded",
       "submission_id=bad-9&message=" + big, 413, "body"},
      {webform_, "/v1/forms/gemeente-test/grofvuil", "text/html", "<p>bad-10</p>", 415,
       "Content-Type"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(absl::StrCat(b.path, " ", b.content_type, " ", b.body.substr(0, 80)));
    auto res = Client(b.adapter).Post(b.path, b.body, b.content_type);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, b.status) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
    EXPECT_EQ(ParseJson<adapters::api::Problem>(res->body).field(), b.field) << res->body;
  }
  EXPECT_EQ(RedisKeys(), before);
  EXPECT_THAT(DumpRedis(), Not(HasSubstr("bad-")));
}

// A client that sends its headers and part of the body, then stalls, gets 408 after the read
// timeout (1 s here), and the connection is closed; nothing is routed.
TEST_F(HttpAdaptersE2eTest, SlowClientGets408) {
  const std::set<std::string> before = RedisKeys();
  RawConnection c(webform_->port());
  ASSERT_TRUE(c.connected());
  const absl::Time start = absl::Now();
  ASSERT_TRUE(c.Send(
      "POST /v1/forms/gemeente-test/grofvuil HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"submission_id\": \"slow"));
  const std::string response = c.ReadResponse(absl::Seconds(5));
  EXPECT_EQ(StatusOf(response), 408) << response;
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(900));
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  EXPECT_THAT(response, HasSubstr("Connection: close"));
  EXPECT_EQ(ParseJson<adapters::api::Problem>(BodyOf(response)).code(), "request_timeout");
  EXPECT_TRUE(c.WaitForClose(absl::Seconds(3)));
  EXPECT_EQ(RedisKeys(), before);
}

// The router unreachable: 503 with Retry-After at once, never a hang; health says so too.
TEST_F(HttpAdaptersE2eTest, RouterDownIs503WithRetryAfter) {
  std::unique_ptr<ChildProcess> orphan(StartWebform(
      {absl::StrCat("WISSEL_ROUTER=127.0.0.1:", UnusedTcpPort()), "WISSEL_RETRY_AFTER=3s"},
      "unreachable"));
  const absl::Time start = absl::Now();
  auto res = Client(orphan.get())
                 .Post("/v1/forms/gemeente-test/grofvuil", R"({"submission_id":"e2e-down"})",
                       "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_EQ(res->get_header_value("Retry-After"), "3");
  EXPECT_EQ(ParseJson<adapters::api::Problem>(res->body).code(), "router_unavailable");
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  auto health = Client(orphan.get()).Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  auto live = Client(orphan.get()).Get("/livez");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);

  for (const ChildProcess* adapter : {chat_, webform_}) {
    auto serving = Client(adapter).Get("/healthz");
    ASSERT_TRUE(serving);
    EXPECT_EQ(serving->status, 200) << serving->body;
  }
}

// SIGTERM: the adapter stops accepting, ends open event streams, finishes, and exits 0.
TEST_F(HttpAdaptersE2eTest, SigtermStopsGracefully) {
  std::unique_ptr<ChildProcess> chat(StartChat());
  auto opened =
      Client(chat.get())
          .Post("/v1/chat/sessions",
                R"({"tenant":"gemeente-test","session_id":"e2e-term","topic":"wmo-hulpmiddelen"})",
                "application/json");
  ASSERT_TRUE(opened);
  ASSERT_EQ(opened->status, 200) << opened->body;
  const auto session = ParseJson<adapters::chat::api::SessionResponse>(opened->body);
  EventReader events(chat->port(), WithToken(session.events_url(), session.session_token()));
  ASSERT_TRUE(events.WaitFor("position"));
  const absl::Time start = absl::Now();
  absl::StatusOr<int> exit = chat->SignalAndWait(SIGTERM, absl::Seconds(10));
  ASSERT_TRUE(exit.ok()) << exit.status() << chat->Log();
  EXPECT_TRUE(WIFEXITED(*exit));
  EXPECT_EQ(WEXITSTATUS(*exit), 0);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(events.WaitForEnd(absl::Seconds(2)));
  EXPECT_THAT(chat->Log(), HasSubstr("finishing requests in flight"));
}

// A temporary folder, removed with the object.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/wissel-http-e2e-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// HTTPS: the adapter serves with the certificate from its files (a verifying client accepts
// it), refuses TLS 1.1 (openssl s_client -tls1_1 fails where -tls1_2 works), and a certificate
// replaced on disk is what the next connection sees, without a restart.
TEST_F(HttpAdaptersE2eTest, HttpsServesReloadsTheCertificateAndRefusesTls11) {
  TempDir dir;
  const std::string cert = dir.path() + "/tls.crt";
  const std::string key = dir.path() + "/tls.key";
  ASSERT_TRUE(adapters::testing::WriteSelfSignedCertificate(cert, key, "wissel-e2e-a"));
  ChildProcess chat({WISSEL_CHAT_BINARY, "--listen=127.0.0.1:0", "--tls_cert_file=" + cert,
                     "--tls_key_file=" + key, absl::StrCat("--router=", RouterTarget()),
                     "--router_plaintext"});
  ASSERT_TRUE(StartListening(chat).ok()) << chat.Log();

  httplib::SSLClient client("127.0.0.1", chat.port());
  client.set_ca_cert_path(cert.c_str());
  client.enable_server_certificate_verification(true);
  client.set_read_timeout(5, 0);
  auto opened = client.Post(
      "/v1/chat/sessions",
      R"({"tenant":"gemeente-test","session_id":"e2e-https","topic":"wmo-hulpmiddelen"})",
      "application/json");
  ASSERT_TRUE(opened) << httplib::to_string(opened.error()) << chat.Log();
  EXPECT_EQ(opened->status, 200) << opened->body;
  const auto session = ParseJson<adapters::chat::api::SessionResponse>(opened->body);

  // Plain HTTP to the HTTPS port gets no HTTP answer.
  httplib::Client plain("127.0.0.1", chat.port());
  plain.set_read_timeout(2, 0);
  auto refused = plain.Get("/livez");
  EXPECT_TRUE(!refused || refused->status != 200);

  const std::string address = absl::StrCat("127.0.0.1:", chat.port());
  auto s_client = [&](const std::string& version) {
    ChildProcess openssl({"/usr/bin/openssl", "s_client", "-connect", address, version, "-cipher",
                          "DEFAULT@SECLEVEL=0"});
    EXPECT_TRUE(openssl.Start().ok());
    absl::StatusOr<int> status = openssl.Wait(absl::Seconds(20));
    EXPECT_TRUE(status.ok()) << status.status();
    return status.ok() && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  };
  EXPECT_NE(s_client("-tls1_1"), 0);
  EXPECT_EQ(s_client("-tls1_2"), 0);  // the control: the same client with TLS 1.2 connects
  EXPECT_EQ(PeerCommonName(chat.port(), TLS1_1_VERSION).status().code(),
            absl::StatusCode::kUnavailable);

  // Rotation: the files are replaced; a new connection sees the new certificate.
  EXPECT_EQ(PeerCommonName(chat.port()).value_or(""), "wissel-e2e-a");
  ASSERT_TRUE(adapters::testing::WriteSelfSignedCertificate(cert, key, "wissel-e2e-b"));
  std::string seen;
  const absl::Time give_up = absl::Now() + absl::Seconds(15);
  while (absl::Now() < give_up) {
    seen = PeerCommonName(chat.port()).value_or("");
    if (seen == "wissel-e2e-b") break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_EQ(seen, "wissel-e2e-b") << chat.Log();
  // The same process (its sessions are still there) answers over the new certificate.
  httplib::SSLClient rotated("127.0.0.1", chat.port());
  rotated.set_ca_cert_path(cert.c_str());
  rotated.enable_server_certificate_verification(true);
  auto still =
      rotated.Get("/v1/chat/sessions/gemeente-test/e2e-https", Auth(session.session_token()));
  ASSERT_TRUE(still) << httplib::to_string(still.error());
  EXPECT_EQ(still->status, 200) << still->body;
  auto left =
      rotated.Delete("/v1/chat/sessions/gemeente-test/e2e-https", Auth(session.session_token()));
  ASSERT_TRUE(left);
  EXPECT_EQ(left->status, 200);
}

// Plain HTTP only when asked for and only on loopback; HTTPS needs both files, readable. Each
// refusal is exit 2 with a message saying what to do.
TEST_F(HttpAdaptersE2eTest, PlaintextOnlyOnLoopbackAndHttpsNeedsItsFiles) {
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--plaintext", "--listen=0.0.0.0:0"}, {}, "only on a loopback listen address"},
      {{"--plaintext", "--listen=:0"}, {}, "only on a loopback listen address"},
      {{}, {"WISSEL_PLAINTEXT=true", "WISSEL_LISTEN=0.0.0.0:0"}, "loopback"},
      {{"--listen=127.0.0.1:0"}, {}, "HTTPS needs --tls_cert_file and --tls_key_file"},
      {{"--listen=127.0.0.1:0", "--plaintext", "--tls_cert_file=/x", "--tls_key_file=/y"},
       {},
       "exclude each other"},
      {{"--listen=127.0.0.1:0", "--tls_cert_file=/nonexistent/tls.crt",
        "--tls_key_file=/nonexistent/tls.key"},
       {},
       "/nonexistent/tls.crt: cannot be read"},
      {{"--listen=127.0.0.1:0", "--plaintext", "--allowed_origins=*"}, {}, "allowed_origins[0]"},
      {{"--listen=127.0.0.1:0", "--plaintext", "--rate_limit_burst=0"}, {}, "rate_limit_burst"},
  };
  for (const char* binary : {WISSEL_CHAT_BINARY, WISSEL_WEBFORM_BINARY}) {
    for (const Case& c : cases) {
      SCOPED_TRACE(absl::StrCat(binary, " ", absl::StrJoin(c.args, " ")));
      std::vector<std::string> argv = {binary, absl::StrCat("--router=", RouterTarget()),
                                       "--router_plaintext"};
      argv.insert(argv.end(), c.args.begin(), c.args.end());
      ChildProcess adapter(argv, c.env);
      ASSERT_TRUE(adapter.Start().ok());
      absl::StatusOr<int> status = adapter.Wait(absl::Seconds(20));
      ASSERT_TRUE(status.ok()) << status.status();
      EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2) << *status << adapter.Log();
      EXPECT_THAT(adapter.Log(), HasSubstr(c.message));
    }
  }
}

// Reading a chat session's events and ending it need its token: none is 401, another
// session's is 404 (the same as no such session); nothing changes at the router.
TEST_F(HttpAdaptersE2eTest, ChatSessionCallsNeedTheSessionToken) {
  auto one = OpenChat("e2e-token-1", "wmo-hulpmiddelen");
  auto two = OpenChat("e2e-token-2", "wmo-hulpmiddelen");
  ASSERT_TRUE(one && two);
  ASSERT_EQ(one->status, 200) << one->body;
  const auto first = ParseJson<adapters::chat::api::SessionResponse>(one->body);
  const auto second = ParseJson<adapters::chat::api::SessionResponse>(two->body);
  const std::set<std::string> before = RedisKeys();
  const std::string path = "/v1/chat/sessions/gemeente-test/e2e-token-1";
  for (const std::string& token : {std::string(""), second.session_token()}) {
    SCOPED_TRACE(token.empty() ? "no token" : "another session's token");
    const int expected = token.empty() ? 401 : 404;
    std::vector<httplib::Result> answers;
    answers.push_back(Client(chat_).Get(path + "/events", Auth(token)));
    answers.push_back(Client(chat_).Get(WithToken(path + "/events", token)));
    answers.push_back(Client(chat_).Post(path + "/end", Auth(token), R"({"reason":"abandoned"})",
                                         "application/json"));
    answers.push_back(Client(chat_).Post(
        path + "/end", Auth(token),
        absl::StrCat(R"({"reason":"abandoned","contact_id":")", first.contact_id(), R"("})"),
        "application/json"));
    answers.push_back(Client(chat_).Delete(path, Auth(token)));
    answers.push_back(Client(chat_).Get(path, Auth(token)));
    for (auto& res : answers) {
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, expected) << res->body;
      EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
      EXPECT_THAT(res->body, Not(HasSubstr(first.contact_id())));
    }
  }
  EXPECT_EQ(ContactState(first.contact_id()), "CONTACT_STATE_QUEUED");
  EXPECT_EQ(RedisKeys(), before);
  // A re-open without the token does not hand out the session either.
  auto reopen = OpenChat("e2e-token-1", "wmo-hulpmiddelen");
  ASSERT_TRUE(reopen);
  EXPECT_EQ(reopen->status, 401);
  EXPECT_THAT(reopen->body, Not(HasSubstr(first.contact_id())));

  // The holders of the tokens end their sessions.
  for (const auto& session : {first, second}) {
    auto left =
        Client(chat_).Delete(absl::StrCat("/v1/chat/sessions/gemeente-test/", session.session_id()),
                             Auth(session.session_token()));
    ASSERT_TRUE(left);
    EXPECT_EQ(left->status, 200) << left->body;
  }
  EXPECT_EQ(ContactState(first.contact_id()), "CONTACT_STATE_ABANDONED");
}

// A web form's status needs the status token of its submission's answer: none is 401, another
// submission's or another tenant's is the same 404 as a contact id that does not exist.
TEST_F(HttpAdaptersE2eTest, WebformStatusNeedsTheStatusToken) {
  auto submit = [&](const std::string& tenant, const std::string& id) {
    auto res = Client(webform_).Post(absl::StrCat("/v1/forms/", tenant, "/grofvuil"),
                                     absl::StrCat(R"({"submission_id":")", id, R"("})"),
                                     "application/json");
    EXPECT_TRUE(res);
    EXPECT_EQ(res ? res->status : 0, 202) << (res ? res->body : "");
    return res ? ParseJson<adapters::webform::api::SubmissionAccepted>(res->body)
               : adapters::webform::api::SubmissionAccepted();
  };
  const auto mine = submit(kTenant, "e2e-status-mine");
  const auto theirs = submit(kTenant, "e2e-status-theirs");
  const auto elsewhere = submit("gemeente-ander", "e2e-status-mine");
  ASSERT_FALSE(mine.status_token().empty());
  ASSERT_FALSE(theirs.status_token().empty());
  ASSERT_FALSE(elsewhere.status_token().empty());
  const std::string path = mine.status_url();

  auto none = Client(webform_).Get(path);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401) << none->body;
  EXPECT_EQ(none->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), R"(Bearer realm="wissel-webform")");
  EXPECT_EQ(ParseJson<adapters::api::Problem>(none->body).code(), "unauthenticated");
  EXPECT_THAT(none->body, Not(HasSubstr("queued")));

  struct Wrong {
    std::string name;
    std::string path;
    std::string token;
  };
  const Wrong wrong[] = {
      {"another submission's token", path, theirs.status_token()},
      {"another tenant's token", path, elsewhere.status_token()},
      {"the right token on another tenant's path",
       absl::StrCat("/v1/forms/gemeente-ander/contacts/", mine.contact_id()), mine.status_token()},
      {"a contact id that does not exist", "/v1/forms/gemeente-test/contacts/0000000000000000",
       mine.status_token()},
  };
  for (const Wrong& w : wrong) {
    SCOPED_TRACE(w.name);
    auto res = Client(webform_).Get(w.path, Auth(w.token));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
    EXPECT_EQ(ParseJson<adapters::api::Problem>(res->body).code(), "not_found");
    EXPECT_THAT(res->body, Not(HasSubstr("queued")));
  }

  auto own = Client(webform_).Get(path, Auth(mine.status_token()));
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200) << own->body;
  const auto status = ParseJson<adapters::webform::api::SubmissionStatus>(own->body);
  EXPECT_EQ(status.contact_id(), mine.contact_id());
  EXPECT_EQ(status.state(), "queued");
  EXPECT_EQ(ContactState(mine.contact_id()), "CONTACT_STATE_QUEUED");
}

// CORS: only the configured origin gets Access-Control-Allow-Origin; a page of another origin
// gets none, its preflight is refused, and its state-changing call is 403 and routes nothing.
TEST_F(HttpAdaptersE2eTest, CorsOnlyForTheConfiguredOrigin) {
  std::unique_ptr<ChildProcess> webform(
      StartWebform({"WISSEL_ALLOWED_ORIGINS=https://formulieren.gemeente-test.nl"}));
  const std::set<std::string> before = RedisKeys();
  const std::string path = "/v1/forms/gemeente-test/grofvuil";
  for (const ChildProcess* adapter : {webform.get(), chat_}) {
    const std::string target = adapter == chat_ ? "/v1/chat/sessions" : path;
    const std::string body =
        adapter == chat_
            ? R"({"tenant":"gemeente-test","session_id":"e2e-cors-x","topic":"paspoort"})"
            : R"({"submission_id":"e2e-cors-x"})";
    auto foreign = Client(adapter).Post(target, {{"Origin", "https://evil.example"}}, body,
                                        "application/json");
    ASSERT_TRUE(foreign);
    EXPECT_EQ(foreign->status, 403) << foreign->body;
    EXPECT_FALSE(foreign->has_header("Access-Control-Allow-Origin"));
    EXPECT_EQ(ParseJson<adapters::api::Problem>(foreign->body).code(), "origin_not_allowed");
    auto preflight = Client(adapter).Options(
        target, {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
    ASSERT_TRUE(preflight);
    EXPECT_EQ(preflight->status, 403);
    EXPECT_FALSE(preflight->has_header("Access-Control-Allow-Origin"));
  }
  EXPECT_EQ(RedisKeys(), before);
  EXPECT_THAT(DumpRedis(), Not(HasSubstr("e2e-cors-x")));

  const httplib::Headers allowed = {{"Origin", "https://formulieren.gemeente-test.nl"}};
  auto preflight = Client(webform.get())
                       .Options(path, {{"Origin", "https://formulieren.gemeente-test.nl"},
                                       {"Access-Control-Request-Method", "POST"},
                                       {"Access-Control-Request-Headers", "content-type"}});
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Origin"),
            "https://formulieren.gemeente-test.nl");
  auto ok = Client(webform.get())
                .Post(path, allowed, R"({"submission_id":"e2e-cors-ok"})", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 202) << ok->body;
  EXPECT_EQ(ok->get_header_value("Access-Control-Allow-Origin"),
            "https://formulieren.gemeente-test.nl");
  EXPECT_EQ(ok->get_header_value("Vary"), "Origin");
}

// Submissions over the rate limit of their address get 429 with Retry-After and a problem body,
// and route nothing.
TEST_F(HttpAdaptersE2eTest, SubmissionsOverTheRateLimitGet429) {
  ChildProcess webform({WISSEL_WEBFORM_BINARY, "--listen=127.0.0.1:0", "--plaintext",
                        absl::StrCat("--router=", RouterTarget()), "--router_plaintext"},
                       {"WISSEL_RATE_LIMIT_PER_MINUTE=1", "WISSEL_RATE_LIMIT_BURST=2"});
  ASSERT_TRUE(StartListening(webform).ok()) << webform.Log();
  for (int i = 0; i < 2; ++i) {
    auto res = Client(&webform).Post("/v1/forms/gemeente-test/grofvuil",
                                     absl::StrCat(R"({"submission_id":"e2e-limit-)", i, R"("})"),
                                     "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 202) << res->body;
  }
  const std::set<std::string> before = RedisKeys();
  auto limited = Client(&webform).Post("/v1/forms/gemeente-test/grofvuil",
                                       R"({"submission_id":"e2e-limit-x"})", "application/json");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429) << limited->body;
  int retry_after = 0;
  EXPECT_TRUE(absl::SimpleAtoi(limited->get_header_value("Retry-After"), &retry_after));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 60);
  EXPECT_EQ(limited->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_EQ(ParseJson<adapters::api::Problem>(limited->body).code(), "too_many_requests");
  EXPECT_EQ(RedisKeys(), before);
  EXPECT_THAT(DumpRedis(), Not(HasSubstr("e2e-limit-x")));
  // Reading is not limited.
  auto health = Client(&webform).Get("/livez");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

}  // namespace
}  // namespace wissel::testing
