// The `tls:` and `access:` sections and the roster's security keys of the router's file.
#include <stdlib.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/config/router_config.h"

namespace wissel::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kTenants[] = R"(tenants:
  - id: gemeente-test
    name: Gemeente Test
    pseudonym_secret_env: WISSEL_TEST_SECURITY_SECRET
    queues: [{name: burgerzaken}]
    topics: [{code: paspoort, name: Paspoort, domain: burgerzaken, queue: burgerzaken}]
    handlers:
      - {id: mw-0101, name: Anouk, skills: {burgerzaken: 4}, address: "sip:1101@pbx"}
)";

class SecuritySectionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv("WISSEL_TEST_SECURITY_SECRET", "0123456789abcdef0123456789abcdef", 1);
  }
  static absl::StatusOr<RouterConfig> Parse(const std::string& head) {
    return ParseRouterConfig(absl::StrCat(head, kTenants), "/etc/wissel/wissel.yaml");
  }
};

TEST_F(SecuritySectionsTest, TlsFilesAreRelativeToTheConfigurationsFolder) {
  absl::StatusOr<RouterConfig> config = Parse(R"(tls:
  certificate_file: tls/wisseld.pem
  private_key_file: /secrets/wisseld.key
  client_ca_file: tls/ca.pem
  require_client_certificate: true
  peer_ca_file: tls/peers.pem
  refresh_interval: 30s
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->tls.plaintext);
  EXPECT_EQ(config->tls.certificate_file, "/etc/wissel/tls/wisseld.pem");
  EXPECT_EQ(config->tls.private_key_file, "/secrets/wisseld.key");
  EXPECT_EQ(config->tls.client_ca_file, "/etc/wissel/tls/ca.pem");
  EXPECT_TRUE(config->tls.require_client_certificate);
  EXPECT_EQ(config->peer_ca_file, "/etc/wissel/tls/peers.pem");
  EXPECT_EQ(config->tls.refresh_interval, absl::Seconds(30));
}

TEST_F(SecuritySectionsTest, TlsMistakesAreRefusedWithTheirPlace) {
  EXPECT_THAT(Parse("tls: {certificate_file: a.pem}\n").status().message(),
              HasSubstr("tls.private_key_file: is required"));
  EXPECT_THAT(Parse("tls: {}\n").status().message(),
              HasSubstr("tls.certificate_file: is required (or plaintext: true"));
  EXPECT_THAT(Parse("tls: {plaintext: true, certificate_file: a.pem}\n").status().message(),
              HasSubstr("exclude each other"));
  EXPECT_THAT(Parse("tls: {certificate_file: a, private_key_file: b, "
                    "require_client_certificate: true}\n")
                  .status()
                  .message(),
              HasSubstr("tls.client_ca_file: is required with require_client_certificate"));
  EXPECT_THAT(Parse("tls: {plaintext: true, min_version: 1.0}\n").status().message(),
              HasSubstr("min_version"));
}

TEST_F(SecuritySectionsTest, WithoutTlsTheFileParsesButTheListenerHasNoCertificate) {
  // The router refuses to start then (Server::Start); `wisselctl config check` still works.
  absl::StatusOr<RouterConfig> config = Parse("");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->tls.plaintext);
  EXPECT_TRUE(config->tls.certificate_file.empty());
}

TEST_F(SecuritySectionsTest, GrantsMapIdentitiesToRolesPerTenant) {
  absl::StatusOr<RouterConfig> config = Parse(R"(tls: {plaintext: true}
access:
  grants:
    - {certificate: "spiffe://gemeente/chat", role: channel, channels: [chat, web_form],
       tenants: [gemeente-test]}
    - {token_group: kcc-medewerkers, role: handler, tenants: ["*"]}
    - {token_subject: 8f1c, role: supervisor, tenants: [gemeente-test]}
    - {certificate: desk-7.gemeente, role: handler, handler_id: desk-7, tenants: [gemeente-test]}
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->access.allow_anonymous);
  ASSERT_EQ(config->access.grants.size(), 4u);
  EXPECT_EQ(config->access.grants[0].certificate, "spiffe://gemeente/chat");
  EXPECT_EQ(config->access.grants[0].role, access::Role::kChannel);
  EXPECT_THAT(config->access.grants[0].channels,
              ElementsAre(core::Channel::kChat, core::Channel::kWebForm));
  EXPECT_EQ(config->access.grants[1].token_group, "kcc-medewerkers");
  EXPECT_THAT(config->access.grants[1].tenants, ElementsAre("*"));
  EXPECT_EQ(config->access.grants[2].role, access::Role::kSupervisor);
  EXPECT_EQ(config->access.grants[3].handler_id, "desk-7");
}

TEST_F(SecuritySectionsTest, GrantMistakesAreRefusedWithTheirPlace) {
  auto error = [](const std::string& grant) {
    return std::string(
        Parse(absl::StrCat("access:\n  grants:\n    - ", grant, "\n")).status().message());
  };
  EXPECT_THAT(error("{certificate: a, token_subject: b, role: peer, tenants: ['*']}"),
              HasSubstr("access.grants[0]: give exactly one of"));
  EXPECT_THAT(error("{certificate: a, role: admin, tenants: ['*']}"),
              HasSubstr("access.grants[0].role: unknown role 'admin'"));
  EXPECT_THAT(error("{certificate: a, role: peer}"), HasSubstr("tenants"));
  EXPECT_THAT(error("{certificate: a, role: peer, tenants: []}"),
              HasSubstr("access.grants[0].tenants: at least one"));
  EXPECT_THAT(error("{certificate: a, role: operator, channels: [chat], tenants: ['*']}"),
              HasSubstr("access.grants[0].channels: only for role channel"));
  EXPECT_THAT(error("{certificate: a, role: channel, channels: [fax], tenants: ['*']}"),
              HasSubstr("access.grants[0].channels[0]"));
  EXPECT_THAT(error("{certificate: a, role: handler, tenants: ['*']}"),
              HasSubstr("handler_id: is required for a handler identified by a certificate"));
  EXPECT_THAT(error("{certificate: a, role: peer, handler_id: x, tenants: ['*']}"),
              HasSubstr("handler_id: only for role handler"));
  EXPECT_THAT(error("{certificate: a, role: peer, tenants: ['*'], roles: [x]}"),
              HasSubstr("roles"));
}

TEST_F(SecuritySectionsTest, TheRosterGivesAddressesAndDynamicHandlersAreOffByDefault) {
  absl::StatusOr<RouterConfig> config = Parse("tls: {plaintext: true}\n");
  ASSERT_TRUE(config.ok()) << config.status();
  const core::TenantConfig& tenant = config->tenants[0].routing;
  EXPECT_FALSE(tenant.dynamic_handlers);
  ASSERT_EQ(tenant.handlers.size(), 1u);
  EXPECT_EQ(tenant.handlers[0].address, "sip:1101@pbx");

  absl::StatusOr<RouterConfig> dynamic = ParseRouterConfig(
      absl::StrCat(kTenants, "    dynamic_handlers: true\n"), "/etc/wissel/wissel.yaml");
  ASSERT_TRUE(dynamic.ok()) << dynamic.status();
  EXPECT_TRUE(dynamic->tenants[0].routing.dynamic_handlers);
}

}  // namespace
}  // namespace wissel::config
