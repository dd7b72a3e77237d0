// Base64url without padding (RFC 7515 section 2, RFC 4648 section 5): the encoding of every part
// of a JSON Web Token and of the key members of a JSON Web Key.
//
// Decoding is strict, because a token is untrusted input and two spellings of one token would
// defeat a cache keyed by the token string: only the URL-safe alphabet, no '=' padding, no
// whitespace, and the unused low bits of the last character must be zero (so every byte string
// has exactly one encoding). Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace wissel::security {

// The bytes `text` encodes, or nullopt if it is not canonical unpadded base64url.
std::optional<std::string> Base64UrlDecode(absl::string_view text);

// The canonical unpadded base64url encoding of `bytes`.
std::string Base64UrlEncode(absl::string_view bytes);

}  // namespace wissel::security
