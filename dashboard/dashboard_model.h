// DashboardModel: the supervisor dashboard's figures, made from a tenant's events
// (OperatorService.WatchEvents, in stream order) and the router's queue statistics
// (GetQueueStats), with no I/O of its own so that tests feed it events and read figures.
//
//   - Live state from every event it is given, whatever its day: which contacts wait in which
//     queue since when, what each handler holds (offered, in conversation, wrap-up) and its
//     presence. The events of the retained stream (after="0") make it complete.
//   - The day's figures only from the contacts routed today (midnight in the tenant's time
//     zone): per queue, in total and per catalogue domain and phase ("digitaal, tenzij"), counted
//     by the same ReportBuilder as `wisselctl report`, so both give the same numbers. At
//     midnight they start again at zero (AdvanceTo, or the first event of the new day).
//   - Per five minutes of today: routed, handled, abandoned, and the most contacts waiting at
//     once, for the charts of the last hours.
//
// Thread-compatible: the owner serialises calls (dashboard_state.h).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "dashboard/dashboard_snapshot.h"
#include "router/cli/report.h"
#include "router/cli/report_config.h"
#include "wissel/v1/operator_service.pb.h"

namespace wissel::dashboard {

struct DashboardModelOptions {
  std::string tenant;
  // From the router's configuration (router/cli/report_config.h) when the dashboard has it:
  // the service-level targets, the catalogue, the queues and the tenant's name. Without it:
  // default targets (60 s), "digitaal, tenzij" per topic, the queues the router reports.
  cli::TenantReportConfig config;
  bool has_catalogue = false;
  // The day's boundaries.
  absl::TimeZone time_zone = absl::UTCTimeZone();
  // How far back the chart goes. Default 4 hours.
  absl::Duration chart_window = absl::Hours(4);
  // A GetQueueStats answer older than this is no longer used. Default 15 s.
  absl::Duration stats_max_age = absl::Seconds(15);
};

class DashboardModel {
 public:
  static constexpr absl::Duration kBucketWidth = absl::Minutes(5);

  // `now` fixes the first day.
  DashboardModel(DashboardModelOptions options, absl::Time now);

  // The next event of the stream.
  void AddEvent(const v1::Event& event);
  // The router's answer to GetQueueStats for every queue of the tenant, received at `at`.
  void SetQueueStats(const v1::GetQueueStatsResponse& stats, absl::Time at);
  void SetStatsError(std::string error);
  // The event stream's state: open or not, the retained events read, the last failure.
  void SetFeedStatus(bool connected, bool caught_up, std::string error);
  // Starts a new day when `now` is past midnight: the day's figures and buckets start at zero.
  void AdvanceTo(absl::Time now);

  DashboardSnapshot Snapshot(absl::Time now) const;

  absl::Time day_start() const { return day_start_; }

 private:
  enum class ContactPhase { kWaiting, kOffered, kConnected };
  struct LiveContact {
    std::string queue;
    ContactPhase phase = ContactPhase::kWaiting;
    // When it started waiting in its queue (routing, or the transfer into it).
    absl::Time waiting_since;
    std::string handler;  // offered to or accepted by
  };
  struct LiveHandler {
    v1::Presence presence = v1::PRESENCE_UNSPECIFIED;
    absl::Time presence_since = absl::InfinitePast();
    std::set<std::string> offered;
    std::set<std::string> connected;
    std::set<std::string> wrap_up;
    bool seen_today = false;
  };
  struct BucketCounts {
    int32_t routed = 0;
    int32_t handled = 0;
    int32_t abandoned = 0;
    bool level_changed = false;
    int32_t max_level = 0;   // most waiting at once among the changes in the bucket
    int32_t last_level = 0;  // waiting after the bucket's last change
  };
  struct QueueStatsAt {
    v1::QueueStats stats;
    absl::Time at;
  };

  void StartDay(absl::Time now);
  void ApplyLive(const v1::Event& event, absl::Time time);
  void CountInBuckets(const v1::Event& event, absl::Time time);
  // The waiting level changed at `time` (a contact started or stopped waiting).
  void NoteWaitingLevel(absl::Time time);
  // `queue`'s waiting set changed at `time`.
  void TouchQueue(const std::string& queue, absl::Time time);
  // The contact waits in `queue` from `time` on.
  void EnterWaiting(LiveContact* contact, const std::string& queue, absl::Time time);
  // The contact no longer waits (when it did): it is `next` from `time` on.
  void LeaveWaiting(LiveContact* contact, ContactPhase next, absl::Time time);
  BucketCounts* BucketAt(absl::Time time);
  void RemoveContact(const std::string& contact_id, absl::Time time);
  LiveHandler& Handler(const std::string& id);

  void FillQueues(absl::Time now, DashboardSnapshot* out) const;
  void FillHandlers(DashboardSnapshot* out) const;
  void FillDigitalFirst(DashboardSnapshot* out) const;
  void FillBuckets(absl::Time now, DashboardSnapshot* out) const;

  const DashboardModelOptions options_;
  absl::Time day_start_;
  absl::Time day_end_;
  // The day's figures (contacts routed today), per queue, per topic, in total.
  std::unique_ptr<cli::ReportBuilder> by_queue_;
  std::unique_ptr<cli::ReportBuilder> by_topic_;
  std::unique_ptr<cli::ReportBuilder> total_;
  // Contacts routed today that were accepted at least once / abandoned (for the buckets).
  absl::flat_hash_map<std::string, bool> accepted_today_;
  std::vector<BucketCounts> buckets_;

  absl::flat_hash_map<std::string, LiveContact> contacts_;
  std::map<std::string, LiveHandler> handlers_;
  // Contacts waiting now, and when the day began.
  int32_t waiting_level_ = 0;
  int32_t level_at_day_start_ = 0;
  // When each queue's waiting contacts last changed by an event.
  absl::flat_hash_map<std::string, absl::Time> queue_changed_;
  std::map<std::string, QueueStatsAt> stats_;
  FeedStatus feed_;
};

// "beschikbaar"-independent machine names: "in_conversation", "wrap_up", "offered",
// "available", "busy", "away", "offline".
const char* HandlerStateName(HandlerState state);

}  // namespace wissel::dashboard
