// The routing core's answer for one contact, with its explanation.
//
// The explanation is recorded as structured notes while the Router decides (no strings are
// built, so deciding allocates nothing) and turned into text on demand by Reasons() and
// Trace(), usually once, at the API edge.
//
// Lifetime: a note refers to names (topics, queues, rules, handlers) held by the Router that
// made the decision — its configuration and its handlers, which it never erases. Call
// Reasons() and Trace() while that Router is alive; the other fields are plain values. Copies
// and moves of a Decision keep their notes valid under the same condition.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "router/core/channel.h"
#include "router/core/tenant_config.h"

namespace wissel::core {

// How "digitaal, tenzij" applied; counted and audited.
enum class DigitalFirst {
  kNotApplicable,     // no digital alternative, or not a personal channel
  kSteered,           // steered to the digital alternative, not routed to a person
  kOfferedAndRouted,  // the alternative was offered and the contact routed as well
  kExemptNeed,        // a "tenzij" need applies: routed with a priority boost
  kExemptWantsPerson  // the resident asked for a person
};

absl::string_view DigitalFirstName(DigitalFirst d);

// One step of a decision's explanation.
struct TraceStep {
  std::string kind;  // "rule", "policy", "queue", "candidate", "escalation", "hours"
  std::string name;  // rule name, policy name, queue or handler id
  std::string detail;
};

// What one note of an explanation says. A note becomes a line of Decision::Reasons(), a step of
// Decision::Trace(), or both; the comment names the fields it reads.
enum class NoteKind : uint8_t {
  kTopic,              // reason and trace: topic `name` maps to queue `name2`
  kTopicReason,        // reason only: the same
  kHours,              // trace: closed now on `channel`; reopens at `time` (infinite: never)
  kOutsideDigital,     // reason: outside hours, the digital alternative; reopens at `time`
  kOutsideCallback,    // reason: outside hours, a callback request; reopens at `time`
  kOutsideClosed,      // reason: outside hours, closed; reopens at `time`
  kRuleFired,          // reason and trace: rule `name` fired
  kRoutedByRule,       // reason: routed to queue `name` by rule
  kExemptNeed,         // trace: a need applies; priority + `number`
  kExemptWantsPerson,  // trace: the resident asked for a person
  kSteeredTopic,       // trace: steered, the topic is done digitally
  kSteeredWait,        // trace: steered, expected wait `duration` exceeds `duration2`
  kDigitalOffered,     // trace: the alternative offered and routed to a person too
  kSteered,            // reason: steered to the digital alternative
  kContactPerson,      // trace: contact person `name` is signed in
  kDeputy,             // trace: contact person `name` absent, deputy `name2` offered first
  kNoContactPerson,    // trace: contact person `name` and any deputy absent
  kPreferredHandler,   // trace: rule's preferred handler `name`
  kPriority,           // reason: priority `number`
  kWorkingDays,        // reason: handled within `number` working days
  kReservedFree,       // trace: reserved handler `name` is free
  kReservedBusy,       // trace: reserved handler `name` is not free
  kCandidate,          // trace: handler `name` chosen by strategy `number2` among `number`
                       // levels in queue `name2`, `flag`: via overflow
  kOffered,            // reason: offered to handler `name`
  kNoHandler,          // reason: no available handler with skill `name` on `channel`
  kWaitingFor,         // reason: waiting for handler `name` until `time`
  kQueued,             // reason: queued (`flag`: callback) in `name` at position `number`,
                       // expected wait `duration`
  kTransferred,        // reason: transferred by handler `name` to queue `name2`
  kHeldBy,             // reason: held by handler `name` in ContactState `number`
};

// One structured note; plain data, no ownership. Names point at strings that outlive the
// decision (see the file comment).
struct DecisionNote {
  NoteKind kind = NoteKind::kTopic;
  Channel channel = Channel::kPhone;
  bool flag = false;
  int number = 0;
  int number2 = 0;
  const std::string* name = nullptr;
  const std::string* name2 = nullptr;
  absl::Time time;
  absl::Duration duration;
  absl::Duration duration2;
};

struct Decision {
  enum class Outcome {
    kAssigned,  // offered to handler_id now
    kQueued,    // waiting in queue at position
    kDigital,   // steered to the digital alternative; no person
    kCallback,  // a callback request waits in queue; the resident is called back
    kClosed,    // closed (outside opening hours, or a rule) with message
  };
  Outcome outcome = Outcome::kQueued;
  std::string contact_id;
  std::string queue;
  std::string handler_id;  // kAssigned
  int position = 0;        // kQueued / kCallback: 1-based within the queue and channel
  absl::Duration expected_wait = absl::ZeroDuration();  // kQueued / kCallback
  std::optional<DigitalAlternative> digital_offer;
  // Asynchronous channels: the local date by which the contact will be handled.
  std::optional<absl::CivilDay> expected_handling_date;
  std::string message;
  DigitalFirst digital_first = DigitalFirst::kNotApplicable;

  // Plain-language explanation of how the decision came about, in order. Formats the notes
  // (allocates); see the file comment for how long it may be called.
  std::vector<std::string> Reasons() const;
  // The same, structured: rules fired, policy outcomes, candidates considered.
  std::vector<TraceStep> Trace() const;

  // Filled by the Router. The first 16 notes live inside the Decision; more (many rules firing)
  // go to the heap.
  absl::InlinedVector<DecisionNote, 16> notes;
  // Times in notes are formatted in this zone (the tenant's).
  absl::TimeZone time_zone = absl::UTCTimeZone();
  // Names a note refers to that the Router does not keep (rare: Describe and Transfer of a
  // contact whose handler or topic the Router does not know any more). Shared, so that copies
  // of the Decision point at the same strings.
  std::vector<std::shared_ptr<const std::string>> owned_names;

  DecisionNote& AddNote(NoteKind kind) {
    DecisionNote& note = notes.emplace_back();
    note.kind = kind;
    return note;
  }
  // A name with the decision's lifetime, for names the Router does not keep.
  const std::string* Own(std::string name) {
    owned_names.push_back(std::make_shared<const std::string>(std::move(name)));
    return owned_names.back().get();
  }
};

}  // namespace wissel::core
