// The wall clock, for the daemon. Tests and the simulator use a fake clock instead.
#pragma once

#include "absl/time/clock.h"
#include "router/core/clock.h"

namespace wissel::engine {

class SystemClock : public core::Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace wissel::engine
