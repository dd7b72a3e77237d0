// The web form adapter's endpoints over real HTTP (loopback) against a fake router.
#include "adapters/webform/webform_service.h"

#include <httplib.h>

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "adapters/common/http_api.pb.h"
#include "adapters/webform/webform_api.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/common/fake_router_client.h"
#include "tests/adapters/common/parse_json.h"

namespace wissel::adapters::webform {
namespace {

using adapters::testing::ParseJson;
using ::testing::ElementsAre;

class WebformServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions http;
    http.read_timeout = absl::Seconds(1);
    http.threads = 4;
    http.max_streams = 0;
    server_ = std::make_unique<HttpServer>(http);
    v1::Decision decision;
    decision.set_outcome(v1::Decision::OUTCOME_QUEUED);
    decision.set_queue("afval");
    decision.set_expected_handling_date("2026-12-03");
    router_.SetNextDecision(decision);
    service_ = std::make_unique<WebformService>(WebformOptions(), &router_, server_.get());
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  // Submits `submission_id` (JSON) to `tenant`'s grofvuil form; the accepted answer.
  api::SubmissionAccepted Submit(const std::string& submission_id,
                                 const std::string& tenant = "gemeente-test") {
    auto res = client_->Post(absl::StrCat("/v1/forms/", tenant, "/grofvuil"),
                             absl::StrCat(R"({"submission_id":")", submission_id, R"("})"),
                             "application/json");
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 202) << res->body;
    return ParseJson<api::SubmissionAccepted>(res->body);
  }

  httplib::Result GetStatus(const std::string& path, const std::string& authorization) {
    if (authorization.empty()) return client_->Get(path);
    return client_->Get(path, {{"Authorization", authorization}});
  }

  testing::FakeRouterClient router_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<WebformService> service_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(WebformServiceTest, JsonIsAccepted) {
  auto res = client_->Post("/v1/forms/gemeente-test/grofvuil",
                           R"({"submission_id":"sub-1","email":"a@example.nl","name":"A"})",
                           "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  EXPECT_EQ(res->get_header_value("Location"), "/v1/forms/gemeente-test/contacts/c-1");
  const auto body = ParseJson<api::SubmissionAccepted>(res->body);
  EXPECT_EQ(body.contact_id(), "c-1");
  EXPECT_EQ(body.submission_id(), "sub-1");
  EXPECT_EQ(body.queue(), "afval");
  EXPECT_EQ(body.expected_handling_date(), "2026-12-03");
  EXPECT_EQ(body.outcome(), "queued");
  EXPECT_THAT(body.not_forwarded(), ElementsAre("name"));
  EXPECT_EQ(router_.routed()[0].contact().channel(), v1::CHANNEL_WEB_FORM);
  // The status token: 256 random bits, base64url; the answer carries a credential.
  EXPECT_EQ(body.status_token().size(), 43u);
  EXPECT_TRUE(std::all_of(body.status_token().begin(), body.status_token().end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '-' || c == '_';
  })) << body.status_token();
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
}

TEST_F(WebformServiceTest, UrlencodedIsAcceptedAndResubmissionIsTheSameContact) {
  for (int i = 0; i < 2; ++i) {
    auto res = client_->Post("/v1/forms/gemeente-test/grofvuil",
                             "submission_id=f-1&message=Bank+bij+de+weg&category=afval",
                             "application/x-www-form-urlencoded");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 202) << res->body;
    EXPECT_EQ(ParseJson<api::SubmissionAccepted>(res->body).contact_id(), "c-1");
  }
  EXPECT_EQ(router_.created(), 1);
}

struct BadRequest {
  std::string name;
  std::string content_type;
  std::string body;
  int status;
  std::string field;
  std::string path = "/v1/forms/gemeente-test/grofvuil";
};

class WebformBadRequestTest : public WebformServiceTest,
                              public ::testing::WithParamInterface<BadRequest> {};

