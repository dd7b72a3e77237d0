// RuleContext: what a routing rule's condition can look at for one contact.
//
// The caller (core::Router) fills it per contact from the contact, the tenant's catalogue, the
// queue state and the calendar; a compiled Condition or RuleSet reads it without copying or
// parsing anything. A plain view: it owns nothing, and every pointer and string_view in it must
// stay valid for the duration of the Evaluate call it is passed to. Thread-compatible.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "router/core/channel.h"
#include "router/core/contact.h"
#include "router/core/tenant_config.h"

namespace wissel::core::rules {

struct RuleContext {
  Channel channel = Channel::kPhone;
  // The contact's topic, an element of the TenantConfig::topics the rules were compiled
  // against. nullptr when the contact has no (known) topic: then `topic == x` is false,
  // `topic != x` true, topic.domain matches no domain, topic.phase is `none` and the topic's
  // booleans are false. A TopicConfig from another copy of the config is matched by its code
  // (slower, still without allocation).
  const TopicConfig* topic = nullptr;
  absl::string_view language;  // e.g. "nl", "en", "ar"; empty when unknown
  NeedSet needs = 0;
  DigidLevel digid = DigidLevel::kNone;
  bool party_known = false;         // party.known: the resident identified themselves
  bool case_open = false;           // case.open: a case (zaak) reference came with the contact
  bool has_contact_person = false;  // contact_person.exists
  bool wants_person = false;        // the resident explicitly asked for a person
  int priority = 0;                 // 0..100, before rules apply
  // queue.expected_wait: the expected wait in the topic's queue, now.
  absl::Duration queue_expected_wait = absl::ZeroDuration();
  // The tenant's local date and time now (`time` and `day` come from it).
  absl::CivilSecond local_time;
  bool open = false;  // the contact's channel is within its opening hours now
  // attributes.NAME: free attributes from the channel (IVR choice, appointment code, ...).
  // Looked up linearly by name; a missing name reads as "". May be null (no attributes).
  const std::vector<std::pair<std::string, std::string>>* attributes = nullptr;
};

}  // namespace wissel::core::rules
