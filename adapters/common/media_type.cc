#include "adapters/common/media_type.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "adapters/common/problem.h"

namespace wissel::adapters {
namespace {

// RFC 9110 token characters.
bool IsToken(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) continue;
    switch (c) {
      case '!':
      case '#':
      case '$':
      case '%':
      case '&':
      case '\'':
      case '*':
      case '+':
      case '-':
      case '.':
      case '^':
      case '_':
      case '`':
      case '|':
      case '~':
        continue;
      default:
        return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<MediaType> ParseMediaType(absl::string_view header) {
  std::vector<absl::string_view> parts = absl::StrSplit(header, ';');
  const absl::string_view type = absl::StripAsciiWhitespace(parts[0]);
  if (type.empty()) return FieldError("Content-Type", "is required");
  const size_t slash = type.find('/');
  if (slash == absl::string_view::npos || !IsToken(type.substr(0, slash)) ||
      !IsToken(type.substr(slash + 1))) {
    return FieldError("Content-Type", "is not a media type");
  }
  MediaType out;
  out.type = absl::AsciiStrToLower(type);
  for (size_t i = 1; i < parts.size(); ++i) {
    const absl::string_view param = absl::StripAsciiWhitespace(parts[i]);
    if (param.empty()) continue;
    const size_t eq = param.find('=');
    if (eq == absl::string_view::npos || !IsToken(param.substr(0, eq))) {
      return FieldError("Content-Type", "has a malformed parameter");
    }
    absl::string_view value = param.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (absl::AsciiStrToLower(param.substr(0, eq)) == "charset") {
      out.charset = absl::AsciiStrToLower(value);
    }
  }
  return out;
}

}  // namespace wissel::adapters
