// How contact-person mappings ("één contactpersoon") are stored in Redis.
//
// A mapping (resident pseudonym, domain) -> handler is the string key
// w:{T}:cp:<pseudonym>:<domain> (redis_keys.h) with the value "handler_id|expires_at"
// (expires_at: see EncodeTime), and the member "<pseudonym>:<domain>" of the index zset
// w:{T}:cps with score expires_at. The pseudonym (64 lower-case hex digits) is the only trace of
// the resident; the domain and handler id pass keys::ValidId(), so neither contains ':' or '|'.
//
// Decoding treats stored data as untrusted: malformed input is a DataLoss status, never a
// crash. Pure functions, thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "router/core/contact_person.h"

namespace wissel::state {

// "<pseudonym>:<domain>".
std::string ContactPersonMember(absl::string_view pseudonym, absl::string_view domain);
// "handler_id|expires_at".
std::string EncodeContactPerson(const core::ContactPersonMapping& mapping);
// The mapping from its index member and its value. DataLoss when either is malformed (the
// pseudonym is not 64 lower-case hex digits, an id is not keys::ValidId(), the time is bad).
absl::StatusOr<core::ContactPersonMapping> DecodeContactPerson(absl::string_view member,
                                                               absl::string_view value);

}  // namespace wissel::state
