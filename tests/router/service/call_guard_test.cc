// CallGuard with a real TokenVerifier (tokens signed by a key made in the test, a JWKS file, a
// clock the test moves): who gets in, that a known caller's rights are resolved once and then
// reused, and that neither that reuse nor the verifier's cache outlives a token's expiry or a
// reloaded policy. The gRPC side (reading the proof from a call's context) is covered by the
// end-to-end access test (tests/integration/access_control_test.cc).
#include "router/service/call_guard.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/access/access_policy.h"
#include "router/access/role.h"
#include "router/access/rpc_permissions.h"
#include "router/core/channel.h"
#include "router/security/oidc_options.h"
#include "router/security/token_verifier.h"
#include "tests/router/security/token_minter.h"

namespace wissel::service {
namespace {

using access::Role;
using access::Rpc;
using security::testing::KeyType;
using security::testing::StandardClaims;
using security::testing::TokenMinter;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kIssuer[] = "https://idp.gemeente.test/realms/wisseloord";
constexpr char kAudience[] = "wissel";
constexpr char kTenant[] = "gemeente-a";
constexpr char kOtherTenant[] = "gemeente-b";
constexpr char kChatAdapter[] = "spiffe://test/adapter/chat";
constexpr char kPeerRouter[] = "spiffe://test/router";

// A clock the test moves (also read by the verifier's refresh thread).
class TestClock {
 public:
  absl::Time Now() const {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = absl::FromUnixSeconds(1'790'000'000);
};

access::Grant TokenSubjectGrant(const std::string& subject, Role role) {
  access::Grant g;
  g.token_subject = subject;
  g.role = role;
  g.tenants = {kTenant};
  return g;
}

access::Grant CertificateGrant(const std::string& name, Role role,
                               std::vector<std::string> tenants = {kTenant}) {
  access::Grant g;
  g.certificate = name;
  g.role = role;
  g.tenants = std::move(tenants);
  return g;
}

// The grants of a small deployment: a team leader by token, employees by token group, the chat
// adapter by certificate (chat only), and a peer router.
access::AccessConfig Deployment() {
  access::AccessConfig config;
  config.grants.push_back(TokenSubjectGrant("teamleider-1", Role::kSupervisor));
  access::Grant employees;
  employees.token_group = "kcc-medewerkers";
  employees.role = Role::kHandler;
  employees.tenants = {kTenant};
  config.grants.push_back(employees);
  access::Grant chat = CertificateGrant(kChatAdapter, Role::kChannel);
  chat.channels = {core::Channel::kChat};
  config.grants.push_back(chat);
  config.grants.push_back(CertificateGrant(kPeerRouter, Role::kPeer, {"*"}));
  return config;
}

access::CallTarget Tenant(const std::string& tenant) { return {.tenant = tenant}; }

class CallGuardTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    idp_ = new TokenMinter(TokenMinter::Create(KeyType::kEc256, "idp-1"));
  }
  static void TearDownTestSuite() { delete idp_; }

  CallGuardTest() {
    jwks_path_ = (std::filesystem::path(::testing::TempDir()) /
                  absl::StrCat("call_guard_jwks_", reinterpret_cast<uintptr_t>(this), ".json"))
                     .string();
    std::ofstream(jwks_path_, std::ios::trunc) << TokenMinter::JwksJson({idp_});
    security::OidcOptions options;
    options.issuer = kIssuer;
    options.audience = kAudience;
    options.jwks_file = jwks_path_;
    options.clock_skew = absl::Seconds(60);
    absl::StatusOr<std::unique_ptr<security::TokenVerifier>> verifier =
        security::TokenVerifier::Create(options, [this] { return clock_.Now(); });
    EXPECT_TRUE(verifier.ok()) << verifier.status();
    if (verifier.ok()) verifier_ = *std::move(verifier);
  }
  ~CallGuardTest() override {
    verifier_.reset();
    std::remove(jwks_path_.c_str());
  }

  std::unique_ptr<CallGuard> MakeGuard(access::AccessConfig config = Deployment()) {
    return std::make_unique<CallGuard>(
        access::AccessPolicy(std::move(config)),
        [verifier = verifier_.get()](absl::string_view token) { return verifier->Verify(token); });
  }

  // A token of `subject`, valid from now for `lifetime`, with `groups` and a handler claim.
  std::string Token(const std::string& subject, absl::Duration lifetime = absl::Minutes(5),
                    std::vector<std::string> groups = {}, const std::string& handler = "") {
    nlohmann::json claims = StandardClaims(kIssuer, kAudience, clock_.Now(), lifetime);
    claims["sub"] = subject;
    if (!groups.empty()) claims["groups"] = groups;
    if (!handler.empty()) claims["preferred_username"] = handler;
    return idp_->Mint(claims);
  }

