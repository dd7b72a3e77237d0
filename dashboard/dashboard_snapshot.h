// DashboardSnapshot: everything the supervisor dashboard shows at one moment, as plain values
// (DashboardModel::Snapshot makes it, snapshot_json.h writes it for the page). Figures "today"
// are those of the contacts routed since midnight in the tenant's time zone, counted as
// `wisselctl report` counts them (router/cli/report.h); figures "now" are the live state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace wissel::dashboard {

// One queue (team).
struct QueueFigures {
  std::string queue;
  // Now: waiting (not yet offered), offered (not yet accepted), and the wait of the contact that
  // has waited longest. From the router's GetQueueStats when its last answer is fresh and no
  // event changed the queue since (aged by the time since that answer), else from the events.
  int32_t waiting = 0;
  int32_t offered = 0;
  absl::Duration longest_wait = absl::ZeroDuration();
  bool live_from_router = false;
  // Handlers with the queue's skill available with free capacity, and signed in; only known from
  // GetQueueStats (nullopt without a fresh answer).
  std::optional<int32_t> handlers_available;
  std::optional<int32_t> handlers_signed_in;
  // Today.
  int64_t routed = 0;
  int64_t handled = 0;
  int64_t abandoned = 0;
  // Service level: handled within sla_target, of handled + abandoned.
  int64_t sla_base = 0;
  int64_t within_sla = 0;
  absl::Duration sla_target = absl::Seconds(60);
  // Mean time from routing to the first acceptance, of the handled (zero without any).
  absl::Duration mean_wait = absl::ZeroDuration();
};

// The day's totals over every queue.
struct DayTotals {
  int64_t routed = 0;
  int64_t offered = 0;  // routed to a person
  int64_t handled = 0;
  int64_t abandoned = 0;
  int64_t closed = 0;  // closed at once: outside opening hours or by a rule
  int64_t steered = 0;
  int64_t sla_base = 0;
  int64_t within_sla = 0;
  absl::Duration mean_wait = absl::ZeroDuration();
};

// What a handler is doing, most telling first: a handler with a conversation is "in
// conversation" whatever its presence says.
enum class HandlerState {
  kInConversation,  // holds an accepted contact
  kWrapUp,          // finished a conversation, wrapping up
  kOffered,         // a contact is offered to it, not yet accepted
  kAvailable,       // presence available, nothing in hand
  kBusy,            // presence busy: signed in, no new offers
  kAway,            // presence away
  kOffline,         // signed out
};

struct HandlerFigures {
  std::string id;
  HandlerState state = HandlerState::kOffline;
  // Contacts in hand per kind (a handler may hold several chats at once).
  int32_t in_conversation = 0;
  int32_t wrap_up = 0;
  int32_t offered = 0;
  // Since when its presence is what it is (the time of its last presence event).
  absl::Time presence_since = absl::InfinitePast();
};

// Handlers per state. Signed-out handlers count when they were signed in today.
struct HandlerCounts {
  int32_t in_conversation = 0;
  int32_t wrap_up = 0;
  int32_t offered = 0;
  int32_t available = 0;
  int32_t busy = 0;
  int32_t away = 0;
  int32_t offline = 0;
};

// "Digitaal, tenzij" today for one domain and service phase of the catalogue (or one topic when
// the dashboard has no catalogue).
struct DigitalFirstRow {
  std::string domain;  // or the topic code, see DashboardSnapshot::digital_first_by_topic
  std::string phase;   // "eigen_kracht", "preventie", "maatwerk" or empty
  int64_t routed = 0;
  int64_t steered = 0;              // steered to the digital alternative, no person
  int64_t exempt_need = 0;          // a "tenzij" need: routed to a person
  int64_t exempt_wants_person = 0;  // asked for a person
  int64_t offered_and_routed = 0;   // the alternative offered, and routed to a person
};

// Five minutes of the day.
struct Bucket {
  absl::Time start;
  int32_t routed = 0;     // contacts routed in the bucket
  int32_t handled = 0;    // first acceptances in the bucket
  int32_t abandoned = 0;  // cancelled before acceptance in the bucket
  int32_t waiting = 0;    // the most contacts waiting at once during the bucket
};

// The state of the dashboard's own connection to the router.
struct FeedStatus {
  bool connected = false;  // the event stream is open
  bool caught_up = false;  // the retained events were read (figures are complete)
  std::string error;       // the last failure, empty when none
  std::string last_offset;
  // When the last GetQueueStats answer came; InfinitePast without any.
  absl::Time stats_time = absl::InfinitePast();
  std::string stats_error;
};

struct DashboardSnapshot {
  std::string tenant;
  std::string tenant_name;
  absl::Time now;
  absl::TimeZone time_zone;
  absl::Time day_start;
  FeedStatus feed;
  DayTotals totals;
  std::vector<QueueFigures> queues;
  HandlerCounts handler_counts;
  // Signed-in handlers, by id.
  std::vector<HandlerFigures> handlers;
  // True when the rows are per topic (no catalogue was configured).
  bool digital_first_by_topic = false;
  std::vector<DigitalFirstRow> digital_first;
  DigitalFirstRow digital_first_total;
  absl::Duration bucket_width = absl::Minutes(5);
  // The buckets of the chart window up to the current one, oldest first.
  std::vector<Bucket> buckets;
};

}  // namespace wissel::dashboard
