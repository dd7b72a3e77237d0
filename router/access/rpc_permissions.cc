#include "router/access/rpc_permissions.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "router/access/role.h"

namespace wissel::access {
namespace {

// How one role may make one call.
enum class Reach {
  kAll,          // the whole tenant
  kOwnHandler,   // handler calls for its own handler id; contact calls for the contacts it holds
  kOwnChannels,  // contacts of its channels
};

struct Permission {
  Role role;
  Reach reach;
};

// The table. docs/security.md shows it; tests/router/access/rpc_permissions_test.cc and the
// end-to-end access test check every row against a real router. Static: asked on every call.
absl::Span<const Permission> PermissionsOf(Rpc rpc) {
  static constexpr Permission kRouteOrCancel[] = {{Role::kChannel, Reach::kOwnChannels}};
  static constexpr Permission kGetContact[] = {{Role::kChannel, Reach::kOwnChannels},
                                               {Role::kHandler, Reach::kOwnHandler},
                                               {Role::kHandlerProxy, Reach::kAll},
                                               {Role::kSupervisor, Reach::kAll}};
  static constexpr Permission kHandlerCall[] = {{Role::kHandler, Reach::kOwnHandler},
                                                {Role::kHandlerProxy, Reach::kAll}};
  static constexpr Permission kOperatorOnly[] = {{Role::kOperator, Reach::kAll}};
  static constexpr Permission kSignInOut[] = {{Role::kHandler, Reach::kOwnHandler},
                                              {Role::kHandlerProxy, Reach::kAll},
                                              {Role::kOperator, Reach::kAll}};
  static constexpr Permission kGetHandler[] = {{Role::kHandler, Reach::kOwnHandler},
                                               {Role::kHandlerProxy, Reach::kAll},
                                               {Role::kSupervisor, Reach::kAll},
                                               {Role::kChannel, Reach::kAll}};
  static constexpr Permission kSupervisorOrOperator[] = {{Role::kSupervisor, Reach::kAll},
                                                         {Role::kOperator, Reach::kAll}};
  switch (rpc) {
    case Rpc::kRouteContact:
    case Rpc::kCancelContact:
      return kRouteOrCancel;
    case Rpc::kGetContact:
      return kGetContact;
    case Rpc::kCompleteContact:
    case Rpc::kTransferContact:
    case Rpc::kSetPresence:
    case Rpc::kStreamOffers:
    case Rpc::kAcceptOffer:
    case Rpc::kRejectOffer:
    case Rpc::kFinishWrapUp:
      return kHandlerCall;
    case Rpc::kSetContactPerson:
    case Rpc::kEraseResident:
    case Rpc::kExportResident:
    case Rpc::kReadAudit:
      return kOperatorOnly;
    case Rpc::kSignIn:
    case Rpc::kSignOut:
      return kSignInOut;
    case Rpc::kGetHandler:
      return kGetHandler;
    case Rpc::kGetQueueStats:
    case Rpc::kWatchEvents:
      return kSupervisorOrOperator;
  }
  return {};
}

// "RouteContact needs role channel (for the contact's channel) in this tenant": the denial's
// message, naming every role that would do.
std::string NeedsRoleMessage(Rpc rpc) {
  std::vector<std::string> roles;
  for (const Permission& p : PermissionsOf(rpc)) {
    switch (p.reach) {
      case Reach::kAll:
        roles.push_back(std::string(RoleName(p.role)));
        break;
      case Reach::kOwnHandler:
        roles.push_back(absl::StrCat(RoleName(p.role), " (for itself)"));
        break;
      case Reach::kOwnChannels:
        roles.push_back(absl::StrCat(RoleName(p.role), " (for the contact's channel)"));
        break;
    }
  }
  return absl::StrCat(RpcName(rpc), " needs role ", absl::StrJoin(roles, " or "),
                      " in this tenant");
}

bool IsContactCall(Rpc rpc) {
  return rpc == Rpc::kGetContact || rpc == Rpc::kCancelContact || rpc == Rpc::kCompleteContact ||
         rpc == Rpc::kTransferContact;
}

}  // namespace

absl::string_view RpcName(Rpc rpc) {
  switch (rpc) {
    case Rpc::kRouteContact:
      return "RouteContact";
    case Rpc::kGetContact:
      return "GetContact";
    case Rpc::kCancelContact:
      return "CancelContact";
    case Rpc::kCompleteContact:
      return "CompleteContact";
    case Rpc::kTransferContact:
      return "TransferContact";
    case Rpc::kSetContactPerson:
      return "SetContactPerson";
    case Rpc::kSignIn:
      return "SignIn";
    case Rpc::kSignOut:
      return "SignOut";
    case Rpc::kSetPresence:
      return "SetPresence";
    case Rpc::kGetHandler:
      return "GetHandler";
    case Rpc::kStreamOffers:
      return "StreamOffers";
    case Rpc::kAcceptOffer:
      return "AcceptOffer";
    case Rpc::kRejectOffer:
      return "RejectOffer";
    case Rpc::kFinishWrapUp:
      return "FinishWrapUp";
    case Rpc::kGetQueueStats:
      return "GetQueueStats";
    case Rpc::kEraseResident:
      return "EraseResident";
    case Rpc::kExportResident:
      return "ExportResident";
    case Rpc::kReadAudit:
      return "ReadAudit";
    case Rpc::kWatchEvents:
      return "WatchEvents";
  }
  return "unknown";
}

absl::StatusOr<ContactScope> Authorize(const Principal& principal, Rpc rpc,
                                       const CallTarget& target) {
  if (!principal.authenticated()) {
    return absl::UnauthenticatedError(
        "credentials required: a verified client certificate or bearer token");
  }
  ContactScope scope;
  bool allowed = false;
  for (const Permission& p : PermissionsOf(rpc)) {
    if (!principal.Has(p.role, target.tenant)) continue;
    switch (p.reach) {
      case Reach::kAll:
        scope.any = true;
        allowed = true;
        break;
      case Reach::kOwnChannels:
        if (rpc == Rpc::kRouteContact) {
          // Without a valid channel the request is refused as bad input right after this, so
          // any channel of the tenant will do here.
          bool may = false;
          for (core::Channel c : core::kAllChannels) {
            if ((!target.channel || *target.channel == c) &&
                principal.HasChannel(target.tenant, c)) {
              may = true;
            }
          }
          if (may) {
            scope.any = true;
            allowed = true;
          }
        } else {
          for (core::Channel c : core::kAllChannels) {
            if (principal.HasChannel(target.tenant, c)) {
              scope.channels[c] = true;
              allowed = true;
            }
          }
        }
        break;
      case Reach::kOwnHandler:
        if (IsContactCall(rpc)) {
          // The handlers it speaks for in this tenant (one per grant; the first is enough for a
          // handler identity, which speaks for one).
          for (const Right& r : principal.rights()) {
            if (r.role == Role::kHandler && r.CoversTenant(target.tenant)) {
              if (r.handler_id == "*") {
                scope.any = true;
              } else {
                scope.held_by = r.handler_id;
              }
              allowed = true;
              break;
            }
          }
        } else if (principal.IsHandler(target.tenant, target.handler_id)) {
          scope.any = true;
          allowed = true;
        }
        break;
    }
  }
  if (!allowed) return absl::PermissionDeniedError(NeedsRoleMessage(rpc));
  return scope;
}

bool MaySetRosterFields(const Principal& principal, absl::string_view tenant) {
  return principal.Has(Role::kOperator, tenant) || principal.Has(Role::kHandlerProxy, tenant);
}

}  // namespace wissel::access
