// The chat adapter's endpoints over real HTTP (loopback) against a fake router: open and retry,
// bad inputs that route nothing, the events stream, ending a session, limits, health, shutdown;
// and the session token every call about a session needs (401 without, 404 with another's,
// nothing changed), and the rate limit on opening.
#include "adapters/chat/chat_service.h"

#include <httplib.h>

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "adapters/chat/chat_api.pb.h"
#include "adapters/common/http_api.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/common/fake_router_client.h"
#include "tests/adapters/common/parse_json.h"
#include "tests/adapters/common/sse_reader.h"

namespace wissel::adapters::chat {
namespace {

using adapters::testing::ParseJson;
using ::testing::ElementsAre;
using testing::EventReader;
using ::testing::HasSubstr;

constexpr char kOpen[] =
    R"({"tenant":"gemeente-test","session_id":"s-1","topic":"paspoort","party":{"bsn":"111222333"}})";

class ChatServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start(int max_streams = 4) {
    HttpServerOptions http;
    http.read_timeout = absl::Seconds(1);
    http.keep_alive_timeout = absl::Seconds(1);
    http.threads = 8;
    http.max_streams = max_streams;
    server_ = std::make_unique<HttpServer>(http);
    ChatOptions options;
    options.poll_interval = absl::Milliseconds(20);
    options.heartbeat_interval = absl::Milliseconds(200);
    options.router_grace = absl::Milliseconds(300);
    service_ = std::make_unique<ChatService>(options, &router_, server_.get());
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  httplib::Result Open(const std::string& body = kOpen, const std::string& token = "") {
    return client_->Post("/v1/chat/sessions", Auth(token), body, "application/json");
  }

  // Opens session `session_id` and keeps its token (Token()); returns the contact id.
  std::string OpenContact(const std::string& session_id) {
    auto res = Open(absl::StrCat(R"({"tenant":"gemeente-test","session_id":")", session_id,
                                 R"(","topic":"paspoort"})"));
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 200) << res->body;
    const auto body = ParseJson<api::SessionResponse>(res->body);
    tokens_[session_id] = body.session_token();
    return body.contact_id();
  }

  const std::string& Token(const std::string& session_id) { return tokens_[session_id]; }

  static httplib::Headers Auth(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", absl::StrCat("Bearer ", token)}};
  }

  // The events path of `session_id` with its token as EventSource passes it.
  std::string EventsPath(const std::string& session_id) {
    return absl::StrCat("/v1/chat/sessions/gemeente-test/", session_id,
                        "/events?session_token=", Token(session_id));
  }

  httplib::Result End(const std::string& session_id, const std::string& body,
                      const std::string& token) {
    return client_->Post(absl::StrCat("/v1/chat/sessions/gemeente-test/", session_id, "/end"),
                         Auth(token), body, "application/json");
  }

  std::map<std::string, std::string> tokens_;

  testing::FakeRouterClient router_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<ChatService> service_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ChatServiceTest, OpenAnswersWithThePlaceInTheQueue) {
  auto res = Open();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(res->get_header_value("Location"), "/v1/chat/sessions/gemeente-test/s-1");
  const auto body = ParseJson<api::SessionResponse>(res->body);
  EXPECT_EQ(body.contact_id(), "c-1");
  EXPECT_EQ(body.session_id(), "s-1");
  EXPECT_EQ(body.outcome(), "queued");
  EXPECT_EQ(body.queue(), "burgerzaken");
  EXPECT_EQ(body.position(), 1);
  EXPECT_EQ(body.expected_wait_seconds(), 120);
  EXPECT_EQ(body.events_url(), "/v1/chat/sessions/gemeente-test/s-1/events");
  ASSERT_EQ(router_.routed().size(), 1u);
  const v1::Contact sent = router_.routed()[0].contact();
  EXPECT_EQ(sent.channel(), v1::CHANNEL_CHAT);
  EXPECT_EQ(sent.idempotency_key(), "chat:s-1");
  EXPECT_EQ(sent.party().bsn(), "111222333");
}

