#include "adapters/common/text.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/problem.h"

namespace wissel::adapters {

bool IsValidUtf8(absl::string_view text) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* end = p + text.size();
  while (p < end) {
    const uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra = 0;
    uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte first, overlong lead (c0, c1) or past f4
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    p += extra + 1;
  }
  return true;
}

bool IsPrintable(absl::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

absl::Status ValidateTenant(absl::string_view field, absl::string_view value) {
  if (value.empty()) return FieldError(field, "is required");
  if (value.size() > 63) return FieldError(field, "longer than 63 characters");
  for (char c : value) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return FieldError(field, "may contain only a-z, 0-9 and -");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateIdentifier(absl::string_view field, absl::string_view value,
                                size_t max_length) {
  if (value.empty()) return FieldError(field, "is required");
  if (value.size() > max_length) {
    return FieldError(field, absl::StrCat("longer than ", max_length, " characters"));
  }
  for (char c : value) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != ':' &&
        c != '@' && c != '-') {
      return FieldError(field, "may contain only letters, digits and . _ : @ -");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t max_length,
                          bool multiline) {
  if (value.size() > max_length) {
    return FieldError(field, absl::StrCat("longer than ", max_length, " bytes"));
  }
  if (!IsValidUtf8(value)) return FieldError(field, "is not valid UTF-8");
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (multiline && (c == '\n' || c == '\r' || c == '\t')) continue;
    if (u < 0x20 || u == 0x7f) return FieldError(field, "contains control characters");
  }
  return absl::OkStatus();
}

absl::Status ValidateLanguage(absl::string_view field, absl::string_view value) {
  if (value.size() > 35) return FieldError(field, "longer than 35 characters");
  for (char c : value) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') {
      return FieldError(field, R"(is not a BCP 47 language tag such as "nl" or "en")");
    }
  }
  return absl::OkStatus();
}

}  // namespace wissel::adapters
