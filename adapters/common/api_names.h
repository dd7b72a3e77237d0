// The words the HTTP APIs use for the enums of the public gRPC API (proto/wissel/v1): lower
// case, without the enum prefix, e.g. "low_digital_skills" for NEED_LOW_DIGITAL_SKILLS and
// "queued" for OUTCOME_QUEUED. Pure functions; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "wissel/v1/contact.pb.h"

namespace wissel::adapters {

// "low_digital_skills", "language_barrier", "impairment", "vulnerable_situation".
// InvalidArgument naming `field` for anything else.
absl::StatusOr<v1::Need> ParseNeed(absl::string_view field, absl::string_view word);

// "" (not authenticated), "basis", "midden", "substantieel", "hoog".
absl::StatusOr<v1::DigidLevel> ParseDigidLevel(absl::string_view field, absl::string_view word);

// "assigned", "queued", "digital", "callback", "closed"; "unspecified" for anything else.
std::string OutcomeName(v1::Decision::Outcome outcome);

// "queued", "offered", "connected", "completed", "abandoned"; "unspecified" otherwise.
std::string ContactStateName(v1::ContactState state);

// Whether the contact's life is over (completed or abandoned).
bool IsEnded(v1::ContactState state);

}  // namespace wissel::adapters
