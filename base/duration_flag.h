// DurationFlag: the type of every duration flag of Wissel's programs, so that a flag or its
// environment variable takes the one duration syntax of the configuration files (base/duration.h:
// "500ms", "20s", "1h30m", "30d") instead of absl's own ("1.5s", "2h45m0.5s"). absl's flag
// library finds AbslParseFlag/AbslUnparseFlag by argument-dependent lookup.
//
//   ABSL_FLAG(wissel::base::DurationFlag, drain_timeout, {absl::Seconds(5)}, "...");
//   absl::Duration d = absl::GetFlag(FLAGS_drain_timeout).value;
//
// A plain value type; thread-compatible.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace wissel::base {

struct DurationFlag {
  absl::Duration value;
};

// Parses `text` with ParseConfigTimeout; false with the reason in `*error` when it does not
// parse. Negative durations cannot be written.
bool AbslParseFlag(absl::string_view text, DurationFlag* flag, std::string* error);

// The inverse: whole milliseconds below a second as "500ms", everything else as
// FormatConfigDuration writes it.
std::string AbslUnparseFlag(const DurationFlag& flag);

}  // namespace wissel::base
