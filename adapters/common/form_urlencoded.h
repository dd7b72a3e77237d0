// application/x-www-form-urlencoded bodies, as a plain HTML <form method="post"> sends them.
//
// Decoding follows the WHATWG URL standard's form-urlencoded parser, but strictly: a '%' not
// followed by two hex digits is an error instead of being kept, and every decoded name and value
// must be valid UTF-8. Pure functions; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wissel::adapters {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// The name/value pairs of `body`, in order, '+' decoded as space and %XX as the byte XX. Empty
// segments ("a=1&&b=2") are skipped; a segment without '=' is a name with an empty value.
// InvalidArgument "body: ..." for bad percent-encoding or an empty name, "NAME: is not valid
// UTF-8" for a bad value; "body: more than N fields" past `max_fields`.
absl::StatusOr<FormFields> ParseFormUrlEncoded(absl::string_view body, size_t max_fields = 256);

// Percent-decodes one component ('+' as space). InvalidArgument "body: ..." on a bad escape.
absl::StatusOr<std::string> DecodeFormComponent(absl::string_view component);

}  // namespace wissel::adapters
