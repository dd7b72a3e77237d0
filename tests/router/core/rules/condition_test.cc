#include "router/core/rules/condition.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/core/contact.h"
#include "router/core/rules/rule_context.h"
#include "tests/router/core/rules/test_config.h"

namespace wissel::core::rules {
namespace {

using ::testing::HasSubstr;

class ConditionTest : public ::testing::Test {
 protected:
  ConditionTest() : config_(testing::TestConfig()), compiler_(config_) {
    attributes_ = {{"afspraakcode", "B-123"}, {"ivr", "3"}, {"taal", "tr"}};
    base_.channel = Channel::kPhone;
    base_.topic = config_.FindTopic("paspoort");
    base_.language = "nl";
    base_.needs = 0;
    base_.digid = DigidLevel::kMidden;
    base_.priority = 50;
    base_.queue_expected_wait = absl::Seconds(30);
    base_.local_time = absl::CivilSecond(2026, 3, 2, 10, 15, 0);  // a Monday
    base_.open = true;
    base_.attributes = &attributes_;
  }

  bool Eval(const std::string& when, const RuleContext& ctx) {
    size_t offset = 0;
    absl::StatusOr<Condition> c = compiler_.Compile(when, &offset);
    EXPECT_TRUE(c.ok()) << when << ": " << c.status() << " at " << offset;
    if (!c.ok()) return false;
    return c->Evaluate(ctx);
  }

  const TopicConfig* Topic(const std::string& code) { return config_.FindTopic(code); }

