#include "base/duration_text.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace wissel::base {
namespace {

TEST(ScanDurationTest, SumsPartsAndStopsBeforeTheRest) {
  DurationScan scan = ScanDuration("1h30m > x", 100);
  EXPECT_EQ(scan.error, DurationTextError::kNone);
  EXPECT_EQ(scan.duration, absl::Minutes(90));
  EXPECT_EQ(scan.length, 5u);

  scan = ScanDuration("2d", 100);
  EXPECT_EQ(scan.error, DurationTextError::kNone);
  EXPECT_EQ(scan.duration, absl::Hours(48));
  EXPECT_EQ(scan.length, 2u);

  scan = ScanDuration("0s", 0);
  EXPECT_EQ(scan.error, DurationTextError::kNone);
  EXPECT_EQ(scan.duration, absl::ZeroDuration());
}

TEST(ScanDurationTest, SaysWhatFailedAndWhere) {
  const struct {
    const char* text;
    DurationTextError error;
    size_t offset;
    const char* unit;
  } cases[] = {
      {"s", DurationTextError::kNoDigits, 0, ""},
      {"1h101m", DurationTextError::kTooLarge, 2, ""},
      {"1h30", DurationTextError::kNoUnit, 4, ""},
      {"1.5h", DurationTextError::kNoUnit, 1, ""},
      {"45ms", DurationTextError::kUnknownUnit, 2, "ms"},
  };
  for (const auto& c : cases) {
    const DurationScan scan = ScanDuration(c.text, 100);
    EXPECT_EQ(scan.error, c.error) << c.text;
    EXPECT_EQ(scan.error_offset, c.offset) << c.text;
    EXPECT_EQ(scan.unit, c.unit) << c.text;
  }
}

}  // namespace
}  // namespace wissel::base
