#include "adapters/common/cors_policy.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace wissel::adapters {
namespace {

constexpr char kAllowedMethods[] = "GET, POST, DELETE";
// What the adapters' clients send: the bearer token, JSON bodies, EventSource's reconnect id.
constexpr char kAllowedHeaders[] = "Authorization, Content-Type, Last-Event-ID";
// What a page may read of an answer besides the CORS-safelisted headers.
constexpr char kExposedHeaders[] = "Location, Retry-After";
constexpr char kMaxAge[] = "600";

bool IsHostChar(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '.'; }

// "host" or "host:port" of a configured origin; false when malformed.
bool ValidAuthority(absl::string_view authority, std::string* host) {
  absl::string_view h = authority;
  const size_t colon = authority.rfind(':');
  if (colon != absl::string_view::npos) {
    h = authority.substr(0, colon);
    int port = 0;
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &port) || port < 1 || port > 65535 ||
        authority.substr(colon + 1)[0] == '+') {
      return false;
    }
  }
  if (h.empty() || h.size() > 253 || h.front() == '.' || h.front() == '-' || h.back() == '.') {
    return false;
  }
  if (!std::all_of(h.begin(), h.end(), IsHostChar)) return false;
  *host = std::string(h);
  return true;
}

bool IsSafeMethod(absl::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

}  // namespace

absl::StatusOr<CorsPolicy> CorsPolicy::Create(const std::vector<std::string>& origins) {
  CorsPolicy policy;
  for (size_t i = 0; i < origins.size(); ++i) {
    const std::string field = absl::StrCat("allowed_origins[", i, "]");
    std::string origin = absl::AsciiStrToLower(absl::StripAsciiWhitespace(origins[i]));
    if (origin.empty()) continue;
    absl::string_view rest = origin;
    if (absl::EndsWith(rest, "/")) rest.remove_suffix(1);
    const bool https = absl::ConsumePrefix(&rest, "https://");
    const bool http = !https && absl::ConsumePrefix(&rest, "http://");
    std::string host;
    if ((!https && !http) || !ValidAuthority(rest, &host)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", origins[i],
                       "' is not an origin (https://host or https://host:port; no '*', "
                       "'null', path or query)"));
    }
    if (http && host != "localhost" && host != "127.0.0.1") {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": '", origins[i], "' must be https (http only for localhost, in development)"));
    }
    std::string normalized = absl::StrCat(https ? "https://" : "http://", rest);
    if (std::find(policy.origins_.begin(), policy.origins_.end(), normalized) ==
        policy.origins_.end()) {
      policy.origins_.push_back(std::move(normalized));
    }
  }
  return policy;
}

bool CorsPolicy::Allows(absl::string_view origin) const {
  if (origin.empty()) return false;
  // Browsers send the origin in its serialized form (lower-case scheme and host); compare as
  // they send it, so that an oddly written one is not allowed by accident.
  return std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

bool CorsPolicy::RefusesRequest(absl::string_view method, absl::string_view origin) const {
  return !IsSafeMethod(method) && !origin.empty() && !Allows(origin);
}

HeaderList CorsPolicy::ResponseHeaders(absl::string_view origin) const {
  HeaderList headers = {{"Vary", "Origin"}};
  if (Allows(origin)) {
    headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    headers.emplace_back("Access-Control-Expose-Headers", kExposedHeaders);
  }
  return headers;
}

bool CorsPolicy::IsPreflight(absl::string_view method, absl::string_view origin,
                             absl::string_view request_method) {
  return method == "OPTIONS" && !origin.empty() && !request_method.empty();
}

absl::StatusOr<HeaderList> CorsPolicy::Preflight(absl::string_view origin,
                                                 absl::string_view request_method) const {
  if (!Allows(origin)) {
    return absl::PermissionDeniedError("Origin: this origin may not call this service");
  }
  if (request_method != "GET" && request_method != "POST" && request_method != "DELETE") {
    return absl::InvalidArgumentError(
        absl::StrCat("Access-Control-Request-Method: must be one of ", kAllowedMethods));
  }
  return HeaderList{
      {"Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"},
      {"Access-Control-Allow-Origin", std::string(origin)},
      {"Access-Control-Allow-Methods", kAllowedMethods},
      {"Access-Control-Allow-Headers", kAllowedHeaders},
      {"Access-Control-Max-Age", kMaxAge},
  };
}

}  // namespace wissel::adapters
