#include "router/service/api_convert.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/util/time_util.h"

namespace wissel::service {
namespace {

using google::protobuf::util::TimeUtil;

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  *out = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

}  // namespace

std::optional<core::Channel> FromProto(v1::Channel channel) {
  switch (channel) {
    case v1::CHANNEL_PHONE:
      return core::Channel::kPhone;
    case v1::CHANNEL_CHAT:
      return core::Channel::kChat;
    case v1::CHANNEL_WEB_FORM:
      return core::Channel::kWebForm;
    case v1::CHANNEL_BALIE:
      return core::Channel::kBalie;
    case v1::CHANNEL_EMAIL:
      return core::Channel::kEmail;
    default:
      return std::nullopt;
  }
}

v1::Channel ToProto(core::Channel channel) {
  switch (channel) {
    case core::Channel::kPhone:
      return v1::CHANNEL_PHONE;
    case core::Channel::kChat:
      return v1::CHANNEL_CHAT;
    case core::Channel::kWebForm:
      return v1::CHANNEL_WEB_FORM;
    case core::Channel::kBalie:
      return v1::CHANNEL_BALIE;
    case core::Channel::kEmail:
      return v1::CHANNEL_EMAIL;
  }
  return v1::CHANNEL_UNSPECIFIED;
}

std::optional<core::Presence> FromProto(v1::Presence presence) {
  switch (presence) {
    case v1::PRESENCE_AVAILABLE:
      return core::Presence::kAvailable;
    case v1::PRESENCE_BUSY:
      return core::Presence::kBusy;
    case v1::PRESENCE_AWAY:
      return core::Presence::kAway;
    case v1::PRESENCE_OFFLINE:
      return core::Presence::kOffline;
    default:
      return std::nullopt;
  }
}

v1::Presence ToProto(core::Presence presence) {
  switch (presence) {
    case core::Presence::kAvailable:
      return v1::PRESENCE_AVAILABLE;
    case core::Presence::kBusy:
      return v1::PRESENCE_BUSY;
    case core::Presence::kAway:
      return v1::PRESENCE_AWAY;
    case core::Presence::kOffline:
      return v1::PRESENCE_OFFLINE;
  }
  return v1::PRESENCE_UNSPECIFIED;
}

v1::ContactState ToProto(core::ContactState state) {
  switch (state) {
    case core::ContactState::kQueued:
      return v1::CONTACT_STATE_QUEUED;
    case core::ContactState::kOffered:
      return v1::CONTACT_STATE_OFFERED;
    case core::ContactState::kConnected:
      return v1::CONTACT_STATE_CONNECTED;
    case core::ContactState::kCompleted:
      return v1::CONTACT_STATE_COMPLETED;
    case core::ContactState::kAbandoned:
      return v1::CONTACT_STATE_ABANDONED;
  }
  return v1::CONTACT_STATE_UNSPECIFIED;
}

v1::DigitalFirst ToProto(core::DigitalFirst digital_first) {
  switch (digital_first) {
    case core::DigitalFirst::kNotApplicable:
      return v1::DIGITAL_FIRST_NOT_APPLICABLE;
    case core::DigitalFirst::kSteered:
      return v1::DIGITAL_FIRST_STEERED;
    case core::DigitalFirst::kOfferedAndRouted:
      return v1::DIGITAL_FIRST_OFFERED_AND_ROUTED;
    case core::DigitalFirst::kExemptNeed:
      return v1::DIGITAL_FIRST_EXEMPT_NEED;
    case core::DigitalFirst::kExemptWantsPerson:
      return v1::DIGITAL_FIRST_EXEMPT_WANTS_PERSON;
  }
  return v1::DIGITAL_FIRST_UNSPECIFIED;
}

v1::EventType ToProto(state::EventType type) {
  switch (type) {
    case state::EventType::kRouted:
      return v1::EVENT_TYPE_ROUTED;
    case state::EventType::kRequeued:
      return v1::EVENT_TYPE_REQUEUED;
    case state::EventType::kOffered:
      return v1::EVENT_TYPE_OFFERED;
    case state::EventType::kAccepted:
      return v1::EVENT_TYPE_ACCEPTED;
    case state::EventType::kRejected:
      return v1::EVENT_TYPE_REJECTED;
    case state::EventType::kOfferTimedOut:
      return v1::EVENT_TYPE_OFFER_TIMED_OUT;
    case state::EventType::kOfferWithdrawn:
      return v1::EVENT_TYPE_OFFER_WITHDRAWN;
    case state::EventType::kTransferred:
      return v1::EVENT_TYPE_TRANSFERRED;
    case state::EventType::kCompleted:
      return v1::EVENT_TYPE_COMPLETED;
    case state::EventType::kWrapUpFinished:
      return v1::EVENT_TYPE_WRAP_UP_FINISHED;
    case state::EventType::kAbandoned:
      return v1::EVENT_TYPE_ABANDONED;
    case state::EventType::kHandlerPresence:
      return v1::EVENT_TYPE_HANDLER_PRESENCE;
    case state::EventType::kContactPersonSet:
      return v1::EVENT_TYPE_CONTACT_PERSON_SET;
    case state::EventType::kResidentErased:
      return v1::EVENT_TYPE_RESIDENT_ERASED;
    case state::EventType::kSurveyTriggered:
      return v1::EVENT_TYPE_SURVEY_TRIGGERED;
  }
  return v1::EVENT_TYPE_UNSPECIFIED;
}

void ToProto(const state::StoredEvent& event, v1::Event* out) {
  out->set_offset(event.offset);
  out->set_type(ToProto(event.type));
  if (event.time != absl::InfinitePast() && event.time != absl::InfiniteFuture()) {
    SetTimestamp(event.time, out->mutable_time());
  }
  out->set_contact_id(event.contact_id);
  out->set_handler_id(event.handler_id);
  out->set_queue(event.queue);
  if (event.channel) out->set_channel(ToProto(*event.channel));
  out->set_topic(event.topic);
  out->set_reason(event.reason);
  if (event.state) out->set_state(ToProto(*event.state));
  if (event.digital_first) out->set_digital_first(ToProto(*event.digital_first));
  out->set_callback(event.callback);
  out->set_to_queue(event.to_queue);
  if (event.presence) out->set_presence(ToProto(*event.presence));
  out->set_domain(event.domain);
  out->set_reserved_for(event.reserved_for);
}

void ToProto(const core::Decision& decision, v1::Decision* out) {
  out->set_queue(decision.queue);
  out->set_handler_id(decision.handler_id);
  out->set_position(decision.position);
  *out->mutable_expected_wait() =
      TimeUtil::MicrosecondsToDuration(absl::ToInt64Microseconds(decision.expected_wait));
  for (std::string& reason : decision.Reasons()) out->add_reasons(std::move(reason));
  switch (decision.outcome) {
    case core::Decision::Outcome::kAssigned:
      out->set_outcome(v1::Decision::OUTCOME_ASSIGNED);
      break;
    case core::Decision::Outcome::kQueued:
      out->set_outcome(v1::Decision::OUTCOME_QUEUED);
      break;
    case core::Decision::Outcome::kDigital:
      out->set_outcome(v1::Decision::OUTCOME_DIGITAL);
      break;
    case core::Decision::Outcome::kCallback:
      out->set_outcome(v1::Decision::OUTCOME_CALLBACK);
      break;
    case core::Decision::Outcome::kClosed:
      out->set_outcome(v1::Decision::OUTCOME_CLOSED);
      break;
  }
  if (decision.digital_offer) {
    out->mutable_digital_offer()->set_url(decision.digital_offer->url);
    out->mutable_digital_offer()->set_message(decision.digital_offer->message);
  }
  if (decision.expected_handling_date) {
    const absl::CivilDay d = *decision.expected_handling_date;
    out->set_expected_handling_date(
        absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day()));
  }
  out->set_message(decision.message);
  out->set_digital_first(ToProto(decision.digital_first));
  for (core::TraceStep& step : decision.Trace()) {
    v1::TraceStep* t = out->add_trace();
    t->set_kind(std::move(step.kind));
    t->set_name(std::move(step.name));
    t->set_detail(std::move(step.detail));
  }
}

