// SessionDirectory: which contact a chat session is, for the sessions this adapter opened.
//
// Bounded (BoundedDirectory): past `capacity` the least recently opened or used session is
// forgotten. Forgetting is harmless — opening the session again (POST /v1/chat/sessions is
// idempotent) returns the same contact and remembers it again — so the directory is a cache,
// not state: nothing is lost when the adapter restarts — except that the session's token
// (capability_token.h) is known only here: a forgotten session is opened again, which issues a
// new token. It holds no personal data and no token: the contact id, the topic and the SHA-256
// of the session token. Thread-safe.
#pragma once

#include <string>

#include "adapters/common/bounded_directory.h"
#include "base/bearer_token.h"

namespace wissel::adapters::chat {

struct SessionEntry {
  std::string contact_id;
  // The topic the session was opened with; lets the adapter ask the router for the current
  // queue position (see chat_service.h). Empty when unknown.
  std::string topic;
  // SHA-256 of the session token; requests about the session must present the token.
  base::TokenDigest token;
};

// Keyed by tenant and session id. Insert() lets only one of two racing opens of one new session
// set the token.
using SessionDirectory = BoundedDirectory<SessionEntry>;

}  // namespace wissel::adapters::chat
