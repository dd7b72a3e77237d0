// Capability tokens: an unguessable bearer token that is by itself the right to one thing this
// adapter handed out — a chat session (read its events, end it), a web form submission (read its
// status). The answer that creates the thing carries a new token, once; later requests about it
// must present it ("Authorization: Bearer TOKEN"). The adapter keeps only the token's SHA-256
// (bearer_token.h), never the token. Thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace wissel::adapters {

// Bytes of randomness in a token: 256 bits, far beyond guessing.
inline constexpr int kCapabilityTokenBytes = 32;

// A new token: kCapabilityTokenBytes from OpenSSL's CSPRNG (RAND_bytes), base64url without
// padding (43 characters of [A-Za-z0-9_-]). Internal when the CSPRNG fails.
absl::StatusOr<std::string> NewCapabilityToken();

}  // namespace wissel::adapters
