// Checks on text that arrives from HTTP clients, shared by the adapters' request parsers.
//
// Every check that fails returns InvalidArgument "FIELD: reason" (see problem.h), and no reason
// ever repeats the value, which may be personal data. Pure functions; thread-safe.
#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace wissel::adapters {

// The router's limits (router/service/request_validation.h), repeated here so that the adapter
// names the client's field instead of passing the router's.
inline constexpr size_t kMaxIdLength = 128;
inline constexpr size_t kMaxIdempotencyKeyLength = 128;
inline constexpr size_t kMaxAttributes = 32;
inline constexpr size_t kMaxAttributeKeyLength = 64;
inline constexpr size_t kMaxAttributeValueLength = 512;

// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// Whether `text` has no ASCII control characters (below 0x20, or 0x7f).
bool IsPrintable(absl::string_view text);

// A tenant id: 1..63 of [a-z0-9-]. InvalidArgument naming `field` otherwise.
absl::Status ValidateTenant(absl::string_view field, absl::string_view value);

// An identifier as the router takes them (topic, session id, contact id): 1..max_length of
// [A-Za-z0-9._:@-]. InvalidArgument naming `field` otherwise; "is required" when empty.
absl::Status ValidateIdentifier(absl::string_view field, absl::string_view value,
                                size_t max_length = kMaxIdLength);

// Free text: valid UTF-8, at most `max_length` bytes, no control characters except (when
// `multiline`) tab, CR and LF.
absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t max_length,
                          bool multiline = false);

// A BCP 47 language tag as the router takes it: up to 35 of [A-Za-z0-9-]; empty is allowed.
absl::Status ValidateLanguage(absl::string_view field, absl::string_view value);

}  // namespace wissel::adapters
