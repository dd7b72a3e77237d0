// A handler (medewerker) as the routing core sees it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "router/core/channel.h"

namespace wissel::core {

enum class Presence { kAvailable, kBusy, kAway, kOffline };

// Proficiency of a skill nobody rated.
inline constexpr int kDefaultProficiency = 3;

absl::string_view PresenceName(Presence presence);

// What a handler is doing with one contact it holds.
enum class HoldState { kOffered, kConnected, kWrapUp };

struct HeldContact {
  std::string contact_id;
  Channel channel = Channel::kPhone;
  HoldState state = HoldState::kOffered;
  // For kWrapUp: wrap-up ends by itself at this time.
  absl::Time wrap_up_deadline = absl::InfiniteFuture();
};

struct Handler {
  std::string id;
  std::string display_name;
  std::string address;              // SIP URI or desk the contact is connected to
  std::vector<std::string> skills;  // as signed in
  std::vector<std::string> teams;
  // Proficiency 1..5 per skill, where known (sign-in or the roster); others count as
  // kDefaultProficiency.
  std::map<std::string, int> proficiency;
  PerChannel<int> capacity;
  Presence presence = Presence::kOffline;
  // Longest-idle selection picks the handler whose last offer is oldest.
  absl::Time last_offer_at = absl::InfinitePast();
  std::vector<HeldContact> held;

  // Contacts held on `channel` (offered, connected or in wrap-up).
  int Load(Channel channel) const;
  bool HasFreeCapacity(Channel channel) const { return Load(channel) < capacity[channel]; }
};

}  // namespace wissel::core
