#include "router/service/principal_cache.h"

#include "router/access/identity.h"

namespace wissel::service {
namespace {

access::Identity IdentityOf(const security::TokenClaims* token,
                            const std::vector<std::string>& certificate_names) {
  access::Identity identity;
  identity.certificate_names = certificate_names;
  if (token != nullptr) {
    identity.has_token = true;
    identity.token_subject = token->subject;
    identity.token_groups = token->groups;
    identity.token_handler_id = token->handler_id;
  }
  return identity;
}

}  // namespace

std::shared_ptr<const access::Principal> PrincipalCache::Resolve(
    const std::shared_ptr<const security::TokenClaims>& token,
    std::vector<std::string> certificate_names) const {
  Caller caller{token.get(), std::move(certificate_names)};
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto it = entries_.find(caller); it != entries_.end()) return it->second.principal;
  }
  // Resolved outside the lock; two first calls of one caller at once both resolve, to the same.
  auto principal = std::make_shared<const access::Principal>(
      policy_.Resolve(IdentityOf(caller.token, caller.certificate_names)));
  absl::MutexLock lock(&mu_);
  if (entries_.size() >= max_entries_) MakeRoomLocked();
  return entries_.try_emplace(std::move(caller), Entry{token, std::move(principal)})
      .first->second.principal;
}

void PrincipalCache::MakeRoomLocked() const {
  // Only this cache holds the claims: the verifier dropped or replaced the token, whose next
  // call brings a new claims object and so can never find this entry again.
  absl::erase_if(entries_, [](const auto& entry) {
    return entry.second.token != nullptr && entry.second.token.use_count() == 1;
  });
  if (entries_.size() >= max_entries_) entries_.clear();
}

size_t PrincipalCache::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace wissel::service