TEST_F(ChatServiceTest, DigitalOfferAndMessagePassThrough) {
  v1::Decision decision;
  decision.set_outcome(v1::Decision::OUTCOME_DIGITAL);
  decision.mutable_digital_offer()->set_url("https://www.example.nl/paspoort");
  decision.mutable_digital_offer()->set_message("Vraag uw paspoort online aan.");
  router_.SetNextDecision(decision);
  auto res = Open();
  ASSERT_TRUE(res);
  const auto body = ParseJson<api::SessionResponse>(res->body);
  EXPECT_EQ(body.outcome(), "digital");
  EXPECT_EQ(body.digital_offer().url(), "https://www.example.nl/paspoort");
  EXPECT_EQ(body.position(), 0);
}

TEST_F(ChatServiceTest, RetriedOpenIsTheSameContact) {
  auto first = Open();
  ASSERT_TRUE(first);
  const auto opened = ParseJson<api::SessionResponse>(first->body);
  EXPECT_EQ(first->get_header_value("Cache-Control"), "no-store");
  auto second = Open(kOpen, opened.session_token());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200) << second->body;
  const auto again = ParseJson<api::SessionResponse>(second->body);
  EXPECT_EQ(opened.contact_id(), again.contact_id());
  EXPECT_TRUE(again.session_token().empty());  // the token is handed out once
  EXPECT_EQ(router_.created(), 1);
  EXPECT_NE(OpenContact("s-2"), "c-1");
  EXPECT_EQ(router_.created(), 2);
}

TEST_F(ChatServiceTest, OpenReturnsARandomSessionToken) {
  OpenContact("s-1");
  OpenContact("s-2");
  const std::string& token = Token("s-1");
  EXPECT_EQ(token.size(), 43u);  // 256 bits, base64url without padding
  EXPECT_TRUE(std::all_of(token.begin(), token.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '-' || c == '_';
  })) << token;
  EXPECT_NE(Token("s-1"), Token("s-2"));
}

// Re-opening a known session without its token would hand the session to anyone who knows
// (or guesses) the widget's session id.
TEST_F(ChatServiceTest, ReopeningAKnownSessionNeedsItsToken) {
  OpenContact("s-1");
  OpenContact("s-2");
  const int routes = router_.route_calls();
  auto without = Open(R"({"tenant":"gemeente-test","session_id":"s-1","topic":"paspoort"})");
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 401) << without->body;
  EXPECT_EQ(without->get_header_value("WWW-Authenticate"), R"(Bearer realm="wissel-chat")");
  EXPECT_EQ(ParseJson<adapters::api::Problem>(without->body).code(), "unauthenticated");
  EXPECT_EQ(without->body.find("contact_id"), std::string::npos);
  auto other =
      Open(R"({"tenant":"gemeente-test","session_id":"s-1","topic":"paspoort"})", Token("s-2"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403) << other->body;
  EXPECT_EQ(router_.route_calls(), routes);  // nothing reached the router
}

// Every call about a session needs its token: none is 401, another session's (or a made-up
// one) is the same 404 as an unknown session; the contact is not touched.
TEST_F(ChatServiceTest, SessionCallsNeedTheSessionsToken) {
  const std::string contact = OpenContact("s-1");
  OpenContact("s-2");
  const std::string path = "/v1/chat/sessions/gemeente-test/s-1";
  const int calls = router_.other_calls();
  for (const std::string& token : {std::string(""), Token("s-2"), std::string("x")}) {
    SCOPED_TRACE(token);
    const int expected = token.empty() ? 401 : 404;
    std::vector<httplib::Result> answers;
    answers.push_back(client_->Get(path, Auth(token)));
    answers.push_back(client_->Get(path + "/events", Auth(token)));
    answers.push_back(client_->Get(path + "/events?session_token=" + token));
    answers.push_back(End("s-1", R"({"reason":"abandoned"})", token));
    answers.push_back(client_->Delete(path, Auth(token)));
    for (auto& res : answers) {
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, expected) << res->body;
      EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
      EXPECT_EQ(res->body.find(contact), std::string::npos);
    }
  }
  // The same 404 as a session that does not exist at all.
  auto unknown = client_->Get("/v1/chat/sessions/gemeente-test/s-404", Auth(Token("s-2")));
  ASSERT_TRUE(unknown);
  auto wrong = client_->Get(path, Auth(Token("s-2")));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(ParseJson<adapters::api::Problem>(unknown->body).detail(),
            ParseJson<adapters::api::Problem>(wrong->body).detail());
  EXPECT_EQ(router_.other_calls(), calls);
  EXPECT_EQ(router_.record(contact).state(), v1::CONTACT_STATE_QUEUED);

  // With its token the session answers; the token is accepted as a query parameter only on
  // the events stream (EventSource cannot set headers).
  auto ok = client_->Get(path, Auth(Token("s-1")));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  auto query = client_->Get(path + "?session_token=" + Token("s-1"));
  ASSERT_TRUE(query);
  EXPECT_EQ(query->status, 401);
}

