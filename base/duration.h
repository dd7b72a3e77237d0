// Durations as operators write them in every Wissel YAML file (the router's and the adapters'):
// "20s", "2m", "720h", "30d", or a combination such as "1h30m". One syntax everywhere, built on
// the scanner the rule condition language uses too (base/duration_text.h).
//
// Plain functions, no state; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace wissel::base {

// Parses one or more "<whole number><unit>" parts without spaces, summed; units are s (seconds),
// m (minutes), h (hours) and d (days of 24 hours). "0s" is accepted; whether zero is allowed is
// the caller's business. Errors: InvalidArgument with a reason that quotes the text but names
// no file or field (the caller adds those).
absl::StatusOr<absl::Duration> ParseConfigDuration(absl::string_view text);

// As ParseConfigDuration, and also a whole number of milliseconds alone ("500ms"), for the few
// settings (timeouts) that need less than a second.
absl::StatusOr<absl::Duration> ParseConfigTimeout(absl::string_view text);

// The inverse for whole seconds, in the largest exact unit(s): 30 days -> "30d", 90 s ->
// "1m30s", zero -> "0s". Sub-second parts are dropped; negative or infinite durations are
// formatted by absl::FormatDuration.
std::string FormatConfigDuration(absl::Duration duration);

}  // namespace wissel::base
