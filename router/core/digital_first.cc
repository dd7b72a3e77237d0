#include "router/core/digital_first.h"

#include <algorithm>

namespace wissel::core {
namespace {

bool IsPersonalChannel(Channel c) {
  return c == Channel::kPhone || c == Channel::kChat || c == Channel::kBalie;
}

}  // namespace

bool ApplyDigitalFirst(const TopicConfig& topic, const TenantConfig::DigitalFirstPolicy& policy,
                       bool offer_digital, absl::FunctionRef<absl::Duration()> expected_wait,
                       Contact& c, Decision& d) {
  if (!topic.digital_alternative || !IsPersonalChannel(c.channel)) {
    if (offer_digital && topic.digital_alternative) d.digital_offer = topic.digital_alternative;
    return false;
  }
  if (c.needs != 0) {
    d.digital_first = DigitalFirst::kExemptNeed;
    c.priority = std::min(100, c.priority + policy.tenzij_priority_boost);
    d.AddNote(NoteKind::kExemptNeed).number = policy.tenzij_priority_boost;
    return false;
  }
  if (c.wants_person) {
    d.digital_first = DigitalFirst::kExemptWantsPerson;
    d.digital_offer = topic.digital_alternative;
    d.AddNote(NoteKind::kExemptWantsPerson);
    return false;
  }
  const absl::Duration wait = expected_wait();
  if (!topic.person_after_digital_offer) {
    d.digital_first = DigitalFirst::kSteered;
    d.AddNote(NoteKind::kSteeredTopic);
  } else if (wait > policy.digital_first_above_wait) {
    d.digital_first = DigitalFirst::kSteered;
    DecisionNote& note = d.AddNote(NoteKind::kSteeredWait);
    note.duration = wait;
    note.duration2 = policy.digital_first_above_wait;
  } else {
    d.digital_first = DigitalFirst::kOfferedAndRouted;
    d.digital_offer = topic.digital_alternative;
    d.AddNote(NoteKind::kDigitalOffered);
    return false;
  }
  d.digital_offer = topic.digital_alternative;
  d.AddNote(NoteKind::kSteered);
  return true;
}

}  // namespace wissel::core
