// WorkerPool: a fixed number of threads running tasks from a bounded queue. The socket threads
// hand each SIP message to it, so a slow router call never blocks reading the socket; when the
// queue is full TrySubmit() refuses and the caller answers 503 at once.
//
// Thread-safe. The destructor stops the pool after the queued tasks have run.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace wissel::adapters::sip {

class WorkerPool {
 public:
  // `threads` >= 1; `capacity` >= 1 queued tasks (not counting running ones).
  WorkerPool(int threads, size_t capacity);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (and `task` is not run) when the queue is full or the pool stops.
  bool TrySubmit(std::function<void()> task);

  // Blocks until no task is queued or running, or `timeout` passes; true when idle.
  bool WaitIdle(absl::Duration timeout);

  // Tasks queued or running now.
  size_t busy() const;

 private:
  void Run();

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  size_t running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace wissel::adapters::sip
