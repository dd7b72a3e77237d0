#include "dashboard/dashboard_state.h"

#include <utility>

#include "dashboard/snapshot_json.h"

namespace wissel::dashboard {

DashboardState::DashboardState(DashboardModelOptions options, std::function<absl::Time()> clock)
    : options_(std::move(options)),
      clock_(std::move(clock)),
      model_(std::make_unique<DashboardModel>(options_, clock_())) {}

void DashboardState::AddEvent(const v1::Event& event) {
  absl::MutexLock lock(&mu_);
  model_->AddEvent(event);
  changed_ = true;
}

void DashboardState::SetFeedStatus(bool connected, bool caught_up, const std::string& error) {
  absl::MutexLock lock(&mu_);
  model_->SetFeedStatus(connected, caught_up, error);
  changed_ = true;
}

void DashboardState::Reset() {
  absl::MutexLock lock(&mu_);
  model_ = std::make_unique<DashboardModel>(options_, clock_());
  changed_ = true;
}

void DashboardState::SetQueueStats(const v1::GetQueueStatsResponse& stats) {
  absl::MutexLock lock(&mu_);
  model_->SetQueueStats(stats, clock_());
  changed_ = true;
}

void DashboardState::SetStatsError(const std::string& error) {
  absl::MutexLock lock(&mu_);
  model_->SetStatsError(error);
  changed_ = true;
}

void DashboardState::Publish() {
  DashboardSnapshot snapshot;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_();
    model_->AdvanceTo(now);
    snapshot = model_->Snapshot(now);
    changed_ = false;
  }
  // Rendered outside the lock: the feed is not held up by the JSON.
  auto json = std::make_shared<const std::string>(SnapshotJson(snapshot));
  absl::MutexLock lock(&mu_);
  latest_.version += 1;
  latest_.json = std::move(json);
  latest_.caught_up = snapshot.feed.caught_up;
  latest_.connected = snapshot.feed.connected;
}

void DashboardState::PublishLoop(const std::function<bool(absl::Duration)>& wait_for_stop,
                                 absl::Duration interval, absl::Duration min_interval) {
  // Real time here (clock_ may be a test's): this is about how often, not about the figures.
  absl::Time last = absl::InfinitePast();
  while (true) {
    const absl::Time now = absl::Now();
    bool changed = false;
    {
      absl::MutexLock lock(&mu_);
      changed = changed_;
    }
    if (now - last >= interval || (changed && now - last >= min_interval)) {
      Publish();
      last = now;
    }
    if (wait_for_stop(min_interval)) return;
  }
}

PublishedSnapshot DashboardState::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

PublishedSnapshot DashboardState::WaitNewer(uint64_t after, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto newer = [this, after]()
                   ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return latest_.version > after; };
  mu_.AwaitWithTimeout(absl::Condition(&newer), timeout);
  return latest_;
}

}  // namespace wissel::dashboard
