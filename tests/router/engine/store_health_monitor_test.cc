// StoreHealthMonitor with a scripted probe: it reports each change once, in order, and stops.
#include "router/engine/store_health_monitor.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace wissel::engine {
namespace {

class ScriptedProbe {
 public:
  absl::Status Probe() {
    absl::MutexLock lock(&mu_);
    return status_;
  }
  void Set(absl::Status status) {
    absl::MutexLock lock(&mu_);
    status_ = std::move(status);
  }

 private:
  absl::Mutex mu_;
  absl::Status status_;
};

class Changes {
 public:
  void Add(bool serving) {
    absl::MutexLock lock(&mu_);
    seen_.push_back(serving);
  }
  // Waits (bounded) until `n` changes were reported; returns them.
  std::vector<bool> WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return seen_.size() >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10));
    return seen_;
  }

 private:
  absl::Mutex mu_;
  std::vector<bool> seen_ ABSL_GUARDED_BY(mu_);
};

TEST(StoreHealthMonitorTest, ReportsEachChangeOnce) {
  ScriptedProbe probe;
  Changes changes;
  StoreHealthMonitor monitor([&] { return probe.Probe(); },
                             [&](bool serving, const absl::Status&) { changes.Add(serving); },
                             absl::Milliseconds(5));
  monitor.Start();
  probe.Set(absl::UnavailableError("redis at 127.0.0.1:1 unreachable"));
  EXPECT_EQ(changes.WaitFor(1), std::vector<bool>({false}));
  EXPECT_FALSE(monitor.serving());
  probe.Set(absl::OkStatus());
  EXPECT_EQ(changes.WaitFor(2), std::vector<bool>({false, true}));
  // Further probes that agree report nothing.
  const int probes = monitor.probes();
  for (int i = 0; i < 1000 && monitor.probes() < probes + 3; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  monitor.Stop();
  EXPECT_EQ(changes.WaitFor(2).size(), 2u);
  EXPECT_TRUE(monitor.serving());
}

TEST(StoreHealthMonitorTest, StopIsPromptAndIdempotent) {
  Changes changes;
  StoreHealthMonitor monitor([] { return absl::OkStatus(); },
                             [&](bool serving, const absl::Status&) { changes.Add(serving); },
                             absl::Hours(1));
  monitor.Start();
  monitor.Stop();  // must not wait for the hour
  monitor.Stop();
  EXPECT_TRUE(changes.WaitFor(0).empty());
}

}  // namespace
}  // namespace wissel::engine
