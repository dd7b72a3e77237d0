// What the callers this router has seen may do under one access policy: AccessPolicy::Resolve
// once per caller instead of on every call. Resolving walks the grants, builds the rights and,
// for a token, the SHA-256 of its label — work that gives the same answer for every call of a
// caller, so CallGuard asks this cache, which answers a known caller with one lookup and without
// copying anything.
//
// A caller is what proved its identity on the call: the claims object of its bearer token as
// security::TokenVerifier::Verify handed it out (the verifier hands out the same immutable
// object while the token is in its cache), and the names of its client certificate. The cache
// never decides whether a token is still valid: CallGuard verifies the token on every call
// first, so an expired token, or one whose key was withdrawn, is refused before this cache is
// asked, and a token verified again comes as a new claims object, resolved anew.
//
// One cache belongs to one policy: a reloaded configuration gets a new cache (CallGuard's
// SetPolicy), so a changed grant applies to the next call of every caller.
//
// Bounded: at most `max_entries` callers. When full, the entries of tokens the verifier no
// longer holds go first (they can never be asked for again); if that is not enough, the cache
// starts over. Thread-safe; a hit takes a reader lock only.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "router/access/access_policy.h"
#include "router/access/principal.h"
#include "router/security/token_claims.h"

namespace wissel::service {

class PrincipalCache {
 public:
  static constexpr size_t kDefaultMaxEntries = 10000;

  explicit PrincipalCache(access::AccessPolicy policy, size_t max_entries = kDefaultMaxEntries)
      : policy_(std::move(policy)), max_entries_(max_entries > 0 ? max_entries : 1) {}

  PrincipalCache(const PrincipalCache&) = delete;
  PrincipalCache& operator=(const PrincipalCache&) = delete;

  // The rights of the caller that proved `token` (the verified claims of its bearer token, null
  // without one) and `certificate_names` (its verified client certificate's names, empty without
  // one). Never null.
  std::shared_ptr<const access::Principal> Resolve(
      const std::shared_ptr<const security::TokenClaims>& token,
      std::vector<std::string> certificate_names) const;

  const access::AccessPolicy& policy() const { return policy_; }
  // Callers remembered.
  size_t size() const;

 private:
  struct Caller {
    // Identity, not contents: the verifier's object for one verification of one token.
    const security::TokenClaims* token = nullptr;
    std::vector<std::string> certificate_names;

    bool operator==(const Caller& other) const {
      return token == other.token && certificate_names == other.certificate_names;
    }
    template <typename H>
    friend H AbslHashValue(H h, const Caller& c) {
      return H::combine(std::move(h), c.token, c.certificate_names);
    }
  };
  struct Entry {
    // Keeps Caller::token alive, so that its address cannot be reused by another token's claims
    // while the entry exists.
    std::shared_ptr<const security::TokenClaims> token;
    std::shared_ptr<const access::Principal> principal;
  };

  void MakeRoomLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const access::AccessPolicy policy_;
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<Caller, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wissel::service
