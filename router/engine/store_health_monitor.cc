#include "router/engine/store_health_monitor.h"

#include <glog/logging.h>

#include <utility>

namespace wissel::engine {

StoreHealthMonitor::StoreHealthMonitor(Probe probe, Listener listener, absl::Duration interval)
    : probe_(std::move(probe)), listener_(std::move(listener)), interval_(interval) {}

StoreHealthMonitor::~StoreHealthMonitor() { Stop(); }

void StoreHealthMonitor::Start() {
  DCHECK(!thread_.joinable());
  thread_ = std::thread([this] { Run(); });
}

void StoreHealthMonitor::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool StoreHealthMonitor::serving() const {
  absl::MutexLock lock(&mu_);
  return serving_;
}

int StoreHealthMonitor::probes() const {
  absl::MutexLock lock(&mu_);
  return probes_;
}

void StoreHealthMonitor::Run() {
  while (true) {
    const absl::Status status = probe_();
    const bool serving = status.ok();
    bool changed = false;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      ++probes_;
      changed = serving != serving_;
      serving_ = serving;
    }
    if (changed) {
      if (serving) {
        LOG(INFO) << "state store reachable again: health SERVING";
      } else {
        LOG(WARNING) << "state store unreachable: health NOT_SERVING: " << status;
      }
      listener_(serving, status);
    }
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping), interval_)) return;
  }
}

}  // namespace wissel::engine
