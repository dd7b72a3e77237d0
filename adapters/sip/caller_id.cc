#include "adapters/sip/caller_id.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace wissel::adapters::sip {
namespace {

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return !s.empty();
}

// The number in a name-addr such as `"Name" <tel:+31...>` or `<sip:06...@host;user=phone>`,
// parsed by libosip2 as a From header.
std::optional<std::string> NumberFromNameAddr(absl::string_view value) {
  osip_from_t* from = nullptr;
  if (osip_from_init(&from) != OSIP_SUCCESS) return std::nullopt;
  const std::string text(value);
  std::optional<std::string> number;
  if (osip_from_parse(from, text.c_str()) == OSIP_SUCCESS) {
    number = NormalizeCallerNumber(UriUser(from->url));
  }
  osip_from_free(from);
  return number;
}

}  // namespace

std::optional<std::string> NormalizeCallerNumber(absl::string_view user) {
  std::string stripped;
  stripped.reserve(user.size());
  for (char c : user) {
    if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
    stripped.push_back(c);
  }
  if (absl::StartsWith(stripped, "00")) stripped = absl::StrCat("+", stripped.substr(2));
  if (absl::StartsWith(stripped, "+")) {
    const absl::string_view digits = absl::string_view(stripped).substr(1);
    if (!AllDigits(digits) || digits.size() < 8 || digits.size() > 15 || digits[0] == '0') {
      return std::nullopt;
    }
    return stripped;
  }
  if (stripped.size() == 10 && stripped[0] == '0' && stripped[1] != '0' && AllDigits(stripped)) {
    return stripped;
  }
  return std::nullopt;
}

std::optional<std::string> CallerNumber(const osip_message_t& invite,
                                        bool trust_asserted_identity) {
  if (trust_asserted_identity) {
    // One or two identities (a sip: and a tel: one), in one header comma-separated or in
    // several headers; take the first with a number.
    for (absl::string_view asserted : GenericHeaders(invite, "P-Asserted-Identity")) {
      size_t start = 0;
      while (start <= asserted.size()) {
        size_t comma = asserted.find(',', start);
        if (comma == absl::string_view::npos) comma = asserted.size();
        if (std::optional<std::string> number = NumberFromNameAddr(
                absl::StripAsciiWhitespace(asserted.substr(start, comma - start)));
            number.has_value()) {
          return number;
        }
        start = comma + 1;
      }
    }
  }
  if (invite.from == nullptr) return std::nullopt;
  return NormalizeCallerNumber(UriUser(invite.from->url));
}

}  // namespace wissel::adapters::sip
