// RateLimiter: a token bucket per client address, for the calls that create something (a chat
// session, a web form submission, a balie check-in), so that one client cannot flood the router
// with contacts.
//
// Each address gets `burst` tokens, refilled at `per_minute` per minute; a call takes one. A call
// without a token is refused with the time until the next token (the Retry-After). Memory is
// bounded: buckets are kept in least-recently-used order, a bucket idle long enough to be full
// again is dropped (it is the same as a new one), and past `max_clients` the least recently used
// bucket is dropped. Time comes from `clock` (tests inject a fake one). Thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace wissel::adapters {

struct RateLimiterOptions {
  // Sustained calls per minute per client address; 0 switches the limit off. Default 30.
  double per_minute = 30;
  // Calls a client may make at once before the sustained rate applies; at least 1. Default 10.
  int burst = 10;
  // Client addresses tracked at most; past it the least recently seen is forgotten. Default
  // 100000 (a few MB).
  size_t max_clients = 100000;
  // The clock. Default absl::Now.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

// InvalidArgument naming the flag when `options` cannot work (negative rate, burst below 1).
absl::Status ValidateRateLimiterOptions(const RateLimiterOptions& options);

class RateLimiter {
 public:
  struct Decision {
    bool allowed = true;
    // When refused: how long until the client has a token again (at least 1 s).
    absl::Duration retry_after = absl::ZeroDuration();
  };

  explicit RateLimiter(RateLimiterOptions options);

  bool enabled() const { return options_.per_minute > 0; }

  // Takes a token of `client` (its address) if it has one.
  Decision Admit(absl::string_view client);

  // Buckets held now (for tests of the memory bound).
  size_t tracked() const;

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
    std::list<std::string>::iterator order;
  };

  // Drops buckets that have been idle long enough to be full again, oldest first.
  void DropIdle(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RateLimiterOptions options_;
  // Time to refill a whole burst: a bucket idle this long is the same as a new one.
  const absl::Duration refill_time_;
  mutable absl::Mutex mu_;
  std::list<std::string> order_ ABSL_GUARDED_BY(mu_);  // least recently used first
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wissel::adapters
