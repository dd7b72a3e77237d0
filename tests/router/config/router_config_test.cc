#include "router/config/router_config.h"

#include <stdlib.h>

#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/core/channel.h"

namespace wissel::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef";  // exactly 32 bytes

class RouterConfigTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The example file reads its secrets from these, as the run script exports them.
    setenv("WISSEL_PSEUDONYM_SECRET_WISSELOORD", "dev-secret-wisseloord-0123456789abcdef", 1);
    setenv("WISSEL_PSEUDONYM_SECRET_SPOORWIJK", "dev-secret-spoorwijk-0123456789abcdef", 1);
    setenv("WISSEL_TEST_SHORT_SECRET", "too-short", 1);
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
  EXPECT_EQ(routing.channel_names[core::Channel::kChat], "Live chat");
  EXPECT_EQ(routing.handler_defaults.capacity[core::Channel::kChat], 3);
  EXPECT_EQ(routing.handler_defaults.offer_timeout, absl::Seconds(20));
  EXPECT_EQ(routing.handler_defaults.max_wrap_up, absl::Minutes(2));
  EXPECT_EQ(routing.topics.size(), 25u);
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
  EXPECT_EQ(tenant.routing.handler_defaults.capacity, core::HandlerDefaults().capacity);
  EXPECT_EQ(tenant.routing.channel_names[core::Channel::kPhone], "Telefoon");
  EXPECT_TRUE(tenant.routing.topics.empty());
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
std::string Tenant(absl::string_view rest = "") {
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

}  // namespace
}  // namespace wissel::config
