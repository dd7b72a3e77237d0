// The phone adapter's YAML configuration: the example file loads, and every mistake is reported
// with file, line, column and key path.
#include "adapters/sip/sip_config.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/sip/sip_test_util.h"

namespace wissel::adapters::sip::testing {
namespace {

using ::testing::HasSubstr;

TEST(SipConfigTest, ParsesTheTestConfig) {
  absl::StatusOr<SipConfig> config = ParseSipConfig(kTestConfigYaml, "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->tenant, "gemeente-test");
  ASSERT_EQ(config->numbers.size(), 2u);
  EXPECT_EQ(config->numbers[0].number, "14 0123");
  EXPECT_EQ(config->numbers[0].ivr.at("2"), "verhuizing");
  EXPECT_EQ(config->queue_waiting_uris.at("burgerzaken"), "sip:wacht-burgerzaken@pbx.test");
  EXPECT_EQ(config->closed_uri, "sip:gesloten@pbx.test");
  EXPECT_EQ(config->retry_after, absl::Seconds(5));
  EXPECT_EQ(config->ivr_header, "X-IVR-Choice");
  EXPECT_TRUE(config->trust_asserted_identity);
}

TEST(SipConfigTest, LoadsTheExampleFile) {
  absl::StatusOr<SipConfig> config = LoadSipConfig(WISSEL_SOURCE_DIR "/config/example/sip.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->tenant, "gemeente-wisseloord");
  EXPECT_EQ(config->numbers[0].topic, "algemene-vraag");
}

TEST(SipConfigTest, TrustedPeersAreAddressesAndBlocks) {
  absl::StatusOr<SipConfig> config = ParseSipConfig(kTestConfigYaml, "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->trusted_peers.blocks().size(), 2u);
  EXPECT_EQ(config->trusted_peers.blocks()[0].ToString(), "127.0.0.1/32");
  EXPECT_EQ(config->trusted_peers.blocks()[1].ToString(), "2001:db8::/32");
  EXPECT_FALSE(config->allow_any_peer);

  absl::StatusOr<SipConfig> example = LoadSipConfig(WISSEL_SOURCE_DIR "/config/example/sip.yaml");
  ASSERT_TRUE(example.ok()) << example.status();
  EXPECT_TRUE(example->trusted_peers.Contains(IpAddress::Parse("127.0.0.1").value()));
  EXPECT_FALSE(example->allow_any_peer);
}

// allow_any_peer: only on purpose, and only where nobody else can reach the adapter.
TEST(SipConfigTest, AnyPeerOnlyExplicitlyAndOnLoopback) {
  const std::string yaml = absl::StrReplaceAll(
      kTestConfigYaml, {{"trusted_peers: [127.0.0.1, \"2001:db8::/32\"]", "allow_any_peer: true"}});
  absl::StatusOr<SipConfig> config = ParseSipConfig(yaml, "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->allow_any_peer);
  EXPECT_TRUE(config->trusted_peers.empty());
  for (const char* loopback : {"127.0.0.1:5060", "127.0.0.2:0", "[::1]:5060", "localhost:5060"}) {
    EXPECT_TRUE(CheckPeerPolicy(*config, {loopback, ""}).ok()) << loopback;
  }
  for (const char* open : {"0.0.0.0:5060", "[::]:5060", "10.0.0.5:5060", ":5060", "pbx:5060"}) {
    const absl::Status status = CheckPeerPolicy(*config, {"127.0.0.1:5060", open});
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << open;
    EXPECT_THAT(status.message(),
                HasSubstr(absl::StrCat("needs a loopback listen address, not '", open, "'")));
  }
  // With a trusted list and no allow_any_peer, any listen address is fine: strangers get 403.
  absl::StatusOr<SipConfig> listed = ParseSipConfig(kTestConfigYaml, "test.yaml");
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_TRUE(CheckPeerPolicy(*listed, {"0.0.0.0:5060", "[::]:5060"}).ok());
}

TEST(SipConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadSipConfig("/nonexistent/sip.yaml").status().code(), absl::StatusCode::kNotFound);
}

struct BadCase {
  std::string from;
  std::string to;
  std::string expected;
};

TEST(SipConfigTest, MistakesNameFileLineAndKey) {
  const BadCase cases[] = {
      {"tenant: gemeente-test", "tenant: \"gemeente test\"", "test.yaml:2:9: tenant:"},
      {"tenant: gemeente-test", "tenantt: x", "tenantt: unknown key"},
      {"    topic: algemene-vraag\n", "    topic: \"\"\n", "numbers[0].topic"},
      {"\"14 0123\"", "\"14 abc\"", "numbers[0].number: must be 1-32 digits"},
      {"\"0123-456789\"", "\"140123\"", "numbers[1].number: is listed twice"},
      {"{\"1\": paspoort", "{\"x\": paspoort", "numbers[0].ivr[x]"},
      {"\"sip:{handler}@pbx.test\"", "\"sip:pbx.test\"", "handler_uri_template: must contain"},
      {"default: \"sip:wacht@pbx.test\"", "default: \"http://x\"",
       "waiting.default: must be a sip:, sips: or tel: URI"},
      {"closed: \"sip:gesloten@pbx.test\"", "closed: \"sip:a b@pbx\"", "announcements.closed"},
      {"  callback: \"sip:terugbellen@pbx.test\"\n", "", "announcements.callback: is required"},
      {"retry_after: 5s", "retry_after: soon", "retry_after: must be a duration"},
      {"use_handler_address: true", "use_handler_address: maybe", "use_handler_address"},
      {"tenant: gemeente-test", "tenant: [a", "test.yaml:"},
      {"trusted_peers: [127.0.0.1,", "trusted_peers: [10.0.0.1/8,",
       "test.yaml:18:17: trusted_peers[0]: '10.0.0.1/8' has bits set after the prefix; did you "
       "mean 10.0.0.0/8?"},
      {"\"2001:db8::/32\"", "pbx.example", "trusted_peers[1]: 'pbx.example' is not an IPv4"},
      {"\"2001:db8::/32\"", "\"10.0.0.0/33\"",
       "trusted_peers[1]: '10.0.0.0/33': the prefix length must be 0 to 32"},
      {"\"2001:db8::/32\"", "[10.0.0.0/8]", "trusted_peers[1]: must be an address or a CIDR"},
      {"trusted_peers: [127.0.0.1, \"2001:db8::/32\"]", "trusted_peers: 127.0.0.1",
       "test.yaml:18:16: trusted_peers: must be a list of addresses or CIDR blocks"},
      {"trusted_peers: [127.0.0.1, \"2001:db8::/32\"]", "trusted_peers: []",
       "test.yaml:18:16: trusted_peers: list the addresses or CIDR blocks of the PBX"},
      {"trusted_peers: [127.0.0.1, \"2001:db8::/32\"]", "",
       "trusted_peers: list the addresses or CIDR blocks of the PBX"},
      {"trusted_peers: [127.0.0.1, \"2001:db8::/32\"]", "allow_any_peer: false",
       "trusted_peers: list the addresses or CIDR blocks of the PBX"},
      {"trusted_peers: [127.0.0.1, \"2001:db8::/32\"]", "allow_any_peer: maybe",
       "allow_any_peer: must be true or false"},
  };
  for (const BadCase& c : cases) {
    const std::string yaml = absl::StrReplaceAll(kTestConfigYaml, {{c.from, c.to}});
    ASSERT_NE(yaml, kTestConfigYaml) << c.from;
    absl::StatusOr<SipConfig> config = ParseSipConfig(yaml, "test.yaml");
    ASSERT_FALSE(config.ok()) << c.to;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(config.status().message(), HasSubstr(c.expected)) << c.to;
  }
}

// Durations are written as in every Wissel config (base/duration.h), as the router reads them.
TEST(SipConfigTest, DurationsUseTheSyntaxOfEveryWisselConfig) {
  const struct {
    const char* retry_after;
    const char* call_memory;
    absl::Duration want_retry_after;
    absl::Duration want_call_memory;
  } cases[] = {
      {"5s", "10m", absl::Seconds(5), absl::Minutes(10)},
      {"1500ms", "1h30m", absl::Milliseconds(1500), absl::Minutes(90)},
      {"1m", "30d", absl::Minutes(1), absl::Hours(24 * 30)},
  };
  for (const auto& c : cases) {
    const std::string yaml = absl::StrReplaceAll(
        kTestConfigYaml, {{"retry_after: 5s", absl::StrCat("retry_after: ", c.retry_after)},
                          {"call_memory: 10m", absl::StrCat("call_memory: ", c.call_memory)}});
    absl::StatusOr<SipConfig> config = ParseSipConfig(yaml, "test.yaml");
    ASSERT_TRUE(config.ok()) << config.status();
    EXPECT_EQ(config->retry_after, c.want_retry_after) << c.retry_after;
    EXPECT_EQ(config->call_memory, c.want_call_memory) << c.call_memory;
  }
  for (const char* bad : {"1.5s", "500ms", "5", "5 s", "-5s"}) {
    const std::string yaml = absl::StrReplaceAll(
        kTestConfigYaml, {{"retry_after: 5s", absl::StrCat("retry_after: ", bad)}});
    absl::StatusOr<SipConfig> config = ParseSipConfig(yaml, "test.yaml");
    ASSERT_FALSE(config.ok()) << bad;
    EXPECT_THAT(config.status().message(), HasSubstr("retry_after: must be a duration")) << bad;
  }
}

TEST(SipConfigTest, EmptyDocumentIsAnError) {
  EXPECT_FALSE(ParseSipConfig("", "x.yaml").ok());
  EXPECT_FALSE(ParseSipConfig("- a\n- b\n", "x.yaml").ok());
}

TEST(SipConfigTest, ValidateSipUri) {
  EXPECT_TRUE(ValidateSipUri("sip:wacht@pbx.example").ok());
  EXPECT_TRUE(ValidateSipUri("sips:wacht@pbx.example:5061;transport=tls").ok());
  EXPECT_TRUE(ValidateSipUri("tel:+31201234567").ok());
  EXPECT_FALSE(ValidateSipUri("").ok());
  EXPECT_FALSE(ValidateSipUri("http://x").ok());
  EXPECT_FALSE(ValidateSipUri("sip:a b@x").ok());
  EXPECT_FALSE(ValidateSipUri("sip:a@x>\r\nX: y").ok());
}

}  // namespace
}  // namespace wissel::adapters::sip::testing
