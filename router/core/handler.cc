#include "router/core/handler.h"

namespace wissel::core {

absl::string_view PresenceName(Presence presence) {
  switch (presence) {
    case Presence::kAvailable:
      return "available";
    case Presence::kBusy:
      return "busy";
    case Presence::kAway:
      return "away";
    case Presence::kOffline:
      return "offline";
  }
  return "unknown";
}

int Handler::Load(Channel channel) const {
  int load = 0;
  for (const HeldContact& held_contact : held) {
    if (held_contact.channel == channel) ++load;
  }
  return load;
}

}  // namespace wissel::core
