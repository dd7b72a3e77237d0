#include "adapters/common/form_urlencoded.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "adapters/common/problem.h"
#include "adapters/common/text.h"
#include "base/status_macros.h"

namespace wissel::adapters {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<std::string> DecodeFormComponent(absl::string_view component) {
  std::string out;
  out.reserve(component.size());
  for (size_t i = 0; i < component.size(); ++i) {
    const char c = component[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= component.size()) {
        return FieldError("body", "has a '%' not followed by two hex digits");
      }
      const int hi = HexValue(component[i + 1]);
      const int lo = HexValue(component[i + 2]);
      if (hi < 0 || lo < 0) return FieldError("body", "has a '%' not followed by two hex digits");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

absl::StatusOr<FormFields> ParseFormUrlEncoded(absl::string_view body, size_t max_fields) {
  FormFields fields;
  for (absl::string_view segment : absl::StrSplit(body, '&', absl::SkipEmpty())) {
    if (fields.size() >= max_fields) {
      return FieldError("body", absl::StrCat("has more than ", max_fields, " fields"));
    }
    const size_t eq = segment.find('=');
    WISSEL_ASSIGN_OR_RETURN(std::string name, DecodeFormComponent(segment.substr(0, eq)));
    if (name.empty()) return FieldError("body", "has a field without a name");
    if (!IsValidUtf8(name) || !IsPrintable(name)) {
      return FieldError("body", "has a field name that is not printable UTF-8");
    }
    std::string value;
    if (eq != absl::string_view::npos) {
      absl::StatusOr<std::string> decoded = DecodeFormComponent(segment.substr(eq + 1));
      const std::string field = ClientFieldName("", name);
      if (!decoded.ok()) return FieldError(field, "has a '%' not followed by two hex digits");
      value = *std::move(decoded);
      if (!IsValidUtf8(value)) return FieldError(field, "is not valid UTF-8");
    }
    fields.emplace_back(std::move(name), std::move(value));
  }
  return fields;
}

}  // namespace wissel::adapters
