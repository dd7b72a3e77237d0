// DurationFlag: a flag or environment value takes the duration syntax of Wissel's files.
#include "base/duration_flag.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_FLAG(wissel::base::DurationFlag, test_timeout, {absl::Seconds(5)}, "A duration flag.");

namespace wissel::base {
namespace {

using ::testing::HasSubstr;

TEST(DurationFlagTest, ParsesTheSyntaxOfTheConfigurationFiles) {
  DurationFlag flag;
  std::string error;
  struct Case {
    const char* text;
    absl::Duration want;
  };
  for (const Case& c : {Case{"500ms", absl::Milliseconds(500)}, Case{"20s", absl::Seconds(20)},
                        Case{"1h30m", absl::Minutes(90)}, Case{"30d", absl::Hours(24 * 30)},
                        Case{"0s", absl::ZeroDuration()}}) {
    ASSERT_TRUE(AbslParseFlag(c.text, &flag, &error)) << c.text << ": " << error;
    EXPECT_EQ(flag.value, c.want) << c.text;
  }
}

TEST(DurationFlagTest, RefusesAbslOnlyFormsWithTheReason) {
  DurationFlag flag{absl::Seconds(7)};
  for (const char* text : {"1.5s", "-2s", "2", "inf", "1s500ms", ""}) {
    std::string error;
    EXPECT_FALSE(AbslParseFlag(text, &flag, &error)) << text;
    EXPECT_THAT(error, HasSubstr("duration")) << text;
  }
  EXPECT_EQ(flag.value, absl::Seconds(7)) << "a refused value changes nothing";
}

TEST(DurationFlagTest, UnparsesSoThatParsingGivesTheSameValue) {
  for (absl::Duration d : {absl::Milliseconds(50), absl::Milliseconds(500), absl::Seconds(2),
                           absl::Seconds(90), absl::Hours(36), absl::ZeroDuration()}) {
    const std::string text = AbslUnparseFlag(DurationFlag{d});
    DurationFlag back;
    std::string error;
    ASSERT_TRUE(AbslParseFlag(text, &back, &error)) << text << ": " << error;
    EXPECT_EQ(back.value, d) << text;
  }
  EXPECT_EQ(AbslUnparseFlag(DurationFlag{absl::Milliseconds(500)}), "500ms");
  EXPECT_EQ(AbslUnparseFlag(DurationFlag{absl::Seconds(90)}), "1m30s");
}

TEST(DurationFlagTest, AnAbslFlagOfThisTypeTakesTheSyntax) {
  absl::FlagSaver saver;
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag("test_timeout");
  ASSERT_NE(flag, nullptr);
  std::string error;
  ASSERT_TRUE(flag->ParseFrom("30d", &error)) << error;
  EXPECT_EQ(absl::GetFlag(FLAGS_test_timeout).value, absl::Hours(24 * 30));
  EXPECT_FALSE(flag->ParseFrom("1.5s", &error));
  EXPECT_EQ(flag->DefaultValue(), "5s");
}

}  // namespace
}  // namespace wissel::base
