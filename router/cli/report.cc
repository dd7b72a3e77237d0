#include "router/cli/report.h"

#include <algorithm>
#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace wissel::cli {
namespace {

absl::Time TimeOf(const v1::Event& event) {
  return absl::FromUnixSeconds(event.time().seconds()) + absl::Nanoseconds(event.time().nanos());
}

std::string ChannelName(v1::Channel channel) {
  return absl::AsciiStrToLower(absl::StripPrefix(v1::Channel_Name(channel), "CHANNEL_"));
}

// "87.5" (percent, one decimal), or "-" without a base.
std::string Percent(int64_t part, int64_t whole) {
  if (whole == 0) return "-";
  return absl::StrFormat("%.1f", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

// Mean in whole seconds, or "-".
std::string MeanSeconds(absl::Duration total, int64_t n) {
  if (n == 0) return "-";
  return absl::StrFormat("%.1f", absl::ToDoubleSeconds(total) / static_cast<double>(n));
}

std::string JsonNumberOrNull(const std::string& figure) { return figure == "-" ? "null" : figure; }

struct Column {
  const char* name;
  std::string (*value)(const ReportRow&);
};

const std::vector<Column>& Columns() {
  static const std::vector<Column>* const kColumns = new std::vector<Column>{
      {"routed", [](const ReportRow& r) { return absl::StrCat(r.routed); }},
      {"offered", [](const ReportRow& r) { return absl::StrCat(r.offered); }},
      {"handled", [](const ReportRow& r) { return absl::StrCat(r.handled); }},
      {"abandoned", [](const ReportRow& r) { return absl::StrCat(r.abandoned); }},
      {"closed", [](const ReportRow& r) { return absl::StrCat(r.closed); }},
      {"service_level_pct", [](const ReportRow& r) { return Percent(r.within_sla, r.sla_base); }},
      {"norm_pct", [](const ReportRow& r) { return Percent(r.within_norm, r.norm_base); }},
      {"mean_wait_s", [](const ReportRow& r) { return MeanSeconds(r.total_wait, r.handled); }},
      {"mean_handling_s",
       [](const ReportRow& r) { return MeanSeconds(r.total_handling, r.completed); }},
      {"steered_digital", [](const ReportRow& r) { return absl::StrCat(r.steered); }},
      {"exempt_need", [](const ReportRow& r) { return absl::StrCat(r.exempt_need); }},
      {"exempt_wants_person",
       [](const ReportRow& r) { return absl::StrCat(r.exempt_wants_person); }},
      {"offered_and_routed", [](const ReportRow& r) { return absl::StrCat(r.offered_and_routed); }},
      {"callbacks", [](const ReportRow& r) { return absl::StrCat(r.callbacks); }},
      {"contact_person_reserved", [](const ReportRow& r) { return absl::StrCat(r.reserved); }},
      {"contact_person_hit_pct",
       [](const ReportRow& r) { return Percent(r.reserved_hit, r.reserved); }},
  };
  return *kColumns;
}

}  // namespace

absl::StatusOr<ReportGrouping> ParseReportGrouping(absl::string_view name) {
  if (name == "total") return ReportGrouping::kTotal;
  if (name == "day") return ReportGrouping::kDay;
  if (name == "queue") return ReportGrouping::kQueue;
  if (name == "channel") return ReportGrouping::kChannel;
  if (name == "topic") return ReportGrouping::kTopic;
  return absl::InvalidArgumentError(
      absl::StrCat("--by: '", name, "' is not one of total, day, queue, channel, topic"));
}

void ReportBuilder::Add(const v1::Event& event) {
  const absl::Time time = TimeOf(event);
  if (event.type() == v1::EVENT_TYPE_ROUTED) {
    if (time < options_.from || time >= options_.to) return;
    Track& t = tracks_[event.contact_id()];
    t = Track{};
    t.routed = time;
    t.queue = event.queue();
    t.channel = event.channel();
    t.topic = event.topic();
    t.state = event.state();
    t.digital_first = event.digital_first();
    t.reason = event.reason();
    t.callback = event.callback();
    t.reserved_for = event.reserved_for();
    return;
  }
  auto it = tracks_.find(event.contact_id());
  if (it == tracks_.end()) return;  // routed outside the period (or before the stream's start)
  Track& t = it->second;
  switch (event.type()) {
    case v1::EVENT_TYPE_ACCEPTED:
      if (t.accepted == absl::InfiniteFuture()) {
        t.accepted = time;
        t.accepted_by = event.handler_id();
      }
      break;
    case v1::EVENT_TYPE_COMPLETED:
      if (t.completed == absl::InfiniteFuture()) t.completed = time;
      break;
    case v1::EVENT_TYPE_ABANDONED:
      if (t.accepted == absl::InfiniteFuture()) t.abandoned = true;
      break;
    default:
      break;
  }
}

std::string ReportBuilder::GroupOf(const Track& track) const {
  switch (options_.by) {
    case ReportGrouping::kTotal:
      return "total";
    case ReportGrouping::kDay:
      return absl::FormatTime("%Y-%m-%d", track.routed, options_.time_zone);
    case ReportGrouping::kQueue:
      return track.queue;
    case ReportGrouping::kChannel:
      return ChannelName(track.channel);
    case ReportGrouping::kTopic:
      return track.topic;
  }
  return "";
}

std::vector<ReportRow> ReportBuilder::Rows() const {
  std::map<std::string, ReportRow> rows;
  if (options_.by == ReportGrouping::kTotal) rows["total"].group = "total";
  for (const auto& [id, t] : tracks_) {
    const std::string group = GroupOf(t);
    ReportRow& r = rows[group];
    r.group = group;
    ++r.routed;
    if (t.digital_first == v1::DIGITAL_FIRST_STEERED) ++r.steered;
    if (t.state != v1::CONTACT_STATE_QUEUED) {
      if (t.digital_first != v1::DIGITAL_FIRST_STEERED) ++r.closed;
      continue;
    }
    ++r.offered;
    if (t.callback) ++r.callbacks;
    if (t.digital_first == v1::DIGITAL_FIRST_EXEMPT_NEED) ++r.exempt_need;
    if (t.digital_first == v1::DIGITAL_FIRST_EXEMPT_WANTS_PERSON) ++r.exempt_wants_person;
    if (t.digital_first == v1::DIGITAL_FIRST_OFFERED_AND_ROUTED) ++r.offered_and_routed;
    const bool handled = t.accepted != absl::InfiniteFuture();
    if (!t.reserved_for.empty()) {
      ++r.reserved;
      if (handled && t.accepted_by == t.reserved_for) ++r.reserved_hit;
    }
    if (handled) {
      ++r.handled;
      r.total_wait += t.accepted - t.routed;
      if (t.completed != absl::InfiniteFuture()) {
        ++r.completed;
        r.total_handling += t.completed - t.accepted;
      }
    } else if (t.abandoned) {
      ++r.abandoned;
    }
    if (!handled && !t.abandoned) continue;  // still waiting
    auto sla = options_.targets.sla_target.find(t.queue);
    const absl::Duration target = sla != options_.targets.sla_target.end()
                                      ? sla->second
                                      : options_.targets.default_sla_target;
    ++r.sla_base;
    if (handled && t.accepted - t.routed <= target) ++r.within_sla;
    auto norm = options_.targets.answer_within.find({t.topic, t.channel});
    if (norm != options_.targets.answer_within.end()) {
      ++r.norm_base;
      if (handled && t.accepted - t.routed <= norm->second) ++r.within_norm;
    }
  }
  std::vector<ReportRow> out;
  out.reserve(rows.size());
  for (auto& [group, row] : rows) out.push_back(std::move(row));
  return out;
}

std::string FormatReportText(const std::vector<ReportRow>& rows) {
  const std::vector<std::string> header = {"GROUP",   "ROUTED", "OFFERED", "HANDLED", "ABANDONED",
                                           "CLOSED",  "SL%",    "NORM%",   "WAIT(s)", "HANDLE(s)",
                                           "STEERED", "EXEMPT", "CP HIT%"};
  std::vector<std::vector<std::string>> table = {header};
  for (const ReportRow& r : rows) {
    table.push_back(
        {r.group, absl::StrCat(r.routed), absl::StrCat(r.offered), absl::StrCat(r.handled),
         absl::StrCat(r.abandoned), absl::StrCat(r.closed), Percent(r.within_sla, r.sla_base),
         Percent(r.within_norm, r.norm_base), MeanSeconds(r.total_wait, r.handled),
         MeanSeconds(r.total_handling, r.completed), absl::StrCat(r.steered),
         absl::StrCat(r.exempt_need + r.exempt_wants_person), Percent(r.reserved_hit, r.reserved)});
  }
  std::vector<size_t> widths(header.size(), 0);
  for (const auto& row : table) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : table) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const int width = static_cast<int>(widths[c]);
      absl::StrAppend(&line, c == 0 ? absl::StrFormat("%-*s", width, row[c])
                                    : absl::StrFormat("  %*s", width, row[c]));
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string FormatReportCsv(const std::vector<ReportRow>& rows) {
  std::vector<std::string> header = {"group"};
  for (const Column& c : Columns()) header.emplace_back(c.name);
  std::string out = absl::StrCat(absl::StrJoin(header, ","), "\n");
  for (const ReportRow& r : rows) {
    // Groups are queue, topic and channel names or dates: no comma or quote to escape (queue
    // and topic names are identifiers), but quote anyway for a spreadsheet's sake.
    std::vector<std::string> line = {absl::StrCat("\"", r.group, "\"")};
    for (const Column& c : Columns()) {
      std::string v = c.value(r);
      line.push_back(v == "-" ? "" : v);
    }
    absl::StrAppend(&out, absl::StrJoin(line, ","), "\n");
  }
  return out;
}

std::string FormatReportJson(const std::vector<ReportRow>& rows) {
  std::vector<std::string> objects;
  for (const ReportRow& r : rows) {
    std::vector<std::string> fields = {absl::StrCat("\"group\":\"", r.group, "\"")};
    for (const Column& c : Columns()) {
      fields.push_back(absl::StrCat("\"", c.name, "\":", JsonNumberOrNull(c.value(r))));
    }
    objects.push_back(absl::StrCat("{", absl::StrJoin(fields, ","), "}"));
  }
  return absl::StrCat("[", absl::StrJoin(objects, ",\n "), "]\n");
}

}  // namespace wissel::cli
