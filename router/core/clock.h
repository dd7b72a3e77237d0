// The source of time for the routing core.
//
// The core never reads the wall clock: the daemon passes a system clock, tests and the
// simulator pass a fake one, so the same inputs always give the same decisions.
// Implementations must be safe to call from the thread that owns the core.
#pragma once

#include "absl/time/time.h"

namespace wissel::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

}  // namespace wissel::core
