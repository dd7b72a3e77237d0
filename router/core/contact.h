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
  std::string idempotency_key;
  std::string party_pseudonym;  // empty for anonymous
  absl::Time created_at = absl::InfinitePast();
  // When the contact entered its current queue; re-queued contacts keep it, so they return to
  // their old place.
  absl::Time enqueued_at = absl::InfinitePast();
  ContactState state = ContactState::kQueued;
  std::string handler_id;  // for kOffered / kConnected
  absl::Time offer_deadline = absl::InfiniteFuture();
  // Handlers that rejected this contact or let its offer time out: not offered it again.
  std::vector<std::string> declined_by;
  std::string payload;
};

}  // namespace wissel::core