TEST_P(WebformBadRequestTest, IsAProblemAndRoutesNothing) {
  const BadRequest& bad = GetParam();
  if (bad.name == "UnknownTopic") {
    router_.FailRoute(absl::InvalidArgumentError("contact.topic: 'nope' is not in the catalogue"));
  }
  if (bad.name == "RouterDown") router_.Fail(absl::UnavailableError("down"));
  auto res = client_->Post(bad.path, bad.body, bad.content_type);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, bad.status) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_EQ(ParseJson<adapters::api::Problem>(res->body).field(), bad.field) << res->body;
  if (bad.status == 503) {
    EXPECT_EQ(res->get_header_value("Retry-After"), "2");
  }
  EXPECT_EQ(router_.created(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Table, WebformBadRequestTest,
    ::testing::Values(
        BadRequest{"MalformedJson", "application/json", "{", 400, "body"},
        BadRequest{"WrongType", "application/json", R"({"submission_id":["a"]})", 400,
                   "submission_id"},
        BadRequest{"UnknownField", "application/json", R"({"submission_id":"a","iban":"x"})", 400,
                   "iban"},
        BadRequest{"MissingField", "application/x-www-form-urlencoded", "name=A", 400,
                   "submission_id"},
        BadRequest{"UnknownTopic", "application/json", R"({"submission_id":"a"})", 400, "topic",
                   "/v1/forms/gemeente-test/nope"},
        BadRequest{"TooLarge", "application/x-www-form-urlencoded",
                   "submission_id=a&message=" + std::string(70 * 1024, 'x'), 413, "body"},
        BadRequest{"TextPlain", "text/plain", "submission_id=a", 415, "Content-Type"},
        BadRequest{"Multipart", "multipart/form-data; boundary=x", "--x--", 415, "Content-Type"},
        BadRequest{"RouterDown", "application/json", R"({"submission_id":"a"})", 503, ""}),
    [](const auto& info) { return info.param.name; });

TEST_F(WebformServiceTest, StatusOfAWorkItemWithItsToken) {
  auto posted = client_->Post("/v1/forms/gemeente-test/grofvuil", R"({"submission_id":"s"})",
                              "application/json");
  ASSERT_TRUE(posted);
  const auto accepted = ParseJson<api::SubmissionAccepted>(posted->body);
  ASSERT_FALSE(accepted.status_token().empty());
  EXPECT_EQ(posted->get_header_value("Location"), accepted.status_url());
  auto res = GetStatus(accepted.status_url(), "Bearer " + accepted.status_token());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto status = ParseJson<api::SubmissionStatus>(res->body);
  EXPECT_EQ(status.contact_id(), accepted.contact_id());
  EXPECT_EQ(status.state(), "queued");
  EXPECT_EQ(status.queue(), "afval");
  EXPECT_EQ(status.expected_handling_date(), "2026-12-03");
  // The scheme is case-insensitive (RFC 6750).
  auto lower = GetStatus(accepted.status_url(), "bearer " + accepted.status_token());
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->status, 200) << lower->body;
}

// A resubmission is the same work item but gets no token: the submission id is no credential.
TEST_F(WebformServiceTest, ResubmissionGetsNoStatusToken) {
  const auto first = Submit("sub-again");
  ASSERT_FALSE(first.status_token().empty());
  const auto again = Submit("sub-again");
  EXPECT_EQ(again.contact_id(), first.contact_id());
  EXPECT_EQ(again.status_url(), first.status_url());
  EXPECT_TRUE(again.status_token().empty());
  // The first token still reads the status.
  auto res = GetStatus(first.status_url(), "Bearer " + first.status_token());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

// Without a token 401; with a wrong one (another submission's, one of another tenant, made up,
// or for a contact that does not exist) the same 404, which says nothing about whether the
// contact id exists; the router is not asked.
TEST_F(WebformServiceTest, StatusNeedsTheSubmissionsToken) {
  const auto mine = Submit("sub-mine");
  const auto theirs = Submit("sub-theirs");
  const auto other_tenant = Submit("sub-mine", "gemeente-ander");
  ASSERT_FALSE(mine.status_token().empty());
  ASSERT_FALSE(theirs.status_token().empty());
  ASSERT_FALSE(other_tenant.status_token().empty());
  const std::string path = mine.status_url();
  const int calls = router_.other_calls();

  for (const std::string& authorization :
       {std::string(""), std::string("Basic dXNlcjpwYXNz"), std::string("Bearer"),
        std::string("Bearer ") + mine.status_token() + "!"}) {
    SCOPED_TRACE(authorization);
    auto res = GetStatus(path, authorization);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
    EXPECT_EQ(res->get_header_value("WWW-Authenticate"), R"(Bearer realm="wissel-webform")");
    EXPECT_EQ(ParseJson<adapters::api::Problem>(res->body).code(), "unauthenticated");
  }

  auto unknown =
      GetStatus("/v1/forms/gemeente-test/contacts/c-404", "Bearer " + theirs.status_token());
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << unknown->body;
  const std::string unknown_body = unknown->body;
  struct Wrong {
    std::string name;
    std::string path;
    std::string token;
  };
  const Wrong wrong[] = {
      {"another submission's token", path, theirs.status_token()},
      {"another tenant's token", path, other_tenant.status_token()},
      {"made-up token", path, "x"},
      {"the right token on another tenant's path",
       absl::StrCat("/v1/forms/gemeente-ander/contacts/", mine.contact_id()), mine.status_token()},
  };
  for (const Wrong& w : wrong) {
    SCOPED_TRACE(w.name);
    auto res = GetStatus(w.path, "Bearer " + w.token);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
    // The same answer as for a contact id that does not exist (but for the path it names).
    EXPECT_EQ(absl::StrReplaceAll(res->body, {{w.path, "/v1/forms/gemeente-test/contacts/c-404"}}),
              unknown_body);
    EXPECT_EQ(res->body.find(R"("state")"), std::string::npos);
  }
  EXPECT_EQ(router_.other_calls(), calls);  // nothing was asked of the router
}

// Bad path segments are refused before any token is looked at.
TEST_F(WebformServiceTest, StatusOfABadContactIdIs400) {
  const auto mine = Submit("sub-bad-path");
  auto res = GetStatus("/v1/forms/gemeente-test/contacts/c~x", "Bearer " + mine.status_token());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
}

}  // namespace
}  // namespace wissel::adapters::webform
