// Problem: an error answer of an adapter's HTTP API, written as RFC 9457 problem details
// (application/problem+json), and the conventions that carry a field name inside an
// absl::Status.
//
// Convention (the router's too, see router/service/grpc_status.h): an InvalidArgument whose
// message starts with a field path and ": " names that field, e.g. "session_id: is required".
// Request parsers return such statuses; ProblemFromStatus() turns them into a 400 that names the
// field. Pure functions and value types; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace wissel::adapters {

inline constexpr char kProblemContentType[] = "application/problem+json";

struct FieldViolation {
  std::string field;  // as the client names it; empty for the body as a whole
  std::string detail;
};

struct Problem {
  int status = 500;
  // Short machine-readable code, e.g. "invalid_field" (see http_api.proto).
  std::string code;
  std::string detail;
  std::vector<FieldViolation> errors;
  // Sent as Retry-After (whole seconds, at least 1) when positive.
  absl::Duration retry_after = absl::ZeroDuration();
};

// InvalidArgument "FIELD: DETAIL".
absl::Status FieldError(absl::string_view field, absl::string_view detail);

// The field path at the start of a field-naming message ("party.bsn: ..." -> "party.bsn"), or
// empty. A path is [A-Za-z0-9_.[\]-]+ followed by ": ".
std::string FieldOf(absl::string_view message);

// The field name for a key the client chose (an unknown JSON field, a form field, an attribute
// key) under `parent`: "parent.key", or "key" without a parent. A key that is not made of
// [A-Za-z0-9_.[\]-] cannot be named unambiguously: then `parent`, or "body" without one.
std::string ClientFieldName(absl::string_view parent, absl::string_view key);

// The same status with its field renamed by `rename` (e.g. the router's "contact.topic" to the
// client's "topic"); statuses without a field are returned unchanged.
absl::Status RenameField(const absl::Status& status,
                         const std::function<std::string(absl::string_view)>& rename);

// A 400 naming `field`.
Problem InvalidField(absl::string_view field, absl::string_view detail);

// The answer for a failed request or router call:
//   InvalidArgument, OutOfRange   -> 400 "invalid_field", naming the field when the message does
//   NotFound                      -> 404 "not_found"
//   FailedPrecondition, AlreadyExists, Aborted -> 409 "conflict"
//   Unavailable, DeadlineExceeded -> 503 "router_unavailable" with Retry-After `retry_after`
//   ResourceExhausted             -> 503 "overloaded" with Retry-After `retry_after`
//   PermissionDenied -> 403, Unauthenticated -> 401
//   anything else                 -> 502 "router_error" (the router failed; details are logged,
//                                    not sent)
Problem ProblemFromStatus(const absl::Status& status, absl::Duration retry_after);

// The problem+json body; `instance` is the request path.
std::string ProblemBody(const Problem& problem, absl::string_view instance);

// The reason phrase of an HTTP status ("Bad Request"); "Error" for unknown codes.
absl::string_view StatusPhrase(int status);

// The Retry-After header value: whole seconds, rounded up, at least 1.
std::string RetryAfterSeconds(absl::Duration retry_after);

}  // namespace wissel::adapters
