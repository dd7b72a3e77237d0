#include "router/access/access_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::access {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Grant CertificateGrant(std::string name, Role role, std::vector<std::string> tenants) {
  Grant g;
  g.certificate = std::move(name);
  g.role = role;
  g.tenants = std::move(tenants);
  return g;
}

Identity Certificate(std::string name) {
  Identity id;
  id.certificate_names = {std::move(name)};
  return id;
}

Identity Token(std::string subject, std::vector<std::string> groups, std::string handler = "") {
  Identity id;
  id.has_token = true;
  id.token_subject = std::move(subject);
  id.token_groups = std::move(groups);
  id.token_handler_id = std::move(handler);
  return id;
}

TEST(AccessPolicyTest, AnonymousCallersHaveNoRightsUnlessDevelopmentModeIsOn) {
  AccessPolicy strict(AccessConfig{});
  const Principal nobody = strict.Resolve(Identity{});
  EXPECT_FALSE(nobody.authenticated());
  EXPECT_FALSE(nobody.Knows("gemeente-a"));

  AccessPolicy dev(AccessConfig{.allow_anonymous = true});
  const Principal anyone = dev.Resolve(Identity{});
  EXPECT_TRUE(anyone.authenticated());
  EXPECT_TRUE(anyone.Has(Role::kOperator, "gemeente-a"));
  EXPECT_TRUE(anyone.IsHandler("gemeente-b", "mw-0001"));
}

TEST(AccessPolicyTest, ACertificateGetsTheRolesOfItsGrantsForTheirTenantsOnly) {
  Grant chat = CertificateGrant("spiffe://a/chat", Role::kChannel, {"gemeente-a"});
  chat.channels = {core::Channel::kChat};
  AccessPolicy policy(AccessConfig{.grants = {chat}});
  const Principal p = policy.Resolve(Certificate("spiffe://a/chat"));
  EXPECT_TRUE(p.authenticated());
  EXPECT_TRUE(p.HasChannel("gemeente-a", core::Channel::kChat));
  EXPECT_FALSE(p.HasChannel("gemeente-a", core::Channel::kPhone));
  EXPECT_FALSE(p.HasChannel("gemeente-b", core::Channel::kChat));
  EXPECT_FALSE(p.Has(Role::kSupervisor, "gemeente-a"));
  // A verified certificate that no grant names: known, but allowed nothing.
  const Principal stranger = policy.Resolve(Certificate("spiffe://a/other"));
  EXPECT_TRUE(stranger.authenticated());
  EXPECT_FALSE(stranger.Knows("gemeente-a"));
}

TEST(AccessPolicyTest, TokenGrantsMatchSubjectOrGroupAndHandlersSpeakForTheirClaim) {
  Grant staff;
  staff.token_group = "kcc-medewerkers";
  staff.role = Role::kHandler;
  staff.tenants = {"gemeente-a"};
  Grant boss;
  boss.token_subject = "f3b1c2";
  boss.role = Role::kSupervisor;
  boss.tenants = {"*"};
  AccessPolicy policy(AccessConfig{.grants = {staff, boss}});

  const Principal handler = policy.Resolve(Token("a1", {"kcc-medewerkers"}, "mw-0001"));
  EXPECT_TRUE(handler.IsHandler("gemeente-a", "mw-0001"));
  EXPECT_FALSE(handler.IsHandler("gemeente-a", "mw-0002"));
  EXPECT_FALSE(handler.Has(Role::kSupervisor, "gemeente-a"));

  // Without a handler claim the group makes nobody a handler.
  EXPECT_FALSE(policy.Resolve(Token("a1", {"kcc-medewerkers"})).Knows("gemeente-a"));

  const Principal supervisor = policy.Resolve(Token("f3b1c2", {}));
  EXPECT_TRUE(supervisor.Has(Role::kSupervisor, "any-tenant"));
  // A certificate cannot match a token grant.
  EXPECT_FALSE(policy.Resolve(Certificate("f3b1c2")).Knows("gemeente-a"));
}

TEST(AccessPolicyTest, LabelsNameServicesButNeverAPersonsSubject) {
  EXPECT_EQ(IdentityLabel(Certificate("spiffe://a/chat")), "certificate:spiffe://a/chat");
  const std::string label = IdentityLabel(Token("anouk.meijer@wisseloord.nl", {}));
  EXPECT_THAT(label, StartsWith("token:"));
  EXPECT_EQ(label.size(), 6 + 12);
  EXPECT_EQ(label.find("anouk"), std::string::npos);
  EXPECT_EQ(IdentityLabel(Identity{}), "anonymous");
}

TEST(AccessPolicyTest, ValidationNamesTheGrantAndField) {
  Grant two = CertificateGrant("a", Role::kChannel, {"t"});
  two.token_subject = "b";
  EXPECT_THAT(ValidateAccessConfig({.grants = {two}}).message(),
              HasSubstr("access.grants[0]: give exactly one"));
  Grant no_tenant = CertificateGrant("a", Role::kChannel, {});
  EXPECT_THAT(ValidateAccessConfig({.grants = {no_tenant}}).message(),
              HasSubstr("access.grants[0].tenants"));
  Grant channels_for_operator = CertificateGrant("a", Role::kOperator, {"t"});
  channels_for_operator.channels = {core::Channel::kChat};
  EXPECT_THAT(ValidateAccessConfig({.grants = {channels_for_operator}}).message(),
              HasSubstr("channels: only for role channel"));
  Grant handler_without_id = CertificateGrant("a", Role::kHandler, {"t"});
  EXPECT_THAT(ValidateAccessConfig({.grants = {handler_without_id}}).message(),
              HasSubstr("handler_id: required"));
  EXPECT_TRUE(ValidateAccessConfig({.grants = {CertificateGrant("a", Role::kPeer, {"*"})}}).ok());
}

}  // namespace
}  // namespace wissel::access
