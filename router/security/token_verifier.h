// The bearer-token check the gRPC layer makes once per call: VerifyJwt against the identity
// provider's current key set, with a cache and key-set refresh around it.
//
// - Cache: a verified token is remembered (keyed by the token string) until its "exp" plus the
//   clock skew, so a token is verified once in its lifetime, not on every call; a cached token
//   past that time is refused like any expired token. A hit hands out the cached claims object
//   itself (shared, immutable), so callers may key what they derive from the claims by that
//   object: the service layer's PrincipalCache does. A token verified again gets a new object. The
//   cache holds at most `cache_entries` tokens; when full, expired entries go first, then those
//   closest to expiry. A cached token is verified again once after the key set changes, so a key
//   the provider withdraws stops being accepted.
// - Key rotation: a token whose "kid" is not in the set makes the verifier load the set again
//   and retry once, but not sooner than jwks_min_refresh after the previous load, so tokens with
//   made-up key ids cost at most one load per jwks_min_refresh.
// - Periodic refresh every jwks_refresh, on a background thread owned by the verifier. A failed
//   load keeps the last good set; the first failure of a run is logged as a warning, the
//   recovery at INFO.
//
// Thread-safety: all methods may be called concurrently. Verify never waits for a load, except
// a Verify whose token has an unknown key id (it needs the result). Loads run outside the lock
// of the cache, and the cache-hit path takes only a reader lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "router/security/jwks.h"
#include "router/security/jwks_source.h"
#include "router/security/oidc_options.h"
#include "router/security/token_claims.h"

namespace wissel::security {

class TokenVerifier {
 public:
  static constexpr size_t kDefaultCacheEntries = 10000;

  // Validates `options` (InvalidArgument, see ValidateOidcOptions) and loads the key set now
  // from options.jwks_file or options.jwks_url: the error of the file read, the fetch or
  // Jwks::Parse if it cannot. `now` is the clock for token validity and refresh times.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> Create(
      OidcOptions options, std::function<absl::Time()> now = absl::Now);

  // The same with the key set loaded from `source` instead of the options' file or URL.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> CreateWithSource(
      OidcOptions options, std::unique_ptr<JwksSource> source,
      std::function<absl::Time()> now = absl::Now, size_t cache_entries = kDefaultCacheEntries);

  TokenVerifier(const TokenVerifier&) = delete;
  TokenVerifier& operator=(const TokenVerifier&) = delete;
  // Stops the refresh thread (waiting for a load in progress).
  ~TokenVerifier();

  // The claims of `token` (never null), or UNAUTHENTICATED with VerifyJwt's reason. The same
  // object for as long as the token stays in the cache. Blocks only for a token with an unknown
  // key id, while the key set is loaded again.
  absl::StatusOr<std::shared_ptr<const TokenClaims>> Verify(absl::string_view token);

  // Loads the key set now (blocking; joins a load in progress instead of starting a second).
  // On error the previous set stays in use and the error is returned.
  absl::Status Refresh();

  // Load attempts so far (the one in Create included), successful or not.
  int64_t jwks_loads() const;
  // Waits until at least `loads` attempts have completed or `timeout` passed; whether they
  // have. For tests and diagnostics of the background refresh.
  bool AwaitJwksLoads(int64_t loads, absl::Duration timeout) const;
  // Tokens in the cache.
  size_t cached_tokens() const;

 private:
  struct CacheEntry {
    std::shared_ptr<const TokenClaims> claims;
    absl::Time valid_until;   // expires_at + clock_skew
    uint64_t generation = 0;  // of the key set that verified it
  };

  TokenVerifier(OidcOptions options, std::unique_ptr<JwksSource> source,
                std::function<absl::Time()> now, size_t cache_entries);

  // Fetches and parses the set and installs it. If a load is running, waits for it and returns
  // its result instead. If `forced_by_unknown_kid` and the last load started less than
  // jwks_min_refresh ago, does nothing and returns FailedPrecondition.
  absl::Status Load(bool forced_by_unknown_kid) ABSL_LOCKS_EXCLUDED(keys_mu_);
  struct KeySnapshot {
    std::shared_ptr<const Jwks> keys;
    uint64_t generation = 0;
  };
  // The current set and its generation, read together.
  KeySnapshot CurrentKeys() const ABSL_LOCKS_EXCLUDED(keys_mu_);
  // Asks the refresh thread for a load if the periodic refresh is due.
  void WakeRefresherIfDue(absl::Time now) ABSL_LOCKS_EXCLUDED(keys_mu_);
  void RefreshLoop() ABSL_LOCKS_EXCLUDED(keys_mu_);
  void Remember(absl::string_view token, std::shared_ptr<const TokenClaims> claims,
                uint64_t generation, absl::Time now) ABSL_LOCKS_EXCLUDED(cache_mu_);
  void MakeRoomLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(cache_mu_);

  const OidcOptions options_;
  const std::unique_ptr<JwksSource> source_;
  const std::function<absl::Time()> now_;
  const size_t cache_entries_;

  mutable absl::Mutex keys_mu_;
  std::shared_ptr<const Jwks> keys_ ABSL_GUARDED_BY(keys_mu_);
  std::string keys_json_ ABSL_GUARDED_BY(keys_mu_);  // the document keys_ came from
  absl::Time next_refresh_ ABSL_GUARDED_BY(keys_mu_);
  absl::Time last_load_started_ ABSL_GUARDED_BY(keys_mu_) = absl::InfinitePast();
  bool loading_ ABSL_GUARDED_BY(keys_mu_) = false;
  int64_t loads_ ABSL_GUARDED_BY(keys_mu_) = 0;
  absl::Status last_load_status_ ABSL_GUARDED_BY(keys_mu_);
  bool failing_ ABSL_GUARDED_BY(keys_mu_) = false;
  bool refresh_wanted_ ABSL_GUARDED_BY(keys_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(keys_mu_) = false;
  // Bumped (under keys_mu_) when keys_ changes; read by the cache-hit path without the lock.
  std::atomic<uint64_t> generation_{0};
  // next_refresh_ in Unix nanoseconds, for the same path.
  std::atomic<int64_t> next_refresh_nanos_{0};

  mutable absl::Mutex cache_mu_;
  absl::flat_hash_map<std::string, CacheEntry> cache_ ABSL_GUARDED_BY(cache_mu_);

  std::thread refresher_;
};

}  // namespace wissel::security
