#include "router/config/router_config.h"

#include <stdlib.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/core/calendar_config.h"
#include "router/core/channel.h"
#include "router/core/contact.h"
#include "router/core/rule_spec.h"
#include "router/core/rules/rule_context.h"
#include "router/core/rules/rule_set.h"
#include "router/core/tenant_config.h"

namespace wissel::config {
namespace {

std::string Tenant(absl::string_view rest = "");

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef";  // exactly 32 bytes
// A test attribute key: 32 bytes as 64 hex digits.
constexpr char kAttributeKeyHex[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

class RouterConfigTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The example file reads its secrets from these, as the run script exports them.
    setenv("WISSEL_PSEUDONYM_SECRET_WISSELOORD", "dev-secret-wisseloord-0123456789abcdef", 1);
    setenv("WISSEL_PSEUDONYM_SECRET_SPOORWIJK", "dev-secret-spoorwijk-0123456789abcdef", 1);
    setenv("WISSEL_TEST_SHORT_SECRET", "too-short", 1);
    setenv("WISSEL_TEST_ATTRIBUTE_KEY", kAttributeKeyHex, 1);
    unsetenv("WISSEL_TEST_UNSET_SECRET");
  }
};

TEST_F(RouterConfigTest, ExampleFileLoadsAndValidates) {
  absl::StatusOr<RouterConfig> config =
      LoadRouterConfig(WISSEL_SOURCE_DIR "/config/example/wissel.yaml");
  ASSERT_TRUE(config.ok()) << config.status();

  EXPECT_EQ(config->listen_address, "127.0.0.1:7450");
  EXPECT_EQ(config->drain_timeout, absl::Seconds(10));
  EXPECT_EQ(config->redis.host, "127.0.0.1");
  EXPECT_EQ(config->redis.port, 6379);
  ASSERT_EQ(config->tenants.size(), 2u);

  const TenantSettings* wisseloord = config->FindTenant("gemeente-wisseloord");
  ASSERT_NE(wisseloord, nullptr);
  const core::TenantConfig& routing = wisseloord->routing;
  EXPECT_TRUE(routing.Validate().ok());
  EXPECT_EQ(routing.name, "Gemeente Wisseloord");
  EXPECT_EQ(wisseloord->pseudonym_secret, "dev-secret-wisseloord-0123456789abcdef");
  EXPECT_EQ(wisseloord->pseudonym_secret_source, "env:WISSEL_PSEUDONYM_SECRET_WISSELOORD");
  EXPECT_EQ(wisseloord->contact_retention, absl::Hours(24 * 30));
  EXPECT_EQ(wisseloord->audit_retention, absl::Hours(24 * 365));
  // The file's digest, for the audit log of reloads.
  EXPECT_THAT(config->source_sha256, ::testing::MatchesRegex("[0-9a-f]{64}"));
  EXPECT_EQ(routing.channel_names[core::Channel::kChat], "Live chat");
  EXPECT_EQ(routing.handler_defaults.capacity[core::Channel::kChat], 3);
  EXPECT_EQ(routing.handler_defaults.offer_timeout, absl::Seconds(20));
  EXPECT_EQ(routing.handler_defaults.max_wrap_up, absl::Minutes(2));
  EXPECT_EQ(routing.topics.size(), 26u);
  EXPECT_EQ(routing.queues.size(), 12u);

  const core::TopicConfig* paspoort = routing.FindTopic("paspoort");
  ASSERT_NE(paspoort, nullptr);
  EXPECT_EQ(paspoort->domain, "burgerzaken");
  EXPECT_EQ(paspoort->queue, "balie-burgerzaken");
  EXPECT_EQ(paspoort->default_priority, 50);
  for (const char* code : {"id-kaart",
                           "rijbewijs",
                           "verhuizing",
                           "uittreksel-brp",
                           "geboorte-aangifte",
                           "huwelijk",
                           "ozb-aanslag",
                           "kwijtschelding",
                           "bezwaar-woz",
                           "grofvuil",
                           "kapotte-lantaarnpaal",
                           "melding-openbare-ruimte",
                           "afvalpas",
                           "wmo-hulpmiddelen",
                           "wmo-huishoudelijke-hulp",
                           "mantelzorg",
                           "jeugdhulp",
                           "leerlingenvervoer",
                           "bijstand",
                           "schuldhulp",
                           "re-integratie",
                           "algemene-vraag"}) {
    EXPECT_NE(routing.FindTopic(code), nullptr) << code;
  }

  const core::QueueConfig* kcc = routing.FindQueue("kcc-algemeen");
  ASSERT_NE(kcc, nullptr);
  EXPECT_EQ(kcc->skill, "kcc");
  EXPECT_EQ(kcc->default_handle_time, absl::Minutes(4));
  const core::QueueConfig* wmo = routing.FindQueue("wmo");
  ASSERT_NE(wmo, nullptr);
  EXPECT_EQ(wmo->skill, "wmo");  // defaults to the queue name

  const TenantSettings* spoorwijk = config->FindTenant("gemeente-spoorwijk");
  ASSERT_NE(spoorwijk, nullptr);
  EXPECT_EQ(spoorwijk->contact_retention, absl::Hours(24 * 14));
  EXPECT_EQ(spoorwijk->routing.handler_defaults.offer_timeout, absl::Seconds(30));
  EXPECT_EQ(config->FindTenant("gemeente-elders"), nullptr);

  // With the secrets set, nothing in the example deserves a warning.
  EXPECT_THAT(config->warnings, IsEmpty());
}

TEST_F(RouterConfigTest, MinimalFileTakesDefaults) {
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(absl::StrCat(R"(tenants:
  - id: gemeente-test
    name: Gemeente Test
    pseudonym_secret: ")",
                                                                       kSecret, "\"\n"),
                                                          "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const RouterConfig defaults;
  EXPECT_EQ(config->listen_address, defaults.listen_address);
  EXPECT_EQ(config->drain_timeout, defaults.drain_timeout);
  EXPECT_EQ(config->redis.host, defaults.redis.host);
  EXPECT_EQ(config->redis.port, defaults.redis.port);
  EXPECT_EQ(config->redis.connect_timeout, defaults.redis.connect_timeout);
  EXPECT_EQ(config->redis.command_timeout, defaults.redis.command_timeout);
  ASSERT_EQ(config->tenants.size(), 1u);
  const TenantSettings& tenant = config->tenants[0];
  EXPECT_EQ(tenant.pseudonym_secret, kSecret);
  EXPECT_EQ(tenant.pseudonym_secret_source, "literal");
  EXPECT_EQ(tenant.contact_retention, TenantSettings().contact_retention);
  EXPECT_EQ(tenant.audit_retention, absl::Hours(24 * 365));
  EXPECT_TRUE(config->source_sha256.empty());  // parsed from a string, not a file
  EXPECT_EQ(tenant.routing.handler_defaults.capacity, core::HandlerDefaults().capacity);
  EXPECT_EQ(tenant.routing.channel_names[core::Channel::kPhone], "Telefoon");
  EXPECT_TRUE(tenant.routing.topics.empty());
}

TEST_F(RouterConfigTest, PreviousPseudonymSecretOpensARotationWindow) {
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(
      Tenant(absl::StrCat("    previous_pseudonym_secret: \"", kSecret, "\"\n")), "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const TenantSettings& tenant = config->tenants[0];
  EXPECT_EQ(tenant.pseudonym_secret, "dev-secret-wisseloord-0123456789abcdef");
  EXPECT_EQ(tenant.previous_pseudonym_secret, kSecret);
  EXPECT_EQ(tenant.previous_pseudonym_secret_source, "literal");
  // Outside a rotation there is none.
  absl::StatusOr<RouterConfig> plain = ParseRouterConfig(Tenant(), "test.yaml");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_TRUE(plain->tenants[0].previous_pseudonym_secret.empty());
}

TEST_F(RouterConfigTest, PartialSectionsKeepOtherDefaults) {
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(absl::StrCat(R"(
listen_address: "[::1]:0"
redis: {port: 6380, command_timeout: 1h30m}
tenants:
  - id: t1
    name: T1
    pseudonym_secret_env: WISSEL_PSEUDONYM_SECRET_WISSELOORD
    channels: {chat: Webchat}
    handler_defaults:
      capacity: {chat: 0}
    queues:
      - {name: q, skill: s, default_handle_time: 90s}
    topics:
      - {code: c, name: C, domain: d, queue: q, default_priority: 100}
)"),
                                                          "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen_address, "[::1]:0");
  EXPECT_EQ(config->redis.port, 6380);
  EXPECT_EQ(config->redis.host, "127.0.0.1");
  EXPECT_EQ(config->redis.command_timeout, absl::Minutes(90));
  const core::TenantConfig& routing = config->tenants[0].routing;
  EXPECT_EQ(routing.channel_names[core::Channel::kChat], "Webchat");
  EXPECT_EQ(routing.channel_names[core::Channel::kBalie], "Balie");
  EXPECT_EQ(routing.handler_defaults.capacity[core::Channel::kChat], 0);
  EXPECT_EQ(routing.handler_defaults.capacity[core::Channel::kPhone], 1);
  EXPECT_EQ(routing.queues[0].skill, "s");
  EXPECT_EQ(routing.queues[0].default_handle_time, absl::Seconds(90));
  EXPECT_EQ(routing.topics[0].default_priority, 100);
}

TEST_F(RouterConfigTest, RedisSentinelAndReplicaAcks) {
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(absl::StrCat(R"(
redis:
  sentinel:
    master_name: wissel
    addresses: ["127.0.0.1:26379", "sentinel-b.example:26380", "[::1]:26381"]
  command_timeout: 3s
  min_replica_acks: 1
  replica_ack_timeout: 250ms
)",
                                                                       Tenant()),
                                                          "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const RedisConfig& redis = config->redis;
  EXPECT_TRUE(redis.uses_sentinel());
  EXPECT_EQ(redis.sentinel.master_name, "wissel");
  ASSERT_EQ(redis.sentinel.addresses.size(), 3u);
  EXPECT_EQ(redis.sentinel.addresses[0].host, "127.0.0.1");
  EXPECT_EQ(redis.sentinel.addresses[0].port, 26379);
  EXPECT_EQ(redis.sentinel.addresses[1].host, "sentinel-b.example");
  EXPECT_EQ(redis.sentinel.addresses[1].port, 26380);
  EXPECT_EQ(redis.sentinel.addresses[2].host, "::1");
  EXPECT_EQ(redis.min_replica_acks, 1);
  EXPECT_EQ(redis.replica_ack_timeout, absl::Milliseconds(250));
}

TEST_F(RouterConfigTest, RedisDefaultsAreAsynchronousWithoutSentinel) {
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(Tenant(), "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->redis.uses_sentinel());
  EXPECT_EQ(config->redis.min_replica_acks, 0);
  EXPECT_EQ(config->redis.replica_ack_timeout, absl::Milliseconds(500));
}

TEST_F(RouterConfigTest, MetricsSection) {
  absl::StatusOr<RouterConfig> none = ParseRouterConfig(Tenant(), "test.yaml");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->metrics.enabled());

  // Without metrics.tls the endpoint serves with the router's certificate.
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(
      "tls: {certificate_file: tls/wisseld.pem, private_key_file: tls/wisseld.key}\n"
      "metrics: {listen_address: \"0.0.0.0:9464\", bearer_token_file: metrics-token}\n" +
          Tenant(),
      "/etc/wissel/test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->metrics.listen_address, "0.0.0.0:9464");
  EXPECT_EQ(config->metrics.certificate_file, "/etc/wissel/tls/wisseld.pem");
  EXPECT_EQ(config->metrics.private_key_file, "/etc/wissel/tls/wisseld.key");
  EXPECT_EQ(config->metrics.bearer_token_file, "/etc/wissel/metrics-token");
  EXPECT_FALSE(config->metrics.plaintext);
  EXPECT_FALSE(config->metrics.allow_anonymous);

  // Its own certificate, a token from the environment; development mode on loopback.
  config = ParseRouterConfig(
      "metrics:\n  listen_address: \"[::]:9464\"\n  tls: {certificate_file: /m.pem, "
      "private_key_file: /m.key}\n  bearer_token_env: WISSEL_METRICS_TOKEN\n" +
          Tenant(),
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->metrics.certificate_file, "/m.pem");
  EXPECT_EQ(config->metrics.bearer_token_env, "WISSEL_METRICS_TOKEN");
  config = ParseRouterConfig(
      "metrics: {listen_address: \"127.0.0.1:9464\", tls: {plaintext: true}, "
      "allow_anonymous: true}\n" +
          Tenant(),
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->metrics.plaintext);
  EXPECT_TRUE(config->metrics.allow_anonymous);
}

struct ErrorCase {
  std::string name;
  std::string yaml;
  // The whole message must start with this: "test.yaml:LINE:COL: key.path: reason".
  std::string expected_prefix;
};

class RouterConfigErrorTest : public RouterConfigTest,
                              public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(RouterConfigErrorTest, ReportsFileLineColumnAndField) {
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(GetParam().yaml, "test.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(config.status().message()), StartsWith(GetParam().expected_prefix));
}

// A valid tenant header; cases append to it (it ends at line 4).
std::string Tenant(absl::string_view rest) {
  return absl::StrCat(R"(tenants:
  - id: gemeente-test
    name: Gemeente Test
    pseudonym_secret_env: WISSEL_PSEUDONYM_SECRET_WISSELOORD
)",
                      rest);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RouterConfigErrorTest,
    ::testing::ValuesIn(std::vector<ErrorCase>{
        {"MetricsPlaintextOffLoopback",
         "metrics:\n  listen_address: \"0.0.0.0:9464\"\n  tls:\n    plaintext: true\n"
         "  allow_anonymous: true\n" +
             Tenant(),
         "test.yaml:4:16: metrics.tls.plaintext: plain HTTP is allowed only on a loopback listen "
         "address, not '0.0.0.0:9464'"},
        {"MetricsAnonymousOffLoopback",
         "metrics:\n  listen_address: \"0.0.0.0:9464\"\n  tls: {certificate_file: a, "
         "private_key_file: b}\n  allow_anonymous: true\n" +
             Tenant(),
         "test.yaml:4:20: metrics.allow_anonymous: scrapes without a token are allowed only on a "
         "loopback listen address"},
        {"MetricsWithoutToken",
         "metrics:\n  listen_address: \"0.0.0.0:9464\"\n  tls: {certificate_file: a, "
         "private_key_file: b}\n" +
             Tenant(),
         "test.yaml:2:3: metrics.bearer_token_file: is required"},
        {"MetricsWithoutCertificate",
         "tls: {plaintext: true}\nmetrics: {listen_address: \"0.0.0.0:9464\", "
         "bearer_token_file: t}\n" +
             Tenant(),
         "test.yaml:2:10: metrics.tls.certificate_file: is required"},
        {"MetricsWithoutListenAddress", "metrics: {bearer_token_file: t}\n" + Tenant(),
         "test.yaml:1:10: metrics.listen_address: is required"},
        {"MetricsUnknownKey",
         "metrics: {listen_address: \"127.0.0.1:1\", bearer_token: abc}\n" + Tenant(),
         "test.yaml:1:42: metrics.bearer_token: unknown key 'bearer_token'; expected one of: "
         "listen_address, tls, bearer_token_file"},
        {"UnknownTopLevelKey", "listen_adress: 127.0.0.1:1\n" + Tenant(),
         "test.yaml:1:1: listen_adress: unknown key 'listen_adress'; did you mean "
         "'listen_address'?"},
        {"UnknownNestedKey", Tenant("    queues:\n      - name: kcc\n        skil: kcc\n"),
         "test.yaml:7:9: tenants[0].queues[0].skil: unknown key 'skil'; did you mean 'skill'?"},
        {"UnknownKeyFarFromAnyKnown", Tenant("    colour: blue\n"),
         "test.yaml:5:5: tenants[0].colour: unknown key 'colour'; expected one of: id, name,"},
        {"UnknownChannel", Tenant("    channels: {phone: Telefoon, sms: SMS}\n"),
         "test.yaml:5:33: tenants[0].channels.sms: unknown key 'sms'; expected one of: phone, "
         "chat, web_form, balie, email"},
        {"DuplicateKey", Tenant("    name: Nog een naam\n"),
         "test.yaml:5:5: tenants[0].name: duplicate key 'name' (first at line 3)"},
        {"MissingTenants", "listen_address: 127.0.0.1:1\n",
         "test.yaml:1:1: missing required key 'tenants'"},
        {"EmptyTenants", "tenants: []\n", "test.yaml:1:10: tenants: at least one tenant"},
        {"TenantsNotAList", "tenants: {id: x}\n",
         "test.yaml:1:10: tenants: expected a list, got a map"},
        {"PortNotAnInteger", "redis:\n  port: abc\n" + Tenant(),
         "test.yaml:2:9: redis.port: expected an integer, got 'abc'"},
        {"PortOutOfRange", "redis:\n  port: 70000\n" + Tenant(),
         "test.yaml:2:9: redis.port: must be between 1 and 65535, got 70000"},
        {"SentinelWithHost",
         "redis:\n  host: 10.0.0.1\n  sentinel: {master_name: m, addresses: [\"a:1\"]}\n" +
             Tenant(),
         "test.yaml:3:13: redis.sentinel: conflicts with redis.host; give either host/port or "
         "sentinel"},
        {"SentinelWithPort",
         "redis:\n  sentinel: {master_name: m, addresses: [\"a:1\"]}\n  port: 6380\n" + Tenant(),
         "test.yaml:2:13: redis.sentinel: conflicts with redis.port"},
        {"SentinelWithoutMasterName", "redis:\n  sentinel: {addresses: [\"a:1\"]}\n" + Tenant(),
         "test.yaml:2:13: redis.sentinel: missing required key 'master_name'"},
        {"SentinelWithoutAddresses", "redis:\n  sentinel:\n    master_name: m\n" + Tenant(),
         "test.yaml:3:5: redis.sentinel: missing required key 'addresses'"},
        {"SentinelEmptyAddresses",
         "redis:\n  sentinel:\n    master_name: m\n    addresses: []\n" + Tenant(),
         "test.yaml:4:16: redis.sentinel.addresses: at least one sentinel is required"},
        {"SentinelBadAddress",
         "redis:\n  sentinel:\n    master_name: m\n    addresses: [\"a:1\", \"b:0\"]\n" + Tenant(),
         "test.yaml:4:24: redis.sentinel.addresses[1]: invalid address 'b:0'; expected host:port "
         "with a port between 1 and 65535"},
        {"SentinelAddressWithoutPort",
         "redis:\n  sentinel:\n    master_name: m\n    addresses: [sentinel-a]\n" + Tenant(),
         "test.yaml:4:17: redis.sentinel.addresses[0]: invalid address 'sentinel-a'"},
        {"SentinelUnknownKey", "redis:\n  sentinel:\n    master: m\n" + Tenant(),
         "test.yaml:3:5: redis.sentinel.master: unknown key 'master'"},
        {"MinReplicaAcksNegative", "redis:\n  min_replica_acks: -1\n" + Tenant(),
         "test.yaml:2:21: redis.min_replica_acks: must be between 0 and 16, got -1"},
        {"ReplicaAckTimeoutZero", "redis:\n  replica_ack_timeout: 0ms\n" + Tenant(),
         "test.yaml:2:24: redis.replica_ack_timeout: must be positive"},
        {"ReplicaAckTimeoutBadUnit", "redis:\n  replica_ack_timeout: 5us\n" + Tenant(),
         "test.yaml:2:24: redis.replica_ack_timeout: unknown unit 'us'"},
        {"ReplicaAckTimeoutNotBelowCommandTimeout",
         "redis:\n  command_timeout: 1s\n  replica_ack_timeout: 1s\n" + Tenant(),
         "test.yaml:3:24: redis.replica_ack_timeout: must be shorter than redis.command_timeout "
         "(1s)"},
        {"StringExpectedGotList", Tenant("    queues:\n      - name: [a, b]\n"),
         "test.yaml:6:15: tenants[0].queues[0].name: expected a string, got a list"},
        {"MapExpectedGotScalar", "redis: localhost\n" + Tenant(),
         "test.yaml:1:8: redis: expected a map, got a scalar"},
        {"NullRequiredString", Tenant("    queues:\n      - name:\n"),
         "test.yaml:6:9: tenants[0].queues[0].name: expected a string, got nothing (null)"},
        {"PriorityNotAnInteger",
         Tenant("    queues: [{name: q}]\n"
                "    topics: [{code: c, name: C, domain: d, queue: q, default_priority: hoog}]\n"),
         "test.yaml:6:72: tenants[0].topics[0].default_priority: expected an integer, got 'hoog'"},
        {"DurationWithUnknownUnit", Tenant("    handler_defaults:\n      offer_timeout: 500ms\n"),
         "test.yaml:6:22: tenants[0].handler_defaults.offer_timeout: unknown unit 'ms' in "
         "duration '500ms'; supported: s, m, h, d"},
        {"DurationWithoutUnit", "drain_timeout: 10\n" + Tenant(),
         "test.yaml:1:16: drain_timeout: duration '10' has no unit"},
        {"DurationFraction", Tenant("    contact_retention: 1.5d\n"),
         "test.yaml:5:24: tenants[0].contact_retention: invalid duration '1.5d'"},
        {"RetentionZero", Tenant("    contact_retention: 0d\n"),
         "test.yaml:5:24: tenants[0].contact_retention: must be positive"},
        {"BadListenAddress", "listen_address: localhost\n" + Tenant(),
         "test.yaml:1:17: listen_address: invalid address 'localhost'"},
        {"UnknownQueueReference",
         Tenant("    queues:\n      - name: wmo\n    topics:\n"
                "      - {code: a, name: A, domain: d, queue: wmo}\n"
                "      - {code: b, name: B, domain: d, queue: wmo2}\n"),
         "test.yaml:9:46: tenants[0].topics[1].queue: unknown queue 'wmo2'"},
        {"DuplicateTopic",
         Tenant("    queues: [{name: q}]\n    topics:\n"
                "      - {code: paspoort, name: A, domain: d, queue: q}\n"
                "      - {code: paspoort, name: B, domain: d, queue: q}\n"),
         "test.yaml:8:16: tenants[0].topics[1].code: duplicate topic code 'paspoort' (first "
         "defined at topics[0])"},
        {"DuplicateQueue", Tenant("    queues:\n      - name: q\n      - name: q\n"),
         "test.yaml:7:15: tenants[0].queues[1].name: duplicate queue 'q' (first defined at "
         "queues[0])"},
        {"PriorityOutOfRange",
         Tenant("    queues: [{name: q}]\n"
                "    topics: [{code: c, name: C, domain: d, queue: q, default_priority: 101}]\n"),
         "test.yaml:6:72: tenants[0].topics[0].default_priority: must be between 0 and 100, "
         "got 101"},
        {"NegativeCapacity", Tenant("    handler_defaults:\n      capacity: {chat: -1}\n"),
         "test.yaml:6:24: tenants[0].handler_defaults.capacity.chat: must be >= 0, got -1"},
        {"ZeroOfferTimeout", Tenant("    handler_defaults:\n      offer_timeout: 0s\n"),
         "test.yaml:6:22: tenants[0].handler_defaults.offer_timeout: must be positive, got 0"},
        {"ZeroHandleTime", Tenant("    queues:\n      - {name: q, default_handle_time: 0m}\n"),
         "test.yaml:6:40: tenants[0].queues[0].default_handle_time: must be positive, got 0"},
        {"MissingTopicQueue",
         Tenant("    topics:\n      - code: c\n        name: C\n        domain: d\n"),
         "test.yaml:6:9: tenants[0].topics[0]: missing required key 'queue'"},
        {"BadTenantId", "tenants:\n  - id: Gemeente_Test\n    name: T\n    pseudonym_secret: x\n",
         "test.yaml:2:9: tenants[0].id: invalid tenant id 'Gemeente_Test'; use 1 to 63 "
         "characters from a-z, 0-9 and '-'"},
        {"TenantIdTooLong", "tenants:\n  - id: " + std::string(64, 'a') + "\n    name: T\n",
         "test.yaml:2:9: tenants[0].id: invalid tenant id"},
        {"DuplicateTenantId", Tenant() + Tenant().substr(9),
         "test.yaml:5:9: tenants[1].id: duplicate tenant id 'gemeente-test' (first defined at "
         "tenants[0])"},
        {"MissingSecretEnvVar",
         "tenants:\n  - id: t\n    name: T\n    pseudonym_secret_env: WISSEL_TEST_UNSET_SECRET\n",
         "test.yaml:4:27: tenants[0].pseudonym_secret_env: environment variable "
         "'WISSEL_TEST_UNSET_SECRET' is not set or empty"},
        {"SecretTooShort",
         "tenants:\n  - id: t\n    name: T\n    pseudonym_secret_env: WISSEL_TEST_SHORT_SECRET\n",
         "test.yaml:4:27: tenants[0].pseudonym_secret_env: pseudonym secret is 9 bytes; at "
         "least 32 are required"},
        {"NoSecret", "tenants:\n  - id: t\n    name: T\n",
         "test.yaml:2:5: tenants[0]: missing pseudonym secret"},
        {"TwoSecrets", Tenant("    pseudonym_secret: 0123456789abcdef0123456789abcdef\n"),
         "test.yaml:5:23: tenants[0].pseudonym_secret: conflicts with pseudonym_secret_env"},
        {"PreviousSecretTooShort", Tenant("    previous_pseudonym_secret: short\n"),
         "test.yaml:5:32: tenants[0].previous_pseudonym_secret: pseudonym secret is 5 bytes; at "
         "least 32 are required"},
        {"PreviousSecretIsTheCurrentOne",
         Tenant("    previous_pseudonym_secret: dev-secret-wisseloord-0123456789abcdef\n"),
         "test.yaml:5:32: tenants[0].previous_pseudonym_secret: is the same as the current "
         "pseudonym secret; a rotation needs a new one"},
        {"TwoPreviousSecrets",
         Tenant("    previous_pseudonym_secret: 0123456789abcdef0123456789abcdef\n"
                "    previous_pseudonym_secret_file: /nonexistent/secret\n"),
         "test.yaml:5:32: tenants[0].previous_pseudonym_secret: conflicts with "
         "previous_pseudonym_secret_file"},
        {"SecretFileMissing",
         "tenants:\n  - id: t\n    name: T\n    pseudonym_secret_file: /nonexistent/secret\n",
         "test.yaml:4:28: tenants[0].pseudonym_secret_file: cannot open '/nonexistent/secret'"},
        {"MalformedYamlUnclosedFlow", "tenants: [\n  {id: t\n", "test.yaml:3:1: malformed YAML: "},
        {"MalformedYamlBadIndent", "redis:\n  host: a\n port: 1\n" + Tenant(),
         "test.yaml:3:2: malformed YAML: end of map not found"},
        {"EmptyDocument", "# nothing here\n", "test.yaml:1:1: empty configuration"},
        {"TwoDocuments", Tenant() + "---\n" + Tenant(),
         "test.yaml:6:1: only one YAML document is allowed"},
    }),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.name; });

// The sections of the routing-core model: queues' strategies and escalation, the catalogue's
// phases, digital alternatives, skills and norms, the roster, the calendar, the policies and the
// rules (schema errors with their key path; rule compile errors as "rule 'NAME': reason").
INSTANTIATE_TEST_SUITE_P(
    RoutingModel, RouterConfigErrorTest,
    ::testing::ValuesIn(std::vector<ErrorCase>{
        {"UnknownStrategy", Tenant("    queues:\n      - {name: q, strategy: fastest}\n"),
         "test.yaml:6:29: tenants[0].queues[0].strategy: unknown strategy 'fastest'; expected one "
         "of: longest_idle, least_occupied, best_proficiency, round_robin"},
        {"EscalationOutOfOrder",
         Tenant("    queues:\n      - name: q\n        escalation:\n          - {after: 2m, "
                "overflow: r}\n          - {after: 45s, min_proficiency: 1}\n      - name: r\n"),
         "test.yaml:9:21: tenants[0].queues[0].escalation[1].after: steps must be ordered by "
         "'after': 45s is not later than the previous step's 2m"},
        {"EscalationOverflowUnknown",
         Tenant("    queues:\n      - name: q\n        escalation: [{after: 2m, overflow: kcc}]\n"),
         "test.yaml:7:44: tenants[0].queues[0].escalation[0].overflow: unknown queue 'kcc'"},
        {"EscalationOverflowSelf",
         Tenant("    queues:\n      - name: q\n        escalation: [{after: 2m, overflow: q}]\n"),
         "test.yaml:7:44: tenants[0].queues[0].escalation[0].overflow: a queue cannot overflow "
         "into itself"},
        {"EscalationOnlyRelaxes",
         Tenant("    queues:\n      - {name: q, min_proficiency: 2, escalation: [{after: 45s, "
                "min_proficiency: 3}]}\n"),
         "test.yaml:6:82: tenants[0].queues[0].escalation[0].min_proficiency: escalation only "
         "relaxes: 3 is above the 2 that applies before"},
        {"EscalationStepDoesNothing",
         Tenant("    queues:\n      - name: q\n        escalation:\n          - after: 45s\n"),
         "test.yaml:8:13: tenants[0].queues[0].escalation[0]: step does nothing; give "
         "min_proficiency, overflow or offer_callback"},
        {"EscalationMissingAfter",
         Tenant("    queues:\n      - name: q\n        escalation:\n          - {offer_callback: "
                "true}\n"),
         "test.yaml:8:13: tenants[0].queues[0].escalation[0]: missing required key 'after'"},
        {"QueueProficiencyRange", Tenant("    queues:\n      - {name: q, min_proficiency: 6}\n"),
         "test.yaml:6:36: tenants[0].queues[0].min_proficiency: proficiency must be between 1 and "
         "5, got 6"},
        {"SlaTargetZero", Tenant("    queues:\n      - {name: q, sla_target: 0s}\n"),
         "test.yaml:6:31: tenants[0].queues[0].sla_target: must be positive, got 0"},
        {"AuthorisedNotBool",
         Tenant("    queues:\n      - {name: q, authorised_for_confidential: yes}\n"),
         "test.yaml:6:48: tenants[0].queues[0].authorised_for_confidential: expected true or "
         "false, got 'yes'"},
        {"UnknownPhase",
         Tenant("    queues: [{name: q}]\n    topics:\n      - {code: c, name: C, domain: d, "
                "queue: q, phase: maatwerkk}\n"),
         "test.yaml:7:56: tenants[0].topics[0].phase: unknown phase 'maatwerkk'; did you mean "
         "'maatwerk'?"},
        {"DigitalAlternativeBadUrl",
         Tenant("    queues: [{name: q}]\n    topics:\n      - {code: c, name: C, domain: d, "
                "queue: q, digital_alternative: {url: www.x.nl}}\n"),
         "test.yaml:7:76: tenants[0].topics[0].digital_alternative.url: must start with https:// "
         "or http://, got 'www.x.nl'"},
        {"DigitalAlternativeWithoutUrl",
         Tenant("    queues: [{name: q}]\n    topics:\n      - {code: c, name: C, domain: d, "
                "queue: q, digital_alternative: {message: m}}\n"),
         "test.yaml:7:70: tenants[0].topics[0].digital_alternative: missing required key 'url'"},
        {"TopicSkillUnknown",
         Tenant("    queues: [{name: q}]\n    topics:\n      - {code: c, name: C, domain: d, "
                "queue: q, skills: {vliegen: 2}}\n"),
         "test.yaml:7:67: tenants[0].topics[0].skills.vliegen: unknown skill 'vliegen': no queue "
         "has it and no handler in the roster has it"},
        {"TopicSkillLevel",
         Tenant("    queues: [{name: q}]\n    topics:\n      - {code: c, name: C, domain: d, "
                "queue: q, skills: {q: 7}}\n"),
         "test.yaml:7:61: tenants[0].topics[0].skills.q: proficiency must be between 1 and 5, got "
         "7"},
        {"TopicSkillsAsList",
         Tenant("    queues: [{name: q}]\n    topics:\n      - {code: c, name: C, domain: d, "
                "queue: q, skills: [q]}\n"),
         "test.yaml:7:57: tenants[0].topics[0].skills: expected a map, got a list"},
        {"NormZeroWorkingDays",
         Tenant("    queues: [{name: q}]\n    topics:\n      - {code: c, name: C, domain: d, "
                "queue: q, norms: {web_form: {working_days: 0}}}\n"),
         "test.yaml:7:82: tenants[0].topics[0].norms.web_form.working_days: must be at least 1, "
         "got 0"},
        {"NormUnknownChannel",
         Tenant("    queues: [{name: q}]\n    topics:\n      - {code: c, name: C, domain: d, "
                "queue: q, norms: {fax: {working_days: 1}}}\n"),
         "test.yaml:7:57: tenants[0].topics[0].norms.fax: unknown key 'fax'; expected one of: "
         "phone, chat, web_form, balie, email"},
        {"NormEmpty",
         Tenant("    queues: [{name: q}]\n    topics:\n      - {code: c, name: C, domain: d, "
                "queue: q, norms: {phone: {}}}\n"),
         "test.yaml:7:64: tenants[0].topics[0].norms.phone: give answer_within or working_days"},
        {"NormBadDuration",
         Tenant("    queues: [{name: q}]\n    topics:\n      - {code: c, name: C, domain: d, "
                "queue: q, norms: {phone: {answer_within: soon}}}\n"),
         "test.yaml:7:80: tenants[0].topics[0].norms.phone.answer_within: invalid duration 'soon'"},
        {"ConfidentialUnauthorised",
         Tenant("    queues: [{name: q}]\n    topics:\n      - {code: c, name: C, domain: d, "
                "queue: q, confidential: true}\n"),
         "test.yaml:7:63: tenants[0].topics[0].confidential: queue 'q' is not "
         "authorised_for_confidential; route confidential topics to an authorised queue"},
        {"PersonAfterDigitalOfferNotBool",
         Tenant("    queues: [{name: q}]\n    topics:\n      - {code: c, name: C, domain: d, "
                "queue: q, person_after_digital_offer: 1}\n"),
         "test.yaml:7:77: tenants[0].topics[0].person_after_digital_offer: expected true or false, "
         "got '1'"},
        {"BlocksItself", Tenant("    handler_defaults:\n      blocks: {chat: [chat]}\n"),
         "test.yaml:6:23: tenants[0].handler_defaults.blocks.chat[0]: a channel does not block "
         "itself (capacity limits it)"},
        {"BlocksUnknownChannel", Tenant("    handler_defaults:\n      blocks: {phone: [fax]}\n"),
         "test.yaml:6:24: tenants[0].handler_defaults.blocks.phone[0]: unknown channel 'fax'; "
         "expected one of: phone, chat, web_form, balie, email"},
        {"HandlerUnknownTeam",
         Tenant("    queues: [{name: q}]\n    handlers:\n      - {id: h1, teams: [r]}\n"),
         "test.yaml:7:26: tenants[0].handlers[0].teams[0]: unknown team 'r'; teams are queue "
         "names"},
        {"HandlerUnknownDeputy",
         Tenant("    queues: [{name: q}]\n    handlers:\n      - {id: h1, deputy: h9}\n"),
         "test.yaml:7:26: tenants[0].handlers[0].deputy: unknown handler 'h9' (not in the roster)"},
        {"HandlerOwnDeputy",
         Tenant("    queues: [{name: q}]\n    handlers:\n      - {id: h1, deputy: h1}\n"),
         "test.yaml:7:26: tenants[0].handlers[0].deputy: a handler cannot be their own deputy"},
        {"DuplicateHandler",
         Tenant("    queues: [{name: q}]\n    handlers:\n      - {id: h1}\n      - {id: h1}\n"),
         "test.yaml:8:14: tenants[0].handlers[1].id: duplicate handler id 'h1' (first defined at "
         "handlers[0])"},
        {"HandlerSkillLevel",
         Tenant("    queues: [{name: q}]\n    handlers:\n      - {id: h1, skills: {q: 0}}\n"),
         "test.yaml:7:30: tenants[0].handlers[0].skills.q: proficiency must be between 1 and 5, "
         "got 0"},
        {"HandlerActiveNotBool",
         Tenant("    queues: [{name: q}]\n    handlers:\n      - {id: h1, active: nee}\n"),
         "test.yaml:7:26: tenants[0].handlers[0].active: expected true or false, got 'nee'"},
        {"HandlerUnknownKey",
         Tenant("    queues: [{name: q}]\n    handlers:\n      - {id: h1, capacity: {phone: 1}}\n"),
         "test.yaml:7:18: tenants[0].handlers[0].capacity: unknown key 'capacity'; expected one "
         "of: id, name, skills, teams, active, deputy"},
        {"HandlersAndHandlersFile", Tenant("    handlers: []\n    handlers_file: h.yaml\n"),
         "test.yaml:6:20: tenants[0].handlers_file: conflicts with handlers; give the roster in "
         "the tenant or in a file, not both"},
        {"HandlersFileMissing", Tenant("    handlers_file: /nonexistent/h.yaml\n"),
         "test.yaml:5:20: tenants[0].handlers_file: cannot open '/nonexistent/h.yaml'"},
        {"UnknownTimeZone", Tenant("    calendar:\n      time_zone: Europe/Wisseloord\n"),
         "test.yaml:6:18: tenants[0].calendar.time_zone: unknown time zone 'Europe/Wisseloord'; "
         "use an IANA name such as Europe/Amsterdam"},
        {"BadOpeningHours", Tenant("    calendar:\n      hours: {phone: {mon: [\"8:30-17\"]}}\n"),
         "test.yaml:6:29: tenants[0].calendar.hours.phone.mon[0]: invalid opening time '8:30-17'; "
         "expected \"HH:MM-HH:MM\" such as \"08:30-17:00\""},
        {"ClosesBeforeOpens", Tenant("    calendar:\n      hours: {phone: {mon: [17:00-08:30]}}\n"),
         "test.yaml:6:29: tenants[0].calendar.hours.phone.mon[0]: '17:00-08:30' closes before it "
         "opens (ranges cannot pass midnight)"},
        {"OverlappingRanges",
         Tenant("    calendar:\n      hours: {phone: {mon: [\"08:30-12:00\", \"11:00-17:00\"]}}\n"),
         "test.yaml:6:44: tenants[0].calendar.hours.phone.mon[1]: opens at 11:00, before the "
         "previous range closes at 12:00; list ranges in order without overlap"},
        {"UnknownDay", Tenant("    calendar:\n      hours: {phone: {monday: [\"08:30-17:00\"]}}\n"),
         "test.yaml:6:23: tenants[0].calendar.hours.phone.monday: unknown key 'monday'; expected "
         "one of: mon, tue, wed, thu, fri, sat, sun"},
        {"ClosedMessageMissing",
         Tenant("    calendar:\n      hours: {balie: {mon: [\"09:00-12:00\"]}}\n"),
         "test.yaml:6:7: tenants[0].calendar.closed_message: must be set: channel 'balie' shows it "
         "outside its opening hours (outside_hours)"},
        {"UnknownHoliday", Tenant("    calendar:\n      holidays: [koningsdag, kerstmis]\n"),
         "test.yaml:6:30: tenants[0].calendar.holidays[1]: unknown holiday 'kerstmis'; expected "
         "one of: nieuwjaarsdag,"},
        {"HolidaysNeitherListNorKeyword", Tenant("    calendar:\n      holidays: all\n"),
         "test.yaml:6:17: tenants[0].calendar.holidays: expected 'default', 'none' or a list of "
         "holidays"},
        {"HolidayTwice", Tenant("    calendar:\n      holidays: [koningsdag, koningsdag]\n"),
         "test.yaml:6:30: tenants[0].calendar.holidays[1]: listed twice"},
        {"BadBevrijdingsdag", Tenant("    calendar:\n      bevrijdingsdag: soms\n"),
         "test.yaml:6:23: tenants[0].calendar.bevrijdingsdag: unknown value 'soms'; expected one "
         "of: lustrum, every_year"},
        {"BadExceptionDate", Tenant("    calendar:\n      exceptions: [{date: 2026-13-01}]\n"),
         "test.yaml:6:27: tenants[0].calendar.exceptions[0].date: invalid date '2026-13-01'; "
         "expected YYYY-MM-DD"},
        {"DuplicateExceptionDate",
         Tenant("    calendar:\n      exceptions:\n        - {date: 2026-12-24, hours: "
                "[\"08:30-12:00\"]}\n        - {date: 2026-12-24}\n"),
         "test.yaml:8:18: tenants[0].calendar.exceptions[1].date: duplicate date 2026-12-24 (first "
         "at exceptions[0])"},
        {"BadOutsideHours", Tenant("    calendar:\n      outside_hours: {phone: voicemail}\n"),
         "test.yaml:6:30: tenants[0].calendar.outside_hours.phone: unknown outcome 'voicemail'; "
         "expected one of: callback, digital_alternative, closed_message"},
        {"TenzijBoostOutOfRange", Tenant("    digital_first: {tenzij_priority_boost: 120}\n"),
         "test.yaml:5:44: tenants[0].digital_first.tenzij_priority_boost: must be between 0 and "
         "100, got 120"},
        {"DigitalFirstAboveWaitZero", Tenant("    digital_first: {digital_first_above_wait: 0s}\n"),
         "test.yaml:5:47: tenants[0].digital_first.digital_first_above_wait: must be positive, got "
         "0"},
        {"SurveyShareAboveOne", Tenant("    surveys: {rate: 1.5}\n"),
         "test.yaml:5:21: tenants[0].surveys.rate: must be a share between 0 and 1"},
        {"SurveyUnknownChannel", Tenant("    surveys: {channels: {fax: 0.1}}\n"),
         "test.yaml:5:26: tenants[0].surveys.channels.fax: unknown key 'fax'"},
        {"SurveyTopicShareNegative", Tenant("    surveys: {topics: {paspoort: -0.1}}\n"),
         "test.yaml:5:34: tenants[0].surveys.topics.paspoort: must be a share between 0 and 1"},
        {"SurveyQuietPeriodZero", Tenant("    surveys: {quiet_period: 0d}\n"),
         "test.yaml:5:29: tenants[0].surveys.quiet_period: must be positive"},
        {"MappingTtlZero", Tenant("    contact_person: {mapping_ttl: 0d}\n"),
         "test.yaml:5:35: tenants[0].contact_person.mapping_ttl: must be positive, got 0"},
        {"ContactPersonUnknownKey", Tenant("    contact_person: {wait: 1m}\n"),
         "test.yaml:5:22: tenants[0].contact_person.wait: unknown key 'wait'; expected one of: "
         "wait_for_contact_person, mapping_ttl"},
        {"AgingNotANumber", Tenant("    aging_per_minute: snel\n"),
         "test.yaml:5:23: tenants[0].aging_per_minute: expected a number such as 1 or 0.5, got "
         "'snel'"},
        {"AgingNegative", Tenant("    aging_per_minute: -0.5\n"),
         "test.yaml:5:23: tenants[0].aging_per_minute: must be a number >= 0, got -0.5"},
        {"RuleUnknownKey", Tenant("    rules:\n      - {name: r, wen: \"true\"}\n"),
         "test.yaml:6:19: tenants[0].rules[0].wen: unknown key 'wen'; did you mean 'when'?"},
        {"RuleMissingThen", Tenant("    rules:\n      - {name: r, when: \"true\"}\n"),
         "test.yaml:6:9: tenants[0].rules[0]: missing required key 'then'"},
        {"RuleActionWithTwoKeys",
         Tenant("    queues: [{name: q}]\n    rules:\n      - {name: r, when: \"true\", then: "
                "[{route_to: q, set_priority: 5}]}\n"),
         "test.yaml:7:54: tenants[0].rules[0].then[0]: each action is a map with exactly one key, "
         "e.g. {route_to: wmo}; put every action in its own list item"},
        {"RuleUnknownAction",
         Tenant("    queues: [{name: q}]\n    rules:\n      - {name: r, when: \"true\", then: "
                "[{send_to: q}]}\n"),
         "test.yaml:7:41: tenants[0].rules[0].then[0].send_to: unknown key 'send_to'; expected one "
         "of: route_to,"},
        {"RuleThenNotAList",
         Tenant("    queues: [{name: q}]\n    rules:\n      - {name: r, when: \"true\", then: "
                "{route_to: q}}\n"),
         "test.yaml:7:39: tenants[0].rules[0].then: expected a list of actions such as [{route_to: "
         "wmo}], got a map"},
        {"RuleSetPriorityOutOfRange",
         Tenant("    rules:\n      - {name: r, when: \"true\", then: [{set_priority: 150}]}\n"),
         "test.yaml:6:55: tenants[0].rules[0].then[0].set_priority: must be between 0 and 100, got "
         "150"},
        {"RuleProficiencyOutOfRange",
         Tenant("    queues: [{name: q}]\n    rules:\n      - {name: r, when: \"true\", then: "
                "[{require_skill: {skill: q, min_proficiency: 9}}]}\n"),
         "test.yaml:7:84: tenants[0].rules[0].then[0].require_skill.min_proficiency: must be "
         "between 1 and 5, got 9"},
        {"RuleOfferDigitalFalse",
         Tenant("    rules:\n      - {name: r, when: \"true\", then: [{offer_digital: false}]}\n"),
         "test.yaml:6:56: tenants[0].rules[0].then[0].offer_digital: only 'true' means something "
         "here; remove the action instead of setting it to false"},
        {"RuleContinueNotBool",
         Tenant("    queues: [{name: q}]\n    rules:\n      - {name: r, when: \"true\", then: "
                "[{route_to: q}], continue: maybe}\n"),
         "test.yaml:7:66: tenants[0].rules[0].continue: expected true or false, got 'maybe'"},
        {"RulesAndRulesFile", Tenant("    rules: []\n    rules_file: r.yaml\n"),
         "test.yaml:6:17: tenants[0].rules_file: conflicts with rules; give the rules in the "
         "tenant or in a file, not both"},
        {"RuleUnknownQueue",
         Tenant("    queues: [{name: q}]\n    rules:\n      - name: naar-wmo\n        when: "
                "channel == phone\n        then:\n          - route_to: wmo\n"),
         "test.yaml:10:23: rule 'naar-wmo': route_to: unknown queue 'wmo'; queues: q"},
        {"RuleUnknownHandler",
         Tenant("    queues: [{name: q}]\n    rules:\n      - name: voorkeur\n        when: "
                "channel == phone\n        then:\n          - prefer_handler: mw-404\n"),
         "test.yaml:10:29: rule 'voorkeur': prefer_handler: unknown handler 'mw-404'; the tenant "
         "has no handler roster"},
        {"RuleUnknownSkill",
         Tenant("    queues: [{name: q}]\n    rules:\n      - name: vlieg\n        when: channel "
                "== phone\n        then:\n          - require_skill: {skill: vliegen, "
                "min_proficiency: 2}\n"),
         "test.yaml:10:36: rule 'vlieg': require_skill: unknown skill 'vliegen': no queue has it "
         "and no handler in the roster has it"},
        {"RuleBadOperator",
         Tenant("    queues: [{name: q}]\n    rules:\n      - name: r\n        when: channel = "
                "phone\n        then: [{route_to: q}]\n"),
         "test.yaml:8:23: rule 'r': use '==' to compare ('=' alone is not an operator)"},
        {"RuleTypeMismatchInSingleQuotes",
         Tenant("    queues: [{name: q}]\n    rules:\n      - name: r\n        when: "
                "'queue.expected_wait > 45'\n        then: [{route_to: q}]\n"),
         "test.yaml:8:38: rule 'r': queue.expected_wait is compared with a duration such as 45s, "
         "2m or 1h, not with the number '45'"},
        {"RuleUnterminatedString",
         Tenant("    queues: [{name: q}]\n    rules:\n      - name: r\n        when: 'topic == "
                "\"paspoort'\n        then: [{route_to: q}]\n"),
         "test.yaml:8:25: rule 'r': unterminated string (missing closing \")"},
        {"RuleDuplicateName",
         Tenant("    queues: [{name: q}]\n    rules:\n      - name: dubbel\n        when: channel "
                "== chat\n        then: [{route_to: q}]\n      - name: dubbel\n        when: "
                "channel == phone\n        then: [{route_to: q}]\n"),
         "test.yaml:10:9: rule 'dubbel': duplicate rule name (first defined at line 7)"},
        {"RuleErrorInLiteralBlock",
         Tenant("    queues: [{name: q}]\n    topics: [{code: paspoort, name: P, domain: d, queue: "
                "q}]\n    rules:\n      - name: blok\n        when: |\n          channel == "
                "phone\n          and topic == fiets\n        then: [{route_to: q}]\n"),
         "test.yaml:11:24: rule 'blok': unknown topic 'fiets'"},
        {"RuleUnknownChannelInList",
         Tenant("    queues: [{name: q}]\n    rules:\n      - {name: lijst, when: \"channel in "
                "[phone, sms]\", then: [{route_to: q}]}\n"),
         "test.yaml:7:49: rule 'lijst': unknown channel 'sms'; expected one of: phone, chat, "
         "web_form, balie, email"},
        {"RuleUnknownDomain",
         Tenant("    queues: [{name: q}]\n    topics: [{code: paspoort, name: P, domain: d, queue: "
                "q}]\n    rules:\n      - {name: domein, when: topic.domain == zorg, then: "
                "[{route_to: q}]}\n"),
         "test.yaml:8:46: rule 'domein': unknown domain 'zorg'; domains in the catalogue: d"},
        {"AttributeNameInvalid", Tenant("    attributes: [{name: Naam, max_length: 10}]\n"),
         "test.yaml:5:25: tenants[0].attributes[0].name: invalid attribute name 'Naam'; use 1 "
         "to 40 characters from a-z, 0-9, '_' and '.'"},
        {"AttributeMaxLengthZero", Tenant("    attributes: [{name: naam, max_length: 0}]\n"),
         "test.yaml:5:43: tenants[0].attributes[0].max_length: must be within 1..4096, got 0"},
        {"AttributeMaxLengthTooLarge", Tenant("    attributes: [{name: naam, max_length: 4097}]\n"),
         "test.yaml:5:43: tenants[0].attributes[0].max_length: must be within 1..4096, got 4097"},
        {"AttributeMaxLengthMissing", Tenant("    attributes: [{name: naam}]\n"),
         "test.yaml:5:18: tenants[0].attributes[0]: missing required key 'max_length'"},
        {"AttributeListedTwice",
         Tenant("    attributes:\n      - {name: ivr, max_length: 2}\n      - {name: ivr, "
                "max_length: 3}\n"),
         "test.yaml:7:16: tenants[0].attributes[1].name: attribute 'ivr' is listed twice"},
        {"AttributeUnknownKey",
         Tenant("    attributes: [{name: naam, max_length: 9, persoonlijk: true}]\n"),
         "test.yaml:5:46: tenants[0].attributes[0].persoonlijk: unknown key 'persoonlijk'"},
        {"PersonalAttributeWithoutKey",
         Tenant("    attributes: [{name: naam, max_length: 9, personal: true}]\n"),
         "test.yaml:5:56: tenants[0].attributes[0].personal: a personal attribute is stored "
         "encrypted: set attribute_key_env (recommended) or attribute_key_file in the tenant"},
        {"AttributeKeyNotHex", Tenant("    attribute_key: \"not hex\"\n"),
         "test.yaml:5:20: tenants[0].attribute_key: attribute key must be 64 hex digits (32 "
         "bytes, `openssl rand -hex 32`), got 7 characters"},
        {"AttributeKeyTwice", Tenant("    attribute_key_env: A\n    attribute_key_file: b\n"),
         "test.yaml:6:25: tenants[0].attribute_key_file: conflicts with attribute_key_env"},
        {"RuleNamesPersonalAttribute",
         Tenant("    attribute_key_env: WISSEL_TEST_ATTRIBUTE_KEY\n    attributes: [{name: naam, "
                "max_length: 9, personal: true}]\n    queues: [{name: q}]\n    rules:\n      - "
                "{name: r, when: attributes.naam == x, then: [{route_to: q}]}\n"),
         "test.yaml:9:25: rule 'r': attribute 'naam' is personal: rules cannot use it"},
    }),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.name; });

TEST_F(RouterConfigTest, AttributesAndTheirKeyAreRead) {
  absl::StatusOr<RouterConfig> config =
      ParseRouterConfig(Tenant("    attribute_key_env: WISSEL_TEST_ATTRIBUTE_KEY\n"
                               "    attributes:\n"
                               "      - {name: zaaknummer, max_length: 40, personal: false}\n"
                               "      - {name: naam, max_length: 100, personal: true}\n"
                               "      - {name: sip.ivr_choice, max_length: 8}\n"),
                        "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const TenantSettings& tenant = config->tenants[0];
  ASSERT_EQ(tenant.attributes.size(), 3u);
  EXPECT_EQ(tenant.attributes[0].name, "zaaknummer");
  EXPECT_EQ(tenant.attributes[0].max_length, 40u);
  EXPECT_FALSE(tenant.attributes[0].personal);
  EXPECT_EQ(tenant.attributes[1].name, "naam");
  EXPECT_TRUE(tenant.attributes[1].personal);
  EXPECT_FALSE(tenant.attributes[2].personal);  // not personal unless said
  EXPECT_THAT(tenant.routing.personal_attributes, ElementsAre("naam"));
  EXPECT_EQ(tenant.attribute_key, absl::HexStringToBytes(kAttributeKeyHex));
  EXPECT_EQ(tenant.attribute_key_source, "env:WISSEL_TEST_ATTRIBUTE_KEY");
}

TEST_F(RouterConfigTest, WithoutAListNoAttributesAndALiteralKeyWarns) {
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(
      Tenant(absl::StrCat("    attribute_key: \"", kAttributeKeyHex, "\"\n")), "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->tenants[0].attributes.empty());
  EXPECT_EQ(config->tenants[0].attribute_key_source, "literal");
  EXPECT_THAT(config->warnings,
              ElementsAre(HasSubstr("tenants[0].attribute_key: holds the secret in the file")));
}

TEST_F(RouterConfigTest, SecretFileIsReadRelativeToTheConfigFile) {
  const std::string dir = ::testing::TempDir();
  {
    std::ofstream out(dir + "/wissel_test_secret.txt");
    out << kSecret << "\n";
  }
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(
      "tenants:\n  - id: t\n    name: T\n    pseudonym_secret_file: wissel_test_secret.txt\n",
      dir + "/wissel.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->tenants[0].pseudonym_secret, kSecret);  // trailing newline dropped
  EXPECT_THAT(config->tenants[0].pseudonym_secret_source, HasSubstr("wissel_test_secret.txt"));
}

TEST_F(RouterConfigTest, LoadMissingFileIsNotFound) {
  absl::StatusOr<RouterConfig> config = LoadRouterConfig("/nonexistent/wissel.yaml");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("/nonexistent/wissel.yaml"));
}

TEST_F(RouterConfigTest, LoadReportsThePathInErrors) {
  const std::string path = ::testing::TempDir() + "/wissel_broken.yaml";
  {
    std::ofstream out(path);
    out << "tenants:\n  - id: t\n    nmae: T\n";
  }
  absl::StatusOr<RouterConfig> config = LoadRouterConfig(path);
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(config.status().message()),
              StartsWith(path + ":3:5: tenants[0].nmae: unknown key 'nmae'; did you mean 'name'?"));
}

TEST_F(RouterConfigTest, ExampleFileUsesTheWholeRoutingModel) {
  absl::StatusOr<RouterConfig> config =
      LoadRouterConfig(WISSEL_SOURCE_DIR "/config/example/wissel.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const core::TenantConfig& routing = config->FindTenant("gemeente-wisseloord")->routing;

  // Catalogue.
  const core::TopicConfig* paspoort = routing.FindTopic("paspoort");
  ASSERT_TRUE(paspoort->digital_alternative.has_value());
  EXPECT_EQ(paspoort->digital_alternative->url, "https://www.wisseloord.nl/paspoort-aanvragen");
  EXPECT_FALSE(paspoort->person_after_digital_offer);
  EXPECT_EQ(paspoort->norms[core::Channel::kPhone].answer_within, absl::Seconds(45));
  EXPECT_EQ(paspoort->norms[core::Channel::kWebForm].working_days, 5);
  EXPECT_EQ(paspoort->norms[core::Channel::kEmail].working_days, std::nullopt);
  const core::TopicConfig* wmo_topic = routing.FindTopic("wmo-hulpmiddelen");
  EXPECT_EQ(wmo_topic->phase, core::ServicePhase::kMaatwerk);
  ASSERT_EQ(wmo_topic->skills.size(), 1u);
  EXPECT_EQ(wmo_topic->skills[0].skill, "wmo");
  EXPECT_EQ(wmo_topic->skills[0].min_proficiency, 2);
  EXPECT_EQ(routing.FindTopic("mantelzorg")->phase, core::ServicePhase::kPreventie);
  EXPECT_EQ(routing.FindTopic("schuldhulp")->phase, core::ServicePhase::kEigenKracht);
  EXPECT_TRUE(routing.FindTopic("huiselijk-geweld-melding")->confidential);
  EXPECT_TRUE(routing.FindTopic("schuldhulp")->confidential);
  EXPECT_NE(routing.FindTopic("afvalpas")->digital_alternative, std::nullopt);
  EXPECT_NE(routing.FindTopic("grofvuil")->digital_alternative, std::nullopt);

  // Queues.
  const core::QueueConfig* burgerzaken = routing.FindQueue("burgerzaken");
  EXPECT_EQ(burgerzaken->min_proficiency, 2);
  EXPECT_EQ(burgerzaken->strategy, core::Strategy::kLeastOccupied);
  ASSERT_EQ(burgerzaken->escalation.size(), 3u);
  EXPECT_EQ(burgerzaken->escalation[0].after, absl::Seconds(45));
  EXPECT_EQ(burgerzaken->escalation[0].min_proficiency, 1);
  EXPECT_EQ(burgerzaken->escalation[1].after, absl::Seconds(120));
  EXPECT_EQ(burgerzaken->escalation[1].overflow_queue, "kcc-algemeen");
  EXPECT_EQ(burgerzaken->escalation[2].after, absl::Seconds(300));
  EXPECT_TRUE(burgerzaken->escalation[2].offer_callback);
  EXPECT_EQ(routing.FindQueue("wmo")->strategy, core::Strategy::kBestProficiency);
  EXPECT_EQ(routing.FindQueue("balie-burgerzaken")->strategy, core::Strategy::kRoundRobin);
  EXPECT_EQ(routing.FindQueue("kcc-algemeen")->sla_target, absl::Seconds(30));
  EXPECT_TRUE(routing.FindQueue("schuldhulp")->authorised_for_confidential);
  EXPECT_FALSE(routing.FindQueue("afval")->authorised_for_confidential);
  EXPECT_THAT(routing.handler_defaults.blocks[core::Channel::kChat],
              ElementsAre(core::Channel::kPhone));
  EXPECT_EQ(routing.handler_defaults.blocks[core::Channel::kPhone].size(), 4u);

  // Roster, from handlers.yaml: 32 employees and the 4 counter desks wissel-balie signs in.
  EXPECT_EQ(routing.handlers.size(), 36u);
  EXPECT_FALSE(routing.dynamic_handlers);
  const core::HandlerProfile* desk = routing.FindHandler("desk-1");
  ASSERT_NE(desk, nullptr);
  EXPECT_THAT(desk->teams, ElementsAre("balie-burgerzaken"));
  const core::HandlerProfile* esther = routing.FindHandler("mw-0401");
  ASSERT_NE(esther, nullptr);
  EXPECT_EQ(esther->name, "Esther Smits");
  EXPECT_EQ(esther->skills.at("wmo"), 4);
  EXPECT_THAT(esther->teams, ElementsAre("wmo"));
  EXPECT_EQ(esther->deputy, "mw-0402");
  EXPECT_TRUE(esther->active);
  EXPECT_FALSE(routing.FindHandler("mw-0404")->active);
  EXPECT_EQ(config->FindTenant("gemeente-spoorwijk")->routing.handlers.size(), 6u);

  // Calendar.
  const core::CalendarConfig& calendar = routing.calendar;
  EXPECT_EQ(calendar.time_zone.name(), "Europe/Amsterdam");
  ASSERT_TRUE(calendar.hours[core::Channel::kPhone].has_value());
  ASSERT_EQ(calendar.hours[core::Channel::kPhone]->days[0].size(), 1u);
  EXPECT_EQ(calendar.hours[core::Channel::kPhone]->days[0][0].open_minute, 8 * 60 + 30);
  EXPECT_EQ(calendar.hours[core::Channel::kPhone]->days[0][0].close_minute, 17 * 60);
  EXPECT_TRUE(calendar.hours[core::Channel::kPhone]->days[5].empty());  // Saturday: closed
  EXPECT_EQ(calendar.hours[core::Channel::kBalie]->days[3][0].close_minute, 20 * 60);  // Thursday
  EXPECT_EQ(calendar.hours[core::Channel::kChat]->days[0][0].open_minute, 9 * 60);
  EXPECT_FALSE(calendar.hours[core::Channel::kWebForm].has_value());  // always open
  EXPECT_EQ(calendar.holidays.size(), core::CalendarConfig().holidays.size());
  EXPECT_EQ(calendar.bevrijdingsdag, core::BevrijdingsdagRule::kLustrumOnly);
  ASSERT_EQ(calendar.exceptions.size(), 3u);
  EXPECT_EQ(calendar.exceptions[0].day, absl::CivilDay(2026, 6, 12));
  EXPECT_TRUE(calendar.exceptions[0].hours.empty());
  EXPECT_EQ(calendar.exceptions[1].note, "Kerstavond");
  EXPECT_EQ(calendar.exceptions[1].hours[0].close_minute, 12 * 60);
  EXPECT_EQ(calendar.outside_hours[core::Channel::kPhone], core::OutsideHoursOutcome::kCallback);
  EXPECT_EQ(calendar.outside_hours[core::Channel::kChat],
            core::OutsideHoursOutcome::kDigitalAlternative);
  EXPECT_EQ(calendar.outside_hours[core::Channel::kBalie],
            core::OutsideHoursOutcome::kClosedMessage);
  EXPECT_THAT(calendar.closed_message, StartsWith("Het stadhuis is nu gesloten."));
  EXPECT_EQ(config->FindTenant("gemeente-spoorwijk")->routing.calendar.bevrijdingsdag,
            core::BevrijdingsdagRule::kEveryYear);

  // Policies.
  EXPECT_EQ(routing.digital_first.tenzij_priority_boost, 20);
  EXPECT_EQ(routing.digital_first.digital_first_above_wait, absl::Minutes(5));
  EXPECT_EQ(routing.contact_person.wait_for_contact_person, absl::Seconds(60));
  EXPECT_EQ(routing.contact_person.mapping_ttl, absl::Hours(24 * 180));
  EXPECT_EQ(routing.aging_per_minute, 1.0);
  EXPECT_EQ(routing.surveys.rate, 0.05);
  EXPECT_EQ(routing.surveys.channel_rate[core::Channel::kPhone], 0.1);
  EXPECT_FALSE(routing.surveys.channel_rate[core::Channel::kWebForm].has_value());
  ASSERT_EQ(routing.surveys.topic_rate.size(), 1u);
  EXPECT_EQ(routing.surveys.topic_rate[0].first, "melding-openbare-ruimte");
  EXPECT_EQ(routing.surveys.quiet_period, absl::Hours(24 * 90));

  // Rules: inline for Wisseloord, from rules-spoorwijk.yaml for Spoorwijk; they compile.
  EXPECT_EQ(routing.rules.size(), 18u);
  const core::RuleSpec& taal = routing.rules[0];
  EXPECT_EQ(taal.name, "taalbarriere");
  EXPECT_TRUE(taal.continue_matching);
  EXPECT_THAT(taal.when_location.file, EndsWith("config/example/wissel.yaml"));
  ASSERT_EQ(taal.then.size(), 2u);
  EXPECT_EQ(taal.then[0].kind, core::ActionSpec::Kind::kRequireSkill);
  EXPECT_EQ(taal.then[0].target, "taal");
  EXPECT_EQ(taal.then[0].value, 3);
  const core::TenantConfig& spoorwijk = config->FindTenant("gemeente-spoorwijk")->routing;
  ASSERT_EQ(spoorwijk.rules.size(), 4u);
  EXPECT_THAT(spoorwijk.rules[0].location.file, EndsWith("config/example/rules-spoorwijk.yaml"));
  EXPECT_EQ(spoorwijk.rules[0].location.line, 5);
  for (const TenantSettings& tenant : config->tenants) {
    absl::StatusOr<core::rules::RuleSet> rules = core::rules::RuleSet::Compile(tenant.routing);
    ASSERT_TRUE(rules.ok()) << rules.status();
    EXPECT_EQ(rules->size(), tenant.routing.rules.size());
    EXPECT_THAT(rules->warnings(), IsEmpty());
  }
}

// The example's rules decide as their comments say.
TEST_F(RouterConfigTest, ExampleRulesDecideAsDocumented) {
  absl::StatusOr<RouterConfig> config =
      LoadRouterConfig(WISSEL_SOURCE_DIR "/config/example/wissel.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const core::TenantConfig& routing = config->FindTenant("gemeente-wisseloord")->routing;
  absl::StatusOr<core::rules::RuleSet> rules = core::rules::RuleSet::Compile(routing);
  ASSERT_TRUE(rules.ok()) << rules.status();
  const auto fired = [&](const core::rules::RuleOutcome& outcome) {
    std::vector<std::string> names;
    for (uint32_t i : outcome.fired_rules) names.push_back(rules->rule(i).name);
    return names;
  };
  core::rules::RuleContext base;
  base.channel = core::Channel::kPhone;
  base.language = "nl";
  base.priority = 40;
  base.local_time = absl::CivilSecond(2026, 3, 5, 10, 0, 0);  // Thursday morning
  base.open = true;

  // A Turkish-speaking resident in a vulnerable situation asking about tax relief.
  core::rules::RuleContext ctx = base;
  ctx.topic = routing.FindTopic("kwijtschelding");
  ctx.language = "tr";
  ctx.needs = core::NeedBit(core::Need::kVulnerable);
  core::rules::RuleOutcome outcome = rules->Evaluate(ctx);
  EXPECT_THAT(fired(outcome),
              ElementsAre("taalbarriere", "kwetsbare-situatie", "kwijtschelding-met-geldzorgen"));
  EXPECT_EQ(outcome.queue, routing.FindQueue("schuldhulp"));
  ASSERT_EQ(outcome.required_skills.size(), 1u);
  EXPECT_EQ(outcome.required_skills[0]->skill, "taal");
  EXPECT_EQ(outcome.Priority(50), 90);

  // Thursday evening at the kiosk with an appointment code.
  ctx = base;
  ctx.channel = core::Channel::kBalie;
  ctx.topic = routing.FindTopic("paspoort");
  ctx.local_time = absl::CivilSecond(2026, 3, 5, 18, 30, 0);
  const std::vector<std::pair<std::string, std::string>> attributes = {{"afspraakcode", "A-17"}};
  ctx.attributes = &attributes;
  outcome = rules->Evaluate(ctx);
  EXPECT_THAT(fired(outcome), ElementsAre("balie-koopavond", "balie-met-afspraak"));
  EXPECT_EQ(outcome.prefer_handler, routing.FindHandler("mw-0106"));
  EXPECT_EQ(outcome.Priority(50), 80);

  // Calling in the evening: a callback request.
  ctx = base;
  ctx.topic = routing.FindTopic("ozb-aanslag");
  ctx.open = false;
  EXPECT_THAT(fired(rules->Evaluate(ctx)), ElementsAre("telefoon-buiten-openingstijden"));
  EXPECT_TRUE(rules->Evaluate(ctx).schedule_callback);

  // Logged in with DigiD on the web form for an extract: closed with the download link.
  ctx = base;
  ctx.channel = core::Channel::kWebForm;
  ctx.topic = routing.FindTopic("uittreksel-brp");
  ctx.digid = core::DigidLevel::kMidden;
  outcome = rules->Evaluate(ctx);
  EXPECT_THAT(fired(outcome), ElementsAre("uittreksel-zelf-downloaden"));
  ASSERT_NE(outcome.close_message, nullptr);
  EXPECT_TRUE(outcome.offer_digital);
  // ... but never for someone who asks for a person.
  ctx.wants_person = true;
  EXPECT_EQ(rules->Evaluate(ctx).close_message, nullptr);
}

// A full tenant inline (roster and rules in the main file), with every optional section.
TEST_F(RouterConfigTest, InlineRosterAndRules) {
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(Tenant(R"(    queues:
      - {name: kcc, authorised_for_confidential: true}
      - {name: wmo, min_proficiency: 3, escalation: [{after: 1m, min_proficiency: 2}]}
    topics:
      - {code: vraag, name: Vraag, domain: algemeen, queue: kcc, confidential: true}
      - {code: wmo, name: WMO, domain: sociaal_domein, queue: wmo, skills: {wmo: 3}}
    handlers:
      - {id: h1, name: Een, skills: {kcc: 2, wmo: 4}, teams: [kcc, wmo], deputy: h2}
      - {id: h2, skills: {wmo: 3}, active: false}
    calendar:
      time_zone: Europe/Amsterdam
      hours: {phone: {mon: ["08:00-12:00", "13:00-17:00"]}}
      holidays: [koningsdag]
      outside_hours: {phone: callback}
    aging_per_minute: 0.5
    rules:
      - name: wmo-zaak
        when: 'topic == wmo and case.open'
        then:
          - require_skill: wmo
          - prefer_handler: h1
        continue: true
      - name: rest
        when: "true"
        then: [{route_to: kcc}, {raise_priority: 5}]
)"),
                                                          "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const core::TenantConfig& routing = config->tenants[0].routing;
  ASSERT_EQ(routing.handlers.size(), 2u);
  EXPECT_EQ(routing.handlers[0].skills.at("kcc"), 2);
  EXPECT_FALSE(routing.handlers[1].active);
  EXPECT_THAT(routing.calendar.holidays, ElementsAre(core::Holiday::kKoningsdag));
  EXPECT_EQ(routing.calendar.hours[core::Channel::kPhone]->days[0].size(), 2u);
  EXPECT_EQ(routing.aging_per_minute, 0.5);
  ASSERT_EQ(routing.rules.size(), 2u);
  const core::RuleSpec& rule = routing.rules[0];
  EXPECT_EQ(rule.when, "topic == wmo and case.open");
  // The rule's map starts at line 21, column 9; the condition inside the quotes at 22:16.
  EXPECT_EQ(rule.location.line, 21);
  EXPECT_EQ(rule.location.column, 9);
  EXPECT_EQ(rule.when_location.line, 22);
  EXPECT_EQ(rule.when_location.column, 16);
  EXPECT_EQ(rule.then[0].kind, core::ActionSpec::Kind::kRequireSkill);
  EXPECT_EQ(rule.then[0].value, 1);  // the short form takes proficiency 1
  EXPECT_EQ(rule.then[1].target, "h1");
  EXPECT_EQ(rule.then[1].location.line, 25);
  EXPECT_EQ(rule.then[1].location.column, 29);
  EXPECT_EQ(routing.rules[1].then.size(), 2u);
  EXPECT_THAT(config->warnings, IsEmpty());
}

// Warnings do not refuse the file; they are collected in order.
TEST_F(RouterConfigTest, RuleWarningsAreCollected) {
  absl::StatusOr<RouterConfig> config =
      ParseRouterConfig(Tenant(R"(    queues: [{name: kcc}, {name: nacht}]
    handlers:
      - {id: h1, skills: {kcc: 3}}
    rules:
      - name: nachtdienst
        when: time >= 22:00
        then:
          - route_to: nacht
)"),
                        "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(config->warnings,
              ElementsAre("test.yaml:12:23: rule 'nachtdienst': route_to 'nacht': no active "
                          "handler in the roster has skill 'nacht' or is in team 'nacht'; "
                          "contacts will wait until someone with it signs in"));
}

TEST_F(RouterConfigTest, MissingSecretsAreWarningsWhenNotRequired) {
  const std::string yaml =
      "tenants:\n  - id: t\n    name: T\n    pseudonym_secret_env: WISSEL_TEST_UNSET_SECRET\n"
      "  - id: u\n    name: U\n    pseudonym_secret_file: /nonexistent/secret\n";
  EXPECT_FALSE(ParseRouterConfig(yaml, "test.yaml").ok());
  LoadOptions options;
  options.require_secrets = false;
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(yaml, "test.yaml", options);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->tenants[0].pseudonym_secret, "");
  EXPECT_EQ(config->tenants[0].pseudonym_secret_source, "env:WISSEL_TEST_UNSET_SECRET");
  EXPECT_THAT(
      config->warnings,
      ElementsAre("test.yaml:4:27: tenants[0].pseudonym_secret_env: environment variable "
                  "'WISSEL_TEST_UNSET_SECRET' is not set or empty (not required for this check)",
                  "test.yaml:7:28: tenants[1].pseudonym_secret_file: cannot open "
                  "'/nonexistent/secret': No such file or directory (not required for this "
                  "check)"));
  // A secret that is there but too short is still an error.
  const absl::StatusOr<RouterConfig> short_secret = ParseRouterConfig(
      "tenants:\n  - id: t\n    name: T\n    pseudonym_secret_env: WISSEL_TEST_SHORT_SECRET\n",
      "test.yaml", options);
  EXPECT_FALSE(short_secret.ok());
}

// The test's temporary directory, without a trailing slash.
std::string TestDir() {
  std::string dir = ::testing::TempDir();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// Writes `contents` to a fresh file in TestDir(); returns its path.
std::string WriteFile(const std::string& name, const std::string& contents) {
  const std::string path = TestDir() + "/" + name;
  std::ofstream(path) << contents;
  return path;
}

TEST_F(RouterConfigTest, ErrorsInTheHandlersFilePointIntoIt) {
  const std::string dir = TestDir();
  WriteFile("roster_bad.yaml",
            "handlers:\n"
            "  gemeente-test:\n"
            "    - {id: h1, skills: {q: 3}}\n"
            "    - {id: h2, deputy: h7}\n");
  absl::StatusOr<RouterConfig> config =
      ParseRouterConfig(Tenant("    queues: [{name: q}]\n    handlers_file: roster_bad.yaml\n"),
                        dir + "/wissel.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            dir +
                "/roster_bad.yaml:4:24: tenants[0].handlers[1].deputy: unknown handler 'h7' "
                "(not in the roster)");

  WriteFile("roster_syntax.yaml", "handlers:\n  gemeente-test: [\n");
  config =
      ParseRouterConfig(Tenant("    handlers_file: roster_syntax.yaml\n"), dir + "/wissel.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              StartsWith(dir + "/roster_syntax.yaml:3:1: malformed YAML"));

  WriteFile("roster_other.yaml", "handlers:\n  gemeente-elders: []\n");
  config =
      ParseRouterConfig(Tenant("    handlers_file: roster_other.yaml\n"), dir + "/wissel.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            dir + "/wissel.yaml:5:20: tenants[0].handlers_file: '" + dir +
                "/roster_other.yaml' has no roster for tenant 'gemeente-test' (expected "
                "handlers: {gemeente-test: [...]})");

  WriteFile("roster_extra.yaml", "handlers:\n  gemeente-test: []\n  gemeente-elders: []\n");
  config =
      ParseRouterConfig(Tenant("    handlers_file: roster_extra.yaml\n"), dir + "/wissel.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            dir +
                "/roster_extra.yaml:3:3: handlers.gemeente-elders: no tenant "
                "'gemeente-elders' reads its roster from this file");

  WriteFile("roster_key.yaml", "rooster:\n  gemeente-test: []\n");
  config = ParseRouterConfig(Tenant("    handlers_file: roster_key.yaml\n"), dir + "/wissel.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            dir +
                "/roster_key.yaml:1:1: rooster: unknown key 'rooster'; expected one of: "
                "handlers");
}

TEST_F(RouterConfigTest, ErrorsInTheRulesFilePointIntoIt) {
  const std::string dir = TestDir();
  WriteFile("rules_ok.yaml",
            "rules:\n"
            "  - name: a\n"
            "    when: channel == chat\n"
            "    then: [{route_to: q}]\n");
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(
      Tenant("    queues: [{name: q}]\n    rules_file: rules_ok.yaml\n"), dir + "/wissel.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->tenants[0].routing.rules[0].when_location.file, dir + "/rules_ok.yaml");
  EXPECT_EQ(config->tenants[0].routing.rules[0].when_location.line, 3);
  EXPECT_EQ(config->tenants[0].routing.rules[0].when_location.column, 11);

  WriteFile("rules_bad.yaml",
            "rules:\n"
            "  - name: a\n"
            "    when: channel == chat and topic.phase >= maatwerk\n"
            "    then: [{route_to: q}]\n"
            "  - name: b\n"
            "    when: priority > 50\n"
            "    then: [{route_to: wmo}]\n");
  config = ParseRouterConfig(Tenant("    queues: [{name: q}]\n    rules_file: rules_bad.yaml\n"),
                             dir + "/wissel.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            dir +
                "/rules_bad.yaml:3:43: rule 'a': operator '>=' does not apply to topic.phase "
                "(use ==, != or in)\n" +
                dir + "/rules_bad.yaml:7:23: rule 'b': route_to: unknown queue 'wmo'; queues: q");

  WriteFile("rules_schema.yaml", "rules:\n  - name: a\n    when: open\n    thne: []\n");
  config = ParseRouterConfig(Tenant("    rules_file: rules_schema.yaml\n"), dir + "/wissel.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            dir +
                "/rules_schema.yaml:4:5: tenants[0].rules[0].thne: unknown key 'thne'; did you "
                "mean 'then'?");

  config = ParseRouterConfig(Tenant("    rules_file: missing_rules.yaml\n"), dir + "/wissel.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              StartsWith(dir + "/wissel.yaml:5:17: tenants[0].rules_file: cannot open '" + dir +
                         "/missing_rules.yaml'"));
}

// Positions inside a folded (`>`) condition are only approximate; literal blocks are exact.
TEST_F(RouterConfigTest, BlockScalarConditionPositions) {
  absl::StatusOr<RouterConfig> config = ParseRouterConfig(Tenant(R"(    queues: [{name: q}]
    rules:
      - name: blok
        when: |

          channel == phone and
            priority > 5 and chanel == chat
        then: [{route_to: q}]
)"),
                                                          "test.yaml");
  ASSERT_FALSE(config.ok());
  // Line 11 (after the blank line), column 30: "chanel" in the more-indented line.
  EXPECT_THAT(std::string(config.status().message()),
              StartsWith("test.yaml:11:30: rule 'blok': unknown field 'chanel'; did you mean "
                         "'channel'?"));
}

}  // namespace
}  // namespace wissel::config
