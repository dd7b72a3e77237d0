// The one table of who may call what: every RPC of the router against the roles of
// router/access/role.h, per tenant. The services call Authorize first thing in every RPC, before
// any validation that could tell a caller something about a tenant that is not its own.
//
// Calls about one contact are allowed in a scope (ContactScope) that the service checks once
// the contact is found: a channel adapter sees the contacts of its channels, a handler the
// contacts it holds, supervisors and call-centre software every contact of their tenants.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "router/access/principal.h"
#include "router/core/channel.h"

namespace wissel::access {

enum class Rpc {
  kRouteContact,
  kGetContact,
  kCancelContact,
  kCompleteContact,
  kTransferContact,
  kSetContactPerson,
  kSignIn,
  kSignOut,
  kSetPresence,
  kGetHandler,
  kStreamOffers,
  kAcceptOffer,
  kRejectOffer,
  kFinishWrapUp,
  kGetQueueStats,
  kEraseResident,
  kExportResident,
  kReadAudit,
  kWatchEvents,
};
inline constexpr Rpc kAllRpcs[] = {
    Rpc::kRouteContact,    Rpc::kGetContact,       Rpc::kCancelContact, Rpc::kCompleteContact,
    Rpc::kTransferContact, Rpc::kSetContactPerson, Rpc::kSignIn,        Rpc::kSignOut,
    Rpc::kSetPresence,     Rpc::kGetHandler,       Rpc::kStreamOffers,  Rpc::kAcceptOffer,
    Rpc::kRejectOffer,     Rpc::kFinishWrapUp,     Rpc::kGetQueueStats, Rpc::kEraseResident,
    Rpc::kExportResident,  Rpc::kReadAudit,        Rpc::kWatchEvents,
};

// The method's name as in the proto ("RouteContact").
absl::string_view RpcName(Rpc rpc);

// What a call is about.
struct CallTarget {
  std::string tenant;
  // Handler calls: the handler acted for.
  std::string handler_id;
  // RouteContact: the new contact's channel.
  std::optional<core::Channel> channel;
};

// Which contacts of the tenant a permitted contact call may touch.
struct ContactScope {
  bool any = false;
  core::PerChannel<bool> channels{false};
  // A handler: the contacts offered to or held by it.
  std::string held_by;

  // `handler_id`: the handler the contact is offered to or held by, empty if none.
  bool Allows(core::Channel channel, absl::string_view handler_id) const {
    return any || channels[channel] || (!held_by.empty() && held_by == handler_id);
  }
};

// UNAUTHENTICATED when the caller proved no identity; PERMISSION_DENIED when none of its roles
// for target.tenant allows `rpc` (the message names the RPC and the roles that would, never
// anything about the tenant). Otherwise the scope of contacts it may touch (for RPCs not about
// an existing contact: `any`).
absl::StatusOr<ContactScope> Authorize(const Principal& principal, Rpc rpc,
                                       const CallTarget& target);

// Whether `principal` may set what the roster owns (skills, teams, proficiency, address) when
// signing a handler in: operators and call-centre software, never the handler itself.
bool MaySetRosterFields(const Principal& principal, absl::string_view tenant);

}  // namespace wissel::access
