// The balie's YAML configuration: topic groups, appointment prefixes, desks, and the errors an
// operator gets for a broken file (file:line:col: key: reason).
#include "adapters/balie/balie_config.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/balie/test_config.h"

namespace wissel::adapters::balie {
namespace {

using ::testing::HasSubstr;

TEST(BalieConfigTest, ParsesGroupsAppointmentsAndDesks) {
  const BalieConfig config = testing::TestConfig();
  EXPECT_EQ(config.tenant, "gemeente-test");
  EXPECT_EQ(config.time_zone, "Europe/Amsterdam");
  ASSERT_EQ(config.groups.size(), 3u);
  ASSERT_EQ(config.desks.size(), 2u);
  EXPECT_EQ(config.desks[0].name, "Balie 1");
  EXPECT_EQ(config.desks[0].token.env, "TEST_DESK_1_TOKEN");
  EXPECT_EQ(config.desks[1].token.file, "/run/secrets/desk-2");
  EXPECT_EQ(config.kiosk_token.env, "TEST_KIOSK_TOKEN");
}

TEST(BalieConfigTest, MapsTopicsToGroups) {
  const BalieConfig config = testing::TestConfig();
  struct Case {
    const char* topic;
    char letter;  // 0: no group
  };
  for (const Case& c :
       {Case{"paspoort", 'A'}, Case{"rijbewijs", 'A'}, Case{"wmo-hulpmiddelen", 'B'},
        Case{"algemene-vraag", 'C'}, Case{"grofvuil", 0}, Case{"", 0}, Case{"Paspoort", 0}}) {
    SCOPED_TRACE(c.topic);
    const TopicGroup* group = config.GroupOfTopic(c.topic);
    if (c.letter == 0) {
      EXPECT_EQ(group, nullptr);
    } else {
      ASSERT_NE(group, nullptr);
      EXPECT_EQ(group->letter, c.letter);
    }
  }
}

TEST(BalieConfigTest, AppointmentCodesTakeTheLongestPrefix) {
  const BalieConfig config = testing::TestConfig();
  ASSERT_NE(config.AppointmentFor("PAS-123"), nullptr);
  EXPECT_EQ(config.AppointmentFor("PAS-123")->topic, "paspoort");
  ASSERT_NE(config.AppointmentFor("PAS-WMO-9"), nullptr);
  EXPECT_EQ(config.AppointmentFor("PAS-WMO-9")->topic, "wmo-hulpmiddelen");
  EXPECT_EQ(config.AppointmentFor("XYZ-1"), nullptr);
  EXPECT_EQ(config.AppointmentFor("PAS"), nullptr);
}

TEST(BalieConfigTest, RefusesBrokenFilesWithLineAndKey) {
  struct Case {
    std::string yaml;
    std::string error;
  };
  const std::string desks =
      "desks: [{id: desk-1, name: Balie 1, skills: [balie], token_env: D1}]\n"
      "kiosk: {token_env: K}\n";
  const std::string groups = "topic_groups: [{letter: A, name: X, topics: [paspoort]}]\n";
  const Case cases[] = {
      {groups + desks, "tenant: is required"},
      {"tenant: Gemeente!\n" + groups + desks, "tenant: must be"},
      {"tenant: t\n" + desks, "topic_groups: is required"},
      {"tenant: t\ntopic_groups: [{letter: a, name: X, topics: [p]}]\n" + desks,
       "topic_groups[0].letter: must be one upper-case letter"},
      {"tenant: t\ntopic_groups: [{letter: A, name: X, topics: [p]}, "
       "{letter: A, name: Y, topics: [q]}]\n" +
           desks,
       "topic_groups[1].letter: is used by another group"},
      {"tenant: t\ntopic_groups: [{letter: A, name: X, topics: [p]}, "
       "{letter: B, name: Y, topics: [p]}]\n" +
           desks,
       "topic_groups[1].topics[0]: is already in another group"},
      {"tenant: t\n" + groups + "appointment_codes: [{prefix: pas-, topic: paspoort}]\n" + desks,
       "appointment_codes[0].prefix: must be"},
      {"tenant: t\n" + groups + "appointment_codes: [{prefix: WMO-, topic: wmo}]\n" + desks,
       "appointment_codes[0].topic: is in no topic group"},
      {"tenant: t\n" + groups, "desks: is required"},
      {"tenant: t\n" + groups +
           "desks: [{id: desk-1, name: B, skills: [s], token_env: D1}, "
           "{id: desk-1, name: C, skills: [s], token_env: D2}]\n",
       "desks[1].id: is used twice"},
      {"tenant: t\n" + groups + "desks: [{id: desk-1, name: B}]\n", "desks[0]: needs skills"},
      {"tenant: t\ntime_zone: Mars/Olympus\n" + groups + desks, "time_zone: is not a known"},
      {"tenant: t\nqueus: []\n" + groups + desks, "queus: unknown key"},
      {"tenant: [unclosed\n", "test.yaml:"},
      // Credentials: named, never written in the file.
      {"tenant: t\n" + groups +
           "desks: [{id: desk-1, name: B, skills: [s]}]\nkiosk: {token_env: K}\n",
       "desks[0]: needs exactly one of token_env and token_file"},
      {"tenant: t\n" + groups +
           "desks: [{id: desk-1, name: B, skills: [s], token_env: D, token_file: /f}]\n"
           "kiosk: {token_env: K}\n",
       "desks[0]: needs exactly one of token_env and token_file"},
      {"tenant: t\n" + groups +
           "desks: [{id: desk-1, name: B, skills: [s], token: geheim-geheim-geheim}]\n"
           "kiosk: {token_env: K}\n",
       "desks[0].token: a token is never written in this file"},
      {"tenant: t\n" + groups +
           "desks: [{id: desk-1, name: B, skills: [s], token_env: desk-1-token}]\n"
           "kiosk: {token_env: K}\n",
       "desks[0].token_env: must be an environment variable name"},
      {"tenant: t\n" + groups +
           "desks: [{id: desk-1, name: B, skills: [s], token_file: secrets/desk-1}]\n"
           "kiosk: {token_env: K}\n",
       "desks[0].token_file: must be an absolute path"},
      {"tenant: t\n" + groups + "desks: [{id: desk-1, name: B, skills: [s], token_env: D1}]\n",
       "kiosk: is required"},
      {"tenant: t\n" + groups + "desks: [{id: desk-1, name: B, skills: [s], token_env: D1}]\n" +
           "kiosk: {token: geheim-geheim-geheim}\n",
       "kiosk.token: a token is never written in this file"},
      {"tenant: t\n" + groups + "desks: [{id: desk-1, name: B, skills: [s], token_env: D1}]\n" +
           "kiosk: {}\n",
       "kiosk: needs exactly one of token_env and token_file"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    absl::StatusOr<BalieConfig> config = ParseBalieConfig(c.yaml, "test.yaml");
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(config.status().message(), HasSubstr(c.error));
    EXPECT_THAT(config.status().message(), HasSubstr("test.yaml:"));
  }
}

TEST(BalieConfigTest, ExampleFileLoads) {
  absl::StatusOr<BalieConfig> config =
      LoadBalieConfig(std::string(WISSEL_SOURCE_DIR) + "/config/example/balie.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->GroupOfTopic("paspoort")->letter, 'A');
  EXPECT_EQ(config->AppointmentFor("PAS-7K3Q9")->topic, "paspoort");
  EXPECT_EQ(config->FindDesk("desk-3")->name, "Balie 3");
}

}  // namespace
}  // namespace wissel::adapters::balie
