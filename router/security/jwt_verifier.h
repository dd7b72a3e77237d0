// Verification of one compact-serialised JSON Web Token (RFC 7519, JWS RFC 7515) against a key
// set: what turns an OAuth2/OIDC bearer token into TokenClaims.
//
// Accepted: RS256 (RSA key, PKCS #1 v1.5 with SHA-256), ES256 (P-256 key; the JOSE signature is
// r || s, 64 bytes) and EdDSA (Ed25519 key). The header's "alg" must match the key's type, and
// the key's own "alg" if it has one. Refused, each as UNAUTHENTICATED with a short reason that
// names at most a claim, never a value from the token: "alg":"none", HS256/384/512 (a public key
// is never used as an HMAC secret), any other alg, a "crit" header, a missing or unknown "kid",
// a bad signature (a tampered header or payload), bad base64url (including '=' padding),
// non-JSON or non-object header or payload, other than three segments, a token over 8 KiB, and
// the claim checks: "iss" equal to the issuer, "aud" equal to or containing the audience, "exp"
// present and now < exp + skew, now >= nbf - skew if "nbf" is present.
//
// Pure (time is a parameter), thread-safe.
#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/security/jwks.h"
#include "router/security/oidc_options.h"
#include "router/security/token_claims.h"

namespace wissel::security {

// Longer tokens are refused before any decoding.
inline constexpr size_t kMaxTokenBytes = 8192;  // 8 KiB

// The claims of `token` if it verifies with a key of `keys` and passes the checks above at time
// `now`; otherwise UNAUTHENTICATED.
absl::StatusOr<TokenClaims> VerifyJwt(absl::string_view token, const Jwks& keys,
                                      const OidcOptions& options, absl::Time now);

// Whether `status` is VerifyJwt's refusal of a well-formed token whose "kid" is not in the key
// set: the one refusal that a newer key set may cure (the provider rotated its keys).
bool IsUnknownKeyId(const absl::Status& status);

}  // namespace wissel::security