TEST_F(ChatServiceTest, OpeningIsRateLimitedPerAddress) {
  server_->Shutdown();
  HttpServerOptions http;
  http.threads = 4;
  http.max_streams = 1;
  http.rate_limit.per_minute = 1;
  http.rate_limit.burst = 2;
  http.rate_limit.clock = [] { return absl::FromUnixSeconds(1772442000); };  // time stands still
  server_ = std::make_unique<HttpServer>(http);
  service_ = std::make_unique<ChatService>(ChatOptions{}, &router_, server_.get());
  ASSERT_TRUE(server_->Start().ok());
  client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  OpenContact("s-1");
  OpenContact("s-2");
  auto limited = Open(R"({"tenant":"gemeente-test","session_id":"s-3","topic":"paspoort"})");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->get_header_value("Retry-After"), "60");
  EXPECT_EQ(ParseJson<adapters::api::Problem>(limited->body).code(), "too_many_requests");
  EXPECT_EQ(router_.created(), 2);
  // Reading a session is not limited.
  auto read = client_->Get("/v1/chat/sessions/gemeente-test/s-1", Auth(Token("s-1")));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 200);
}

struct BadRequest {
  std::string name;
  std::string content_type;
  std::string body;
  int status;
  std::string field;
  bool reaches_router = false;
};

class ChatBadRequestTest : public ChatServiceTest,
                           public ::testing::WithParamInterface<BadRequest> {};

