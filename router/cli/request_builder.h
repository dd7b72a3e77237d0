// Turns wisselctl's flags into wissel.v1 API requests.
//
// Each request type has its flag table (shown in --help) next to the function that reads those
// flags, so the two cannot drift apart. Only the shape of the input is checked here (required
// flags present, enum names known, numbers numeric); the router validates the content itself
// (BSN 11-proef, lengths, known tenant and topic) and its INVALID_ARGUMENT names the field.
// That keeps one source of truth and lets the CLI exercise the router's validation.
//
// Thread-safety: pure functions, except GenerateIdempotencyKey (thread-safe, random).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/cli/flag_parser.h"
#include "wissel/v1/contact.pb.h"
#include "wissel/v1/handler_service.pb.h"

namespace wissel::cli {

// Enum names as typed on the command line: the proto enumerator without its prefix, in lower
// case ("web_form", "low_digital_skills", "available", "midden"). Case-insensitive; "-" may be
// used for "_". Unknown names are InvalidArgument listing the accepted ones.
absl::StatusOr<v1::Channel> ParseChannel(absl::string_view name);
absl::StatusOr<v1::Need> ParseNeed(absl::string_view name);
absl::StatusOr<v1::Presence> ParsePresence(absl::string_view name);
absl::StatusOr<v1::DigidLevel> ParseDigidLevel(absl::string_view name);

// Splits comma-separated values of a (possibly repeated) flag, trimming spaces and dropping
// empty items: {"a,b", " c "} -> {"a", "b", "c"}.
std::vector<std::string> SplitList(const std::vector<std::string>& values);

// A duration flag in the one syntax of Wissel's files (base/duration.h: "2s", "500ms", "1m30s",
// "30d"), or "0". Negative durations are InvalidArgument.
absl::StatusOr<absl::Duration> ParseDurationFlag(absl::string_view flag, absl::string_view value);

// A random idempotency key, "wisselctl-" and 32 hex digits.
std::string GenerateIdempotencyKey();

// Flags and request for `wisselctl route`. --tenant, --channel and --topic are required; at
// most one of --bsn, --rsin, --kvk, --phone, --email. --idempotency-key defaults to
// GenerateIdempotencyKey(). Errors are InvalidArgument naming the flag.
const std::vector<FlagSpec>& RouteFlagSpecs();
absl::StatusOr<v1::Contact> BuildContact(const ParsedFlags& flags);

// Flags and request for `wisselctl handler signin` (and the sign-in of `handler demo`).
// --tenant and --id are required; --presence defaults to "available"; --capacity is a list of
// channel:max pairs ("phone:1,chat:3").
const std::vector<FlagSpec>& SignInFlagSpecs();
absl::StatusOr<v1::SignInRequest> BuildSignInRequest(const ParsedFlags& flags);

// Returns the value of a required flag, or InvalidArgument "missing --<name>".
absl::StatusOr<std::string> RequiredFlag(const ParsedFlags& flags, absl::string_view name);

}  // namespace wissel::cli
