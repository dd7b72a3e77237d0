// DialPlan: dialled number and IVR choice to topic.
#include "adapters/sip/dial_plan.h"

#include "gtest/gtest.h"
#include "tests/adapters/sip/sip_test_util.h"

namespace wissel::adapters::sip::testing {
namespace {

TEST(DialPlanTest, NormalizesNumbers) {
  EXPECT_EQ(NormalizeDialledNumber("14 0123"), "140123");
  EXPECT_EQ(NormalizeDialledNumber("(0123) 45-67.89"), "0123456789");
  EXPECT_EQ(NormalizeDialledNumber("140123;phone-context=+31"), "140123");
}

TEST(DialPlanTest, IvrChoices) {
  EXPECT_TRUE(IsValidIvrChoice("1"));
  EXPECT_TRUE(IsValidIvrChoice("31#"));
  EXPECT_FALSE(IsValidIvrChoice(""));
  EXPECT_FALSE(IsValidIvrChoice("a"));
  EXPECT_FALSE(IsValidIvrChoice("123456789"));
}

TEST(DialPlanTest, ResolvesNumberAndChoice) {
  const DialPlan plan(TestConfig());
  absl::StatusOr<DialResult> r = plan.Resolve("140123", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->topic, "algemene-vraag");
  EXPECT_EQ(r->number, "140123");
  EXPECT_EQ(r->ivr_choice, "");

  r = plan.Resolve("140123*2", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->topic, "verhuizing");
  EXPECT_EQ(r->ivr_choice, "2");

  r = plan.Resolve("140123*2", " 1 ");  // the header wins
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->topic, "paspoort");

  r = plan.Resolve("140123", "bogus");  // malformed choice: ignored
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->topic, "algemene-vraag");
  EXPECT_EQ(r->ivr_choice, "");

  r = plan.Resolve("0123456789", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->topic, "wmo-hulpmiddelen");

  EXPECT_EQ(plan.Resolve("0800", "").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(plan.Resolve("", "").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace wissel::adapters::sip::testing
