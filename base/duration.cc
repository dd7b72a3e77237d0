#include "base/duration.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/duration_text.h"

namespace wissel::base {
namespace {

constexpr absl::string_view kExpected =
    R"(expected whole numbers followed by s, m, h or d, e.g. "20s", "2m", "1h30m", "30d")";

// Large enough for any sensible setting (about 2700 years in days), small enough that the
// sum of a few parts cannot overflow absl::Duration's range.
constexpr int64_t kMaxPart = 1'000'000;

}  // namespace

absl::StatusOr<absl::Duration> ParseConfigDuration(absl::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError(absl::StrCat("empty duration; ", kExpected));
  const DurationScan scan = ScanDuration(text, kMaxPart);
  switch (scan.error) {
    case DurationTextError::kNone:
      if (scan.length == text.size()) return scan.duration;
      break;  // text after the last part
    case DurationTextError::kTooLarge:
      return absl::InvalidArgumentError(
          absl::StrCat("duration '", text, "' is out of range (at most ", kMaxPart, " per unit)"));
    case DurationTextError::kNoUnit:
      if (scan.error_offset == text.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("duration '", text, "' has no unit; ", kExpected));
      }
      break;  // a number followed by something other than a letter
    case DurationTextError::kUnknownUnit:
      return absl::InvalidArgumentError(absl::StrCat("unknown unit '", scan.unit, "' in duration '",
                                                     text, "'; supported: s, m, h, d"));
    case DurationTextError::kNoDigits:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid duration '", text, "': ", kExpected));
}

absl::StatusOr<absl::Duration> ParseConfigTimeout(absl::string_view text) {
  absl::string_view digits = text;
  if (absl::ConsumeSuffix(&digits, "ms")) {
    int64_t ms = 0;
    if (!digits.empty() && digits.size() <= 9 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        absl::SimpleAtoi(digits, &ms)) {
      return absl::Milliseconds(ms);
    }
    return absl::InvalidArgumentError(
        absl::StrCat("invalid duration '", text,
                     "': expected whole milliseconds such as \"500ms\", or ", kExpected));
  }
  return ParseConfigDuration(text);
}

std::string FormatConfigDuration(absl::Duration duration) {
  if (duration < absl::ZeroDuration() || duration == absl::InfiniteDuration()) {
    return absl::FormatDuration(duration);
  }
  int64_t seconds = absl::ToInt64Seconds(duration);
  if (seconds == 0) return "0s";
  std::string out;
  struct Unit {
    int64_t seconds;
    char suffix;
  };
  for (const Unit& u : {Unit{86400, 'd'}, Unit{3600, 'h'}, Unit{60, 'm'}, Unit{1, 's'}}) {
    if (seconds >= u.seconds) {
      absl::StrAppend(&out, seconds / u.seconds, absl::string_view(&u.suffix, 1));
      seconds %= u.seconds;
    }
  }
  return out;
}

}  // namespace wissel::base
