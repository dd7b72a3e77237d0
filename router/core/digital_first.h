// "Digitaal, tenzij" (digital unless): step 3 of Router::Route. A contact about a topic with a
// digital alternative, on a personal channel (phone, chat, balie), is steered to that
// alternative unless a need applies (then it gets a person, with a priority boost) or the
// resident asks for a person (then it gets a person, and the alternative is mentioned). A
// topic that allows a person after the digital offer is routed to a person too while the
// expected wait stays under the tenant's threshold.
//
// A pure function of its inputs; it records its outcome and trace in the decision.
#pragma once

#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "router/core/contact.h"
#include "router/core/decision.h"
#include "router/core/tenant_config.h"

namespace wissel::core {

// Applies the policy to contact `c` (its priority may rise) and notes the outcome in `d`
// (digital_first, digital_offer, notes). `offer_digital`: a rule asked to mention the digital
// alternative (applies where the policy does not). `expected_wait` is called only when the wait
// matters. Returns true when the contact is steered to the digital alternative: it then gets
// no person.
bool ApplyDigitalFirst(const TopicConfig& topic, const TenantConfig::DigitalFirstPolicy& policy,
                       bool offer_digital, absl::FunctionRef<absl::Duration()> expected_wait,
                       Contact& c, Decision& d);

}  // namespace wissel::core
