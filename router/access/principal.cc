#include "router/access/principal.h"

#include "router/core/channel.h"

namespace wissel::access {

Principal Principal::Unrestricted(std::string label) {
  std::vector<Right> rights;
  for (Role role : {Role::kChannel, Role::kHandler, Role::kHandlerProxy, Role::kSupervisor,
                    Role::kOperator, Role::kPeer}) {
    Right r;
    r.role = role;
    // assign(): GCC 12 -O2/-O3 misreports `= "*"` as a -Wrestrict overlap (a false positive).
    r.tenant.assign(1, '*');
    r.handler_id.assign(1, '*');
    rights.push_back(std::move(r));
  }
  return Principal(std::move(rights), std::move(label), /*authenticated=*/true);
}

bool Principal::Has(Role role, absl::string_view tenant) const {
  for (const Right& r : rights_) {
    if (r.role == role && r.CoversTenant(tenant)) return true;
  }
  return false;
}

bool Principal::HasChannel(absl::string_view tenant, core::Channel channel) const {
  for (const Right& r : rights_) {
    if (r.role == Role::kChannel && r.CoversTenant(tenant) && r.channels[channel]) return true;
  }
  return false;
}

bool Principal::IsHandler(absl::string_view tenant, absl::string_view handler_id) const {
  for (const Right& r : rights_) {
    if (r.role == Role::kHandler && r.CoversTenant(tenant) &&
        (r.handler_id == handler_id || r.handler_id == "*")) {
      return true;
    }
  }
  return false;
}

bool Principal::Knows(absl::string_view tenant) const {
  for (const Right& r : rights_) {
    if (r.CoversTenant(tenant)) return true;
  }
  return false;
}

}  // namespace wissel::access