void ToProto(const core::Handler& handler, const std::string& tenant, v1::Handler* out) {
  out->set_tenant(tenant);
  out->set_handler_id(handler.id);
  out->set_display_name(handler.display_name);
  out->set_address(handler.address);
  for (const std::string& s : handler.skills) out->add_skills(s);
  for (const std::string& t : handler.teams) out->add_teams(t);
  for (core::Channel c : core::kAllChannels) {
    auto* cap = out->add_capacity();
    cap->set_channel(ToProto(c));
    cap->set_max_contacts(handler.capacity[c]);
  }
  out->set_presence(ToProto(handler.presence));
  for (const core::HeldContact& hc : handler.held) out->add_contact_ids(hc.contact_id);
  for (const auto& [skill, level] : handler.proficiency) {
    (*out->mutable_proficiency())[skill] = level;
  }
}

std::string WithDecision(const std::string& payload, const v1::Decision& decision) {
  using google::protobuf::io::CodedOutputStream;
  constexpr uint32_t kLengthDelimited = 2;  // the wire type of a message field
  constexpr uint32_t kTag =
      static_cast<uint32_t>(v1::ContactRecord::kDecisionFieldNumber) << 3 | kLengthDelimited;
  const size_t size = decision.ByteSizeLong();
  uint8_t header[2 * 5];  // two varints of at most 32 bits, 5 bytes each
  uint8_t* end = CodedOutputStream::WriteTagToArray(kTag, header);
  end = CodedOutputStream::WriteVarint32ToArray(static_cast<uint32_t>(size), end);
  const size_t header_size = end - header;
  std::string out(payload.size() + header_size + size, '\0');
  char* p = out.data();
  // Binary protobuf bytes, not a C string: no terminator is wanted.
  std::memcpy(p, payload.data(), payload.size());  // NOLINT(bugprone-not-null-terminated-result)
  std::memcpy(p + payload.size(), header, header_size);
  decision.SerializeWithCachedSizesToArray(
      reinterpret_cast<uint8_t*>(p + payload.size() + header_size));
  return out;
}

