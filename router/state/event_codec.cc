#include "router/state/event_codec.h"

#include <array>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "router/state/contact_codec.h"
#include "router/state/handler_codec.h"

namespace wissel::state {
namespace {

constexpr std::array<std::pair<EventType, absl::string_view>, 15> kEventTypeNames = {{
    {EventType::kRouted, "routed"},
    {EventType::kRequeued, "requeued"},
    {EventType::kOffered, "offered"},
    {EventType::kAccepted, "accepted"},
    {EventType::kRejected, "rejected"},
    {EventType::kOfferTimedOut, "offer_timed_out"},
    {EventType::kOfferWithdrawn, "offer_withdrawn"},
    {EventType::kTransferred, "transferred"},
    {EventType::kCompleted, "completed"},
    {EventType::kWrapUpFinished, "wrap_up_finished"},
    {EventType::kAbandoned, "abandoned"},
    {EventType::kHandlerPresence, "handler_presence"},
    {EventType::kContactPersonSet, "contact_person_set"},
    {EventType::kResidentErased, "resident_erased"},
    {EventType::kSurveyTriggered, "survey_triggered"},
}};

constexpr core::DigitalFirst kAllDigitalFirst[] = {
    core::DigitalFirst::kNotApplicable, core::DigitalFirst::kSteered,
    core::DigitalFirst::kOfferedAndRouted, core::DigitalFirst::kExemptNeed,
    core::DigitalFirst::kExemptWantsPerson};

// Builds the field list; empty values are left out (they decode as empty).
class FieldWriter {
 public:
  FieldWriter(EventType type, absl::Time time) {
    Add("type", EventTypeName(type));
    Add("time", EncodeTime(time));
  }
  void Add(absl::string_view field, absl::string_view value) {
    if (value.empty()) return;
    out_.fields.emplace_back(field);
    out_.fields.emplace_back(value);
  }
  FieldWriter& FromContact() {
    out_.with_contact_fields = true;
    return *this;
  }
  EventFields Done() && { return std::move(out_); }

