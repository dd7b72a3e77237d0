// Text checks: UTF-8, identifiers, tenants, languages, media types, API words.
#include "adapters/common/text.h"

#include "adapters/common/api_names.h"
#include "adapters/common/media_type.h"
#include "adapters/common/problem.h"
#include "gtest/gtest.h"

namespace wissel::adapters {
namespace {

TEST(TextTest, Utf8) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong 3-byte
}

TEST(TextTest, Identifiers) {
  EXPECT_TRUE(ValidateIdentifier("topic", "wmo-hulpmiddelen").ok());
  EXPECT_EQ(ValidateIdentifier("topic", ""), absl::InvalidArgumentError("topic: is required"));
  EXPECT_FALSE(ValidateIdentifier("topic", "a b").ok());
  EXPECT_FALSE(ValidateIdentifier("topic", std::string(129, 'a')).ok());
  EXPECT_TRUE(ValidateTenant("tenant", "gemeente-test").ok());
  EXPECT_FALSE(ValidateTenant("tenant", "Gemeente").ok());
  EXPECT_FALSE(ValidateTenant("tenant", std::string(64, 'a')).ok());
  EXPECT_TRUE(ValidateLanguage("language", "").ok());
  EXPECT_TRUE(ValidateLanguage("language", "pt-BR").ok());
  EXPECT_FALSE(ValidateLanguage("language", "nl_NL").ok());
}

TEST(TextTest, FreeText) {
  EXPECT_TRUE(ValidateText("message", "line 1\r\nline 2\t.", 100, /*multiline=*/true).ok());
  EXPECT_FALSE(ValidateText("name", "line 1\nline 2", 100).ok());
  EXPECT_FALSE(ValidateText("name", std::string("a\0b", 3), 100).ok());
  EXPECT_EQ(FieldOf(ValidateText("name", "\xff", 100).message()), "name");
  EXPECT_FALSE(ValidateText("name", "abc", 2).ok());
}

TEST(MediaTypeTest, Parses) {
  auto json = ParseMediaType("Application/JSON; charset=\"UTF-8\"");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->type, "application/json");
  EXPECT_EQ(json->charset, "utf-8");
  auto form = ParseMediaType("application/x-www-form-urlencoded");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->type, kFormMediaType);
  EXPECT_EQ(form->charset, "");
  EXPECT_FALSE(ParseMediaType("").ok());
  EXPECT_FALSE(ParseMediaType("json").ok());
  EXPECT_FALSE(ParseMediaType("application/json; charset").ok());
}

TEST(ApiNamesTest, Words) {
  EXPECT_EQ(*ParseNeed("needs", "low_digital_skills"), v1::NEED_LOW_DIGITAL_SKILLS);
  EXPECT_EQ(FieldOf(ParseNeed("needs[2]", "NEED_IMPAIRMENT").status().message()), "needs[2]");
  EXPECT_EQ(*ParseDigidLevel("digid_level", ""), v1::DIGID_LEVEL_UNSPECIFIED);
  EXPECT_EQ(*ParseDigidLevel("digid_level", "substantieel"), v1::DIGID_LEVEL_SUBSTANTIEEL);
  EXPECT_FALSE(ParseDigidLevel("digid_level", "high").ok());
  EXPECT_EQ(OutcomeName(v1::Decision::OUTCOME_QUEUED), "queued");
  EXPECT_EQ(ContactStateName(v1::CONTACT_STATE_ABANDONED), "abandoned");
  EXPECT_TRUE(IsEnded(v1::CONTACT_STATE_COMPLETED));
  EXPECT_FALSE(IsEnded(v1::CONTACT_STATE_CONNECTED));
}

}  // namespace
}  // namespace wissel::adapters
