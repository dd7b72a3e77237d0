#include "router/cli/format.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace wissel::cli {
namespace {

std::string EnumLabel(const google::protobuf::EnumDescriptor* descriptor, absl::string_view prefix,
                      int number) {
  const google::protobuf::EnumValueDescriptor* value = descriptor->FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat("unknown(", number, ")");
  absl::string_view name = value->name();
  if (absl::StartsWith(name, prefix)) name.remove_prefix(prefix.size());
  return absl::AsciiStrToLower(name);
}

absl::Duration ToDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

// Appends "key  value" lines with the keys padded to one width; skips empty values.
class KeyValueLines {
 public:
  void Add(absl::string_view key, absl::string_view value) {
    if (value.empty()) return;
    width_ = std::max(width_, key.size());
    lines_.emplace_back(std::string(key), std::string(value));
  }
  void AppendTo(std::string* out) const {
    for (const auto& [key, value] : lines_) {
      absl::StrAppendFormat(out, "%-*s  %s\n", static_cast<int>(width_), key, value);
    }
  }

 private:
  size_t width_ = 0;
  std::vector<std::pair<std::string, std::string>> lines_;
};

std::string JoinNeeds(const google::protobuf::RepeatedField<int>& needs) {
  std::vector<std::string> labels;
  for (int need : needs) labels.push_back(NeedLabel(static_cast<v1::Need>(need)));
  return absl::StrJoin(labels, ", ");
}

// The first line of a decision, without the contact id.
std::string DecisionHeadline(const v1::Decision& decision) {
  switch (decision.outcome()) {
    case v1::Decision::OUTCOME_ASSIGNED: {
      std::string line = absl::StrCat("assigned to handler ", decision.handler_id());
      if (!decision.queue().empty()) absl::StrAppend(&line, " (queue ", decision.queue(), ")");
      return line;
    }
    case v1::Decision::OUTCOME_QUEUED: {
      std::string line =
          absl::StrCat("queued in ", decision.queue(), " at position ", decision.position());
      if (decision.has_expected_wait()) {
        absl::StrAppend(&line, ", expected wait ", FormatWait(decision.expected_wait()));
      }
      return line;
    }
    default:
      return absl::StrCat("outcome ", EnumLabel(v1::Decision::Outcome_descriptor(), "OUTCOME_",
                                                decision.outcome()));
  }
}

void AppendReasons(const v1::Decision& decision, absl::string_view indent, std::string* out) {
  if (decision.has_digital_offer()) {
    absl::StrAppend(out, indent, "digital: ", decision.digital_offer().url(),
                    decision.digital_offer().message().empty() ? "" : " — ",
                    decision.digital_offer().message(), "\n");
  }
  if (!decision.message().empty()) {
    absl::StrAppend(out, indent, "message: ", decision.message(), "\n");
  }
  if (!decision.expected_handling_date().empty()) {
    absl::StrAppend(out, indent, "handled by: ", decision.expected_handling_date(), "\n");
  }
  if (decision.reasons().empty()) return;
  absl::StrAppend(out, indent, "why:\n");
  int n = 0;
  for (const std::string& reason : decision.reasons()) {
    absl::StrAppend(out, indent, "  ", ++n, ". ", reason, "\n");
  }
}

// The router reports a zero longest wait for a queue nobody waits in: show "-" then.
std::string LongestWait(const v1::QueueStats& stats) {
  if (!stats.has_longest_wait() || ToDuration(stats.longest_wait()) == absl::ZeroDuration()) {
    return "-";
  }
  return FormatWait(stats.longest_wait());
}

}  // namespace

std::string ChannelLabel(v1::Channel channel) {
  return EnumLabel(v1::Channel_descriptor(), "CHANNEL_", channel);
}
std::string ContactStateLabel(v1::ContactState state) {
  return EnumLabel(v1::ContactState_descriptor(), "CONTACT_STATE_", state);
}
std::string PresenceLabel(v1::Presence presence) {
  return EnumLabel(v1::Presence_descriptor(), "PRESENCE_", presence);
}
std::string NeedLabel(v1::Need need) { return EnumLabel(v1::Need_descriptor(), "NEED_", need); }
std::string DigidLevelLabel(v1::DigidLevel level) {
  return EnumLabel(v1::DigidLevel_descriptor(), "DIGID_LEVEL_", level);
}

std::string FormatWait(const google::protobuf::Duration& duration) {
  const absl::Duration d = ToDuration(duration);
  if (d < absl::Seconds(1)) return "<1s";
  return absl::FormatDuration(absl::Trunc(d, absl::Seconds(1)));
}

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp, absl::TimeZone tz) {
  const absl::Time t =
      absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, tz);
}

std::string FormatDecision(const v1::RouteContactResponse& response) {
  std::string out = absl::StrCat("contact ", response.contact_id(), ": ",
                                 DecisionHeadline(response.decision()), "\n");
  if (response.replayed()) {
    absl::StrAppend(&out, "(replayed: a call with this idempotency key already routed it)\n");
  }
  AppendReasons(response.decision(), "", &out);
  return out;
}

