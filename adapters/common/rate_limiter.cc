#include "adapters/common/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace wissel::adapters {

absl::Status ValidateRateLimiterOptions(const RateLimiterOptions& options) {
  if (!(options.per_minute >= 0) || !std::isfinite(options.per_minute)) {
    return absl::InvalidArgumentError("--rate_limit_per_minute must be 0 (off) or positive");
  }
  if (options.burst < 1) return absl::InvalidArgumentError("--rate_limit_burst must be at least 1");
  if (options.max_clients < 1) return absl::InvalidArgumentError("max_clients must be positive");
  return absl::OkStatus();
}

RateLimiter::RateLimiter(RateLimiterOptions options)
    : options_(std::move(options)),
      refill_time_(options_.per_minute > 0
                       ? absl::Minutes(1) * (std::max(1, options_.burst) / options_.per_minute)
                       : absl::ZeroDuration()) {}

void RateLimiter::DropIdle(absl::Time now) {
  while (!order_.empty()) {
    auto it = buckets_.find(order_.front());
    if (now - it->second.updated < refill_time_) break;
    buckets_.erase(it);
    order_.pop_front();
  }
}

RateLimiter::Decision RateLimiter::Admit(absl::string_view client) {
  if (!enabled()) return {};
  const absl::Time now = options_.clock();
  const double burst = std::max(1, options_.burst);
  const double per_second = options_.per_minute / 60.0;
  absl::MutexLock lock(&mu_);
  DropIdle(now);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    while (buckets_.size() >= std::max<size_t>(1, options_.max_clients)) {
      buckets_.erase(order_.front());
      order_.pop_front();
    }
    order_.emplace_back(client);
    it = buckets_.emplace(std::string(client), Bucket{burst, now, std::prev(order_.end())}).first;
  } else {
    const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - it->second.updated));
    it->second.tokens = std::min(burst, it->second.tokens + elapsed * per_second);
    it->second.updated = now;
    order_.splice(order_.end(), order_, it->second.order);
  }
  Bucket& bucket = it->second;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return {};
  }
  Decision refused;
  refused.allowed = false;
  const double wait_seconds = (1.0 - bucket.tokens) / per_second;
  refused.retry_after = absl::Seconds(std::max(1.0, std::ceil(wait_seconds)));
  return refused;
}

size_t RateLimiter::tracked() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

}  // namespace wissel::adapters
