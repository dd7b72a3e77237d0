#include "base/duration_text.h"

#include "absl/strings/ascii.h"

namespace wissel::base {
namespace {

bool IsDigitAt(absl::string_view text, size_t i) {
  return i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]));
}

}  // namespace

DurationScan ScanDuration(absl::string_view text, int64_t max_part) {
  DurationScan scan;
  scan.duration = absl::ZeroDuration();
  const auto fail = [&scan](DurationTextError error, size_t offset) {
    scan.error = error;
    scan.error_offset = offset;
    return scan;
  };
  if (!IsDigitAt(text, 0)) return fail(DurationTextError::kNoDigits, 0);
  size_t i = 0;
  while (IsDigitAt(text, i)) {
    const size_t part_start = i;
    int64_t value = 0;
    while (IsDigitAt(text, i)) {
      value = value * 10 + (text[i] - '0');
      if (value > max_part) return fail(DurationTextError::kTooLarge, part_start);
      ++i;
    }
    const size_t unit_start = i;
    while (i < text.size() && absl::ascii_isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const absl::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit == "s") {
      scan.duration += absl::Seconds(value);
    } else if (unit == "m") {
      scan.duration += absl::Minutes(value);
    } else if (unit == "h") {
      scan.duration += absl::Hours(value);
    } else if (unit == "d") {
      scan.duration += absl::Hours(24 * value);
    } else if (unit.empty()) {
      return fail(DurationTextError::kNoUnit, unit_start);
    } else {
      scan.unit = unit;
      return fail(DurationTextError::kUnknownUnit, unit_start);
    }
    scan.length = i;
  }
  return scan;
}

}  // namespace wissel::base
