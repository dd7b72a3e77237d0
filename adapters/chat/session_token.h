// Chat session tokens: the capability to read and end one chat session. Opening a session
// returns a new token; reading its state and events and ending it require it (Authorization:
// Bearer TOKEN, or ?session_token= on the events stream, since a browser's EventSource cannot
// set headers). The adapter keeps only the token's SHA-256 (bearer_token.h), never the token.
// Thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace wissel::adapters::chat {

// Bytes of randomness in a token: 256 bits, far beyond guessing.
inline constexpr int kSessionTokenBytes = 32;

// A new token: kSessionTokenBytes from OpenSSL's CSPRNG (RAND_bytes), base64url without padding
// (43 characters of [A-Za-z0-9_-]). Internal when the CSPRNG fails.
absl::StatusOr<std::string> NewSessionToken();

}  // namespace wissel::adapters::chat
