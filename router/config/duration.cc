#include "router/config/duration.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace wissel::config {
namespace {

constexpr absl::string_view kExpected =
    "expected whole numbers followed by s, m, h or d, e.g. \"20s\", \"2m\", \"1h30m\", \"30d\"";

// Large enough for any sensible setting (about 2700 years in days), small enough that the
// sum of a few parts cannot overflow absl::Duration's range.
constexpr int64_t kMaxPart = 1'000'000;

}  // namespace

absl::StatusOr<absl::Duration> ParseConfigDuration(absl::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError(absl::StrCat("empty duration; ", kExpected));
  absl::Duration total = absl::ZeroDuration();
  size_t i = 0;
  while (i < text.size()) {
    const size_t digits_start = i;
    int64_t value = 0;
    while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
      value = value * 10 + (text[i] - '0');
      if (value > kMaxPart) {
        return absl::InvalidArgumentError(absl::StrCat(
            "duration '", text, "' is out of range (at most ", kMaxPart, " per unit)"));
      }
      ++i;
    }
    if (i == digits_start) {
      return absl::InvalidArgumentError(absl::StrCat("invalid duration '", text, "': ", kExpected));
    }
    if (i == text.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("duration '", text, "' has no unit; ", kExpected));
    }
    const size_t unit_start = i;
    while (i < text.size() && absl::ascii_isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const absl::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit == "s") {
      total += absl::Seconds(value);
    } else if (unit == "m") {
      total += absl::Minutes(value);
    } else if (unit == "h") {
      total += absl::Hours(value);
    } else if (unit == "d") {
      total += absl::Hours(24 * value);
    } else if (unit.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("invalid duration '", text, "': ", kExpected));
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown unit '", unit, "' in duration '",
                                                     text, "'; supported: s, m, h, d"));
    }
  }
  return total;
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

}  // namespace wissel::config
