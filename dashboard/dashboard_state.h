// DashboardState: the dashboard's model (dashboard_model.h) shared between the threads that feed
// it (the event stream, the queue statistics poller) and the HTTP threads that read it, and the
// snapshot they read: rendered as JSON (snapshot_json.h) once a second and soon after a change,
// then handed out as is to every page, so that a hundred open pages cost one rendering.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "dashboard/dashboard_model.h"
#include "wissel/v1/operator_service.pb.h"

namespace wissel::dashboard {

struct PublishedSnapshot {
  // Increases with every rendering; 0 before the first.
  uint64_t version = 0;
  std::shared_ptr<const std::string> json;
  bool caught_up = false;
  bool connected = false;
};

class DashboardState {
 public:
  DashboardState(
      DashboardModelOptions options,
      std::function<absl::Time()> clock = [] { return absl::Now(); });

  // The feed's calls (event_feed.h).
  void AddEvent(const v1::Event& event);
  void SetFeedStatus(bool connected, bool caught_up, const std::string& error);
  // The events retained by the router are no longer those the model was made of (the stream was
  // trimmed past the last offset): start again from an empty model.
  void Reset();
  // The poller's calls (stats_poller.h).
  void SetQueueStats(const v1::GetQueueStatsResponse& stats);
  void SetStatsError(const std::string& error);

  // Renders the snapshot now and publishes it.
  void Publish();
  // Publishes once a second, and within `min_interval` of a change, until `stop` returns true
  // (checked at least every `interval`). Runs on the caller's thread.
  void PublishLoop(const std::function<bool(absl::Duration)>& wait_for_stop,
                   absl::Duration interval = absl::Seconds(1),
                   absl::Duration min_interval = absl::Milliseconds(250));

  PublishedSnapshot Latest() const;
  // The latest snapshot once its version is above `after`, waiting up to `timeout`; the latest
  // (perhaps not newer) after the timeout.
  PublishedSnapshot WaitNewer(uint64_t after, absl::Duration timeout) const;

 private:
  const DashboardModelOptions options_;
  const std::function<absl::Time()> clock_;
  mutable absl::Mutex mu_;
  std::unique_ptr<DashboardModel> model_ ABSL_GUARDED_BY(mu_);
  bool changed_ ABSL_GUARDED_BY(mu_) = true;
  PublishedSnapshot latest_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wissel::dashboard
