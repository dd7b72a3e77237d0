// StoreHealthMonitor: tells whether the state store can be reached, and each time that changes.
//
// While Redis cannot be reached every call fails with UNAVAILABLE, so a load balancer or
// Kubernetes should send traffic elsewhere: the monitor probes the store (a PING through the
// reader store) every `interval` on a thread of its own and reports each change between
// reachable and unreachable to a listener; the Server's listener sets the gRPC health service
// SERVING or NOT_SERVING (the gRPC side stays in router/service). A probe never waits longer than
// the store's timeouts, and while the store's reconnect backoff runs it fails at once, so the
// interval stays regular.
//
// Thread-safe. The listener runs on the monitor's thread; Stop() (or the destructor) joins it,
// after which the listener is not called again.
#pragma once

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace wissel::engine {

class StoreHealthMonitor {
 public:
  // OK when the store answers.
  using Probe = std::function<absl::Status()>;
  // Called on every change: serving = the probe succeeded; `probe` is its status.
  using Listener = std::function<void(bool serving, const absl::Status& probe)>;

  // Does not start the thread. The store is assumed reachable until a probe says otherwise.
  StoreHealthMonitor(Probe probe, Listener listener, absl::Duration interval);
  ~StoreHealthMonitor();
  StoreHealthMonitor(const StoreHealthMonitor&) = delete;
  StoreHealthMonitor& operator=(const StoreHealthMonitor&) = delete;

  // Starts probing. Call at most once.
  void Start();
  // Stops probing and joins the thread; waits at most for the probe in flight. Idempotent.
  void Stop();

  // The result of the last probe (true before the first).
  bool serving() const;
  // Probes run so far (for tests).
  int probes() const;

 private:
  void Run();

  const Probe probe_;
  const Listener listener_;
  const absl::Duration interval_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool serving_ ABSL_GUARDED_BY(mu_) = true;
  int probes_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace wissel::engine
