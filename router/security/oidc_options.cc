#include "router/security/oidc_options.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "router/security/jwks_url.h"

namespace wissel::security {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

absl::Status CheckClaimPath(absl::string_view field, absl::string_view path) {
  if (path.empty()) return absl::OkStatus();
  for (const absl::string_view segment : absl::StrSplit(path, '.')) {
    if (segment.empty()) return Invalid(field, "empty segment in the claim path");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateOidcOptions(const OidcOptions& options) {
  if (options.issuer.empty()) return Invalid("issuer", "must not be empty");
  if (options.audience.empty()) return Invalid("audience", "must not be empty");
  if (options.clock_skew < absl::ZeroDuration() || options.clock_skew > absl::Minutes(5)) {
    return Invalid("clock_skew", "must be between 0 and 5m");
  }
  if (absl::Status status = CheckClaimPath("groups_claim", options.groups_claim); !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckClaimPath("handler_claim", options.handler_claim); !status.ok()) {
    return status;
  }
  if (options.jwks_file.empty() == options.jwks_url.empty()) {
    return Invalid("jwks_file", "exactly one of jwks_file and jwks_url must be set");
  }
  if (!options.jwks_url.empty()) {
    if (absl::StatusOr<JwksUrl> url = ParseJwksUrl(options.jwks_url); !url.ok()) {
      return url.status();
    }
  } else if (!options.jwks_ca_file.empty()) {
    return Invalid("jwks_ca_file", "only used with jwks_url");
  }
  if (options.jwks_refresh < absl::Seconds(1)) {
    return Invalid("jwks_refresh", "must be at least 1s");
  }
  if (options.jwks_min_refresh < absl::ZeroDuration() ||
      options.jwks_min_refresh > options.jwks_refresh) {
    return Invalid("jwks_min_refresh", "must be between 0 and jwks_refresh");
  }
  return absl::OkStatus();
}

}  // namespace wissel::security
