// SessionDirectory: which contact a chat session is, for the sessions this adapter opened.
//
// Bounded: past `capacity` the least recently opened or used session is forgotten. Forgetting is
// harmless — opening the session again (POST /v1/chat/sessions is idempotent) returns the same
// contact and remembers it again — so the directory is a cache, not state: nothing is lost when
// the adapter restarts — except that the session's token (session_token.h) is known only here:
// a forgotten session is opened again, which issues a new token. It holds no personal data and
// no token: the contact id, the topic and the SHA-256 of the session token. Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "adapters/common/bearer_token.h"

namespace wissel::adapters::chat {

struct SessionEntry {
  std::string contact_id;
  // The topic the session was opened with; lets the adapter ask the router for the current
  // queue position (see chat_service.h). Empty when unknown.
  std::string topic;
  // SHA-256 of the session token; requests about the session must present the token.
  TokenDigest token;
};

class SessionDirectory {
 public:
  explicit SessionDirectory(size_t capacity);

  // Remembers (or refreshes) a session as the most recent.
  void Put(absl::string_view tenant, absl::string_view session_id, SessionEntry entry);
  // Remembers the session as the most recent unless it is already known (then nothing changes:
  // false). Two opens of one new session race here; only one gets to set the token.
  bool Insert(absl::string_view tenant, absl::string_view session_id, SessionEntry entry);
  // The session, marked as most recently used; nullopt when unknown or forgotten.
  std::optional<SessionEntry> Find(absl::string_view tenant, absl::string_view session_id);
  void Erase(absl::string_view tenant, absl::string_view session_id);
  size_t size() const;

 private:
  struct Slot {
    SessionEntry entry;
    std::list<std::string>::iterator order;
  };

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::list<std::string> order_ ABSL_GUARDED_BY(mu_);  // keys, least recent first
  absl::flat_hash_map<std::string, Slot> slots_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wissel::adapters::chat
