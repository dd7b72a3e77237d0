#include "dashboard/snapshot_json.h"

#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "dashboard/dashboard_model.h"
#include "nlohmann/json.hpp"

namespace wissel::dashboard {
namespace {

using Json = nlohmann::json;

int64_t Seconds(absl::Duration d) {
  return absl::ToInt64Seconds(std::max(absl::ZeroDuration(), d));
}

// Percent with one decimal, or null without a base.
Json Percent(int64_t part, int64_t whole) {
  if (whole <= 0) return nullptr;
  return std::round(1000.0 * static_cast<double>(part) / static_cast<double>(whole)) / 10.0;
}

Json Counts(const DigitalFirstRow& row) {
  return Json{{"domain", row.domain},
              {"phase", row.phase},
              {"routed", row.routed},
              {"steered", row.steered},
              {"exempt_need", row.exempt_need},
              {"exempt_wants_person", row.exempt_wants_person},
              {"offered_and_routed", row.offered_and_routed}};
}

Json OptionalCount(const std::optional<int32_t>& n) {
  if (!n) return nullptr;
  return *n;
}

}  // namespace

std::string DutchDate(absl::Time t, absl::TimeZone zone) {
  static constexpr const char* kWeekdays[] = {"maandag", "dinsdag",  "woensdag", "donderdag",
                                              "vrijdag", "zaterdag", "zondag"};
  static constexpr const char* kMonths[] = {"januari",   "februari", "maart",    "april",
                                            "mei",       "juni",     "juli",     "augustus",
                                            "september", "oktober",  "november", "december"};
  const absl::CivilDay day = absl::ToCivilDay(t, zone);
  const int weekday = static_cast<int>(absl::GetWeekday(day));  // Monday = 0
  return absl::StrCat(kWeekdays[weekday], " ", day.day(), " ", kMonths[day.month() - 1], " ",
                      day.year());
}

std::string SnapshotJson(const DashboardSnapshot& s) {
  Json feed = {{"connected", s.feed.connected}, {"caught_up", s.feed.caught_up},
               {"error", s.feed.error},         {"last_offset", s.feed.last_offset},
               {"stats_age_s", nullptr},        {"stats_error", s.feed.stats_error}};
  if (s.feed.stats_time != absl::InfinitePast()) {
    feed["stats_age_s"] = Seconds(s.now - s.feed.stats_time);
  }
  Json totals = {{"routed", s.totals.routed},
                 {"offered", s.totals.offered},
                 {"handled", s.totals.handled},
                 {"abandoned", s.totals.abandoned},
                 {"closed", s.totals.closed},
                 {"steered", s.totals.steered},
                 {"service_level_pct", Percent(s.totals.within_sla, s.totals.sla_base)},
                 {"mean_wait_s", Seconds(s.totals.mean_wait)}};
  Json queues = Json::array();
  for (const QueueFigures& q : s.queues) {
    queues.push_back({{"queue", q.queue},
                      {"waiting", q.waiting},
                      {"offered", q.offered},
                      {"longest_wait_s", Seconds(q.longest_wait)},
                      {"live_from_router", q.live_from_router},
                      {"handlers_available", OptionalCount(q.handlers_available)},
                      {"handlers_signed_in", OptionalCount(q.handlers_signed_in)},
                      {"routed", q.routed},
                      {"handled", q.handled},
                      {"abandoned", q.abandoned},
                      {"service_level_pct", Percent(q.within_sla, q.sla_base)},
                      {"sla_target_s", Seconds(q.sla_target)},
                      {"mean_wait_s", Seconds(q.mean_wait)}});
  }
  const HandlerCounts& c = s.handler_counts;
  Json handler_list = Json::array();
  for (const HandlerFigures& h : s.handlers) {
    Json since = nullptr;
    if (h.presence_since != absl::InfinitePast()) {
      since = absl::FormatTime("%H:%M", h.presence_since, s.time_zone);
    }
    handler_list.push_back({{"id", h.id},
                            {"state", HandlerStateName(h.state)},
                            {"in_conversation", h.in_conversation},
                            {"wrap_up", h.wrap_up},
                            {"offered", h.offered},
                            {"presence_since", since}});
  }
  Json digital_rows = Json::array();
  for (const DigitalFirstRow& row : s.digital_first) digital_rows.push_back(Counts(row));
  Json buckets = Json::array();
  for (const Bucket& b : s.buckets) {
    buckets.push_back({{"start", absl::FormatTime("%H:%M", b.start, s.time_zone)},
                       {"routed", b.routed},
                       {"handled", b.handled},
                       {"abandoned", b.abandoned},
                       {"waiting", b.waiting}});
  }
  const Json out = {
      {"tenant", s.tenant},
      {"tenant_name", s.tenant_name},
      {"date", DutchDate(s.now, s.time_zone)},
      {"time", absl::FormatTime("%H:%M:%S", s.now, s.time_zone)},
      {"now", absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", s.now, s.time_zone)},
      {"feed", feed},
      {"totals", totals},
      {"queues", queues},
      {"handlers",
       {{"counts",
         {{"in_conversation", c.in_conversation},
          {"wrap_up", c.wrap_up},
          {"offered", c.offered},
          {"available", c.available},
          {"busy", c.busy},
          {"away", c.away},
          {"offline", c.offline}}},
        {"list", handler_list}}},
      {"digital_first",
       {{"by", s.digital_first_by_topic ? "topic" : "domain"},
        {"rows", digital_rows},
        {"total", Counts(s.digital_first_total)}}},
      {"chart", {{"bucket_minutes", absl::ToInt64Minutes(s.bucket_width)}, {"buckets", buckets}}},
  };
  // Replace invalid UTF-8 instead of throwing: names come from the configuration and the router.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace wissel::dashboard
