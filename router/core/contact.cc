#include "router/core/contact.h"

namespace wissel::core {

absl::string_view ContactStateName(ContactState state) {
  switch (state) {
    case ContactState::kQueued:
      return "queued";
    case ContactState::kOffered:
      return "offered";
    case ContactState::kConnected:
      return "connected";
    case ContactState::kCompleted:
      return "completed";
    case ContactState::kAbandoned:
      return "abandoned";
  }
  return "unknown";
}

}  // namespace wissel::core
