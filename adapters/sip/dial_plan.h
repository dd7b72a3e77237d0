// DialPlan: which topic a call is about, from the number the resident dialled and the IVR
// choice the PBX reports. Pure lookup; immutable after construction, so thread-safe.
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "adapters/sip/sip_config.h"

namespace wissel::adapters::sip {

// The number with visual separators (space, '-', '.', '(', ')') removed and URI parameters
// (";phone-context=...") cut off. "14 0123" -> "140123".
std::string NormalizeDialledNumber(absl::string_view number);

// An IVR choice is 1..8 characters of 0-9, '*' and '#'.
bool IsValidIvrChoice(absl::string_view choice);

struct DialResult {
  std::string number;      // normalised dialled number (a municipal number, not personal data)
  std::string topic;       // the topic to route on
  std::string ivr_choice;  // the IVR choice as reported, empty when none
};

class DialPlan {
 public:
  // `config.numbers` must have been validated (ParseSipConfig does).
  explicit DialPlan(const SipConfig& config);

  // `request_user` is the user part of the request-URI (or the tel: number), e.g. "140123*2";
  // `ivr_header` the value of the IVR header, empty when absent (it wins over the suffix).
  // NotFound when the number is not configured. An unknown or malformed IVR choice falls back
  // to the number's default topic.
  absl::StatusOr<DialResult> Resolve(absl::string_view request_user,
                                     absl::string_view ivr_header) const;

 private:
  absl::flat_hash_map<std::string, DialledNumberConfig> numbers_;  // by normalised number
};

}  // namespace wissel::adapters::sip
