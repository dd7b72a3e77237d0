// A contact as the routing core sees it.
//
// Only what routing needs lives here; everything else the service keeps for the contact
// travels in `payload`, opaque bytes the core stores and returns without reading. Personal
// identifiers arrive already pseudonymised.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "router/core/channel.h"
#include "router/core/shared_string.h"
#include "router/core/skill.h"

namespace wissel::core {

enum class ContactState { kQueued, kOffered, kConnected, kCompleted, kAbandoned };

// Why the digital channel does not work for a resident (the "tenzij" of "digitaal, tenzij").
enum class Need { kLowDigitalSkills = 0, kLanguageBarrier = 1, kImpairment = 2, kVulnerable = 3 };
// A set of needs, as bits (1 << Need).
using NeedSet = unsigned;
inline NeedSet NeedBit(Need need) { return 1u << static_cast<unsigned>(need); }

// Assurance level of a DigiD login.
enum class DigidLevel { kNone, kBasis, kMidden, kSubstantieel, kHoog };

absl::string_view ContactStateName(ContactState state);

struct Contact {
  std::string id;
  Channel channel = Channel::kPhone;
  std::string topic;
  std::string queue;
  int priority = 0;  // 0..100, higher first
  SharedString idempotency_key;
  std::string party_pseudonym;  // empty for anonymous
  absl::Time created_at = absl::InfinitePast();
  // When the contact entered its current queue; re-queued contacts keep it, so they return to
  // their old place.
  absl::Time enqueued_at = absl::InfinitePast();
  ContactState state = ContactState::kQueued;
  std::string handler_id;  // for kOffered / kConnected
  absl::Time offer_deadline = absl::InfiniteFuture();
  // Handlers that rejected this contact: not offered it again.
  std::vector<std::string> declined_by;
  Payload payload;

  // What the policies and rules look at.
  std::string domain;  // the topic's domain, for the contact-person mapping
  NeedSet needs = 0;
  DigidLevel digid = DigidLevel::kNone;
  std::string language;
  bool wants_person = false;
  std::string case_reference;
  bool confidential = false;

  // Routing state that changes while the contact waits; stored with the contact.
  // A callback request: the resident is called back instead of waiting on the line.
  bool callback = false;
  // How many of its queue's escalation steps have applied.
  int escalation_level = 0;
  // Lowest proficiency on the queue's skill a handler needs now (escalation lowers it).
  int min_proficiency = kMinProficiency;
  // Further queues whose handlers may take it (escalation overflow).
  std::vector<std::string> overflow_queues;
  // Skills a handler needs besides the queue's (topic skills, rules).
  std::vector<SkillRequirement> required_skills;
  // Waiting for this handler (contact person, deputy or a rule's preferred handler) until
  // `reserved_until`; then the team gets it.
  std::string reserved_for;
  absl::Time reserved_until = absl::InfinitePast();
};

}  // namespace wissel::core
