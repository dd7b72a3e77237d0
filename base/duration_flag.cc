#include "base/duration_flag.h"

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/duration.h"

namespace wissel::base {

bool AbslParseFlag(absl::string_view text, DurationFlag* flag, std::string* error) {
  absl::StatusOr<absl::Duration> parsed = ParseConfigTimeout(text);
  if (!parsed.ok()) {
    *error = std::string(parsed.status().message());
    return false;
  }
  flag->value = *parsed;
  return true;
}

std::string AbslUnparseFlag(const DurationFlag& flag) {
  if (flag.value > absl::ZeroDuration() && flag.value < absl::Seconds(1) &&
      flag.value == absl::Milliseconds(absl::ToInt64Milliseconds(flag.value))) {
    return absl::StrCat(absl::ToInt64Milliseconds(flag.value), "ms");
  }
  return FormatConfigDuration(flag.value);
}

}  // namespace wissel::base