std::string FormatContactRecord(const v1::ContactRecord& record, absl::TimeZone tz) {
  KeyValueLines lines;
  lines.Add("contact", record.contact_id());
  lines.Add("tenant", record.tenant());
  lines.Add("state", ContactStateLabel(record.state()));
  lines.Add("channel", ChannelLabel(record.channel()));
  lines.Add("topic", record.topic());
  lines.Add("queue", record.queue());
  lines.Add("handler", record.handler_id());
  if (!record.party_pseudonym().empty()) {
    lines.Add("party", absl::StrCat(record.party_kind().empty() ? "party" : record.party_kind(),
                                    " pseudonym ", record.party_pseudonym()));
  } else {
    lines.Add("party", "anonymous");
  }
  if (record.digid_level() != v1::DIGID_LEVEL_UNSPECIFIED) {
    lines.Add("digid", DigidLevelLabel(record.digid_level()));
  }
  lines.Add("language", record.language());
  lines.Add("needs", JoinNeeds(record.needs()));
  lines.Add("case", record.case_reference());
  if (record.priority() != 0) lines.Add("priority", absl::StrCat(record.priority()));
  if (record.wants_person()) lines.Add("wants person", "yes");
  if (record.has_created_at()) lines.Add("created", FormatTimestamp(record.created_at(), tz));
  // Sorted, so that the output does not depend on map iteration order.
  const std::map<std::string, std::string> attributes(record.attributes().begin(),
                                                      record.attributes().end());
  std::vector<std::string> pairs;
  for (const auto& [key, value] : attributes) pairs.push_back(absl::StrCat(key, "=", value));
  lines.Add("attributes", absl::StrJoin(pairs, ", "));
  if (record.has_decision()) lines.Add("decision", DecisionHeadline(record.decision()));

  std::string out;
  lines.AppendTo(&out);
  if (record.has_decision()) AppendReasons(record.decision(), "", &out);
  if (!record.history().empty()) {
    absl::StrAppend(&out, "history:\n");
    for (const v1::ContactEvent& event : record.history()) {
      std::string line = absl::StrFormat("  %s  %-9s", FormatTimestamp(event.time(), tz),
                                         ContactStateLabel(event.state()));
      if (!event.handler_id().empty()) absl::StrAppend(&line, "  handler ", event.handler_id());
      if (!event.reason().empty()) absl::StrAppend(&line, "  (", event.reason(), ")");
      absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(line), "\n");
    }
  }
  return out;
}

std::string FormatContactSummary(const v1::ContactRecord& record) {
  std::string out =
      absl::StrCat("contact ", record.contact_id(), ": ", ContactStateLabel(record.state()));
  if (!record.handler_id().empty()) absl::StrAppend(&out, " (handler ", record.handler_id(), ")");
  absl::StrAppend(&out, "\n");
  return out;
}

