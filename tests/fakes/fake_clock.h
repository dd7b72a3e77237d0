// A Clock that tests move by hand, so time-dependent behaviour is deterministic.
#pragma once

#include "absl/time/time.h"
#include "router/core/clock.h"

namespace wissel::testing {

class FakeClock : public core::Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'790'000'000)) : now_(start) {}
  absl::Time Now() const override { return now_; }
  void Advance(absl::Duration d) { now_ += d; }
  void Set(absl::Time t) { now_ = t; }

 private:
  absl::Time now_;
};

}  // namespace wissel::testing
