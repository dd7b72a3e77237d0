// A one-shot request to stop, shared between the thread that watches SIGINT/SIGTERM and the
// command that should stop.
//
// The command polls stopped() between steps, sleeps with WaitFor() so that a stop cuts the
// sleep short, and registers a cancel hook (usually grpc::ClientContext::TryCancel) for the
// blocking call it is in, so that a stop also ends a pending gRPC read or call.
//
// Thread-safety: all methods may be called from any thread. Stop() is not async-signal-safe:
// call it from a thread that received the signal with sigwait(), not from a signal handler.
#pragma once

#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace wissel::cli {

class StopSignal {
 public:
  StopSignal() = default;
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // Requests the stop and runs the cancel hook, if any. Idempotent.
  void Stop();

  bool stopped() const { return stopped_.HasBeenNotified(); }

  // Blocks for `duration` or until Stop(), whichever is first; returns stopped().
  bool WaitFor(absl::Duration duration) const;

  // Sets the hook Stop() runs, replacing any earlier one; runs it at once if already stopped.
  // Pass nullptr to clear it; clear it before whatever the hook refers to is destroyed.
  void SetCancelHook(std::function<void()> hook);

 private:
  absl::Notification stopped_;
  absl::Mutex mu_;
  std::function<void()> hook_ ABSL_GUARDED_BY(mu_);
};

// Sets a cancel hook for the lifetime of a scope; `stop` may be null (then it does nothing).
class ScopedCancelHook {
 public:
  ScopedCancelHook(StopSignal* stop, std::function<void()> hook);
  ~ScopedCancelHook();
  ScopedCancelHook(const ScopedCancelHook&) = delete;
  ScopedCancelHook& operator=(const ScopedCancelHook&) = delete;

 private:
  StopSignal* stop_;
};

}  // namespace wissel::cli
