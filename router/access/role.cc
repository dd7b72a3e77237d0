#include "router/access/role.h"

#include <array>
#include <utility>

namespace wissel::access {
namespace {

constexpr std::array<std::pair<Role, absl::string_view>, 6> kNames = {{
    {Role::kChannel, "channel"},
    {Role::kHandler, "handler"},
    {Role::kHandlerProxy, "handler_proxy"},
    {Role::kSupervisor, "supervisor"},
    {Role::kOperator, "operator"},
    {Role::kPeer, "peer"},
}};

}  // namespace

absl::string_view RoleName(Role role) {
  for (const auto& [r, name] : kNames) {
    if (r == role) return name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (const auto& [r, n] : kNames) {
    if (n == name) return r;
  }
  return std::nullopt;
}

}  // namespace wissel::access