TEST_P(ChatBadRequestTest, IsAProblemAndRoutesNothing) {
  const BadRequest& bad = GetParam();
  if (bad.name == "UnknownTopic") {
    router_.FailRoute(
        absl::InvalidArgumentError("contact.topic: 'rijbewijs-x' is not in the catalogue"));
  }
  if (bad.name == "RouterDown") {
    router_.Fail(absl::UnavailableError("failed to connect to all addresses"));
  }
  auto res = client_->Post("/v1/chat/sessions", bad.body, bad.content_type);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, bad.status) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
  const auto problem = ParseJson<adapters::api::Problem>(res->body);
  EXPECT_EQ(problem.status(), bad.status);
  EXPECT_EQ(problem.field(), bad.field) << res->body;
  EXPECT_EQ(problem.instance(), "/v1/chat/sessions");
  if (bad.status == 503) {
    EXPECT_EQ(res->get_header_value("Retry-After"), "2");
  }
  EXPECT_EQ(router_.route_calls() > 0, bad.reaches_router);
  EXPECT_EQ(router_.created(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ChatBadRequestTest,
    ::testing::Values(
        BadRequest{"MalformedJson", "application/json", R"({"tenant": )", 400, "body"},
        BadRequest{"WrongType", "application/json",
                   R"({"tenant":"gemeente-test","session_id":7,"topic":"paspoort"})", 400,
                   "session_id"},
        BadRequest{"UnknownField", "application/json",
                   R"({"tenant":"gemeente-test","session_id":"s","topic":"paspoort","x":1})", 400,
                   "x"},
        BadRequest{"MissingField", "application/json",
                   R"({"tenant":"gemeente-test","topic":"paspoort"})", 400, "session_id"},
        BadRequest{"UnknownTopic", "application/json",
                   R"({"tenant":"gemeente-test","session_id":"s","topic":"rijbewijs-x"})", 400,
                   "topic", true},
        BadRequest{"TooLarge", "application/json", std::string(70 * 1024, ' '), 413, "body"},
        BadRequest{"TextPlain", "text/plain", kOpen, 415, "Content-Type"},
        BadRequest{"RouterDown", "application/json", kOpen, 503, "", true}),
    [](const auto& info) { return info.param.name; });

TEST_F(ChatServiceTest, EventsFollowTheContactUntilItEnds) {
  const std::string contact = OpenContact("s-1");
  EventReader events(server_->port(), EventsPath("s-1"));
  ASSERT_TRUE(events.WaitFor("position"));
  EXPECT_THAT(events.Text(), HasSubstr("retry: 2000\n"));
  auto first = ParseJson<api::SessionEvent>(events.Data("position"));
  EXPECT_EQ(first.contact_id(), contact);
  EXPECT_EQ(first.state(), "queued");
  EXPECT_EQ(first.position(), 1);

  router_.SetState(contact, v1::CONTACT_STATE_QUEUED, "", 3);  // others were put before it
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(ParseJson<api::SessionEvent>(events.Data("position")).position(), 3);

  router_.SetState(contact, v1::CONTACT_STATE_OFFERED, "h-1042");
  ASSERT_TRUE(events.WaitFor("assigned"));
  auto assigned = ParseJson<api::SessionEvent>(events.Data("assigned"));
  EXPECT_EQ(assigned.handler_id(), "h-1042");
  EXPECT_EQ(assigned.state(), "offered");

  router_.SetState(contact, v1::CONTACT_STATE_CONNECTED, "h-1042");
  absl::SleepFor(absl::Milliseconds(200));
  router_.SetState(contact, v1::CONTACT_STATE_COMPLETED, "h-1042");
  ASSERT_TRUE(events.WaitFor("ended"));
  EXPECT_EQ(ParseJson<api::SessionEvent>(events.Data("ended")).state(), "completed");
  ASSERT_TRUE(events.WaitForEnd());  // the server ends the stream
  EXPECT_EQ(events.status(), 200);
  EXPECT_THAT(events.Names(), ElementsAre("position", "position", "assigned", "assigned", "ended"));
  EXPECT_EQ(service_->sessions().size(), 0u);  // forgotten once ended
}

// A session this instance does not know is 404, also when the caller names its contact id: a
// contact id is no credential (it used to open the events of a session another instance
// opened; now the visitor re-opens the session and gets a token).
TEST_F(ChatServiceTest, EventsOfAnUnknownSessionAre404EvenWithTheContactId) {
  const std::string contact = OpenContact("s-1");
  auto unknown = client_->Get("/v1/chat/sessions/gemeente-test/s-404/events", Auth(Token("s-1")));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(ParseJson<adapters::api::Problem>(unknown->body).field(), "session_id");
  auto bad = client_->Get("/v1/chat/sessions/Gemeente/s-1/events", Auth(Token("s-1")));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(ParseJson<adapters::api::Problem>(bad->body).field(), "tenant");

  const int calls = router_.other_calls();
  auto by_contact = client_->Get(
      absl::StrCat("/v1/chat/sessions/gemeente-test/s-404/events?contact_id=", contact),
      Auth(Token("s-1")));
  ASSERT_TRUE(by_contact);
  EXPECT_EQ(by_contact->status, 404);
  auto no_token = client_->Get(
      absl::StrCat("/v1/chat/sessions/gemeente-test/s-404/events?contact_id=", contact));
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  auto end =
      client_->Post("/v1/chat/sessions/gemeente-test/s-404/end",
                    absl::StrCat(R"({"reason":"abandoned","contact_id":")", contact, R"("})"),
                    "application/json");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->status, 401);
  EXPECT_EQ(router_.other_calls(), calls);
  EXPECT_EQ(router_.record(contact).state(), v1::CONTACT_STATE_QUEUED);
}

