#include "router/engine/store_reader.h"

#include <glog/logging.h>

#include <utility>

namespace wissel::engine {

StoreReader::StoreReader(state::StateStore* store) : store_(store) {}

StoreReader::~StoreReader() { Stop(); }

void StoreReader::Start() {
  absl::MutexLock lock(&mu_);
  DCHECK(!running_ && !stopping_);
  running_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void StoreReader::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (!running_) return;
    stopping_ = true;
  }
  thread_.join();
  absl::MutexLock lock(&mu_);
  running_ = false;
}

void StoreReader::Run(Task task) {
  {
    absl::MutexLock lock(&mu_);
    if (running_ && !stopping_) {
      queue_.push_back(std::move(task));
      return;
    }
  }
  task(*store_);
}

size_t StoreReader::pending() const {
  absl::MutexLock lock(&mu_);
  return queue_.size() + running_tasks_;
}

void StoreReader::Loop() {
  while (true) {
    Task task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || stopping_; };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping, and everything handed over has run
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_tasks_;
    }
    task(*store_);
    absl::MutexLock lock(&mu_);
    --running_tasks_;
  }
}

}  // namespace wissel::engine
