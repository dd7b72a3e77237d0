// The tenant's event stream (OperatorService.WatchEvents): one entry per applied effect, what a
// wallboard, a reporting job or the what-if simulator reads back.
//
// An effect's script appends its event to the stream w:{T}:events (redis_keys.h) in the same
// atomic step as the change itself (scripts.h), so an event exists exactly when its change does:
// a refused or fenced effect writes none, and a router that dies after the write cannot lose it.
// The stream id is the event's offset; a client that resumes after the last offset it has gets
// every later event once, from any router of the tenant.
//
// Events never name the resident: no identifier, no pseudonym, no payload, no attribute. They
// carry contact and handler ids, queue, channel, topic and short reason codes. Pure functions,
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/core/channel.h"
#include "router/core/contact.h"
#include "router/core/decision.h"
#include "router/core/effect.h"
#include "router/core/handler.h"

namespace wissel::state {

enum class EventType {
  kRouted,            // ContactCreated: queued, or closed at once (state completed)
  kRequeued,          // ContactUpdated
  kOffered,           // ContactOffered
  kAccepted,          // OfferAccepted
  kRejected,          // OfferWithdrawn "rejected"
  kOfferTimedOut,     // OfferWithdrawn "offer_timeout"
  kOfferWithdrawn,    // OfferWithdrawn, any other reason
  kTransferred,       // ContactTransferred
  kCompleted,         // ContactCompleted
  kWrapUpFinished,    // WrapUpFinished
  kAbandoned,         // ContactAbandoned
  kHandlerPresence,   // HandlerChanged
  kContactPersonSet,  // ContactPersonSet
  kResidentErased,    // ResidentErased
  kSurveyTriggered,   // ContactCompleted of a sampled contact (written by its script)
};

// "routed", "requeued", "offered", ...: the stored spelling.
absl::string_view EventTypeName(EventType type);
std::optional<EventType> ParseEventType(absl::string_view name);

struct StoredEvent {
  // The stream id "<ms>-<seq>": the offset. Given by Redis; ignored when writing.
  std::string offset;
  EventType type = EventType::kRouted;
  // The router's time of the change (the effect's time).
  absl::Time time = absl::InfinitePast();
  std::string contact_id;
  std::string handler_id;
  // For a contact's events: its queue, channel and topic when the event was written.
  std::string queue;
  std::optional<core::Channel> channel;
  std::string topic;
  std::string reason;
  // kRouted: the state after the decision, how "digitaal, tenzij" applied, callback request.
  std::optional<core::ContactState> state;
  std::optional<core::DigitalFirst> digital_first;
  bool callback = false;
  // kRouted: the handler the contact waits for first (its contact person, a deputy or a rule's
  // preferred handler); empty when none.
  std::string reserved_for;
  // kTransferred.
  std::string to_queue;
  // kHandlerPresence.
  std::optional<core::Presence> presence;
  // kContactPersonSet.
  std::string domain;
};

// What an effect's script appends: the event's stream fields (field, value, ...), and whether
// the script adds the contact's queue, channel and topic from the contact hash (KEYS[1]) after
// the change (for the contact effects that do not carry them).
struct EventFields {
  std::vector<std::string> fields;
  bool with_contact_fields = false;
};

// The event of `effect`. Every effect has one.
EventFields EventOf(const core::Effect& effect);

// An event from its stream id and fields. InvalidArgument naming the field for an entry this
// codec did not write (unknown type, malformed time or enum value); unknown fields are ignored
// (written by a newer router).
absl::StatusOr<StoredEvent> DecodeEvent(absl::string_view offset,
                                        const std::vector<std::string>& fields);

// A stream id "<ms>-<seq>" (or "<ms>", seq 0) as a pair for ordering; nullopt when malformed.
struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  friend bool operator<(const StreamId& a, const StreamId& b) {
    return a.ms < b.ms || (a.ms == b.ms && a.seq < b.seq);
  }
  friend bool operator==(const StreamId& a, const StreamId& b) {
    return a.ms == b.ms && a.seq == b.seq;
  }
};
std::optional<StreamId> ParseStreamId(absl::string_view id);

}  // namespace wissel::state