namespace {

absl::StatusOr<v1::ContactRecord> FromPayload(const std::string& tenant, const core::Contact& c,
                                              const AttributePolicy* attributes) {
  v1::ContactRecord record;
  if (!record.ParseFromString(c.payload)) {
    return absl::InternalError("stored contact payload does not parse");
  }
  if (attributes != nullptr) {
    if (absl::Status s = attributes->Reveal(record.mutable_attributes()); !s.ok()) return s;
  }
  // Payloads made before PrepareContact left these out carry them: the same values.
  if (record.tenant().empty()) record.set_tenant(tenant);
  if (record.topic().empty()) record.set_topic(c.topic);
  if (record.party_pseudonym().empty()) record.set_party_pseudonym(c.party_pseudonym);
  record.set_contact_id(c.id);
  record.set_state(ToProto(c.state));
  record.set_queue(c.queue);
  record.set_handler_id(c.handler_id);
  record.set_priority(c.priority);
  return record;
}

}  // namespace

absl::StatusOr<v1::ContactRecord> ToContactRecord(const std::string& tenant,
                                                  const state::StoredContact& stored,
                                                  const AttributePolicy* attributes) {
  absl::StatusOr<v1::ContactRecord> record = FromPayload(tenant, stored.contact, attributes);
  if (!record.ok()) return record;
  for (const state::HistoryEntry& h : stored.history) {
    v1::ContactEvent* event = record->add_history();
    SetTimestamp(h.time, event->mutable_time());
    event->set_state(ToProto(h.state));
    event->set_handler_id(h.handler_id);
    event->set_reason(h.reason);
  }
  return record;
}

absl::StatusOr<v1::ContactRecord> ToContactRecord(const std::string& tenant,
                                                  const core::Contact& contact,
                                                  const AttributePolicy* attributes) {
  return FromPayload(tenant, contact, attributes);
}

}  // namespace wissel::service
