// JSON request and response bodies as protobuf messages: one schema (the .proto) serves as the
// parser, the writer and the documentation.
//
// Parsing is strict: unknown fields, wrong types and malformed JSON are errors that name the
// field the way the client wrote it, and never repeat the value. Pure functions; thread-safe.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace wissel::adapters {

// Parses `body` into `message` (cleared first). InvalidArgument "FIELD: reason" for a wrong type
// or an unknown field (FIELD is the dotted path, e.g. "party.bsn"), "body: reason" when the body
// is not a JSON object at all (empty, malformed, trailing garbage, invalid UTF-8).
absl::Status ParseJsonBody(absl::string_view body, google::protobuf::Message* message);

// Turns protobuf's JSON parser error text into a field-naming status. Exposed for tests.
absl::Status JsonErrorToFieldError(absl::string_view protobuf_message);

// Writes `message` as JSON with the proto field names (snake_case); fields at their default
// value are left out.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace wissel::adapters
