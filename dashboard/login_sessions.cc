#include "dashboard/login_sessions.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "adapters/common/capability_token.h"
#include "base/bearer_token.h"

namespace wissel::dashboard {
namespace {

std::string Key(absl::string_view id) {
  const base::TokenDigest digest = base::DigestOf(id);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.bytes.data()), digest.bytes.size()));
}

}  // namespace

LoginSessions::LoginSessions(size_t capacity, absl::Duration lifetime,
                             std::function<absl::Time()> clock)
    : lifetime_(lifetime), clock_(std::move(clock)), sessions_(capacity) {}

absl::StatusOr<std::string> LoginSessions::Open(const std::string& supervisor) {
  absl::StatusOr<std::string> id = adapters::NewCapabilityToken();
  if (!id.ok()) return id.status();
  sessions_.Put("", Key(*id), Session{supervisor, clock_() + lifetime_});
  return id;
}

std::optional<std::string> LoginSessions::Find(absl::string_view id) {
  if (id.empty()) return std::nullopt;
  const std::string key = Key(id);
  std::optional<Session> session = sessions_.Find("", key);
  if (!session) return std::nullopt;
  if (clock_() >= session->expires) {
    sessions_.Erase("", key);
    return std::nullopt;
  }
  return session->supervisor;
}

void LoginSessions::Close(absl::string_view id) { sessions_.Erase("", Key(id)); }

}  // namespace wissel::dashboard
