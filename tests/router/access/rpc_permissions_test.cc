// rpc_permissions.cc against the independent table of expected_permissions.h, and the scopes
// of contact calls.
#include "router/access/rpc_permissions.h"

#include <iterator>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/access/access_policy.h"
#include "tests/router/access/expected_permissions.h"

namespace wissel::access {
namespace {

using ::testing::HasSubstr;

constexpr char kOwn[] = "gemeente-a";
constexpr char kOther[] = "gemeente-b";
constexpr char kSelf[] = "mw-0001";

Principal WithRole(Role role) {
  Right r;
  r.role = role;
  r.tenant = kOwn;
  if (role == Role::kHandler) r.handler_id = kSelf;
  if (role == Role::kChannel) {
    r.channels = core::PerChannel<bool>(false);
    r.channels[core::Channel::kChat] = true;
  }
  return Principal({r}, "test", /*authenticated=*/true);
}

TEST(RpcPermissionsTest, EveryRpcAgainstEveryRoleInItsOwnAndAnotherTenant) {
  ASSERT_EQ(::wissel::testing::ExpectedPermissions().size(), std::size(kAllRpcs));
  for (Rpc rpc : kAllRpcs) {
    for (Role role : ::wissel::testing::kAllRoles) {
      SCOPED_TRACE(absl::StrCat(RpcName(rpc), " as ", RoleName(role)));
      const bool allowed = ::wissel::testing::ExpectedPermissions().at(rpc).count(role) > 0;
      CallTarget own{.tenant = kOwn, .handler_id = kSelf, .channel = core::Channel::kChat};
      absl::StatusOr<ContactScope> scope = Authorize(WithRole(role), rpc, own);
      EXPECT_EQ(scope.ok(), allowed) << scope.status();
      if (!allowed) {
        EXPECT_EQ(scope.status().code(), absl::StatusCode::kPermissionDenied);
        EXPECT_THAT(scope.status().message(), HasSubstr(RpcName(rpc)));
      }
      CallTarget other = own;
      other.tenant = kOther;
      absl::StatusOr<ContactScope> elsewhere = Authorize(WithRole(role), rpc, other);
      EXPECT_EQ(elsewhere.status().code(), absl::StatusCode::kPermissionDenied);
      // The refusal is the same whether or not the other tenant exists: nothing is revealed.
      EXPECT_EQ(elsewhere.status().message(), Authorize(WithRole(role), rpc,
                                                        {.tenant = "no-such-tenant",
                                                         .handler_id = kSelf,
                                                         .channel = core::Channel::kChat})
                                                  .status()
                                                  .message());
    }
  }
}

TEST(RpcPermissionsTest, WithoutIdentityEveryCallIsUnauthenticated) {
  for (Rpc rpc : kAllRpcs) {
    EXPECT_EQ(Authorize(Principal(), rpc, {.tenant = kOwn}).status().code(),
              absl::StatusCode::kUnauthenticated);
  }
}

TEST(RpcPermissionsTest, AHandlerActsOnlyForItself) {
  for (Rpc rpc : {Rpc::kSignIn, Rpc::kSignOut, Rpc::kSetPresence, Rpc::kGetHandler,
                  Rpc::kStreamOffers, Rpc::kAcceptOffer, Rpc::kRejectOffer, Rpc::kFinishWrapUp}) {
    EXPECT_TRUE(
        Authorize(WithRole(Role::kHandler), rpc, {.tenant = kOwn, .handler_id = kSelf}).ok());
    EXPECT_EQ(Authorize(WithRole(Role::kHandler), rpc, {.tenant = kOwn, .handler_id = "mw-0002"})
                  .status()
                  .code(),
              absl::StatusCode::kPermissionDenied)
        << RpcName(rpc);
  }
}

TEST(RpcPermissionsTest, ContactCallsAreScopedToChannelsOrHeldContacts) {
  absl::StatusOr<ContactScope> channel =
      Authorize(WithRole(Role::kChannel), Rpc::kGetContact, {.tenant = kOwn});
  ASSERT_TRUE(channel.ok());
  EXPECT_TRUE(channel->Allows(core::Channel::kChat, ""));
  EXPECT_FALSE(channel->Allows(core::Channel::kPhone, ""));

  absl::StatusOr<ContactScope> handler =
      Authorize(WithRole(Role::kHandler), Rpc::kCompleteContact, {.tenant = kOwn});
  ASSERT_TRUE(handler.ok());
  EXPECT_TRUE(handler->Allows(core::Channel::kPhone, kSelf));
  EXPECT_FALSE(handler->Allows(core::Channel::kPhone, "mw-0002"));
  EXPECT_FALSE(handler->Allows(core::Channel::kPhone, ""));

  absl::StatusOr<ContactScope> supervisor =
      Authorize(WithRole(Role::kSupervisor), Rpc::kGetContact, {.tenant = kOwn});
  ASSERT_TRUE(supervisor.ok());
  EXPECT_TRUE(supervisor->Allows(core::Channel::kPhone, "mw-0002"));
}

TEST(RpcPermissionsTest, AChannelRoutesOnlyOnItsChannels) {
  EXPECT_TRUE(Authorize(WithRole(Role::kChannel), Rpc::kRouteContact,
                        {.tenant = kOwn, .channel = core::Channel::kChat})
                  .ok());
  EXPECT_EQ(Authorize(WithRole(Role::kChannel), Rpc::kRouteContact,
                      {.tenant = kOwn, .channel = core::Channel::kPhone})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(RpcPermissionsTest, OnlyOperatorsAndCallCentreSoftwareSetRosterFields) {
  EXPECT_TRUE(MaySetRosterFields(WithRole(Role::kOperator), kOwn));
  EXPECT_TRUE(MaySetRosterFields(WithRole(Role::kHandlerProxy), kOwn));
  EXPECT_FALSE(MaySetRosterFields(WithRole(Role::kHandler), kOwn));
  EXPECT_FALSE(MaySetRosterFields(WithRole(Role::kOperator), kOther));
}

}  // namespace
}  // namespace wissel::access
