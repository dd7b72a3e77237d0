#include "benchmarks/load/delay_queue.h"

#include <utility>

#include "absl/time/clock.h"

namespace wissel::load {

DelayQueue::DelayQueue() : thread_([this] { Loop(); }) {}

DelayQueue::~DelayQueue() { Stop(); }

bool DelayQueue::Schedule(absl::Duration delay, std::function<void()> task) {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return false;
    if (delay > absl::ZeroDuration()) {
      heap_.push(Entry{absl::Now() + delay, next_seq_++, std::move(task)});
      wake_.Signal();
      return true;
    }
  }
  task();
  return true;
}

void DelayQueue::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    while (!heap_.empty()) heap_.pop();
    wake_.Signal();
  }
  if (thread_.joinable()) thread_.join();
}

int64_t DelayQueue::pending() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(heap_.size());
}

void DelayQueue::Loop() {
  absl::MutexLock lock(&mu_);
  while (!stopped_) {
    if (heap_.empty()) {
      wake_.Wait(&mu_);
      continue;
    }
    const absl::Time now = absl::Now();
    if (heap_.top().due > now) {
      wake_.WaitWithDeadline(&mu_, heap_.top().due);
      continue;
    }
    std::function<void()> task = std::move(const_cast<Entry&>(heap_.top()).task);
    heap_.pop();
    mu_.Unlock();
    task();
    mu_.Lock();
  }
}

}  // namespace wissel::load
