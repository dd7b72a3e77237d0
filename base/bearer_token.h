// Bearer tokens as the HTTP listeners check them: the token from an "Authorization: Bearer ..."
// header, and its SHA-256 digest, which is all a listener keeps of a token (a chat session's,
// a balie desk's, the kiosk's, a metrics scraper's) and which it compares in constant time.
//
// Keeping only the digest means that a memory dump or a log of the session directory does not
// hand out working tokens; comparing digests with CRYPTO_memcmp means the time a comparison
// takes says nothing about how much of a guess was right. Pure functions and a value type;
// thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace wissel::base {

// The SHA-256 of a token.
struct TokenDigest {
  std::array<unsigned char, 32> bytes{};
};

// SHA-256 of `token`.
TokenDigest DigestOf(absl::string_view token);

// True when `presented` hashes to `expected`; constant time in the digest comparison.
bool TokenMatches(const TokenDigest& expected, absl::string_view presented);

// True when the two digests are equal; constant time.
bool SameDigest(const TokenDigest& a, const TokenDigest& b);

// The token of an Authorization header value "Bearer TOKEN" (scheme case-insensitive, RFC 6750
// token68 characters); nullopt when the value is empty, of another scheme, or malformed.
std::optional<std::string> BearerToken(absl::string_view authorization);

}  // namespace wissel::base
