// Parsing the chat adapter's JSON bodies: what reaches the router, and a table of bad inputs
// that each name their field.
#include "adapters/chat/chat_request.h"

#include "adapters/common/problem.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::adapters::chat {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ChatRequestTest, OpenBecomesAChatContactKeyedBySession) {
  auto request = ParseOpenSession(R"({
    "tenant": "gemeente-wisseloord", "session_id": "web-7f3a", "topic": "wmo-hulpmiddelen",
    "language": "en", "needs": ["low_digital_skills", "vulnerable_situation"],
    "party": {"bsn": "111222333"}, "digid_level": "midden", "wants_person": true,
    "case_reference": "Z-2026-000123", "attributes": {"page": "/wmo"}})");
  ASSERT_TRUE(request.ok()) << request.status();
  const v1::Contact& c = request->contact();
  EXPECT_EQ(c.tenant(), "gemeente-wisseloord");
  EXPECT_EQ(c.channel(), v1::CHANNEL_CHAT);
  EXPECT_EQ(c.topic(), "wmo-hulpmiddelen");
  EXPECT_EQ(c.language(), "en");
  EXPECT_THAT(c.needs(), ElementsAre(v1::NEED_LOW_DIGITAL_SKILLS, v1::NEED_VULNERABLE_SITUATION));
  EXPECT_EQ(c.party().bsn(), "111222333");
  EXPECT_EQ(c.party().digid_level(), v1::DIGID_LEVEL_MIDDEN);
  EXPECT_TRUE(c.wants_person());
  EXPECT_EQ(c.case_reference(), "Z-2026-000123");
  EXPECT_EQ(c.attributes().at("page"), "/wmo");
  EXPECT_EQ(c.idempotency_key(), "chat:web-7f3a");
}

TEST(ChatRequestTest, MinimalOpenIsAnonymous) {
  auto request = ParseOpenSession(R"({"tenant":"t","session_id":"s","topic":"paspoort"})");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->contact().party().identifier_case(), v1::Party::IDENTIFIER_NOT_SET);
  EXPECT_EQ(request->contact().party().digid_level(), v1::DIGID_LEVEL_UNSPECIFIED);
}

struct BadInput {
  std::string name;
  std::string json;
  std::string field;
};

class ChatBadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(ChatBadInputTest, NamesTheField) {
  auto request = ParseOpenSession(GetParam().json);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(request.status().message()), GetParam().field) << request.status();
  EXPECT_THAT(std::string(request.status().message()), Not(HasSubstr("111222333")));
}

INSTANTIATE_TEST_SUITE_P(
    Table, ChatBadInputTest,
    ::testing::Values(
        BadInput{"MalformedJson", R"({"tenant": "t", )", "body"}, BadInput{"EmptyBody", "", "body"},
        BadInput{"NotAnObject", R"("hello")", "body"},
        BadInput{"WrongTypeTenant", R"({"tenant": 1, "session_id": "s", "topic": "x"})", "tenant"},
        BadInput{"WrongTypeBsn",
                 R"({"tenant":"t","session_id":"s","topic":"x","party":{"bsn":111222333}})",
                 "party.bsn"},
        BadInput{"WrongTypeNeeds", R"({"tenant":"t","session_id":"s","topic":"x","needs":[1]})",
                 "needs[0]"},
        BadInput{"UnknownField", R"({"tenant":"t","session_id":"s","topic":"x","prio":9})", "prio"},
        BadInput{"UnknownPartyField",
                 R"({"tenant":"t","session_id":"s","topic":"x","party":{"name":"A"}})",
                 "party.name"},
        BadInput{"MissingTenant", R"({"session_id": "s", "topic": "x"})", "tenant"},
        BadInput{"MissingSession", R"({"tenant": "t", "topic": "x"})", "session_id"},
        BadInput{"MissingTopic", R"({"tenant": "t", "session_id": "s"})", "topic"},
        BadInput{"BadTenant", R"({"tenant":"Gemeente Test","session_id":"s","topic":"x"})",
                 "tenant"},
        BadInput{"LongSession",
                 R"({"tenant":"t","session_id":")" + std::string(121, 's') + R"(","topic":"x"})",
                 "session_id"},
        BadInput{"SessionWithSlash", R"({"tenant":"t","session_id":"a/b","topic":"x"})",
                 "session_id"},
        BadInput{"UnknownNeed",
                 R"({"tenant":"t","session_id":"s","topic":"x","needs":["impairment","old"]})",
                 "needs[1]"},
        BadInput{"UnknownDigidLevel",
                 R"({"tenant":"t","session_id":"s","topic":"x","digid_level":"high"})",
                 "digid_level"},
        BadInput{"BadLanguage", R"({"tenant":"t","session_id":"s","topic":"x","language":"n l"})",
                 "language"},
        BadInput{"TwoIdentifiers",
                 R"({"tenant":"t","session_id":"s","topic":"x",
                     "party":{"bsn":"111222333","email":"a@b.nl"}})",
                 "party"},
        BadInput{"EmptyIdentifier",
                 R"({"tenant":"t","session_id":"s","topic":"x","party":{"email":""}})",
                 "party.email"},
        BadInput{"ControlInAttribute",
                 R"({"tenant":"t","session_id":"s","topic":"x","attributes":{"p":"a\u0001"}})",
                 "attributes.p"},
        BadInput{"LongAttribute",
                 R"({"tenant":"t","session_id":"s","topic":"x","attributes":{"p":")" +
                     std::string(513, 'v') + R"("}})",
                 "attributes.p"}),
    [](const auto& info) { return info.param.name; });

TEST(ChatRequestTest, EndReasons) {
  auto completed = ParseEndSession(R"({"reason": "completed"})");
  ASSERT_TRUE(completed.ok());
  EXPECT_EQ(completed->reason, EndReason::kCompleted);
  EXPECT_EQ(completed->contact_id, "");
  auto abandoned = ParseEndSession(R"({"reason": "abandoned", "contact_id": "c-9"})");
  ASSERT_TRUE(abandoned.ok());
  EXPECT_EQ(abandoned->reason, EndReason::kAbandoned);
  EXPECT_EQ(abandoned->contact_id, "c-9");
  EXPECT_EQ(FieldOf(ParseEndSession("{}").status().message()), "reason");
  EXPECT_EQ(FieldOf(ParseEndSession(R"({"reason": "bye"})").status().message()), "reason");
  EXPECT_EQ(FieldOf(ParseEndSession(R"({"reason": "completed", "x": 1})").status().message()), "x");
}

TEST(ChatRequestTest, RouterFieldsAreRenamed) {
  EXPECT_EQ(ClientField("contact.topic"), "topic");
  EXPECT_EQ(ClientField("contact.party.bsn"), "party.bsn");
  EXPECT_EQ(ClientField("contact.party.digid_level"), "digid_level");
  EXPECT_EQ(ClientField("contact.idempotency_key"), "session_id");
  EXPECT_EQ(ClientField("contact_id"), "contact_id");
}

}  // namespace
}  // namespace wissel::adapters::chat
