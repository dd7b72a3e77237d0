// The Content-Type of a request: media type and charset (RFC 9110 section 8.3).
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wissel::adapters {

inline constexpr char kJsonMediaType[] = "application/json";
inline constexpr char kFormMediaType[] = "application/x-www-form-urlencoded";

struct MediaType {
  std::string type;     // "type/subtype", lower case, e.g. "application/json"
  std::string charset;  // the charset parameter, lower case; empty when absent
};

// Parses a Content-Type header value such as "application/json; charset=UTF-8".
// InvalidArgument "Content-Type: ..." when it is empty or not of the form type/subtype[;params].
absl::StatusOr<MediaType> ParseMediaType(absl::string_view header);

}  // namespace wissel::adapters
