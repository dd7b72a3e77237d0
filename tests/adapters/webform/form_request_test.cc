// Parsing web form submissions, JSON and urlencoded: what reaches the router, what is kept
// back (personal data never goes into attributes), and bad inputs that name their field.
#include "adapters/webform/form_request.h"

#include "adapters/common/media_type.h"
#include "adapters/common/problem.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::adapters::webform {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

absl::StatusOr<Submission> Json(const std::string& body, const std::string& topic = "grofvuil") {
  return ParseSubmission(kJsonMediaType, body, "gemeente-test", topic, FormOptions());
}
absl::StatusOr<Submission> Form(const std::string& body) {
  return ParseSubmission(kFormMediaType, body, "gemeente-test", "grofvuil", FormOptions());
}

TEST(FormRequestTest, JsonBecomesAWebFormWorkItem) {
  auto s = Json(R"({"submission_id":"sub-42","email":"inwoner@example.nl","name":"A. Inwoner",
                    "message":"Graag ophalen.\nDank!","language":"nl","needs":["impairment"],
                    "digid_level":"basis","case_reference":"Z-1",
                    "attributes":{"category":"afval","street":"Dorpsstraat 1"}})");
  ASSERT_TRUE(s.ok()) << s.status();
  const v1::Contact& c = s->request.contact();
  EXPECT_EQ(c.tenant(), "gemeente-test");
  EXPECT_EQ(c.channel(), v1::CHANNEL_WEB_FORM);
  EXPECT_EQ(c.topic(), "grofvuil");
  EXPECT_EQ(c.idempotency_key(), "webform:sub-42");
  EXPECT_EQ(c.party().email(), "inwoner@example.nl");
  EXPECT_EQ(c.party().digid_level(), v1::DIGID_LEVEL_BASIS);
  EXPECT_THAT(c.needs(), ElementsAre(v1::NEED_IMPAIRMENT));
  EXPECT_EQ(c.case_reference(), "Z-1");
  EXPECT_THAT(c.attributes(),
              UnorderedElementsAre(Pair("category", "afval"), Pair("submission_id", "sub-42")));
  EXPECT_THAT(s->not_forwarded, ElementsAre("attributes.street", "message", "name"));
  EXPECT_EQ(s->submission_id, "sub-42");
}

TEST(FormRequestTest, UrlencodedAsAPlainHtmlFormPostsIt) {
  auto s = Form(
      "submission_id=f-7&name=A.+Inwoner&email=inwoner%40example.nl&phone=0612345678"
      "&message=Graag+contact%0D%0Aover+de+aanslag&category=belastingen&huisnummer=12"
      "&needs=language_barrier&needs=impairment&submit=Verstuur");
  ASSERT_TRUE(s.ok()) << s.status();
  const v1::Contact& c = s->request.contact();
  EXPECT_EQ(c.idempotency_key(), "webform:f-7");
  EXPECT_EQ(c.party().email(), "inwoner@example.nl");  // email before phone
  EXPECT_THAT(c.needs(), ElementsAre(v1::NEED_LANGUAGE_BARRIER, v1::NEED_IMPAIRMENT));
  EXPECT_THAT(c.attributes(),
              UnorderedElementsAre(Pair("category", "belastingen"), Pair("submission_id", "f-7")));
  EXPECT_THAT(s->not_forwarded, ElementsAre("huisnummer", "message", "name", "phone", "submit"));
}

TEST(FormRequestTest, BsnIsTheStrongestIdentifier) {
  auto s = Json(R"({"submission_id":"s","phone":"0612345678","bsn":"111222333"})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->request.contact().party().bsn(), "111222333");
  EXPECT_THAT(s->not_forwarded, ElementsAre("phone"));
}

TEST(FormRequestTest, EmptyFieldsOfAPlainFormAreAbsent) {
  auto s = Form("submission_id=f-1&email=&phone=&name=&message=&category=");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->request.contact().party().identifier_case(), v1::Party::IDENTIFIER_NOT_SET);
  EXPECT_THAT(s->not_forwarded, IsEmpty());
  EXPECT_THAT(s->request.contact().attributes(), ElementsAre(Pair("submission_id", "f-1")));
}