  static CallerProof Bearer(const std::string& token) {
    CallerProof proof;
    proof.authorization = token;
    return proof;
  }
  static CallerProof Certificate(const std::string& name) {
    CallerProof proof;
    proof.certificate_names = {name};
    return proof;
  }

  static inline TokenMinter* idp_ = nullptr;
  TestClock clock_;
  std::string jwks_path_;
  std::unique_ptr<security::TokenVerifier> verifier_;
};

TEST_F(CallGuardTest, AKnownCallersRightsAreResolvedOnceAndReused) {
  std::unique_ptr<CallGuard> guard = MakeGuard();
  const std::string header = "Bearer " + Token("teamleider-1");
  absl::StatusOr<Admission> first =
      guard->Admit(Bearer(header), Rpc::kGetQueueStats, Tenant(kTenant));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_NE(first->principal, nullptr);
  EXPECT_TRUE(first->principal->Has(Role::kSupervisor, kTenant));
  // The label tells callers apart without naming the subject.
  EXPECT_THAT(first->principal->label(), StartsWith("token:"));
  EXPECT_FALSE(absl::StrContains(first->principal->label(), "teamleider"));
  EXPECT_FALSE(first->forwarded);

  absl::StatusOr<Admission> second =
      guard->Admit(Bearer(header), Rpc::kGetQueueStats, Tenant(kTenant));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->principal.get(), first->principal.get());
  EXPECT_EQ(verifier_->cached_tokens(), 1U);

