#include "base/duration.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::base {
namespace {

using ::testing::HasSubstr;

TEST(ParseConfigDurationTest, AcceptsUnitsAndCombinations) {
  const struct {
    const char* text;
    absl::Duration want;
  } cases[] = {
      {"20s", absl::Seconds(20)},
      {"2m", absl::Minutes(2)},
      {"720h", absl::Hours(720)},
      {"30d", absl::Hours(24 * 30)},
      {"1h30m", absl::Minutes(90)},
      {"1d12h", absl::Hours(36)},
      {"0s", absl::ZeroDuration()},
      {"007s", absl::Seconds(7)},
      {"1000000d", absl::Hours(24'000'000)},
  };
  for (const auto& c : cases) {
    absl::StatusOr<absl::Duration> got = ParseConfigDuration(c.text);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.text;
  }
}

TEST(ParseConfigDurationTest, RejectsWithAClearReason) {
  const struct {
    const char* text;
    const char* reason;
  } cases[] = {
      {"", "empty duration"},
      {"20", "duration '20' has no unit"},
      {"500ms", "unknown unit 'ms' in duration '500ms'; supported: s, m, h, d"},
      {"2w", "unknown unit 'w'"},
      {"1.5h", "invalid duration '1.5h'"},
      {"-5s", "invalid duration '-5s'"},
      {"+5s", "invalid duration '+5s'"},
      {"5 s", "invalid duration '5 s'"},
      {" 5s", "invalid duration ' 5s'"},
      {"h", "invalid duration 'h'"},
      {"1000001d", "out of range"},
      {"99999999999999999999s", "out of range"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<absl::Duration> got = ParseConfigDuration(c.text);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(got.status().message()), HasSubstr(c.reason)) << c.text;
  }
}

TEST(ParseConfigTimeoutTest, AcceptsMillisecondsAndEveryDuration) {
  EXPECT_EQ(*ParseConfigTimeout("500ms"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseConfigTimeout("0ms"), absl::ZeroDuration());
  EXPECT_EQ(*ParseConfigTimeout("1s"), absl::Seconds(1));
  EXPECT_EQ(*ParseConfigTimeout("1m30s"), absl::Seconds(90));
}

TEST(ParseConfigTimeoutTest, RejectsMalformedMilliseconds) {
  for (const char* text : {"ms", "1.5ms", "-1ms", "1s500ms", "1234567890ms", "5 ms"}) {
    absl::StatusOr<absl::Duration> d = ParseConfigTimeout(text);
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(d.status().message()), HasSubstr("duration")) << text;
  }
}

TEST(FormatConfigDurationTest, RoundTripsThroughParse) {
  const struct {
    absl::Duration duration;
    const char* want;
  } cases[] = {
      {absl::ZeroDuration(), "0s"}, {absl::Seconds(20), "20s"},
      {absl::Seconds(90), "1m30s"}, {absl::Hours(24 * 30), "30d"},
      {absl::Hours(25), "1d1h"},    {absl::Seconds(86400 + 61), "1d1m1s"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FormatConfigDuration(c.duration), c.want);
    absl::StatusOr<absl::Duration> back = ParseConfigDuration(FormatConfigDuration(c.duration));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, c.duration);
  }
}

}  // namespace
}  // namespace wissel::base
