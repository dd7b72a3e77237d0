// What a verified bearer token says about its caller: the claims that the authorisation layer
// maps to roles per tenant. A plain value; only VerifyJwt and TokenVerifier produce it, and only
// from a token whose signature, issuer, audience and validity period were checked.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace wissel::security {

struct TokenClaims {
  std::string issuer;                            // "iss", equal to OidcOptions::issuer
  std::string subject;                           // "sub"; empty if the token has none
  absl::Time expires_at;                         // "exp"
  absl::Time not_before = absl::InfinitePast();  // "nbf"; InfinitePast if absent
  // The strings of OidcOptions::groups_claim (a string or an array of strings); empty if absent.
  std::vector<std::string> groups;
  // The string of OidcOptions::handler_claim: the handler id a handler's token speaks for; empty
  // if absent.
  std::string handler_id;
};

}  // namespace wissel::security
