// DelayQueue: runs small tasks after a delay on one timer thread — the simulated handlers'
// "think" times (accept after N ms, handle for N ms, wrap up for N ms) without a thread or a
// blocked gRPC callback per handler.
//
// Thread-safety: Schedule() from any thread. Tasks run on the timer thread, one at a time, and
// must be short (start an async call and return). Stop() drops tasks not yet due.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace wissel::load {

class DelayQueue {
 public:
  DelayQueue();
  ~DelayQueue();  // Stop()s

  // Runs `task` once `delay` has passed; a delay <= 0 runs it at once on the calling thread.
  // After Stop() the task is dropped. Returns false when it was dropped.
  bool Schedule(absl::Duration delay, std::function<void()> task);
  // Drops every task not yet run and ends the timer thread. Idempotent.
  void Stop();
  // Tasks scheduled and not yet run (or dropped).
  int64_t pending() const;

 private:
  struct Entry {
    absl::Time due;
    int64_t seq;
    std::function<void()> task;
    bool operator>(const Entry& other) const {
      return due != other.due ? due > other.due : seq > other.seq;
    }
  };
  void Loop();

  mutable absl::Mutex mu_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_ ABSL_GUARDED_BY(mu_);
  int64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar wake_;
  std::thread thread_;
};

}  // namespace wissel::load
