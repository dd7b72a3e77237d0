// Access control against a real router with TLS: every RPC called with every role's client
// certificate, in the caller's own tenant and in another (the table of
// tests/router/access/expected_permissions.h); callers without a certificate; the hijack of a
// handler by another handler's identity; forwarded marks from a caller that is not a peer.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/access/role.h"
#include "router/access/rpc_permissions.h"
#include "router/config/router_config.h"
#include "router/engine/system_clock.h"
#include "router/service/server.h"
#include "router/transport/grpc_credentials.h"
#include "tests/fakes/test_pki.h"
#include "tests/integration/redis_server.h"
#include "tests/router/access/expected_permissions.h"
#include "tests/router/security/token_minter.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/operator_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::testing {
namespace {

using access::Role;
using access::Rpc;
using ::testing::HasSubstr;

constexpr char kOwn[] = "gemeente-test";
constexpr char kOther[] = "gemeente-ander";
constexpr char kHandler[] = "mw-0001";  // the handler identity speaks for this one
constexpr char kColleague[] = "mw-0002";

std::string Uri(Role role) { return absl::StrCat("spiffe://test/", access::RoleName(role)); }

constexpr char kIssuer[] = "https://idp.gemeente.test/realms/wisseloord";
constexpr char kAudience[] = "wissel";

std::string ConfigYaml(int redis_port, const std::string& cert, const std::string& key,
                       const std::string& ca, const std::string& jwks_file) {
  std::string grants;
  for (Role role : kAllRoles) {
    absl::StrAppend(&grants, "    - {certificate: \"", Uri(role),
                    "\", role: ", access::RoleName(role), ", tenants: [", kOwn, "]",
                    role == Role::kHandler ? absl::StrCat(", handler_id: ", kHandler) : "",
                    role == Role::kChannel ? ", channels: [chat]" : "", "}\n");
  }
  absl::StrAppend(&grants, "    - {certificate: \"spiffe://test/colleague\", role: handler, ",
                  "handler_id: ", kColleague, ", tenants: [", kOwn, "]}\n");
  // Bearer tokens: employees in the group speak for their handler id (preferred_username).
  absl::StrAppend(&grants, "    - {token_group: kcc-medewerkers, role: handler, tenants: [", kOwn,
                  "]}\n", "    - {token_subject: teamleider-1, role: supervisor, tenants: [", kOwn,
                  "]}\n");
  const std::string tenant = R"yaml(
  - id: TENANT
    name: Gemeente TENANT
    pseudonym_secret: "test-secret-test-secret-test-secret-0123"
    queues: [{name: burgerzaken}, {name: wmo}]
    topics:
      - {code: paspoort, name: Paspoort, domain: burgerzaken, queue: burgerzaken}
      - {code: wmo-hulpmiddelen, name: Hulpmiddelen, domain: sociaal_domein, queue: wmo}
    handlers:
      - {id: mw-0001, name: Eerste, skills: {burgerzaken: 3}, address: "sip:1001@pbx.test"}
      - {id: mw-0002, name: Tweede, skills: {burgerzaken: 3}, address: "sip:1002@pbx.test"}
)yaml";
  return absl::StrCat("listen_address: 127.0.0.1:0\ndrain_timeout: 2s\n",
                      "redis: {host: 127.0.0.1, port: ", redis_port, "}\n",
                      "tls:\n  certificate_file: ", cert, "\n  private_key_file: ", key,
                      "\n  client_ca_file: ", ca, "\n", "access:\n", "  oidc: {issuer: \"", kIssuer,
                      "\", audience: ", kAudience, ", jwks_file: ", jwks_file, "}\n  grants:\n",
                      grants, "tenants:", absl::StrReplaceAll(tenant, {{"TENANT", kOwn}}),
                      absl::StrReplaceAll(tenant, {{"TENANT", kOther}}));
}

struct Stubs {
  std::unique_ptr<v1::RoutingService::Stub> routing;
  std::unique_ptr<v1::HandlerService::Stub> handlers;
  std::unique_ptr<v1::OperatorService::Stub> operators;
};

std::unique_ptr<grpc::ClientContext> Ctx(absl::Duration timeout = absl::Seconds(5)) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::microseconds(absl::ToInt64Microseconds(timeout)));
  return ctx;
}

