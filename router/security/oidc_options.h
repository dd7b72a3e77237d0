// How the router checks OAuth2/OIDC bearer tokens from one identity provider (Keycloak, Entra ID,
// ...): whose tokens it accepts (issuer), for whom they must be meant (audience), where the
// provider's public keys come from (a JWKS file or URL) and how the claims name groups and the
// handler a token speaks for. A plain struct filled by the configuration loader; validate it with
// ValidateOidcOptions before use (TokenVerifier::Create does).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace wissel::security {

struct OidcOptions {
  // Required; the token's "iss" must equal it exactly (no trailing-slash normalisation).
  std::string issuer;
  // Required; the token's "aud" must equal it, or contain it when "aud" is an array.
  std::string audience;
  // Leeway for clock differences with the provider, applied to "exp" and "nbf"; 0 to 5 minutes.
  absl::Duration clock_skew = absl::Seconds(60);
  // The claim holding the caller's groups or roles: a string or an array of strings. A dotted
  // path ("realm_access.roles") walks nested objects; a top-level claim whose name contains dots
  // is found first. Empty: no groups are read.
  std::string groups_claim = "groups";
  // The claim naming the handler id a handler's token speaks for (a string). Empty: none.
  std::string handler_claim = "preferred_username";
  // Where the JSON Web Key Set comes from: exactly one of a file and an URL.
  std::string jwks_file;
  // https://...; http:// only to a loopback host (127.0.0.0/8, localhost, [::1]) for tests and
  // development.
  std::string jwks_url;
  // PEM CA bundle that verifies the JWKS server's certificate; empty: the system's trust store.
  std::string jwks_ca_file;
  // How often the key set is re-read (file) or re-fetched (URL); at least 1 s.
  absl::Duration jwks_refresh = absl::Minutes(10);
  // The least time between two loads of the key set forced by a token with an unknown key id
  // (a key rotation at the provider); 0 to jwks_refresh. It bounds what a stream of tokens with
  // made-up key ids can cost the provider and the router.
  absl::Duration jwks_min_refresh = absl::Seconds(30);
};

// OK, or InvalidArgument starting with the offending field's name ("issuer: must not be empty"):
// issuer and audience set, exactly one of jwks_file and jwks_url, the URL's scheme rule,
// clock_skew within 0..5 min, jwks_refresh >= 1 s, jwks_min_refresh within 0..jwks_refresh, and
// claim paths without empty segments.
absl::Status ValidateOidcOptions(const OidcOptions& options);

}  // namespace wissel::security
