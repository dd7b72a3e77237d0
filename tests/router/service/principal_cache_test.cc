// PrincipalCache on its own: the same answers as AccessPolicy::Resolve, one resolution per
// caller, and the bound (entries of tokens nobody else holds go first, then everything).
#include "router/service/principal_cache.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "router/access/access_policy.h"
#include "router/access/identity.h"
#include "router/access/role.h"
#include "router/security/token_claims.h"

namespace wissel::service {
namespace {

using access::Role;

constexpr char kTenant[] = "gemeente-a";

access::AccessPolicy Policy() {
  access::AccessConfig config;
  access::Grant supervisors;
  supervisors.token_group = "teamleiders";
  supervisors.role = Role::kSupervisor;
  supervisors.tenants = {kTenant};
  config.grants.push_back(supervisors);
  access::Grant operators;
  operators.certificate = "spiffe://test/wisselctl";
  operators.role = Role::kOperator;
  operators.tenants = {"*"};
  config.grants.push_back(operators);
  return access::AccessPolicy(std::move(config));
}

std::shared_ptr<const security::TokenClaims> Claims(const std::string& subject,
                                                    std::vector<std::string> groups = {}) {
  auto claims = std::make_shared<security::TokenClaims>();
  claims->subject = subject;
  claims->groups = std::move(groups);
  return claims;
}

TEST(PrincipalCacheTest, AnswersAsThePolicyDoesOncePerCaller) {
  PrincipalCache cache(Policy());
  const auto leader = Claims("teamleider-1", {"teamleiders"});
  std::shared_ptr<const access::Principal> first = cache.Resolve(leader, {});
  ASSERT_NE(first, nullptr);
  access::Identity identity;
  identity.has_token = true;
  identity.token_subject = "teamleider-1";
  identity.token_groups = {"teamleiders"};
  const access::Principal direct = cache.policy().Resolve(identity);
  EXPECT_EQ(first->label(), direct.label());
  EXPECT_EQ(first->authenticated(), direct.authenticated());
  ASSERT_EQ(first->rights().size(), direct.rights().size());
  EXPECT_TRUE(first->Has(Role::kSupervisor, kTenant));
  EXPECT_FALSE(first->Has(Role::kOperator, kTenant));
  EXPECT_EQ(cache.Resolve(leader, {}).get(), first.get());
  EXPECT_EQ(cache.size(), 1U);

  // The same token with a client certificate is another caller, with both grants.
  std::shared_ptr<const access::Principal> both =
      cache.Resolve(leader, {"spiffe://test/wisselctl"});
  EXPECT_NE(both.get(), first.get());
  EXPECT_TRUE(both->Has(Role::kSupervisor, kTenant));
  EXPECT_TRUE(both->Has(Role::kOperator, kTenant));
  // So is the certificate alone, and a caller without anything (no rights, not authenticated).
  EXPECT_FALSE(
      cache.Resolve(nullptr, {"spiffe://test/wisselctl"})->Has(Role::kSupervisor, kTenant));
  std::shared_ptr<const access::Principal> nobody = cache.Resolve(nullptr, {});
  EXPECT_FALSE(nobody->authenticated());
  EXPECT_TRUE(nobody->rights().empty());
  EXPECT_EQ(cache.size(), 4U);
}

TEST(PrincipalCacheTest, ATokenVerifiedAgainIsResolvedAgain) {
  PrincipalCache cache(Policy());
  const auto before = Claims("teamleider-1", {"teamleiders"});
  std::shared_ptr<const access::Principal> first = cache.Resolve(before, {});
  // The verifier's new object for the same token (e.g. after a key-set change), here with a group
  // the provider has since withdrawn: resolved from the new claims, not found under the old.
  const auto after = Claims("teamleider-1");
  std::shared_ptr<const access::Principal> second = cache.Resolve(after, {});
  EXPECT_NE(second.get(), first.get());
  EXPECT_FALSE(second->Has(Role::kSupervisor, kTenant));
  EXPECT_TRUE(cache.Resolve(before, {})->Has(Role::kSupervisor, kTenant));
}

TEST(PrincipalCacheTest, WhenFullTokensNobodyElseHoldsGoFirst) {
  PrincipalCache cache(Policy(), /*max_entries=*/2);
  const auto kept = Claims("kept", {"teamleiders"});
  std::shared_ptr<const access::Principal> kept_principal = cache.Resolve(kept, {});
  auto dropped = Claims("dropped");
  cache.Resolve(dropped, {});
  dropped.reset();  // the verifier let go of it: only the cache holds it now
  const auto third = Claims("third");
  cache.Resolve(third, {});
  EXPECT_EQ(cache.size(), 2U);
  EXPECT_EQ(cache.Resolve(kept, {}).get(), kept_principal.get());
  EXPECT_EQ(cache.size(), 2U);
}

TEST(PrincipalCacheTest, WhenFullOfLiveCallersItStartsOver) {
  PrincipalCache cache(Policy(), /*max_entries=*/2);
  const auto a = Claims("a", {"teamleiders"});
  const auto b = Claims("b");
  std::shared_ptr<const access::Principal> a_principal = cache.Resolve(a, {});
  cache.Resolve(b, {});
  cache.Resolve(nullptr, {"spiffe://test/wisselctl"});
  EXPECT_EQ(cache.size(), 1U);
  // Resolved again, to the same rights.
  std::shared_ptr<const access::Principal> again = cache.Resolve(a, {});
  EXPECT_NE(again.get(), a_principal.get());
  EXPECT_TRUE(again->Has(Role::kSupervisor, kTenant));
  EXPECT_EQ(again->label(), a_principal->label());
}

}  // namespace
}  // namespace wissel::service
