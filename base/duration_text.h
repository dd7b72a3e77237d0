// Durations as written in Wissel's configuration and rule expressions: one or more
// "<whole number><unit>" parts without spaces, summed, e.g. "20s", "2m", "1h30m", "30d". The one
// scanner of that syntax; the config loaders (base/duration.h) and the rule expression lexer each
// word its errors.
//
// Plain functions, no state; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace wissel::base {

// Why a duration did not scan.
enum class DurationTextError {
  kNone,
  kNoDigits,     // the text does not start with a digit
  kTooLarge,     // a part's number exceeds the caller's maximum
  kNoUnit,       // a part's number is not followed by a letter
  kUnknownUnit,  // a part's letters are not s, m, h or d
};

struct DurationScan {
  absl::Duration duration;  // the sum of the parts
  size_t length = 0;        // characters read: scanning stops before the first part that does not
                            // start with a digit
  DurationTextError error = DurationTextError::kNone;
  size_t error_offset = 0;  // where the failing part's number (kNoDigits, kTooLarge), its missing
                            // unit (kNoUnit) or its unit (kUnknownUnit) starts
  absl::string_view unit;   // for kUnknownUnit: the letters read as the unit (a view of the text)
};

// Reads parts from the start of `text` while a part starts with a digit. Units are s (seconds),
// m (minutes), h (hours) and d (days of 24 hours); a part's unit is all the ASCII letters after its
// number. A part whose number exceeds `max_part` is kTooLarge (checked digit by digit, so no
// overflow). Trailing text after the last part is left to the caller (see `length`).
DurationScan ScanDuration(absl::string_view text, int64_t max_part);

}  // namespace wissel::base