 private:
  EventFields out_;
};

EventType WithdrawalType(absl::string_view reason) {
  if (reason == "rejected") return EventType::kRejected;
  if (reason == "offer_timeout") return EventType::kOfferTimedOut;
  return EventType::kOfferWithdrawn;
}

absl::Status Malformed(absl::string_view field, absl::string_view value) {
  return absl::InvalidArgumentError(absl::StrCat("event ", field, ": '", value, "'"));
}

}  // namespace

absl::string_view EventTypeName(EventType type) {
  for (const auto& [t, name] : kEventTypeNames) {
    if (t == type) return name;
  }
  return "";
}

std::optional<EventType> ParseEventType(absl::string_view name) {
  for (const auto& [t, n] : kEventTypeNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

EventFields EventOf(const core::Effect& effect) {
  return std::visit(
      [](const auto& e) -> EventFields {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, core::ContactCreated>) {
          const core::Contact& c = e.contact;
          FieldWriter w(EventType::kRouted, c.created_at);
          w.Add("contact", c.id);
          w.Add("queue", c.queue);
          w.Add("channel", core::ChannelName(c.channel));
          w.Add("topic", c.topic);
          w.Add("state", core::ContactStateName(c.state));
          w.Add("reason", e.reason);
          w.Add("digital_first", core::DigitalFirstName(e.digital_first));
          if (c.callback) w.Add("callback", "1");
          w.Add("reserved_for", c.reserved_for);
          return std::move(w).Done();
        } else if constexpr (std::is_same_v<T, core::ContactUpdated>) {
          const core::Contact& c = e.contact;
          FieldWriter w(EventType::kRequeued, e.time);
          w.Add("contact", c.id);
          w.Add("queue", c.queue);
          w.Add("channel", core::ChannelName(c.channel));
          w.Add("topic", c.topic);
          w.Add("reason", e.reason);
          if (c.callback) w.Add("callback", "1");
          return std::move(w).Done();
        } else if constexpr (std::is_same_v<T, core::ContactOffered>) {
          FieldWriter w(EventType::kOffered, e.time);
          w.Add("contact", e.contact_id);
          w.Add("handler", e.handler_id);
          return std::move(w.FromContact()).Done();
        } else if constexpr (std::is_same_v<T, core::OfferWithdrawn>) {
          FieldWriter w(WithdrawalType(e.reason), e.time);
          w.Add("contact", e.contact_id);
          w.Add("handler", e.handler_id);
          w.Add("reason", e.reason);
          return std::move(w.FromContact()).Done();
        } else if constexpr (std::is_same_v<T, core::OfferAccepted>) {
          FieldWriter w(EventType::kAccepted, e.time);
          w.Add("contact", e.contact_id);
          w.Add("handler", e.handler_id);
          return std::move(w.FromContact()).Done();
        } else if constexpr (std::is_same_v<T, core::ContactCompleted>) {
          FieldWriter w(EventType::kCompleted, e.time);
          w.Add("contact", e.contact_id);
          w.Add("handler", e.handler_id);
          return std::move(w.FromContact()).Done();
        } else if constexpr (std::is_same_v<T, core::WrapUpFinished>) {
          FieldWriter w(EventType::kWrapUpFinished, e.time);
          w.Add("contact", e.contact_id);
          w.Add("handler", e.handler_id);
          w.Add("reason", e.reason);
          return std::move(w.FromContact()).Done();
        } else if constexpr (std::is_same_v<T, core::ContactAbandoned>) {
          FieldWriter w(EventType::kAbandoned, e.time);
          w.Add("contact", e.contact_id);
          w.Add("handler", e.handler_id);
          w.Add("reason", e.reason);
          return std::move(w.FromContact()).Done();
        } else if constexpr (std::is_same_v<T, core::ContactTransferred>) {
          FieldWriter w(EventType::kTransferred, e.time);
          w.Add("contact", e.contact_id);
          w.Add("handler", e.from_handler_id);
          w.Add("to_queue", e.to_queue);
          // The hash already names the new queue; the event keeps the one it left.
          return std::move(w.FromContact()).Done();
        } else if constexpr (std::is_same_v<T, core::HandlerChanged>) {
          FieldWriter w(EventType::kHandlerPresence, e.time);
          w.Add("handler", e.handler.id);
          w.Add("presence", core::PresenceName(e.handler.presence));
          return std::move(w).Done();
        } else if constexpr (std::is_same_v<T, core::ContactPersonSet>) {
          FieldWriter w(EventType::kContactPersonSet, e.time);
          w.Add("handler", e.mapping.handler_id);
          w.Add("domain", e.mapping.domain);
          return std::move(w).Done();
        } else if constexpr (std::is_same_v<T, core::ResidentErased>) {
          return FieldWriter(EventType::kResidentErased, e.time).Done();
        } else {
          static_assert(!std::is_same_v<T, T>, "EventOf: unhandled core::Effect");
        }
      },
      effect);
}

absl::StatusOr<StoredEvent> DecodeEvent(absl::string_view offset,
                                        const std::vector<std::string>& fields) {
  StoredEvent event;
  event.offset = std::string(offset);
  bool typed = false;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& field = fields[i];
    const std::string& value = fields[i + 1];
    if (field == "type") {
      std::optional<EventType> type = ParseEventType(value);
      if (!type) return Malformed(field, value);
      event.type = *type;
      typed = true;
    } else if (field == "time") {
      std::optional<absl::Time> time = DecodeTime(value);
      if (!time) return Malformed(field, value);
      event.time = *time;
    } else if (field == "contact") {
      event.contact_id = value;
    } else if (field == "handler") {
      event.handler_id = value;
    } else if (field == "queue") {
      event.queue = value;
    } else if (field == "channel") {
      event.channel = core::ParseChannel(value);
      if (!event.channel) return Malformed(field, value);
    } else if (field == "topic") {
      event.topic = value;
    } else if (field == "reason") {
      event.reason = value;
    } else if (field == "state") {
      event.state = ParseContactState(value);
      if (!event.state) return Malformed(field, value);
    } else if (field == "digital_first") {
      for (core::DigitalFirst d : kAllDigitalFirst) {
        if (core::DigitalFirstName(d) == value) event.digital_first = d;
      }
      if (!event.digital_first) return Malformed(field, value);
    } else if (field == "callback") {
      event.callback = value == "1";
    } else if (field == "to_queue") {
      event.to_queue = value;
    } else if (field == "presence") {
      event.presence = ParsePresence(value);
      if (!event.presence) return Malformed(field, value);
    } else if (field == "domain") {
      event.domain = value;
    } else if (field == "reserved_for") {
      event.reserved_for = value;
    }
  }
  if (!typed) return Malformed("type", "<missing>");
  return event;
}

std::optional<StreamId> ParseStreamId(absl::string_view id) {
  if (id.empty() || id.find_first_not_of("0123456789-") != absl::string_view::npos) {
    return std::nullopt;
  }
  StreamId out;
  const size_t dash = id.find('-');
  if (!absl::SimpleAtoi(id.substr(0, dash), &out.ms)) return std::nullopt;
  if (dash != absl::string_view::npos && !absl::SimpleAtoi(id.substr(dash + 1), &out.seq)) {
    return std::nullopt;
  }
  return out;
}

}  // namespace wissel::state
