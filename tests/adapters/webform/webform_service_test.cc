// The web form adapter's endpoints over real HTTP (loopback) against a fake router.
#include "adapters/webform/webform_service.h"

#include <httplib.h>

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
    service_ = std::make_unique<WebformService>(FormOptions(), &router_, server_.get());
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
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

TEST_F(WebformServiceTest, StatusOfAWorkItem) {
  auto posted = client_->Post("/v1/forms/gemeente-test/grofvuil", R"({"submission_id":"s"})",
                              "application/json");
  ASSERT_TRUE(posted);
  auto res = client_->Get(posted->get_header_value("Location"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto status = ParseJson<api::SubmissionStatus>(res->body);
  EXPECT_EQ(status.state(), "queued");
  EXPECT_EQ(status.queue(), "afval");
  EXPECT_EQ(status.expected_handling_date(), "2026-12-03");
  auto missing = client_->Get("/v1/forms/gemeente-test/contacts/c-404");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

}  // namespace
}  // namespace wissel::adapters::webform
