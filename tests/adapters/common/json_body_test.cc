// Strict JSON parsing into protobuf messages, with field-naming errors that never echo values.
#include "adapters/common/json_body.h"

#include "adapters/common/problem.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wissel/v1/routing_service.pb.h"

namespace wissel::adapters {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Case {
  std::string name;
  std::string json;
  std::string field;  // expected field; empty: parses
};

class JsonBodyTest : public ::testing::TestWithParam<Case> {};

TEST_P(JsonBodyTest, NamesTheField) {
  v1::RouteContactRequest message;
  const absl::Status status = ParseJsonBody(GetParam().json, &message);
  if (GetParam().field.empty()) {
    EXPECT_TRUE(status.ok()) << status;
    return;
  }
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(FieldOf(status.message()), GetParam().field) << status;
  // Values (possibly personal data) are never repeated.
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("111222333")));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonBodyTest,
    ::testing::Values(
        Case{"Valid", R"({"contact": {"tenant": "t", "topic": "x"}})", ""},
        Case{"Empty", "", "body"}, Case{"Malformed", R"({"contact": )", "body"},
        Case{"NotAnObject", R"(["a"])", "body"}, Case{"Null", "null", "body"},
        Case{"Trailing", R"({} x)", "body"},
        Case{"BadUtf8", "{\"contact\": {\"topic\": \"\xff\"}}", "body"},
        Case{"UnknownTop", R"({"bogus": 1})", "bogus"},
        Case{"UnknownNested", R"({"contact": {"bogus": 1}})", "contact.bogus"},
        Case{"WrongTypeString", R"({"contact": {"tenant": 5}})", "contact.tenant"},
        Case{"WrongTypeNested", R"({"contact": {"party": {"bsn": 111222333}}})",
             "contact.party.bsn"},
        Case{"WrongTypeInt", R"({"contact": {"priority": "high"}})", "contact.priority"},
        Case{"WrongTypeMapValue", R"({"contact": {"attributes": {"a": 1}}})", "contact.attributes"},
        Case{"DuplicateMapKey", R"({"contact": {"attributes": {"a": "1", "a": "2"}}})",
             "contact.attributes"},
        Case{"ListForScalar", R"({"contact": {"tenant": ["a"]}})", "contact.tenant"},
        Case{"ListForScalarTop", R"({"contact": [1]})", "contact"},
        Case{"ObjectForScalar", R"({"contact": {"topic": {"a": 1}}})", "contact.topic"},
        Case{"ScalarForObject", R"({"contact": "x"})", "contact"},
        Case{"ListForMap", R"({"contact": {"attributes": []}})", "contact.attributes"},
        Case{"TwoIdentifiers", R"({"contact": {"party": {"bsn": "111222333", "email": "a@b.nl"}}})",
             "contact.party"}),
    [](const auto& info) { return info.param.name; });

TEST(JsonBodyTest, ToJsonUsesProtoNames) {
  v1::RouteContactResponse response;
  response.set_contact_id("c-1");
  response.mutable_decision()->set_expected_handling_date("2026-12-01");
  EXPECT_EQ(ToJson(response),
            R"({"contact_id":"c-1","decision":{"expected_handling_date":"2026-12-01"}})");
}

}  // namespace
}  // namespace wissel::adapters