  // Still checked against the call on every call: the same caller, another tenant or RPC.
  EXPECT_EQ(guard->Admit(Bearer(header), Rpc::kGetQueueStats, Tenant(kOtherTenant)).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(guard->Admit(Bearer(header), Rpc::kEraseResident, Tenant(kTenant)).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(guard->permission_denied(), 2);
}

TEST_F(CallGuardTest, ACachedTokenStopsWorkingAtItsExpiry) {
  std::unique_ptr<CallGuard> guard = MakeGuard();
  const std::string header = "Bearer " + Token("teamleider-1", absl::Minutes(5));
  ASSERT_TRUE(guard->Admit(Bearer(header), Rpc::kGetQueueStats, Tenant(kTenant)).ok());
  // Within exp + clock skew: from the caches.
  clock_.Advance(absl::Minutes(6) - absl::Seconds(1));
  ASSERT_TRUE(guard->Admit(Bearer(header), Rpc::kGetQueueStats, Tenant(kTenant)).ok());
  // Past it: refused, although both the token and its caller's rights were cached.
  clock_.Advance(absl::Seconds(2));
  absl::StatusOr<Admission> expired =
      guard->Admit(Bearer(header), Rpc::kGetQueueStats, Tenant(kTenant));
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(expired.status().message(), HasSubstr("token expired"));
  EXPECT_EQ(guard->unauthenticated(), 1);
  // A fresh token of the same subject works again.
  const std::string renewed = "Bearer " + Token("teamleider-1");
  EXPECT_TRUE(guard->Admit(Bearer(renewed), Rpc::kGetQueueStats, Tenant(kTenant)).ok());
}

TEST_F(CallGuardTest, AReloadedPolicyAppliesToCallersSeenBefore) {
  std::unique_ptr<CallGuard> guard = MakeGuard();
  const std::string header = "Bearer " + Token("teamleider-1");
  ASSERT_TRUE(guard->Admit(Bearer(header), Rpc::kGetQueueStats, Tenant(kTenant)).ok());
  CallerProof chat = Certificate(kChatAdapter);
  const access::CallTarget chat_contact{.tenant = kTenant, .channel = core::Channel::kChat};
  ASSERT_TRUE(guard->Admit(chat, Rpc::kRouteContact, chat_contact).ok());

  // The team leader's grant is withdrawn; the chat adapter may now route phone contacts only.
  access::AccessConfig reloaded = Deployment();
  reloaded.grants.erase(reloaded.grants.begin());
  reloaded.grants[1].channels = {core::Channel::kPhone};
  guard->SetPolicy(access::AccessPolicy(reloaded));
  EXPECT_EQ(guard->Admit(Bearer(header), Rpc::kGetQueueStats, Tenant(kTenant)).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(guard->Admit(chat, Rpc::kRouteContact, chat_contact).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      guard->Admit(chat, Rpc::kRouteContact, {.tenant = kTenant, .channel = core::Channel::kPhone})
          .ok());

  // And back.
  guard->SetPolicy(access::AccessPolicy(Deployment()));
  EXPECT_TRUE(guard->Admit(Bearer(header), Rpc::kGetQueueStats, Tenant(kTenant)).ok());
  EXPECT_TRUE(guard->Admit(chat, Rpc::kRouteContact, chat_contact).ok());
}

TEST_F(CallGuardTest, AGroupTokenSpeaksForItsOwnHandlerOnly) {
  std::unique_ptr<CallGuard> guard = MakeGuard();
  const std::string mine =
      "Bearer " + Token("0b7e1a9c", absl::Minutes(5), {"kcc-medewerkers"}, "mw-0001");
  const std::string colleague =
      "Bearer " + Token("5d2f0c11", absl::Minutes(5), {"kcc-medewerkers"}, "mw-0002");
  const access::CallTarget sign_in_mine{.tenant = kTenant, .handler_id = "mw-0001"};
  for (int i = 0; i < 2; ++i) {  // the second time from the caches
    EXPECT_TRUE(guard->Admit(Bearer(mine), Rpc::kSignIn, sign_in_mine).ok());
    EXPECT_EQ(guard->Admit(Bearer(colleague), Rpc::kSignIn, sign_in_mine).status().code(),
              absl::StatusCode::kPermissionDenied);
  }
}

TEST_F(CallGuardTest, CallersThatProveNothingOrAFalseTokenAreUnauthenticated) {
  std::unique_ptr<CallGuard> guard = MakeGuard();
  for (const std::string& header :
       {std::string("Basic d2lzc2VsOnNlY3JldA=="), std::string("Bearer not-a-token"),
        "Bearer " + TokenMinter::Create(KeyType::kEc256, "idp-1")
                        .Mint(StandardClaims(kIssuer, kAudience, clock_.Now()))}) {
    absl::StatusOr<Admission> refused =
        guard->Admit(Bearer(header), Rpc::kGetQueueStats, Tenant(kTenant));
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated) << header;
    EXPECT_THAT(refused.status().message(), ::testing::Not(HasSubstr(header)));
  }
  EXPECT_EQ(guard->Admit(CallerProof(), Rpc::kGetQueueStats, Tenant(kTenant)).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(guard->unauthenticated(), 4);

  // Without a token check a token is refused, whatever it is.
  CallGuard no_tokens(access::AccessPolicy(Deployment()), nullptr);
  EXPECT_EQ(
      no_tokens
          .Admit(Bearer("Bearer " + Token("teamleider-1")), Rpc::kGetQueueStats, Tenant(kTenant))
          .status()
          .code(),
      absl::StatusCode::kUnauthenticated);
}

TEST_F(CallGuardTest, AnonymousCallersOnlyInDevelopmentMode) {
  access::AccessConfig development;
  development.allow_anonymous = true;
  std::unique_ptr<CallGuard> guard = MakeGuard(development);
  absl::StatusOr<Admission> first =
      guard->Admit(CallerProof(), Rpc::kEraseResident, Tenant(kOtherTenant));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->principal->label(), "anonymous");
  absl::StatusOr<Admission> second =
      guard->Admit(CallerProof(), Rpc::kRouteContact, Tenant(kTenant));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->principal.get(), first->principal.get());
  // A reload that turns the development mode off applies at once.
  guard->SetPolicy(access::AccessPolicy(access::AccessConfig()));
  EXPECT_EQ(guard->Admit(CallerProof(), Rpc::kRouteContact, Tenant(kTenant)).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(CallGuardTest, OnlyAPeerRouterMayPassOnItsCaller) {
  std::unique_ptr<CallGuard> guard = MakeGuard();
  CallerProof from_peer = Certificate(kPeerRouter);
  from_peer.forwarded = true;
  from_peer.forwarded_certificate_names = {kChatAdapter};
  const access::CallTarget chat_contact{.tenant = kTenant, .channel = core::Channel::kChat};
  absl::StatusOr<Admission> forwarded = guard->Admit(from_peer, Rpc::kRouteContact, chat_contact);
  ASSERT_TRUE(forwarded.ok()) << forwarded.status();
  EXPECT_TRUE(forwarded->forwarded);
  EXPECT_EQ(forwarded->principal->label(), absl::StrCat("certificate:", kChatAdapter));

  // The chat adapter claiming to pass on a peer: the mark is ignored, its own rights apply.
  CallerProof fake = Certificate(kChatAdapter);
  fake.forwarded = true;
  fake.forwarded_certificate_names = {kPeerRouter};
  absl::StatusOr<Admission> own = guard->Admit(fake, Rpc::kRouteContact, chat_contact);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_FALSE(own->forwarded);
  EXPECT_EQ(own->principal->label(), absl::StrCat("certificate:", kChatAdapter));
  EXPECT_EQ(guard->Admit(fake, Rpc::kGetQueueStats, Tenant(kTenant)).status().code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace wissel::service