// One call of `rpc` for `tenant`, acting (where a call names one) for handler kHandler.
grpc::Status Call(Stubs& s, Rpc rpc, const std::string& tenant) {
  auto ctx = Ctx();
  v1::ContactRecord record;
  v1::Handler handler;
  switch (rpc) {
    case Rpc::kRouteContact: {
      v1::RouteContactRequest req;
      req.mutable_contact()->set_tenant(tenant);
      req.mutable_contact()->set_channel(v1::CHANNEL_CHAT);
      req.mutable_contact()->set_topic("paspoort");
      req.mutable_contact()->set_idempotency_key("access-test");
      v1::RouteContactResponse resp;
      return s.routing->RouteContact(ctx.get(), req, &resp);
    }
    case Rpc::kGetContact: {
      v1::GetContactRequest req;
      req.set_tenant(tenant);
      req.set_contact_id("c-unknown");
      return s.routing->GetContact(ctx.get(), req, &record);
    }
    case Rpc::kCancelContact: {
      v1::CancelContactRequest req;
      req.set_tenant(tenant);
      req.set_contact_id("c-unknown");
      return s.routing->CancelContact(ctx.get(), req, &record);
    }
    case Rpc::kCompleteContact: {
      v1::CompleteContactRequest req;
      req.set_tenant(tenant);
      req.set_contact_id("c-unknown");
      return s.routing->CompleteContact(ctx.get(), req, &record);
    }
    case Rpc::kTransferContact: {
      v1::TransferContactRequest req;
      req.set_tenant(tenant);
      req.set_contact_id("c-unknown");
      req.set_queue("burgerzaken");
      v1::RouteContactResponse resp;
      return s.routing->TransferContact(ctx.get(), req, &resp);
    }
    case Rpc::kSetContactPerson: {
      v1::SetContactPersonRequest req;
      req.set_tenant(tenant);
      req.set_handler_id(kHandler);
      req.set_case_reference("Z-2026-001");
      v1::SetContactPersonResponse resp;
      return s.routing->SetContactPerson(ctx.get(), req, &resp);
    }
    case Rpc::kSignIn: {
      v1::SignInRequest req;
      req.mutable_handler()->set_tenant(tenant);
      req.mutable_handler()->set_handler_id(kHandler);
      return s.handlers->SignIn(ctx.get(), req, &handler);
    }
    case Rpc::kSignOut: {
      v1::SignOutRequest req;
      req.set_tenant(tenant);
      req.set_handler_id(kHandler);
      return s.handlers->SignOut(ctx.get(), req, &handler);
    }
    case Rpc::kSetPresence: {
      v1::SetPresenceRequest req;
      req.set_tenant(tenant);
      req.set_handler_id(kHandler);
      req.set_presence(v1::PRESENCE_AWAY);
      return s.handlers->SetPresence(ctx.get(), req, &handler);
    }
    case Rpc::kGetHandler: {
      v1::GetHandlerRequest req;
      req.set_tenant(tenant);
      req.set_handler_id(kHandler);
      return s.handlers->GetHandler(ctx.get(), req, &handler);
    }
    case Rpc::kStreamOffers: {
      v1::StreamOffersRequest req;
      req.set_tenant(tenant);
      req.set_handler_id(kHandler);
      auto stream_ctx = Ctx(absl::Milliseconds(300));
      auto reader = s.handlers->StreamOffers(stream_ctx.get(), req);
      v1::Offer offer;
      while (reader->Read(&offer)) {
      }
      return reader->Finish();
    }
    case Rpc::kAcceptOffer:
    case Rpc::kRejectOffer: {
      v1::OfferResponseRequest req;
      req.set_tenant(tenant);
      req.set_handler_id(kHandler);
      req.set_contact_id("c-unknown");
      return rpc == Rpc::kAcceptOffer ? s.handlers->AcceptOffer(ctx.get(), req, &record)
                                      : s.handlers->RejectOffer(ctx.get(), req, &record);
    }
    case Rpc::kFinishWrapUp: {
      v1::FinishWrapUpRequest req;
      req.set_tenant(tenant);
      req.set_handler_id(kHandler);
      req.set_contact_id("c-unknown");
      return s.handlers->FinishWrapUp(ctx.get(), req, &handler);
    }
    case Rpc::kGetQueueStats: {
      v1::GetQueueStatsRequest req;
      req.set_tenant(tenant);
      v1::GetQueueStatsResponse resp;
      return s.operators->GetQueueStats(ctx.get(), req, &resp);
    }
    case Rpc::kEraseResident: {
      v1::EraseResidentRequest req;
      req.set_tenant(tenant);
      req.set_case_reference("Z-2026-404");  // nobody: the erasure finds nothing
      v1::EraseResidentResponse resp;
      return s.operators->EraseResident(ctx.get(), req, &resp);
    }
    case Rpc::kExportResident: {
      v1::ExportResidentRequest req;
      req.set_tenant(tenant);
      req.set_case_reference("Z-2026-404");
      v1::ExportResidentResponse resp;
      return s.operators->ExportResident(ctx.get(), req, &resp);
    }
    case Rpc::kReadAudit: {
      v1::ReadAuditRequest req;
      req.set_tenant(tenant);
      v1::ReadAuditResponse resp;
      return s.operators->ReadAudit(ctx.get(), req, &resp);
    }
    case Rpc::kWatchEvents: {
      v1::WatchEventsRequest req;
      req.set_tenant(tenant);
      // Permitted, the stream stays open until the deadline (DEADLINE_EXCEEDED: not Denied).
      auto stream_ctx = Ctx(absl::Milliseconds(300));
      auto reader = s.operators->WatchEvents(stream_ctx.get(), req);
      v1::Event event;
      while (reader->Read(&event)) {
      }
      return reader->Finish();
    }
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, "unknown rpc");
}