std::string FormatAudit(const v1::ReadAuditResponse& response, absl::TimeZone tz) {
  if (response.entries().empty()) return "no audit entries\n";
  std::string out;
  for (const v1::AuditEntry& e : response.entries()) {
    absl::StrAppend(&out, FormatTimestamp(e.time(), tz), "  ", e.action(), "  by ", e.actor());
    if (!e.contact_id().empty()) absl::StrAppend(&out, "  contact ", e.contact_id());
    if (!e.subject().empty()) absl::StrAppend(&out, "  subject ", e.subject());
    if (!e.detail().empty()) absl::StrAppend(&out, "  ", e.detail());
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string FormatEvent(const v1::Event& event, absl::TimeZone tz) {
  // EVENT_TYPE_OFFER_TIMED_OUT -> offer_timed_out
  std::string type =
      absl::AsciiStrToLower(absl::StripPrefix(v1::EventType_Name(event.type()), "EVENT_TYPE_"));
  std::string out =
      absl::StrCat(FormatTimestamp(event.time(), tz), "  ", event.offset(), "  ", type);
  auto field = [&out](absl::string_view name, absl::string_view value) {
    if (!value.empty()) absl::StrAppend(&out, "  ", name, "=", value);
  };
  auto enum_field = [&field](absl::string_view name, const std::string& full,
                             absl::string_view prefix) {
    if (absl::EndsWith(full, "_UNSPECIFIED") || full.empty()) return;
    field(name, absl::AsciiStrToLower(absl::StripPrefix(full, prefix)));
  };
  field("contact", event.contact_id());
  field("handler", event.handler_id());
  field("queue", event.queue());
  enum_field("channel", v1::Channel_Name(event.channel()), "CHANNEL_");
  field("topic", event.topic());
  enum_field("state", v1::ContactState_Name(event.state()), "CONTACT_STATE_");
  enum_field("digital_first", v1::DigitalFirst_Name(event.digital_first()), "DIGITAL_FIRST_");
  if (event.callback()) field("callback", "true");
  field("reserved_for", event.reserved_for());
  field("to_queue", event.to_queue());
  enum_field("presence", v1::Presence_Name(event.presence()), "PRESENCE_");
  field("domain", event.domain());
  field("reason", event.reason());
  absl::StrAppend(&out, "\n");
  return out;
}

std::string FormatQueueStats(const v1::GetQueueStatsResponse& response) {
  if (response.queues().empty()) return "no queues\n";
  const std::vector<std::string> header = {"QUEUE",        "WAITING",   "OFFERED",
                                           "LONGEST WAIT", "AVAILABLE", "SIGNED IN"};
  std::vector<std::vector<std::string>> rows = {header};
  for (const v1::QueueStats& q : response.queues()) {
    rows.push_back({q.queue(), absl::StrCat(q.waiting()), absl::StrCat(q.offered()), LongestWait(q),
                    absl::StrCat(q.handlers_available()), absl::StrCat(q.handlers_signed_in())});
  }
  std::vector<size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const int width = static_cast<int>(widths[c]);
      // The queue name is text (left-aligned); the other columns are figures (right-aligned).
      if (c == 0) {
        absl::StrAppendFormat(&line, "%-*s", width, row[c]);
      } else {
        absl::StrAppendFormat(&line, "  %*s", width, row[c]);
      }
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string FormatHandler(const v1::Handler& handler) {
  std::string out = absl::StrCat("handler ", handler.handler_id());
  if (!handler.display_name().empty()) absl::StrAppend(&out, " (", handler.display_name(), ")");
  absl::StrAppend(&out, ": ", PresenceLabel(handler.presence()), "\n");
  KeyValueLines lines;
  lines.Add("tenant", handler.tenant());
  lines.Add("skills", absl::StrJoin(handler.skills(), ", "));
  lines.Add("teams", absl::StrJoin(handler.teams(), ", "));
  std::vector<std::string> capacity;
  for (const v1::ChannelCapacity& c : handler.capacity()) {
    capacity.push_back(absl::StrCat(ChannelLabel(c.channel()), " ", c.max_contacts()));
  }
  lines.Add("capacity", absl::StrJoin(capacity, ", "));
  lines.Add("contacts", absl::StrJoin(handler.contact_ids(), ", "));
  lines.Add("address", handler.address());
  std::string body;
  lines.AppendTo(&body);
  // Indent the details under the headline.
  for (absl::string_view line : absl::StrSplit(body, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, "  ", line, "\n");
  }
  return out;
}

std::string FormatOffer(const v1::Offer& offer, absl::TimeZone tz) {
  switch (offer.kind()) {
    case v1::Offer::KIND_OFFER: {
      std::string out = absl::StrCat("offer: contact ", offer.contact_id());
      if (offer.has_contact()) {
        const v1::ContactRecord& c = offer.contact();
        std::vector<std::string> about = {ChannelLabel(c.channel())};
        if (!c.topic().empty()) about.push_back(absl::StrCat("topic ", c.topic()));
        if (!c.queue().empty()) about.push_back(absl::StrCat("queue ", c.queue()));
        absl::StrAppend(&out, " (", absl::StrJoin(about, ", "), ")");
      }
      if (offer.has_expires_at()) {
        absl::StrAppend(&out, ", expires ", FormatTimestamp(offer.expires_at(), tz));
      }
      absl::StrAppend(&out, "\n");
      return out;
    }
    case v1::Offer::KIND_WITHDRAWN:
      return absl::StrCat("offer withdrawn: contact ", offer.contact_id(), "\n");
    default:
      return absl::StrCat("offer of unknown kind ", static_cast<int>(offer.kind()), ": contact ",
                          offer.contact_id(), "\n");
  }
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

std::string FormatRpcError(const grpc::Status& status) {
  std::string out = absl::StrCat("error: ", StatusCodeName(status.error_code()));
  if (!status.error_message().empty()) absl::StrAppend(&out, ": ", status.error_message());
  absl::StrAppend(&out, "\n");
  if (status.error_details().empty()) return out;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) {
    absl::StrAppend(&out, "  (error details could not be decoded)\n");
    return out;
  }
  for (const google::protobuf::Any& any : details.details()) {
    if (google::rpc::BadRequest bad_request; any.UnpackTo(&bad_request)) {
      for (const auto& violation : bad_request.field_violations()) {
        absl::StrAppend(&out, "  ", violation.field(), ": ", violation.description(), "\n");
      }
    } else if (google::rpc::PreconditionFailure failure; any.UnpackTo(&failure)) {
      for (const auto& violation : failure.violations()) {
        absl::StrAppend(&out, "  ", violation.type());
        if (!violation.subject().empty()) absl::StrAppend(&out, " ", violation.subject());
        absl::StrAppend(&out, ": ", violation.description(), "\n");
      }
    } else {
      absl::StrAppend(&out, "  (detail of type ", any.type_url(), ")\n");
    }
  }
  return out;
}

std::string FormatJson(const google::protobuf::Message& message, bool multiline) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = multiline;
  options.always_print_primitive_fields = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    // Only possible for messages with unresolvable Any contents, which the API does not use.
    return "{}\n";
  }
  if (json.empty() || json.back() != '\n') json.push_back('\n');
  return json;
}

}  // namespace wissel::cli
