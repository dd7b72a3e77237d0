#include "router/cli/stop_signal.h"

#include <functional>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace wissel::cli {

void StopSignal::Stop() {
  absl::MutexLock lock(&mu_);
  if (!stopped_.HasBeenNotified()) stopped_.Notify();
  // Run under the lock so that the hook cannot be cleared (and its target destroyed) while it
  // runs. Hooks must be quick and must not call back into this object.
  if (hook_) hook_();
}

bool StopSignal::WaitFor(absl::Duration duration) const {
  return stopped_.WaitForNotificationWithTimeout(duration);
}

void StopSignal::SetCancelHook(std::function<void()> hook) {
  absl::MutexLock lock(&mu_);
  hook_ = std::move(hook);
  if (hook_ && stopped_.HasBeenNotified()) hook_();
}

ScopedCancelHook::ScopedCancelHook(StopSignal* stop, std::function<void()> hook) : stop_(stop) {
  if (stop_ != nullptr) stop_->SetCancelHook(std::move(hook));
}

ScopedCancelHook::~ScopedCancelHook() {
  if (stop_ != nullptr) stop_->SetCancelHook(nullptr);
}

}  // namespace wissel::cli
