// The table of who may call what, written out for the tests independently of
// router/access/rpc_permissions.cc: the unit test (rpc_permissions_test.cc) and the test against
// a real router with TLS (tests/integration/access_control_test.cc) both check every row, so a
// change to the code that this table does not make, or the other way round, fails.
#pragma once

#include <map>
#include <set>

#include "router/access/role.h"
#include "router/access/rpc_permissions.h"

namespace wissel::testing {

inline constexpr access::Role kAllRoles[] = {access::Role::kChannel,      access::Role::kHandler,
                                             access::Role::kHandlerProxy, access::Role::kSupervisor,
                                             access::Role::kOperator,     access::Role::kPeer};

// The roles that may make each call in their own tenant (a handler for itself, a channel on its
// channel). In any other tenant, every call is denied to every role.
inline const std::map<access::Rpc, std::set<access::Role>>& ExpectedPermissions() {
  using access::Role;
  using access::Rpc;
  static const auto* const kTable = new std::map<Rpc, std::set<Role>>{
      {Rpc::kRouteContact, {Role::kChannel}},
      {Rpc::kGetContact, {Role::kChannel, Role::kHandler, Role::kHandlerProxy, Role::kSupervisor}},
      {Rpc::kCancelContact, {Role::kChannel}},
      {Rpc::kCompleteContact, {Role::kHandler, Role::kHandlerProxy}},
      {Rpc::kTransferContact, {Role::kHandler, Role::kHandlerProxy}},
      {Rpc::kSetContactPerson, {Role::kOperator}},
      {Rpc::kSignIn, {Role::kHandler, Role::kHandlerProxy, Role::kOperator}},
      {Rpc::kSignOut, {Role::kHandler, Role::kHandlerProxy, Role::kOperator}},
      {Rpc::kSetPresence, {Role::kHandler, Role::kHandlerProxy}},
      {Rpc::kGetHandler, {Role::kHandler, Role::kHandlerProxy, Role::kSupervisor, Role::kChannel}},
      {Rpc::kStreamOffers, {Role::kHandler, Role::kHandlerProxy}},
      {Rpc::kAcceptOffer, {Role::kHandler, Role::kHandlerProxy}},
      {Rpc::kRejectOffer, {Role::kHandler, Role::kHandlerProxy}},
      {Rpc::kFinishWrapUp, {Role::kHandler, Role::kHandlerProxy}},
      {Rpc::kGetQueueStats, {Role::kSupervisor, Role::kOperator}},
      {Rpc::kEraseResident, {Role::kOperator}},
      {Rpc::kExportResident, {Role::kOperator}},
      {Rpc::kReadAudit, {Role::kOperator}},
      {Rpc::kWatchEvents, {Role::kSupervisor, Role::kOperator}},
  };
  return *kTable;
}

}  // namespace wissel::testing
