// `wisselctl report`: a period's figures of one tenant, made from its event stream
// (OperatorService.WatchEvents) rather than from a router's memory, so they survive restarts and
// failovers and any router can be asked.
//
// Contacts count in the period in which they were routed (their ROUTED event), grouped by day
// (in the given time zone), queue (the queue they were routed to), channel or topic, or one total:
//   routed            decided in the period
//   offered           routed to a person (queued; aangeboden)
//   handled           accepted by a handler (at least once)
//   abandoned         cancelled before a handler accepted them
//   closed            closed at once without a person: outside opening hours or by a rule
//   steered           steered to the digital alternative ("digitaal, tenzij")
//   exempt_need, exempt_wants_person, offered_and_routed: how "digitaal, tenzij" applied to the
//                     contacts routed to a person
//   service level     handled within the routing queue's sla_target, of handled + abandoned
//   norm              handled within the topic's channel norm (answer_within), of handled +
//                     abandoned contacts whose topic has one
//   wait              mean time from routing to the first acceptance, of the handled
//   handling          mean time from acceptance to completion, of the completed
//   contact person    of the contacts reserved for a handler (their contact person, a deputy, a
//                     rule's preferred handler), those accepted by that handler
// Contacts still waiting at the end count as offered only.
//
// Pure: ReportBuilder takes events and produces rows; thread-compatible.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "wissel/v1/operator_service.pb.h"

namespace wissel::cli {

enum class ReportGrouping { kTotal, kDay, kQueue, kChannel, kTopic };
// "total", "day", "queue", "channel", "topic".
absl::StatusOr<ReportGrouping> ParseReportGrouping(absl::string_view name);

// The targets the service level is measured against (from the router's configuration).
struct ReportTargets {
  // Queue -> sla_target; a queue not listed: default_sla_target.
  absl::flat_hash_map<std::string, absl::Duration> sla_target;
  absl::Duration default_sla_target = absl::Seconds(60);
  // (topic, channel) -> answer_within of the topic's norm on that channel.
  std::map<std::pair<std::string, v1::Channel>, absl::Duration> answer_within;
};

struct ReportOptions {
  absl::Time from = absl::InfinitePast();  // inclusive
  absl::Time to = absl::InfiniteFuture();  // exclusive
  ReportGrouping by = ReportGrouping::kTotal;
  absl::TimeZone time_zone = absl::UTCTimeZone();  // for the days
  ReportTargets targets;
};

struct ReportRow {
  std::string group;
  int64_t routed = 0;
  int64_t offered = 0;
  int64_t handled = 0;
  int64_t abandoned = 0;
  int64_t closed = 0;
  int64_t steered = 0;
  int64_t exempt_need = 0;
  int64_t exempt_wants_person = 0;
  int64_t offered_and_routed = 0;
  int64_t callbacks = 0;
  int64_t sla_base = 0;
  int64_t within_sla = 0;
  int64_t norm_base = 0;
  int64_t within_norm = 0;
  absl::Duration total_wait;
  int64_t completed = 0;
  absl::Duration total_handling;
  int64_t reserved = 0;
  int64_t reserved_hit = 0;
};

class ReportBuilder {
 public:
  explicit ReportBuilder(ReportOptions options) : options_(std::move(options)) {}
  // Events in stream order.
  void Add(const v1::Event& event);
  // One row per group, sorted by group; for kTotal one row "total".
  std::vector<ReportRow> Rows() const;

 private:
  struct Track {
    absl::Time routed;
    std::string queue;
    v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
    std::string topic;
    v1::ContactState state = v1::CONTACT_STATE_UNSPECIFIED;
    v1::DigitalFirst digital_first = v1::DIGITAL_FIRST_UNSPECIFIED;
    std::string reason;
    bool callback = false;
    std::string reserved_for;
    absl::Time accepted = absl::InfiniteFuture();
    std::string accepted_by;
    absl::Time completed = absl::InfiniteFuture();
    bool abandoned = false;
  };
  std::string GroupOf(const Track& track) const;

  ReportOptions options_;
  // Contacts routed in the period, by id.
  absl::flat_hash_map<std::string, Track> tracks_;
};

// A table for people: one line per group.
std::string FormatReportText(const std::vector<ReportRow>& rows);
// Every figure as a column, a header line first.
std::string FormatReportCsv(const std::vector<ReportRow>& rows);
// An array of objects, one per group.
std::string FormatReportJson(const std::vector<ReportRow>& rows);

}  // namespace wissel::cli