TEST(FormRequestTest, AttributeKeysAreConfigurable) {
  FormOptions options;
  options.attribute_keys = {"wijk"};
  auto s = ParseSubmission(kFormMediaType, "submission_id=f&wijk=noord&category=x", "gemeente-test",
                           "grofvuil", options);
  ASSERT_TRUE(s.ok());
  EXPECT_THAT(s->request.contact().attributes(),
              UnorderedElementsAre(Pair("wijk", "noord"), Pair("submission_id", "f")));
  EXPECT_THAT(s->not_forwarded, ElementsAre("category"));
}

struct BadInput {
  std::string name;
  std::string media_type;
  std::string body;
  std::string field;
  std::string topic = "grofvuil";
  std::string tenant = "gemeente-test";
};

class FormBadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(FormBadInputTest, NamesTheField) {
  const BadInput& bad = GetParam();
  auto s = ParseSubmission(bad.media_type, bad.body, bad.tenant, bad.topic, FormOptions());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(s.status().message()), bad.field) << s.status();
}

INSTANTIATE_TEST_SUITE_P(
    Table, FormBadInputTest,
    ::testing::Values(
        BadInput{"MalformedJson", kJsonMediaType, R"({"submission_id": )", "body"},
        BadInput{"WrongType", kJsonMediaType, R"({"submission_id": 42})", "submission_id"},
        BadInput{"WrongTypeAttribute", kJsonMediaType,
                 R"({"submission_id":"s","attributes":{"category":1}})", "attributes"},
        BadInput{"UnknownJsonField", kJsonMediaType, R"({"submission_id":"s","house":"12"})",
                 "house"},
        BadInput{"MissingSubmissionJson", kJsonMediaType, R"({"email":"a@b.nl"})", "submission_id"},
        BadInput{"MissingSubmissionForm", kFormMediaType, "email=a%40b.nl", "submission_id"},
        BadInput{"BadSubmissionId", kFormMediaType, "submission_id=a+b", "submission_id"},
        BadInput{"DuplicateField", kFormMediaType, "submission_id=a&submission_id=b",
                 "submission_id"},
        BadInput{"BadEscape", kFormMediaType, "submission_id=a&message=%zz", "message"},
        BadInput{"BadUtf8", kFormMediaType, "submission_id=a&name=%ff", "name"},
        BadInput{"NameWithNewline", kFormMediaType, "submission_id=a&name=a%0Ab", "name"},
        BadInput{"UnknownNeed", kFormMediaType, "submission_id=a&needs=old", "needs"},
        BadInput{"UnknownNeedJson", kJsonMediaType, R"({"submission_id":"a","needs":["x"]})",
                 "needs[0]"},
        BadInput{"BadDigid", kFormMediaType, "submission_id=a&digid_level=2", "digid_level"},
        BadInput{"LongAttribute", kFormMediaType,
                 "submission_id=a&category=" + std::string(513, 'x'), "category"},
        BadInput{"BadTopic", kFormMediaType, "submission_id=a", "topic", "grof vuil"},
        BadInput{"BadTenant", kFormMediaType, "submission_id=a", "tenant", "grofvuil", "Gemeente"},
        BadInput{"OtherMediaType", "text/plain", "submission_id=a", "Content-Type"}),
    [](const auto& info) { return info.param.name; });

TEST(FormRequestTest, RouterFieldsAreRenamed) {
  EXPECT_EQ(ClientField("contact.topic"), "topic");
  EXPECT_EQ(ClientField("contact.party.bsn"), "bsn");
  EXPECT_EQ(ClientField("contact.party.phone_number"), "phone");
  EXPECT_EQ(ClientField("contact.party.digid_level"), "digid_level");
  EXPECT_EQ(ClientField("contact.idempotency_key"), "submission_id");
}

}  // namespace
}  // namespace wissel::adapters::webform
