#include "router/security/jwks_url.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace wissel::security {
namespace {

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("jwks_url: ", what));
}

}  // namespace

bool IsLoopbackHost(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost") || host == "::1") return true;
  // 127.0.0.0/8, written as four decimal octets.
  const std::vector<absl::string_view> octets = absl::StrSplit(host, '.');
  if (octets.size() != 4 || octets[0] != "127") return false;
  for (const absl::string_view octet : octets) {
    uint32_t value = 0;
    if (octet.empty() || octet.size() > 3 || !absl::SimpleAtoi(octet, &value) || value > 255) {
      return false;
    }
    for (const char c : octet) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    }
  }
  return true;
}

absl::StatusOr<JwksUrl> ParseJwksUrl(absl::string_view url) {
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      return Invalid("must not contain spaces or control characters");
    }
  }
  JwksUrl out;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "https://")) {
    out.https = true;
    out.port = 443;
  } else if (absl::ConsumePrefix(&rest, "http://")) {
    out.https = false;
    out.port = 80;
  } else {
    return Invalid("must start with https:// (or http:// to a loopback host)");
  }
  if (absl::StrContains(rest, '#')) return Invalid("must not have a fragment");
  const size_t path_start = rest.find_first_of("/?");
  absl::string_view authority = rest.substr(0, path_start);
  // Built in one go: GCC 12 at -O2/-O3 misreports `= "/"` and insert(0, "/") here as
  // -Wrestrict overlaps (a known false positive), which -Werror turns into a build failure.
  if (path_start == absl::string_view::npos) {
    out.path.assign(1, '/');
  } else {
    const absl::string_view tail = rest.substr(path_start);
    out.path = tail.front() == '?' ? absl::StrCat("/", tail) : std::string(tail);
  }
  if (absl::StrContains(authority, '@')) return Invalid("must not contain user info");
  absl::string_view port_text;
  if (absl::ConsumePrefix(&authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return Invalid("unterminated IPv6 address");
    out.host = std::string(authority.substr(0, close));
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!absl::ConsumePrefix(&after, ":")) return Invalid("bad text after the IPv6 address");
      port_text = after;
      if (port_text.empty()) return Invalid("empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return Invalid("empty port");
    }
  }
  if (out.host.empty()) return Invalid("must name a host");
  if (!port_text.empty()) {
    int port = 0;
    for (const char c : port_text) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return Invalid("bad port");
    }
    if (port_text.size() > 5 || !absl::SimpleAtoi(port_text, &port) || port < 1 || port > 65535) {
      return Invalid("bad port");
    }
    out.port = port;
  }
  if (!out.https && !IsLoopbackHost(out.host)) {
    return Invalid("http:// is allowed only to a loopback host; use https://");
  }
  return out;
}

}  // namespace wissel::security
