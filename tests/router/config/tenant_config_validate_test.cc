// Tests for core::TenantConfig::Validate, FindTopic and FindQueue. They live next to the loader's
// tests because the loader relies on Validate's "PATH: reason" message shape to locate errors.
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/core/calendar_config.h"
#include "router/core/channel.h"
#include "router/core/tenant_config.h"

namespace wissel::core {
namespace {

TenantConfig ValidConfig() {
  TenantConfig config;
  config.id = "gemeente-test";
  config.name = "Gemeente Test";
  config.queues = {{"kcc", "kcc", absl::Minutes(4)}, {"wmo", "wmo", absl::Minutes(12)}};
  config.topics = {{"algemene-vraag", "Algemene vraag", "algemeen", "kcc", 20},
                   {"wmo-hulpmiddelen", "WMO: hulpmiddelen", "sociaal_domein", "wmo", 60}};
  return config;
}

TEST(TenantConfigValidateTest, AcceptsAValidConfig) { EXPECT_TRUE(ValidConfig().Validate().ok()); }

TEST(TenantConfigValidateTest, AcceptsBoundaryValues) {
  TenantConfig config = ValidConfig();
  config.topics[0].default_priority = 0;
  config.topics[1].default_priority = 100;
  config.handler_defaults.capacity = PerChannel<int>(0);
  config.topics.clear();  // a tenant without a catalogue is allowed (not useful, not wrong)
  EXPECT_TRUE(config.Validate().ok()) << config.Validate();
}

struct Case {
  const char* name;
  std::function<void(TenantConfig&)> mutate;
  const char* message;  // the whole message
};

TEST(TenantConfigValidateTest, RejectsEachProblemNamingTheField) {
  const Case cases[] = {
      {"empty id", [](TenantConfig& c) { c.id.clear(); }, "id: must not be empty"},
      {"negative capacity",
       [](TenantConfig& c) { c.handler_defaults.capacity[Channel::kWebForm] = -1; },
       "handler_defaults.capacity.web_form: must be >= 0, got -1"},
      {"zero offer timeout",
       [](TenantConfig& c) { c.handler_defaults.offer_timeout = absl::ZeroDuration(); },
       "handler_defaults.offer_timeout: must be positive, got 0"},
      {"negative wrap-up",
       [](TenantConfig& c) { c.handler_defaults.max_wrap_up = absl::Seconds(-1); },
       "handler_defaults.max_wrap_up: must be positive, got -1s"},
      {"empty queue name", [](TenantConfig& c) { c.queues[1].name.clear(); },
       "queues[1].name: must not be empty"},
      {"duplicate queue", [](TenantConfig& c) { c.queues[1].name = "kcc"; },
       "queues[1].name: duplicate queue 'kcc' (first defined at queues[0])"},
      {"empty skill", [](TenantConfig& c) { c.queues[0].skill.clear(); },
       "queues[0].skill: must not be empty"},
      {"zero handle time",
       [](TenantConfig& c) { c.queues[1].default_handle_time = absl::ZeroDuration(); },
       "queues[1].default_handle_time: must be positive, got 0"},
      {"empty topic code", [](TenantConfig& c) { c.topics[0].code.clear(); },
       "topics[0].code: must not be empty"},
      {"duplicate topic", [](TenantConfig& c) { c.topics[1].code = "algemene-vraag"; },
       "topics[1].code: duplicate topic code 'algemene-vraag' (first defined at topics[0])"},
      {"empty topic queue", [](TenantConfig& c) { c.topics[0].queue.clear(); },
       "topics[0].queue: must not be empty"},
      {"unknown queue", [](TenantConfig& c) { c.topics[1].queue = "wmo2"; },
       "topics[1].queue: unknown queue 'wmo2'"},
      {"priority below range", [](TenantConfig& c) { c.topics[0].default_priority = -1; },
       "topics[0].default_priority: must be between 0 and 100, got -1"},
      {"priority above range", [](TenantConfig& c) { c.topics[1].default_priority = 101; },
       "topics[1].default_priority: must be between 0 and 100, got 101"},
      // The routing-core model.
      {"channel blocks itself",
       [](TenantConfig& c) { c.handler_defaults.blocks[Channel::kChat] = {Channel::kChat}; },
       "handler_defaults.blocks.chat[0]: a channel does not block itself (capacity limits it)"},
      {"channel blocked twice",
       [](TenantConfig& c) {
         c.handler_defaults.blocks[Channel::kChat] = {Channel::kPhone, Channel::kPhone};
       },
       "handler_defaults.blocks.chat[1]: duplicate channel 'phone'"},
      {"queue proficiency", [](TenantConfig& c) { c.queues[0].min_proficiency = 0; },
       "queues[0].min_proficiency: proficiency must be between 1 and 5, got 0"},
      {"zero sla target", [](TenantConfig& c) { c.queues[1].sla_target = absl::ZeroDuration(); },
       "queues[1].sla_target: must be positive, got 0"},
      {"escalation out of order",
       [](TenantConfig& c) {
         c.queues[1].escalation = {{.after = absl::Minutes(2), .offer_callback = true},
                                   {.after = absl::Minutes(2), .overflow_queue = "kcc"}};
       },
       "queues[1].escalation[1].after: steps must be ordered by 'after': 2m is not later than "
       "the previous step's 2m"},
      {"escalation overflow unknown",
       [](TenantConfig& c) {
         c.queues[1].escalation = {{.after = absl::Minutes(2), .overflow_queue = "kcc2"}};
       },
       "queues[1].escalation[0].overflow: unknown queue 'kcc2'"},
      {"escalation does nothing",
       [](TenantConfig& c) { c.queues[1].escalation = {{.after = absl::Minutes(2)}}; },
       "queues[1].escalation[0]: step does nothing; give min_proficiency, overflow or "
       "offer_callback"},
      {"escalation zero after",
       [](TenantConfig& c) { c.queues[1].escalation = {{.offer_callback = true}}; },
       "queues[1].escalation[0].after: must be positive, got 0"},
      {"topic skill unknown",
       [](TenantConfig& c) {
         c.topics[1].skills = {{"tolk", 2}};
       },
       "topics[1].skills.tolk: unknown skill 'tolk': no queue has it and no handler in the "
       "roster has it"},
      {"topic skill level",
       [](TenantConfig& c) {
         c.topics[1].skills = {{"wmo", 6}};
       },
       "topics[1].skills.wmo: proficiency must be between 1 and 5, got 6"},
      {"norm answer zero",
       [](TenantConfig& c) { c.topics[0].norms[Channel::kPhone].answer_within = absl::Seconds(0); },
       "topics[0].norms.phone.answer_within: must be positive, got 0"},
      {"norm working days zero",
       [](TenantConfig& c) { c.topics[0].norms[Channel::kEmail].working_days = 0; },
       "topics[0].norms.email.working_days: must be at least 1, got 0"},
      {"digital alternative url",
       [](TenantConfig& c) {
         c.topics[0].digital_alternative = DigitalAlternative{"ftp://x", ""};
       },
       "topics[0].digital_alternative.url: must start with https:// or http://, got 'ftp://x'"},
      {"confidential on an unauthorised queue",
       [](TenantConfig& c) { c.topics[1].confidential = true; },
       "topics[1].confidential: queue 'wmo' is not authorised_for_confidential; route "
       "confidential topics to an authorised queue"},
      {"handler without id", [](TenantConfig& c) { c.handlers = {{}}; },
       "handlers[0].id: must not be empty"},
      {"handler skill level",
       [](TenantConfig& c) {
         c.handlers = {{.id = "h1", .skills = {{"wmo", 9}}}};
       },
       "handlers[0].skills.wmo: proficiency must be between 1 and 5, got 9"},
      {"handler unknown team",
       [](TenantConfig& c) {
         c.handlers = {{.id = "h1", .teams = {"kcc", "balie"}}};
       },
       "handlers[0].teams[1]: unknown team 'balie'; teams are queue names"},
      {"deputy unknown", [](TenantConfig& c) { c.handlers = {{.id = "h1", .deputy = "h2"}}; },
       "handlers[0].deputy: unknown handler 'h2' (not in the roster)"},
      {"duplicate handler",
       [](TenantConfig& c) {
         c.handlers = {{.id = "h1"}, {.id = "h1"}};
       },
       "handlers[1].id: duplicate handler id 'h1' (first defined at handlers[0])"},
      {"overlapping hours",
       [](TenantConfig& c) {
         WeeklyHours hours;
         hours.days[2] = {{8 * 60, 12 * 60}, {11 * 60, 17 * 60}};
         c.calendar.hours[Channel::kPhone] = hours;
         c.calendar.closed_message = "Gesloten";
       },
       "calendar.hours.phone.wed[1]: opens at 11:00, before the previous range closes at "
       "12:00; list ranges in order without overlap"},
      {"exception range past midnight",
       [](TenantConfig& c) {
         c.calendar.exceptions = {{absl::CivilDay(2026, 12, 24), {{8 * 60, 25 * 60}}, "x"}};
       },
       "calendar.exceptions[0].hours[0]: invalid range 480..1500 minutes; it must open before "
       "it closes, within 00:00-24:00"},
      {"closed message missing",
       [](TenantConfig& c) { c.calendar.hours[Channel::kBalie] = WeeklyHours(); },
       "calendar.closed_message: must be set: channel 'balie' shows it outside its opening "
       "hours (outside_hours)"},
      {"tenzij boost", [](TenantConfig& c) { c.digital_first.tenzij_priority_boost = -1; },
       "digital_first.tenzij_priority_boost: must be between 0 and 100, got -1"},
      {"negative wait for contact person",
       [](TenantConfig& c) { c.contact_person.wait_for_contact_person = absl::Seconds(-1); },
       "contact_person.wait_for_contact_person: must not be negative"},
      {"negative aging", [](TenantConfig& c) { c.aging_per_minute = -1; },
       "aging_per_minute: must be a number >= 0, got -1"},
  };
  for (const Case& c : cases) {
    TenantConfig config = ValidConfig();
    c.mutate(config);
    const absl::Status status = config.Validate();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(status.message(), c.message) << c.name;
  }
}

TEST(TenantConfigValidateTest, AcceptsTheRoutingModel) {
  TenantConfig config = ValidConfig();
  config.queues[0].authorised_for_confidential = true;
  config.queues[1].min_proficiency = 3;
  config.queues[1].escalation = {{.after = absl::Seconds(45), .min_proficiency = 2},
                                 {.after = absl::Minutes(2), .overflow_queue = "kcc"},
                                 {.after = absl::Minutes(5), .offer_callback = true}};
  config.topics[0].confidential = true;
  config.topics[1].skills = {{"wmo", 3}, {"tolk", 2}};  // tolk: from the roster
  config.topics[1].norms[Channel::kPhone].answer_within = absl::Seconds(30);
  config.topics[1].norms[Channel::kWebForm].working_days = 5;
  config.handlers = {{.id = "h1", .skills = {{"tolk", 3}}, .teams = {"kcc"}, .deputy = "h2"},
                     {.id = "h2", .active = false}};
  WeeklyHours hours;
  hours.days[3] = {{8 * 60 + 30, 12 * 60}, {12 * 60, 20 * 60}};  // touching ranges are fine
  config.calendar.hours[Channel::kBalie] = hours;
  config.calendar.outside_hours[Channel::kBalie] = OutsideHoursOutcome::kCallback;
  config.contact_person.wait_for_contact_person = absl::ZeroDuration();
  config.aging_per_minute = 0;
  EXPECT_TRUE(config.Validate().ok()) << config.Validate();
}

TEST(TenantConfigTest, FindTopicAndQueue) {
  const TenantConfig config = ValidConfig();
  ASSERT_NE(config.FindTopic("wmo-hulpmiddelen"), nullptr);
  EXPECT_EQ(config.FindTopic("wmo-hulpmiddelen")->queue, "wmo");
  EXPECT_EQ(config.FindTopic("paspoort"), nullptr);
  ASSERT_NE(config.FindQueue("kcc"), nullptr);
  EXPECT_EQ(config.FindQueue("kcc")->default_handle_time, absl::Minutes(4));
  EXPECT_EQ(config.FindQueue("burgerzaken"), nullptr);
}

TEST(TenantConfigValidateTest, SurveysNameOnlyTopicsOfTheCatalogue) {
  TenantConfig config = ValidConfig();
  config.surveys.topic_rate = {{"wmo-hulpmiddelen", 0.5}};
  EXPECT_TRUE(config.Validate().ok());
  config.surveys.topic_rate.emplace_back("paspoort", 0.5);
  EXPECT_THAT(std::string(config.Validate().message()),
              ::testing::HasSubstr("surveys.topics.paspoort: no such topic"));
}

TEST(SurveyPolicyTest, TopicRateThenChannelRateThenRateAndNeverConfidentialByDefault) {
  TenantConfig config = ValidConfig();
  TenantConfig::SurveyPolicy& p = config.surveys;
  p.rate = 0.05;
  p.channel_rate[Channel::kPhone] = 0.2;
  p.topic_rate = {{"wmo-hulpmiddelen", 0.5}};
  TopicConfig general = config.topics[0];
  TopicConfig wmo = config.topics[1];
  EXPECT_EQ(p.RateFor(wmo, Channel::kPhone), 0.5);
  EXPECT_EQ(p.RateFor(general, Channel::kPhone), 0.2);
  EXPECT_EQ(p.RateFor(general, Channel::kChat), 0.05);
  general.confidential = true;
  EXPECT_EQ(p.RateFor(general, Channel::kPhone), 0.0);
  wmo.confidential = true;  // named: its own rate holds
  EXPECT_EQ(p.RateFor(wmo, Channel::kPhone), 0.5);
}

TEST(SurveyPolicyTest, SamplingIsStableAndNearTheRate) {
  int sampled = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string id = absl::StrCat("c-", i);
    const bool once = SurveySampled(id, 0.1);
    EXPECT_EQ(once, SurveySampled(id, 0.1));  // the same contact, the same answer
    if (once) ++sampled;
  }
  EXPECT_GT(sampled, 1800);
  EXPECT_LT(sampled, 2200);
  EXPECT_FALSE(SurveySampled("c-1", 0));
  EXPECT_TRUE(SurveySampled("c-1", 1));
  // Pinned (FNV-1a of "c-1" is 339796 modulo 10^6), so that a change of the hash, which would
  // change which contacts a replay samples, is noticed.
  EXPECT_FALSE(SurveySampled("c-1", 0.339796));
  EXPECT_TRUE(SurveySampled("c-1", 0.339797));
}

}  // namespace
}  // namespace wissel::core
