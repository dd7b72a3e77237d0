// The dashboard's snapshot as JSON (GET /api/snapshot, and each event of GET /api/stream): one
// line, numbers as numbers, times in the tenant's time zone. The page reads it; a script may too.
//
//   {"tenant", "tenant_name", "date" ("dinsdag 12 mei 2026"), "time" ("10:15:03"), "now"
//    (RFC 3339 with offset),
//    "feed": {"connected", "caught_up", "error", "last_offset", "stats_age_s" (null: none),
//             "stats_error"},
//    "totals": {"routed", "offered", "handled", "abandoned", "closed", "steered",
//               "service_level_pct" (null without a base), "mean_wait_s"},
//    "queues": [{"queue", "waiting", "offered", "longest_wait_s", "live_from_router",
//                "handlers_available", "handlers_signed_in" (null: unknown), "routed",
//                "handled", "abandoned", "service_level_pct", "sla_target_s", "mean_wait_s"}],
//    "handlers": {"counts": {"in_conversation", "wrap_up", "offered", "available", "busy",
//                            "away", "offline"},
//                 "list": [{"id", "state", "in_conversation", "wrap_up", "offered",
//                           "presence_since" ("09:02", or null)}]},
//    "digital_first": {"by": "domain" | "topic", "rows": [{"domain", "phase", "routed",
//                      "steered", "exempt_need", "exempt_wants_person", "offered_and_routed"}],
//                      "total": {...}},
//    "chart": {"bucket_minutes": 5, "buckets": [{"start" ("10:05"), "routed", "handled",
//              "abandoned", "waiting"}]}}
//
// Durations are whole seconds, percentages have one decimal. Pure functions; thread-safe.
#pragma once

#include <string>

#include "dashboard/dashboard_snapshot.h"

namespace wissel::dashboard {

std::string SnapshotJson(const DashboardSnapshot& snapshot);

// "dinsdag 12 mei 2026": the day of `t` in `zone`, in Dutch.
std::string DutchDate(absl::Time t, absl::TimeZone zone);

}  // namespace wissel::dashboard