  TenantConfig config_;
  ConditionCompiler compiler_;
  std::vector<std::pair<std::string, std::string>> attributes_;
  RuleContext base_;
};

struct Case {
  std::string when;
  std::function<void(RuleContext&)> change;  // applied to the base context; may be empty
  bool expected;
};

TEST_F(ConditionTest, EveryFieldAndOperator) {
  const auto topic = [this](const char* code) {
    return [this, code](RuleContext& c) { c.topic = Topic(code); };
  };
  const Case cases[] = {
      // channel
      {"channel == phone", nullptr, true},
      {"channel == chat", nullptr, false},
      {"channel != chat", nullptr, true},
      {"channel == \"phone\"", nullptr, true},
      {"channel in [chat, web_form]", nullptr, false},
      {"channel in [chat, web_form]", [](RuleContext& c) { c.channel = Channel::kWebForm; }, true},
      {"channel not in [chat, web_form]", nullptr, true},
      {"channel == email", [](RuleContext& c) { c.channel = Channel::kEmail; }, true},
      {"channel == balie", [](RuleContext& c) { c.channel = Channel::kBalie; }, true},
      // topic
      {"topic == paspoort", nullptr, true},
      {"topic.code == paspoort", nullptr, true},
      {"topic != paspoort", nullptr, false},
      {"topic == id-kaart", topic("id-kaart"), true},
      {"topic == \"id-kaart\"", topic("id-kaart"), true},
      {"topic in [id-kaart, paspoort]", nullptr, true},
      {"topic not in [id-kaart, schuldhulp]", nullptr, true},
      {"topic == paspoort", [](RuleContext& c) { c.topic = nullptr; }, false},
      {"topic != paspoort", [](RuleContext& c) { c.topic = nullptr; }, true},
      // topic.domain
      {"topic.domain == burgerzaken", nullptr, true},
      {"topic.domain == \"sociaal_domein\"", topic("mantelzorg"), true},
      {"topic.domain != sociaal_domein", nullptr, true},
      {"topic.domain in [algemeen, sociaal_domein]", topic("algemene-vraag"), true},
      {"topic.domain == burgerzaken", [](RuleContext& c) { c.topic = nullptr; }, false},
      // topic.phase
      {"topic.phase == none", nullptr, true},
      {"topic.phase == maatwerk", topic("wmo-hulpmiddelen"), true},
      {"topic.phase == preventie", topic("mantelzorg"), true},
      {"topic.phase == eigen_kracht", topic("schuldhulp"), true},
      {"topic.phase in [preventie, maatwerk]", topic("schuldhulp"), false},
      {"topic.phase != maatwerk", nullptr, true},
      // topic booleans
      {"topic.confidential", topic("schuldhulp"), true},
      {"topic.confidential", nullptr, false},
      {"topic.confidential == false", nullptr, true},
      {"topic.has_digital_alternative", nullptr, true},
      {"topic.has_digital_alternative", topic("id-kaart"), false},
      {"topic.has_digital_alternative", [](RuleContext& c) { c.topic = nullptr; }, false},
      // language
      {"language == nl", nullptr, true},
      {"language == \"nl\"", nullptr, true},
      {"language != nl", nullptr, false},
      {"language in [en, ar, tr]", nullptr, false},
      {"language in [en, ar, tr]", [](RuleContext& c) { c.language = "ar"; }, true},
      {"language not in [en, ar]", nullptr, true},
      {"language == \"\"", [](RuleContext& c) { c.language = ""; }, true},
      // needs
      {"low_digital_skills in needs", nullptr, false},
      {"low_digital_skills in needs",
       [](RuleContext& c) { c.needs = NeedBit(Need::kLowDigitalSkills); }, true},
      {"language_barrier in needs",
       [](RuleContext& c) { c.needs = NeedBit(Need::kLowDigitalSkills); }, false},
      {"language_barrier not in needs", nullptr, true},
      {"impairment in needs", [](RuleContext& c) { c.needs = NeedBit(Need::kImpairment); }, true},
      {"vulnerable_situation in needs",
       [](RuleContext& c) { c.needs = NeedBit(Need::kVulnerable); }, true},
      {"vulnerable in needs", [](RuleContext& c) { c.needs = NeedBit(Need::kVulnerable); }, true},
      {"needs.any", nullptr, false},
      {"needs.any", [](RuleContext& c) { c.needs = NeedBit(Need::kImpairment); }, true},
      {"needs.count >= 2",
       [](RuleContext& c) { c.needs = NeedBit(Need::kImpairment) | NeedBit(Need::kVulnerable); },
       true},
      {"needs.count == 0", nullptr, true},
      // digid: ordered none < basis < midden < substantieel < hoog
      {"digid == midden", nullptr, true},
      {"digid >= midden", nullptr, true},
      {"digid > midden", nullptr, false},
      {"digid < substantieel", nullptr, true},
      {"digid <= basis", nullptr, false},
      {"digid >= substantieel", [](RuleContext& c) { c.digid = DigidLevel::kHoog; }, true},
      {"digid == none", [](RuleContext& c) { c.digid = DigidLevel::kNone; }, true},
      {"digid in [basis, midden]", nullptr, true},
      // simple booleans
      {"party.known", nullptr, false},
      {"party.known", [](RuleContext& c) { c.party_known = true; }, true},
      {"case.open", [](RuleContext& c) { c.case_open = true; }, true},
      {"case.open == true", nullptr, false},
      {"case.open != true", nullptr, true},
      {"contact_person.exists", [](RuleContext& c) { c.has_contact_person = true; }, true},
      {"wants_person", [](RuleContext& c) { c.wants_person = true; }, true},
      {"wants_person == false", nullptr, true},
      {"open", nullptr, true},
      {"open", [](RuleContext& c) { c.open = false; }, false},
      {"not open", [](RuleContext& c) { c.open = false; }, true},
      // priority
      {"priority == 50", nullptr, true},
      {"priority != 50", nullptr, false},
      {"priority < 50", nullptr, false},
      {"priority <= 50", nullptr, true},
      {"priority > 49", nullptr, true},
      {"priority >= 51", nullptr, false},
      {"priority in [10, 50, 90]", nullptr, true},
      {"priority in [10, 100, 90]", nullptr, false},
      // queue.expected_wait (durations)
      {"queue.expected_wait > 29s", nullptr, true},
      {"queue.expected_wait > 30s", nullptr, false},
      {"queue.expected_wait >= 30s", nullptr, true},
      {"queue.expected_wait < 1m", nullptr, true},
      {"queue.expected_wait > 2m",
       [](RuleContext& c) { c.queue_expected_wait = absl::Minutes(2) + absl::Seconds(1); }, true},
      {"queue.expected_wait > 1h",
       [](RuleContext& c) { c.queue_expected_wait = absl::InfiniteDuration(); }, true},
      {"queue.expected_wait == 1h30m",
       [](RuleContext& c) { c.queue_expected_wait = absl::Minutes(90); }, true},
      // time of day
      {"time >= 08:30", nullptr, true},
      {"time < 10:15", nullptr, false},
      {"time <= 10:15", nullptr, true},
      {"time == 10:15:00", nullptr, true},
      {"time > 10:14:59", nullptr, true},
      {"time >= 17:00",
       [](RuleContext& c) { c.local_time = absl::CivilSecond(2026, 3, 2, 17, 0, 0); }, true},
      {"time < 08:30",
       [](RuleContext& c) { c.local_time = absl::CivilSecond(2026, 3, 2, 8, 29, 59); }, true},
      // day (2026-03-02 is a Monday)
      {"day == mon", nullptr, true},
      {"day == ma", nullptr, true},
      {"day in [sat, sun]", nullptr, false},
      {"day in [sat, sun]",
       [](RuleContext& c) { c.local_time = absl::CivilSecond(2026, 3, 8, 12, 0, 0); }, true},
      {"day == zo", [](RuleContext& c) { c.local_time = absl::CivilSecond(2026, 3, 8, 12, 0, 0); },
       true},
      {"day == thu", [](RuleContext& c) { c.local_time = absl::CivilSecond(2026, 3, 5, 19, 0, 0); },
       true},
      {"day <= fri", nullptr, true},
      {"day > fri", [](RuleContext& c) { c.local_time = absl::CivilSecond(2026, 3, 7, 9, 0, 0); },
       true},
      {"day not in [sat, sun]", nullptr, true},
      // attributes
      {"attributes.afspraakcode == \"B-123\"", nullptr, true},
      {"attributes.afspraakcode != \"\"", nullptr, true},
      {"attributes.ontbreekt == \"\"", nullptr, true},
      {"attributes.ontbreekt != \"\"", nullptr, false},
      {"attributes.ivr == 3", nullptr, true},
      {"attributes.ivr in [\"1\", 3]", nullptr, true},
      {"attributes.taal not in [en, tr]", nullptr, false},
      {"attributes.afspraakcode == \"B-123\"", [](RuleContext& c) { c.attributes = nullptr; },
       false},
      // constants
      {"true", nullptr, true},
      {"false", nullptr, false},
  };
  for (const Case& c : cases) {
    RuleContext ctx = base_;
    if (c.change) c.change(ctx);
    EXPECT_EQ(Eval(c.when, ctx), c.expected) << c.when;
  }
}

TEST_F(ConditionTest, BooleanOperatorsAndPrecedence) {
  RuleContext ctx = base_;  // phone, paspoort, not open case, priority 50
  const Case cases[] = {
      {"channel == phone and topic == paspoort", nullptr, true},
      {"channel == phone and topic == id-kaart", nullptr, false},
      {"channel == chat or topic == paspoort", nullptr, true},
      {"channel == chat or topic == id-kaart", nullptr, false},
      {"not channel == chat", nullptr, true},
      {"not (channel == phone and topic == paspoort)", nullptr, false},
      // and binds tighter than or: true or (false and false) = true
      {"channel == phone or channel == chat and topic == id-kaart", nullptr, true},
      // (true or false) and false = false
      {"(channel == phone or channel == chat) and topic == id-kaart", nullptr, false},
      // not binds tighter than and: (not false) and true = true
      {"not case.open and channel == phone", nullptr, true},
      {"not (case.open or channel == phone)", nullptr, false},
      {"true and false or true", nullptr, true},
      {"false or false or false or true", nullptr, true},
      {"true and true and false", nullptr, false},
  };
  for (const Case& c : cases) EXPECT_EQ(Eval(c.when, ctx), c.expected) << c.when;
}

TEST_F(ConditionTest, TopicFromACopyOfTheConfigMatchesByCode) {
  const TenantConfig copy = config_;
  RuleContext ctx = base_;
  ctx.topic = copy.FindTopic("mantelzorg");
  EXPECT_TRUE(Eval("topic == mantelzorg", ctx));
  EXPECT_TRUE(Eval("topic.domain == sociaal_domein", ctx));
  TopicConfig stranger{.code = "onbekend", .domain = "burgerzaken"};
  ctx.topic = &stranger;
  EXPECT_FALSE(Eval("topic == paspoort", ctx));
  EXPECT_FALSE(Eval("topic.domain == burgerzaken", ctx));  // unknown topic: no domain
}

struct CompileErrorCase {
  std::string when;
  size_t offset;
  std::string message;  // a substring
};

TEST_F(ConditionTest, CompileErrorsNameOffsetAndReason) {
  const CompileErrorCase cases[] = {
      {"chanel == phone", 0, "unknown field 'chanel'; did you mean 'channel'?"},
      {"colour == blue", 0, "unknown field 'colour'; fields are: channel, topic"},
      {"channel == sms", 11, "unknown channel 'sms'; expected one of: phone, chat, web_form"},
      {"channel == chta", 11, "unknown channel 'chta'; did you mean 'chat'?"},
      {"channel == 45s", 11,
       "channel is compared with a channel (phone, chat, web_form, balie, email), not with the "
       "duration '45s'"},
      {"channel < phone", 8, "operator '<' does not apply to channel (use ==, != or in)"},
      {"channel in [phone, fax]", 19, "unknown channel 'fax'"},
      {"topic == paspoot", 9, "unknown topic 'paspoot'; did you mean 'paspoort'?"},
      {"topic in [paspoort, rijbewijs]", 20, "unknown topic 'rijbewijs'"},
      {"topic >= paspoort", 6, "operator '>=' does not apply to topic"},
      {"topic.domain == belastingen", 16,
       "unknown domain 'belastingen'; domains in the catalogue: burgerzaken, sociaal_domein, "
       "algemeen"},
      {"topic.phase == maatwerkk", 15, "unknown phase 'maatwerkk'; did you mean 'maatwerk'?"},
      {"digid >= middel", 9, "unknown DigiD level 'middel'; did you mean 'midden'?"},
      {"digid >= 2", 9, "digid is compared with a DigiD level"},
      {"day in [sat, zon]", 13, "unknown day 'zon'"},
      {"priority > high", 11, "priority is compared with a whole number, not with the word 'high'"},
      {"priority > \"5\"", 11, "priority is compared with a whole number"},
      {"queue.expected_wait > 120", 22,
       "queue.expected_wait is compared with a duration such as 45s, 2m or 1h, not with the "
       "number '120'"},
      {"time > 8", 7, "time is compared with a time of day such as 08:30"},
      {"time > 30s", 7, "time is compared with a time of day"},
      {"case.open == yes", 13, "case.open is compared with true or false"},
      {"case.open in [true]", 10, "'in' does not apply to case.open"},
      {"language == 08:30", 12, "language is compared with a string, not with the time"},
      {"priority", 0,
       "'priority' is a whole number, not a condition; compare it, e.g. "
       "'priority >= 50'"},
      {"channel", 0, "'channel' is a channel"},
      {"needs", 0, "'needs' is a set"},
      {"needs == low_digital_skills", 0, "'needs' is a set"},
      {"needs in [impairment]", 0, "'needs' is a set"},
      {"low_skills in needs", 0, "unknown need 'low_skills'"},
      {"phone in channel", 9, "channel is not a set"},
      {"phone in chanel", 9, "unknown field 'chanel'"},
      {"\"phone\" == channel", 0, "expected a field on the left of '==', got the string 'phone'"},
      {"attributes. == x", 0, "attribute name missing"},
      {"attributes == x", 0, "write attributes.NAME"},
      {"attributes.code < \"x\"", 16, "operator '<' does not apply to attributes.code"},
      {"channel == phone and (priority > 5 or topic == fiets)", 47, "unknown topic 'fiets'"},
      {"channel ==", 10, "expected a value"},  // syntax errors come through too
  };
  for (const CompileErrorCase& c : cases) {
    size_t offset = 999;
    absl::StatusOr<Condition> condition = compiler_.Compile(c.when, &offset);
    ASSERT_FALSE(condition.ok()) << c.when;
    EXPECT_EQ(condition.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(condition.status().message()), HasSubstr(c.message)) << c.when;
    EXPECT_EQ(offset, c.offset) << c.when << ": " << condition.status();
  }
}

TEST_F(ConditionTest, DefaultConditionIsTrueAndAlwaysTrueIsDetected) {
  EXPECT_TRUE(Condition().Evaluate(base_));
  EXPECT_TRUE(Condition().AlwaysTrue());
  size_t offset = 0;
  EXPECT_TRUE(compiler_.Compile("true", &offset)->AlwaysTrue());
  EXPECT_FALSE(compiler_.Compile("open", &offset)->AlwaysTrue());
}

TEST_F(ConditionTest, LargeListsOutsideTheBitmaskRange) {
  RuleContext ctx = base_;
  ctx.priority = 77;
  EXPECT_TRUE(Eval("priority in [1, 2, 77, 1000]", ctx));
  EXPECT_FALSE(Eval("priority not in [1, 2, 77, 1000]", ctx));
  EXPECT_FALSE(Eval("priority in [1, 2, 1000]", ctx));
}

}  // namespace
}  // namespace wissel::core::rules

