// The roles a caller can hold for a tenant (docs/security.md has the table of what each may do).
#pragma once

#include <optional>

#include "absl/strings/string_view.h"

namespace wissel::access {

enum class Role {
  // An adapter or call-centre system that brings contacts in: route, read and cancel contacts
  // of its tenants and channels; read a handler's address to connect a call to it.
  kChannel,
  // One handler (medewerker), for its own handler id only.
  kHandler,
  // Call-centre software acting for the handlers of its tenants.
  kHandlerProxy,
  // Reads queues, contacts and handlers of its tenants.
  kSupervisor,
  // Configuration, contact-person mappings, erasure and audit.
  kOperator,
  // Another Wissel router: may forward its callers' calls here.
  kPeer,
};

// "channel", "handler", "handler_proxy", "supervisor", "operator", "peer".
absl::string_view RoleName(Role role);
std::optional<Role> ParseRole(absl::string_view name);

}  // namespace wissel::access