// Refused by the access check (not by what comes after it: validation, NOT_FOUND, ...).
bool Denied(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
         (status.error_code() == grpc::StatusCode::PERMISSION_DENIED &&
          absl::StrContains(status.error_message(), "needs role"));
}

class AccessControlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     ("wissel-access-" + std::to_string(getpid())));
    std::filesystem::create_directories(*dir_);
    pki_ = new TestPki(dir_->string(), "deployment");
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = redis->release();
    const CertificateFiles server = pki_->Issue("wisseld", {"DNS:localhost", "IP:127.0.0.1"});
    idp_ = new security::testing::TokenMinter(
        security::testing::TokenMinter::Create(security::testing::KeyType::kEc256, "idp-1"));
    const std::string jwks = (*dir_ / "jwks.json").string();
    std::ofstream(jwks) << security::testing::TokenMinter::JwksJson({idp_});
    auto config =
        config::ParseRouterConfig(ConfigYaml(redis_->port(), server.certificate_file,
                                             server.private_key_file, pki_->ca_file(), jwks),
                                  "access.yaml");
    ASSERT_TRUE(config.ok()) << config.status();
    server_ = new service::Server(*std::move(config), &clock_);
    absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(2));
    delete server_;
    delete redis_;
    delete pki_;
    delete idp_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  // Stubs on a TLS channel presenting a certificate with `uri` (none when empty).
  static Stubs As(const std::string& uri, const TestPki* issuer = nullptr) {
    transport::ClientTls tls{.ca_file = pki_->ca_file()};
    if (!uri.empty()) {
      const std::string file = absl::StrReplaceAll(uri, {{"spiffe://", ""}, {"/", "-"}});
      const CertificateFiles files =
          (issuer != nullptr ? issuer : pki_)->Issue(file, {absl::StrCat("URI:", uri)});
      tls.certificate_file = files.certificate_file;
      tls.private_key_file = files.private_key_file;
    }
    auto channel =
        transport::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()), tls, "--test");
    EXPECT_TRUE(channel.ok()) << channel.status();
    return Stubs{v1::RoutingService::NewStub(*channel), v1::HandlerService::NewStub(*channel),
                 v1::OperatorService::NewStub(*channel)};
  }

  // Stubs on a TLS channel without a client certificate, sending `token` as bearer token.
  static Stubs WithToken(const std::string& token) {
    const std::string file = (*dir_ / absl::StrCat("token-", ++tokens_)).string();
    std::ofstream(file) << token;
    transport::ClientTls tls{.ca_file = pki_->ca_file(), .token_file = file};
    auto channel =
        transport::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()), tls, "--test");
    EXPECT_TRUE(channel.ok()) << channel.status();
    return Stubs{v1::RoutingService::NewStub(*channel), v1::HandlerService::NewStub(*channel),
                 v1::OperatorService::NewStub(*channel)};
  }
  static nlohmann::json Claims(const std::string& subject) {
    nlohmann::json claims = security::testing::StandardClaims(kIssuer, kAudience, absl::Now());
    claims["sub"] = subject;
    return claims;
  }

  static inline int tokens_ = 0;
  static inline engine::SystemClock clock_;
  static inline std::filesystem::path* dir_ = nullptr;
  static inline TestPki* pki_ = nullptr;
  static inline security::testing::TokenMinter* idp_ = nullptr;
  static inline RedisServer* redis_ = nullptr;
  static inline service::Server* server_ = nullptr;
};

