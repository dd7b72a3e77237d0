// The routing core's answer for one contact, with its explanation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
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
  // Plain-language explanation of how the decision came about, in order.
  std::vector<std::string> reasons;
  // The same, structured: rules fired, policy outcomes, candidates considered.
  std::vector<TraceStep> trace;
};

}  // namespace wissel::core
