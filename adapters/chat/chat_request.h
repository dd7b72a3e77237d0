// The chat adapter's request parsing: JSON bodies (chat_api.proto) to validated router calls.
//
// What is checked here is the shape of the request — required fields, formats, the words for
// needs and DigiD levels, the attribute limits — so that the answer names the field the way the
// client wrote it. What a value means (is the BSN valid, does the topic exist) is the router's
// to say; its field errors are renamed with ClientField(). Pure functions; thread-safe; these
// are what the fuzzer (fuzz/chat_request_fuzzer.cc) exercises.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "wissel/v1/routing_service.pb.h"

namespace wissel::adapters::chat {

// Session ids leave room for the "chat:" prefix within the router's 128-byte idempotency key.
inline constexpr size_t kMaxSessionIdLength = 120;

// The idempotency key of a chat session: "chat:" + session id.
std::string IdempotencyKey(absl::string_view session_id);

// Parses the body of POST /v1/chat/sessions into the RouteContact request for it (channel chat,
// idempotency key from the session id). InvalidArgument "FIELD: reason" (FIELD as in the JSON,
// e.g. "session_id", "needs[1]", "party.bsn"; "body" for malformed JSON).
absl::StatusOr<v1::RouteContactRequest> ParseOpenSession(absl::string_view json);

enum class EndReason { kCompleted, kAbandoned };

struct EndSession {
  EndReason reason = EndReason::kAbandoned;
  std::string contact_id;  // optional; empty when not given
};

// Parses the body of POST .../end: {"reason": "completed"|"abandoned", "contact_id": "..."}.
absl::StatusOr<EndSession> ParseEndSession(absl::string_view json);

// The path parameters of /v1/chat/sessions/{tenant}/{session_id}/...: InvalidArgument naming
// "tenant" or "session_id".
absl::Status ValidateSessionPath(absl::string_view tenant, absl::string_view session_id);

// The client's name of a field the router named: "contact.party.bsn" -> "party.bsn",
// "contact.party.digid_level" -> "digid_level", "contact.idempotency_key" -> "session_id".
std::string ClientField(absl::string_view router_field);

}  // namespace wissel::adapters::chat
