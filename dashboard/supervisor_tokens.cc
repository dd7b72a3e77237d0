#include "dashboard/supervisor_tokens.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace wissel::dashboard {
namespace {

bool IsNameChar(char c) {
  return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '@' || c == '-';
}

bool IsHexDigest(absl::string_view hex) {
  return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), absl::ascii_isxdigit);
}

}  // namespace

absl::StatusOr<SupervisorTokens> SupervisorTokens::Parse(absl::string_view text,
                                                         absl::string_view source) {
  SupervisorTokens out;
  int position = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = line.substr(0, line.find('#'));
    for (absl::string_view entry : absl::StrSplit(line, ',')) {
      entry = absl::StripAsciiWhitespace(entry);
      if (entry.empty()) continue;
      ++position;
      const std::string where = absl::StrCat(source, ": entry ", position);
      const size_t eq = entry.find('=');
      if (eq == absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": is not NAME=SHA256HEX"));
      }
      const absl::string_view name = absl::StripAsciiWhitespace(entry.substr(0, eq));
      const absl::string_view hex = absl::StripAsciiWhitespace(entry.substr(eq + 1));
      if (name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), IsNameChar)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": the name must be 1 to 64 of [A-Za-z0-9._@-]"));
      }
      if (!IsHexDigest(hex)) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, " (", name,
            "): the digest must be the 64 hex digits of the token's SHA-256 (sha256sum)"));
      }
      base::TokenDigest digest;
      const std::string bytes = absl::HexStringToBytes(absl::AsciiStrToLower(hex));
      std::copy(bytes.begin(), bytes.end(), digest.bytes.begin());
      for (const auto& [other, other_digest] : out.entries_) {
        if (other == name) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": ", name, " is listed twice"));
        }
        if (base::SameDigest(other_digest, digest)) {
          return absl::InvalidArgumentError(absl::StrCat(
              where, " (", name, "): has the same token as ", other, "; everyone needs their own"));
        }
      }
      out.entries_.emplace_back(std::string(name), digest);
    }
  }
  if (out.entries_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": lists no supervisor (NAME=SHA256HEX); nobody could log in"));
  }
  return out;
}

std::optional<std::string> SupervisorTokens::Find(absl::string_view token) const {
  const base::TokenDigest presented = base::DigestOf(token);
  const std::string* found = nullptr;
  for (const auto& [name, digest] : entries_) {
    // No early exit: every digest is compared.
    if (base::SameDigest(digest, presented) && found == nullptr) found = &name;
  }
  if (found == nullptr) return std::nullopt;
  return *found;
}

}  // namespace wissel::dashboard