namespace wissel::core::rules {
namespace {

uint32_t Bit(Channel c) { return 1u << static_cast<unsigned>(c); }

TEST(ConditionChannelsTest, PossibleChannelsFollowTheStructure) {
  const TenantConfig config = testing::TestConfig();
  ConditionCompiler compiler(config);
  const uint32_t all = (1u << kChannelCount) - 1;
  struct Case {
    const char* when;
    uint32_t channels;
  };
  for (const Case& c : std::vector<Case>{
           {"channel == chat and wants_person", Bit(Channel::kChat)},
           {"channel in [phone, chat]", Bit(Channel::kPhone) | Bit(Channel::kChat)},
           {"channel not in [phone]", all & ~Bit(Channel::kPhone)},
           {"channel != phone", all & ~Bit(Channel::kPhone)},
           {"channel == chat or channel == balie", Bit(Channel::kChat) | Bit(Channel::kBalie)},
           {"channel == chat and channel == phone", 0},
           {"not (channel == chat)", all},  // conservative: not analysed
           {"wants_person", all},
           {"false", 0},
       }) {
    size_t offset = 0;
    absl::StatusOr<Condition> condition = compiler.Compile(c.when, &offset);
    ASSERT_TRUE(condition.ok()) << c.when << ": " << condition.status();
    EXPECT_EQ(condition->PossibleChannels(), c.channels) << c.when;
  }
}

}  // namespace
}  // namespace wissel::core::rules
