#include "router/security/token_verifier.h"

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "glog/logging.h"
#include "router/security/jwt_verifier.h"

namespace wissel::security {
namespace {

// How often the refresh thread looks at the clock when nothing wakes it: the refresh period,
// but at least once a minute so that a long period still follows the injected clock.
absl::Duration PollInterval(const OidcOptions& options) {
  return std::min(options.jwks_refresh, absl::Minutes(1));
}

}  // namespace

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::Create(
    OidcOptions options, std::function<absl::Time()> now) {
  if (absl::Status status = ValidateOidcOptions(options); !status.ok()) return status;
  std::unique_ptr<JwksSource> source;
  if (!options.jwks_file.empty()) {
    source = MakeFileJwksSource(options.jwks_file);
  } else {
    absl::StatusOr<std::unique_ptr<JwksSource>> http =
        MakeHttpJwksSource(options.jwks_url, options.jwks_ca_file);
    if (!http.ok()) return http.status();
    source = *std::move(http);
  }
  return CreateWithSource(std::move(options), std::move(source), std::move(now));
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::CreateWithSource(
    OidcOptions options, std::unique_ptr<JwksSource> source, std::function<absl::Time()> now,
    size_t cache_entries) {
  if (absl::Status status = ValidateOidcOptions(options); !status.ok()) return status;
  if (source == nullptr) return absl::InvalidArgumentError("jwks source: null");
  if (cache_entries == 0) return absl::InvalidArgumentError("cache_entries: must be positive");
  std::unique_ptr<TokenVerifier> verifier(
      new TokenVerifier(std::move(options), std::move(source), std::move(now), cache_entries));
  if (absl::Status status = verifier->Load(/*forced_by_unknown_kid=*/false); !status.ok()) {
    return status;
  }
  verifier->refresher_ = std::thread([raw = verifier.get()] { raw->RefreshLoop(); });
  return verifier;
}

TokenVerifier::TokenVerifier(OidcOptions options, std::unique_ptr<JwksSource> source,
                             std::function<absl::Time()> now, size_t cache_entries)
    : options_(std::move(options)),
      source_(std::move(source)),
      now_(std::move(now)),
      cache_entries_(cache_entries) {}

TokenVerifier::~TokenVerifier() {
  {
    absl::MutexLock lock(&keys_mu_);
    stopping_ = true;
  }
  if (refresher_.joinable()) refresher_.join();
}

absl::Status TokenVerifier::Load(bool forced_by_unknown_kid) {
  const absl::Time started = now_();
  {
    absl::MutexLock lock(&keys_mu_);
    if (loading_) {
      // One load at a time: wait for the running one and share its result.
      const int64_t target = loads_ + 1;
      const auto done = [this, target]()
                            ABSL_EXCLUSIVE_LOCKS_REQUIRED(keys_mu_) { return loads_ >= target; };
      keys_mu_.Await(absl::Condition(&done));
      return last_load_status_;
    }
    if (forced_by_unknown_kid && started - last_load_started_ < options_.jwks_min_refresh) {
      return absl::FailedPreconditionError("key set loaded too recently");
    }
    loading_ = true;
    last_load_started_ = started;
  }

  // The fetch and the parse run without any lock held.
  absl::StatusOr<std::string> json = source_->Fetch();
  absl::StatusOr<Jwks> keys = json.ok() ? Jwks::Parse(*json) : absl::StatusOr<Jwks>(json.status());

  const absl::Time finished = now_();
  absl::MutexLock lock(&keys_mu_);
  loading_ = false;
  ++loads_;
  if (keys.ok()) {
    if (keys_ == nullptr || *json != keys_json_) {
      keys_ = std::make_shared<const Jwks>(*std::move(keys));
      keys_json_ = *std::move(json);
      generation_.fetch_add(1, std::memory_order_release);
    }
    if (failing_) LOG(INFO) << "JWKS for issuer " << options_.issuer << " loaded again";
    failing_ = false;
    next_refresh_ = finished + options_.jwks_refresh;
    last_load_status_ = absl::OkStatus();
  } else {
    if (!failing_ && keys_ != nullptr) {
      LOG(WARNING) << "JWKS for issuer " << options_.issuer
                   << " could not be loaded, keeping the last good key set: " << keys.status();
    }
    failing_ = true;
    // Try again sooner than the full period, but not in a tight loop.
    next_refresh_ = finished + std::max(std::min(options_.jwks_min_refresh, options_.jwks_refresh),
                                        absl::Seconds(1));
    last_load_status_ = keys.status();
  }
  next_refresh_nanos_.store(absl::ToUnixNanos(next_refresh_), std::memory_order_relaxed);
  return last_load_status_;
}

TokenVerifier::KeySnapshot TokenVerifier::CurrentKeys() const {
  absl::MutexLock lock(&keys_mu_);
  return KeySnapshot{keys_, generation_.load(std::memory_order_relaxed)};
}

void TokenVerifier::WakeRefresherIfDue(absl::Time now) {
  if (absl::ToUnixNanos(now) < next_refresh_nanos_.load(std::memory_order_relaxed)) return;
  absl::MutexLock lock(&keys_mu_);
  if (!loading_ && now >= next_refresh_) refresh_wanted_ = true;
}

void TokenVerifier::RefreshLoop() {
  const auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(keys_mu_) {
    return refresh_wanted_ || stopping_;
  };
  while (true) {
    {
      absl::MutexLock lock(&keys_mu_);
      keys_mu_.AwaitWithTimeout(absl::Condition(&woken), PollInterval(options_));
      if (stopping_) return;
      const bool due = refresh_wanted_ || (!loading_ && now_() >= next_refresh_);
      refresh_wanted_ = false;
      if (!due) continue;
    }
    Load(/*forced_by_unknown_kid=*/false).IgnoreError();  // logged in Load
  }
}

absl::StatusOr<std::shared_ptr<const TokenClaims>> TokenVerifier::Verify(absl::string_view token) {
  const absl::Time now = now_();
  WakeRefresherIfDue(now);
  // Refused before hashing: no longer token ever gets into the cache.
  if (token.size() > kMaxTokenBytes) return absl::UnauthenticatedError("token too long");
  {
    absl::ReaderMutexLock lock(&cache_mu_);
    const auto it = cache_.find(token);
    if (it != cache_.end() && now < it->second.valid_until &&
        it->second.generation == generation_.load(std::memory_order_acquire)) {
      return it->second.claims;
    }
    // Expired or from an older key set: verified again below, which refuses or renews it.
  }
  KeySnapshot keys = CurrentKeys();
  absl::StatusOr<TokenClaims> claims = VerifyJwt(token, *keys.keys, options_, now);
  if (IsUnknownKeyId(claims.status())) {
    // The provider may have rotated its keys. Load (at most once per jwks_min_refresh; a load
    // that is refused as too soon leaves the set as it is) and retry once with a newer set.
    if (generation_.load(std::memory_order_acquire) == keys.generation) {
      Load(/*forced_by_unknown_kid=*/true).IgnoreError();
    }
    KeySnapshot newer = CurrentKeys();
    if (newer.generation != keys.generation) {
      keys = std::move(newer);
      claims = VerifyJwt(token, *keys.keys, options_, now);
    }
  }
  if (!claims.ok()) return claims.status();
  auto verified = std::make_shared<const TokenClaims>(*std::move(claims));
  Remember(token, verified, keys.generation, now);
  return verified;
}

void TokenVerifier::Remember(absl::string_view token, std::shared_ptr<const TokenClaims> claims,
                             uint64_t generation, absl::Time now) {
  absl::MutexLock lock(&cache_mu_);
  auto it = cache_.find(token);
  if (it == cache_.end()) {
    if (cache_.size() >= cache_entries_) MakeRoomLocked(now);
    it = cache_.emplace(std::string(token), CacheEntry{}).first;
  }
  it->second.valid_until = claims->expires_at + options_.clock_skew;
  it->second.claims = std::move(claims);
  it->second.generation = generation;
}

void TokenVerifier::MakeRoomLocked(absl::Time now) {
  absl::erase_if(cache_, [now](const auto& entry) { return now >= entry.second.valid_until; });
  if (cache_.size() < cache_entries_) return;
  // Still full of live tokens: drop the eighth closest to expiry (at least one), so that the
  // scan is paid once per many insertions.
  std::vector<std::pair<absl::Time, const std::string*>> by_expiry;
  by_expiry.reserve(cache_.size());
  for (const auto& [token, entry] : cache_) by_expiry.emplace_back(entry.valid_until, &token);
  const size_t drop = std::max<size_t>(1, cache_.size() / 8);
  std::nth_element(by_expiry.begin(), by_expiry.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                   by_expiry.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> victims;
  victims.reserve(drop);
  for (size_t i = 0; i < drop; ++i) victims.push_back(*by_expiry[i].second);
  for (const std::string& victim : victims) cache_.erase(victim);
}

absl::Status TokenVerifier::Refresh() { return Load(/*forced_by_unknown_kid=*/false); }

int64_t TokenVerifier::jwks_loads() const {
  absl::MutexLock lock(&keys_mu_);
  return loads_;
}

bool TokenVerifier::AwaitJwksLoads(int64_t loads, absl::Duration timeout) const {
  absl::MutexLock lock(&keys_mu_);
  const auto done = [this, loads]()
                        ABSL_EXCLUSIVE_LOCKS_REQUIRED(keys_mu_) { return loads_ >= loads; };
  return keys_mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
}

size_t TokenVerifier::cached_tokens() const {
  absl::ReaderMutexLock lock(&cache_mu_);
  return cache_.size();
}

}  // namespace wissel::security