TEST_F(AccessControlTest, EveryRpcWithEveryRoleInItsOwnAndAnotherTenant) {
  for (Role role : kAllRoles) {
    Stubs stubs = As(Uri(role));
    for (Rpc rpc : access::kAllRpcs) {
      SCOPED_TRACE(absl::StrCat(access::RpcName(rpc), " as ", access::RoleName(role)));
      const bool allowed = ExpectedPermissions().at(rpc).count(role) > 0;
      const grpc::Status own = Call(stubs, rpc, kOwn);
      EXPECT_EQ(Denied(own), !allowed) << own.error_code() << ": " << own.error_message();
      const grpc::Status other = Call(stubs, rpc, kOther);
      EXPECT_TRUE(Denied(other)) << other.error_code() << ": " << other.error_message();
      EXPECT_EQ(other.error_code(), grpc::StatusCode::PERMISSION_DENIED);
      // Another tenant that exists and one that does not are refused alike.
      const grpc::Status unknown = Call(stubs, rpc, "gemeente-bestaat-niet");
      EXPECT_EQ(unknown.error_code(), other.error_code());
      EXPECT_EQ(unknown.error_message(), other.error_message());
    }
  }
}

TEST_F(AccessControlTest, WithoutACertificateEveryCallIsUnauthenticated) {
  Stubs anonymous = As("");
  for (Rpc rpc : access::kAllRpcs) {
    EXPECT_EQ(Call(anonymous, rpc, kOwn).error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << access::RpcName(rpc);
  }
}

TEST_F(AccessControlTest, AVerifiedCertificateThatNoGrantNamesMayDoNothing) {
  Stubs stranger = As("spiffe://test/nobody");
  for (Rpc rpc : access::kAllRpcs) {
    EXPECT_EQ(Call(stranger, rpc, kOwn).error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << access::RpcName(rpc);
  }
}

TEST_F(AccessControlTest, ACertificateFromAnotherCaCannotConnect) {
  TestPki forger(dir_->string(), "forger");
  Stubs forged = As(Uri(Role::kOperator), &forger);
  EXPECT_EQ(Call(forged, Rpc::kGetQueueStats, kOwn).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(AccessControlTest, AnotherHandlerCannotHijackAHandler) {
  Stubs colleague = As("spiffe://test/colleague");
  // Sign in as mw-0001, open its offer stream, accept its offers: all refused.
  for (Rpc rpc :
       {Rpc::kSignIn, Rpc::kStreamOffers, Rpc::kSetPresence, Rpc::kAcceptOffer, Rpc::kSignOut}) {
    const grpc::Status status = Call(colleague, rpc, kOwn);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << access::RpcName(rpc);
  }
  // Nor can it move its own calls elsewhere or give itself skills.
  v1::SignInRequest req;
  req.mutable_handler()->set_tenant(kOwn);
  req.mutable_handler()->set_handler_id(kColleague);
  req.mutable_handler()->set_address("sip:attacker@evil.example");
  v1::Handler out;
  grpc::Status status = colleague.handlers->SignIn(Ctx().get(), req, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("handler.address"));
  req.mutable_handler()->clear_address();
  req.mutable_handler()->add_skills("wmo");
  status = colleague.handlers->SignIn(Ctx().get(), req, &out);
  EXPECT_THAT(status.error_message(), HasSubstr("handler.skills"));

  // The real mw-0001 signs in with the roster's skills and address.
  Stubs self = As(Uri(Role::kHandler));
  v1::SignInRequest own;
  own.mutable_handler()->set_tenant(kOwn);
  own.mutable_handler()->set_handler_id(kHandler);
  status = self.handlers->SignIn(Ctx().get(), own, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.address(), "sip:1001@pbx.test");
  EXPECT_THAT(out.skills(), ::testing::ElementsAre("burgerzaken"));
}

TEST_F(AccessControlTest, AContactIsTouchedOnlyWithinTheCallersScope) {
  // The chat adapter routes a chat that waits (nobody has the wmo skill); a handler that does
  // not hold it cannot complete or read it, a supervisor and the adapter may read it.
  Stubs chat = As(Uri(Role::kChannel));
  v1::RouteContactRequest route;
  route.mutable_contact()->set_tenant(kOwn);
  route.mutable_contact()->set_channel(v1::CHANNEL_CHAT);
  route.mutable_contact()->set_topic("wmo-hulpmiddelen");
  route.mutable_contact()->set_idempotency_key("scope-test");
  v1::RouteContactResponse routed;
  grpc::Status status = chat.routing->RouteContact(Ctx().get(), route, &routed);
  ASSERT_TRUE(status.ok()) << status.error_message();

  Stubs self = As(Uri(Role::kHandler));
  v1::CompleteContactRequest complete;
  complete.set_tenant(kOwn);
  complete.set_contact_id(routed.contact_id());
  v1::ContactRecord record;
  status = self.routing->CompleteContact(Ctx().get(), complete, &record);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();

  v1::GetContactRequest get;
  get.set_tenant(kOwn);
  get.set_contact_id(routed.contact_id());
  EXPECT_TRUE(As(Uri(Role::kSupervisor)).routing->GetContact(Ctx().get(), get, &record).ok());
  EXPECT_TRUE(chat.routing->GetContact(Ctx().get(), get, &record).ok());
  EXPECT_EQ(self.routing->GetContact(Ctx().get(), get, &record).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The phone adapter's role is on another channel: it may not route a chat.
  route.mutable_contact()->set_channel(v1::CHANNEL_PHONE);
  status = chat.routing->RouteContact(Ctx().get(), route, &routed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AccessControlTest, AForwardedMarkFromANonPeerIsIgnored) {
  // A channel adapter that claims its call was forwarded, with a certificate name of an
  // operator, gets nothing more than its own rights.
  Stubs chat = As(Uri(Role::kChannel));
  auto ctx = Ctx();
  ctx->AddMetadata("wissel-forwarded", "1");
  ctx->AddMetadata("wissel-forwarded-certificate", Uri(Role::kOperator));
  v1::GetQueueStatsRequest req;
  req.set_tenant(kOwn);
  v1::GetQueueStatsResponse resp;
  EXPECT_EQ(chat.operators->GetQueueStats(ctx.get(), req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // From a peer the same call is the operator's.
  Stubs peer = As(Uri(Role::kPeer));
  auto peer_ctx = Ctx();
  peer_ctx->AddMetadata("wissel-forwarded", "1");
  peer_ctx->AddMetadata("wissel-forwarded-certificate", Uri(Role::kOperator));
  grpc::Status status = peer.operators->GetQueueStats(peer_ctx.get(), req, &resp);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(AccessControlTest, AnEmployeesTokenActsForItsOwnHandlerOnly) {
  nlohmann::json claims = Claims("0b7e1a9c");
  claims["groups"] = {"kcc-medewerkers"};
  claims["preferred_username"] = kHandler;
  Stubs employee = WithToken(idp_->Mint(claims));
  EXPECT_FALSE(Denied(Call(employee, Rpc::kSignIn, kOwn)));
  EXPECT_FALSE(Denied(Call(employee, Rpc::kGetHandler, kOwn)));
  EXPECT_EQ(Call(employee, Rpc::kGetQueueStats, kOwn).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(employee, Rpc::kSignIn, kOther).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // A token of the same group speaking for a colleague cannot sign in as mw-0001.
  claims["preferred_username"] = kColleague;
  Stubs as_colleague = WithToken(idp_->Mint(claims));
  EXPECT_EQ(Call(as_colleague, Rpc::kSignIn, kOwn).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  Stubs teamleider = WithToken(idp_->Mint(Claims("teamleider-1")));
  EXPECT_TRUE(Call(teamleider, Rpc::kGetQueueStats, kOwn).ok());
}

TEST_F(AccessControlTest, TokensThatFailVerificationAreUnauthenticated) {
  nlohmann::json expired = Claims("teamleider-1");
  expired["exp"] = absl::ToUnixSeconds(absl::Now() - absl::Hours(1));
  expired["iat"] = absl::ToUnixSeconds(absl::Now() - absl::Hours(2));
  expired["nbf"] = absl::ToUnixSeconds(absl::Now() - absl::Hours(2));
  nlohmann::json other_audience = Claims("teamleider-1");
  other_audience["aud"] = "another-app";
  const auto stranger =
      security::testing::TokenMinter::Create(security::testing::KeyType::kEc256, "idp-1");
  for (const std::string& token :
       {idp_->Mint(expired), idp_->Mint(other_audience), stranger.Mint(Claims("teamleider-1")),
        std::string("not-a-token")}) {
    Stubs stubs = WithToken(token);
    const grpc::Status status = Call(stubs, Rpc::kGetQueueStats, kOwn);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
    // The refusal names the check, never the token.
    EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr(token)));
  }
}

}  // namespace
}  // namespace wissel::testing
