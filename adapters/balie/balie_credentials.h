// BalieCredentials: who may act at the balie. Each desk has its own bearer token (its next,
// done and state calls need it), the kiosks share one (check-ins need it); the waiting-room
// display is public and read-only. The tokens are read at start from the environment variables
// or files the configuration names (balie_config.h: token_env / token_file) and only their
// SHA-256 digests are kept; a presented token is compared with them in constant time.
//
// Immutable after LoadBalieCredentials(); thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "adapters/balie/balie_config.h"
#include "base/bearer_token.h"

namespace wissel::adapters::balie {

// Shortest token accepted, in characters: 16 random characters or more make guessing hopeless.
inline constexpr size_t kMinTokenLength = 16;

// Reads an environment variable; nullopt when unset. Tests pass their own.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (std::getenv).
std::optional<std::string> ProcessEnvironment(const std::string& name);

class BalieCredentials {
 public:
  BalieCredentials() = default;  // nobody is let in

  // Reads every token `config` names. InvalidArgument naming the config key (never the value)
  // when a variable is unset, a file unreadable, a token shorter than kMinTokenLength or not of
  // token characters, or two of them (desks, kiosk) the same: a shared token would let one desk
  // act as another.
  static absl::StatusOr<BalieCredentials> Load(const BalieConfig& config,
                                               const EnvironmentLookup& env = ProcessEnvironment);

  // From digests directly (tests).
  BalieCredentials(base::TokenDigest kiosk, std::map<std::string, base::TokenDigest> desks)
      : kiosk_(kiosk), desks_(std::move(desks)) {}

  // For an Authorization header value: OK when it carries the kiosk token; Unauthenticated when
  // it carries no bearer token; PermissionDenied for any other token.
  absl::Status CheckKiosk(absl::string_view authorization) const;
  // The same for the token of desk `desk_id` (another desk's or the kiosk's is denied).
  absl::Status CheckDesk(absl::string_view desk_id, absl::string_view authorization) const;
  // The same for the token of any desk (the list of every desk's state).
  absl::Status CheckAnyDesk(absl::string_view authorization) const;

 private:
  std::optional<base::TokenDigest> kiosk_;
  std::map<std::string, base::TokenDigest> desks_;
};

}  // namespace wissel::adapters::balie
