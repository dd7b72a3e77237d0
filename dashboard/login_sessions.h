// LoginSessions: the browser sessions of supervisors who logged in with their token
// (POST /login). A browser's EventSource cannot send an Authorization header, so after the
// token was checked once the browser holds a session id instead, in an HttpOnly, Secure,
// SameSite=Strict cookie (dashboard_service.h). The id is a new capability token (256 random
// bits, adapters/common/capability_token.h), not the supervisor's token, so the long-lived
// token is never stored in the browser; only the id's SHA-256 is kept here.
//
// Sessions end after `lifetime` (a working day by default), at logout, and when more than
// `capacity` are open (the least recently used first). In memory: a restart logs everyone out.
// Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "adapters/common/bounded_directory.h"

namespace wissel::dashboard {

class LoginSessions {
 public:
  LoginSessions(
      size_t capacity, absl::Duration lifetime,
      std::function<absl::Time()> clock = [] { return absl::Now(); });

  // A new session of `supervisor`: its id, for the cookie. Internal when the CSPRNG fails.
  absl::StatusOr<std::string> Open(const std::string& supervisor);
  // The supervisor of session `id`; nullopt when unknown, ended or expired.
  std::optional<std::string> Find(absl::string_view id);
  // Ends session `id` (logout). Unknown ids are ignored.
  void Close(absl::string_view id);

  absl::Duration lifetime() const { return lifetime_; }

 private:
  struct Session {
    std::string supervisor;
    absl::Time expires;
  };

  const absl::Duration lifetime_;
  const std::function<absl::Time()> clock_;
  // By the hex SHA-256 of the id.
  adapters::BoundedDirectory<Session> sessions_;
};

}  // namespace wissel::dashboard
