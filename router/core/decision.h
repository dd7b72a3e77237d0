// The routing core's answer for one contact.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace wissel::core {

struct Decision {
  enum class Outcome { kAssigned, kQueued };
  Outcome outcome = Outcome::kQueued;
  std::string contact_id;
  std::string queue;
  std::string handler_id;  // kAssigned
  int position = 0;        // kQueued: 1-based within the queue and channel
  absl::Duration expected_wait = absl::ZeroDuration();  // kQueued
  // Plain-language explanation of how the decision came about, in order.
  std::vector<std::string> reasons;
};

}  // namespace wissel::core