TEST_F(ChatServiceTest, EventsEndWithAnErrorWhenTheRouterStaysAway) {
  OpenContact("s-1");
  EventReader events(server_->port(), EventsPath("s-1"));
  ASSERT_TRUE(events.WaitFor("position"));
  router_.Fail(absl::UnavailableError("down"));
  ASSERT_TRUE(events.WaitFor("error"));
  EXPECT_EQ(ParseJson<adapters::api::Problem>(events.Data("error")).status(), 503);
  EXPECT_TRUE(events.WaitForEnd());
}

TEST_F(ChatServiceTest, EventStreamsAreBounded) {
  server_->Shutdown();
  Start(/*max_streams=*/1);
  OpenContact("s-1");
  EventReader first(server_->port(), EventsPath("s-1"));
  ASSERT_TRUE(first.WaitFor("position"));
  auto second = client_->Get(EventsPath("s-1"));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 503);
  EXPECT_EQ(second->get_header_value("Retry-After"), "2");
}

TEST_F(ChatServiceTest, ShutdownEndsOpenStreams) {
  OpenContact("s-1");
  EventReader events(server_->port(), EventsPath("s-1"));
  ASSERT_TRUE(events.WaitFor("position"));
  const absl::Time start = absl::Now();
  server_->Shutdown();
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  EXPECT_TRUE(events.WaitForEnd());
}

TEST_F(ChatServiceTest, GetShowsTheSessionNow) {
  const std::string contact = OpenContact("s-1");
  router_.SetState(contact, v1::CONTACT_STATE_CONNECTED, "h-7");
  auto res = client_->Get("/v1/chat/sessions/gemeente-test/s-1", Auth(Token("s-1")));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto body = ParseJson<api::SessionResponse>(res->body);
  EXPECT_EQ(body.state(), "connected");
  EXPECT_EQ(body.handler_id(), "h-7");
  EXPECT_EQ(body.position(), 0);
}

TEST_F(ChatServiceTest, EndAbandonedIsIdempotent) {
  const std::string contact = OpenContact("s-1");
  for (int i = 0; i < 2; ++i) {
    auto res = End("s-1", absl::StrCat(R"({"reason":"abandoned","contact_id":")", contact, R"("})"),
                   Token("s-1"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    const auto body = ParseJson<api::EndSessionResponse>(res->body);
    EXPECT_EQ(body.contact_id(), contact);
    EXPECT_EQ(body.state(), "abandoned");
  }
  EXPECT_EQ(router_.record(contact).state(), v1::CONTACT_STATE_ABANDONED);
}

TEST_F(ChatServiceTest, EndCompletedNeedsAConversation) {
  const std::string contact = OpenContact("s-1");
  auto early = End("s-1", R"({"reason":"completed"})", Token("s-1"));
  ASSERT_TRUE(early);
  EXPECT_EQ(early->status, 409) << early->body;
  router_.SetState(contact, v1::CONTACT_STATE_CONNECTED, "h-7");
  auto done = End("s-1", R"({"reason":"completed"})", Token("s-1"));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200) << done->body;
  EXPECT_EQ(ParseJson<api::EndSessionResponse>(done->body).state(), "completed");
}

TEST_F(ChatServiceTest, EndRefusesABadReason) {
  OpenContact("s-1");
  auto res = End("s-1", R"({"reason":"bye"})", Token("s-1"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(ParseJson<adapters::api::Problem>(res->body).field(), "reason");
  EXPECT_EQ(router_.other_calls(), 0);
}

TEST_F(ChatServiceTest, DeleteAbandons) {
  const std::string contact = OpenContact("s-1");
  auto res = client_->Delete("/v1/chat/sessions/gemeente-test/s-1", Auth(Token("s-1")));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(router_.record(contact).state(), v1::CONTACT_STATE_ABANDONED);
}

TEST_F(ChatServiceTest, HealthFollowsTheRouter) {
  auto up = client_->Get("/healthz");
  ASSERT_TRUE(up);
  EXPECT_EQ(up->status, 200);
  router_.Fail(absl::UnavailableError("down"));
  auto down = client_->Get("/healthz");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503);
}

}  // namespace
}  // namespace wissel::adapters::chat
