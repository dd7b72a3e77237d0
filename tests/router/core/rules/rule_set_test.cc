#include "router/core/rules/rule_set.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/core/contact.h"
#include "router/core/rules/rule_context.h"
#include "tests/router/core/rules/test_config.h"

namespace wissel::core::rules {
namespace {

using testing::Act;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::Rule;
using ::testing::StartsWith;
using Kind = ActionSpec::Kind;

class RuleSetTest : public ::testing::Test {
 protected:
  RuleSetTest() : config_(testing::TestConfig()) {
    ctx_.channel = Channel::kPhone;
    ctx_.topic = config_.FindTopic("paspoort");
    ctx_.language = "nl";
    ctx_.priority = 50;
    ctx_.local_time = absl::CivilSecond(2026, 3, 2, 10, 15, 0);
    ctx_.open = true;
  }

  RuleSet Compile() {
    absl::StatusOr<RuleSet> rules = RuleSet::Compile(config_);
    EXPECT_TRUE(rules.ok()) << rules.status();
    return rules.ok() ? *std::move(rules) : RuleSet();
  }

  std::vector<std::string> FiredNames(const RuleSet& rules, const RuleOutcome& outcome) {
    std::vector<std::string> names;
    for (uint32_t i : outcome.fired_rules) names.push_back(rules.rule(i).name);
    return names;
  }

  TenantConfig config_;
  RuleContext ctx_;
};

TEST_F(RuleSetTest, EmptyRuleSetFiresNothing) {
  const RuleSet rules = Compile();
  EXPECT_EQ(rules.size(), 0u);
  const RuleOutcome outcome = rules.Evaluate(ctx_);
  EXPECT_FALSE(outcome.matched());
  EXPECT_EQ(outcome.queue, nullptr);
  EXPECT_EQ(outcome.Priority(33), 33);
  EXPECT_EQ(RuleSet().size(), 0u);
  EXPECT_FALSE(RuleSet().Evaluate(ctx_).matched());
}

TEST_F(RuleSetTest, EachActionApplies) {
  config_.rules = {Rule("alles", "true",
                        {Act(Kind::kRouteTo, "wmo"), Act(Kind::kRequireSkill, "wmo", 3),
                         Act(Kind::kRequireSkill, "taal", 2), Act(Kind::kSetPriority, "", 60),
                         Act(Kind::kRaisePriority, "", 10), Act(Kind::kPreferHandler, "mw-2"),
                         Act(Kind::kOfferDigital), Act(Kind::kScheduleCallback)})};
  const RuleSet rules = Compile();
  const RuleOutcome outcome = rules.Evaluate(ctx_);
  ASSERT_TRUE(outcome.matched());
  EXPECT_EQ(outcome.queue, config_.FindQueue("wmo"));
  ASSERT_EQ(outcome.required_skills.size(), 2u);
  EXPECT_EQ(outcome.required_skills[0]->skill, "wmo");
  EXPECT_EQ(outcome.required_skills[0]->min_proficiency, 3);
  EXPECT_EQ(outcome.required_skills[1]->skill, "taal");
  EXPECT_EQ(outcome.set_priority, 60);
  EXPECT_EQ(outcome.raise_priority, 10);
  EXPECT_EQ(outcome.Priority(20), 70);
  EXPECT_EQ(outcome.prefer_handler, config_.FindHandler("mw-2"));
  EXPECT_TRUE(outcome.offer_digital);
  EXPECT_TRUE(outcome.schedule_callback);
  EXPECT_EQ(outcome.close_message, nullptr);
  EXPECT_THAT(FiredNames(rules, outcome), ElementsAre("alles"));
}

TEST_F(RuleSetTest, CloseCarriesItsMessage) {
  config_.rules = {Rule("dicht", "not open",
                        {Act(Kind::kClose, "We zijn gesloten. Bel maandag vanaf 8.30 uur."),
                         Act(Kind::kOfferDigital)})};
  const RuleSet rules = Compile();
  ctx_.open = false;
  const RuleOutcome outcome = rules.Evaluate(ctx_);
  ASSERT_NE(outcome.close_message, nullptr);
  EXPECT_EQ(*outcome.close_message, "We zijn gesloten. Bel maandag vanaf 8.30 uur.");
  EXPECT_TRUE(outcome.offer_digital);
  ctx_.open = true;
  EXPECT_FALSE(rules.Evaluate(ctx_).matched());
}

TEST_F(RuleSetTest, FirstMatchWinsAndStops) {
  config_.rules = {
      Rule("chat", "channel == chat", {Act(Kind::kRouteTo, "kcc-algemeen")}),
      Rule("telefoon", "channel == phone", {Act(Kind::kRouteTo, "burgerzaken")}),
      Rule("paspoort", "topic == paspoort", {Act(Kind::kRouteTo, "wmo")}),
  };
  const RuleSet rules = Compile();
  EXPECT_EQ(rules.size(), 3u);
  const RuleOutcome outcome = rules.Evaluate(ctx_);
  EXPECT_THAT(FiredNames(rules, outcome), ElementsAre("telefoon"));
  EXPECT_EQ(outcome.queue, config_.FindQueue("burgerzaken"));
}

TEST_F(RuleSetTest, ContinueAppliesAndKeepsGoingLaterOverrides) {
  config_.rules = {
      Rule("taal", "language != nl",
           {Act(Kind::kRouteTo, "taalteam"), Act(Kind::kRequireSkill, "taal", 2),
            Act(Kind::kRaisePriority, "", 10)},
           /*continue_matching=*/true),
      Rule("tenzij", "needs.any", {Act(Kind::kRaisePriority, "", 20)}, true),
      Rule("sociaal", "topic.domain == sociaal_domein",
           {Act(Kind::kRouteTo, "wmo"), Act(Kind::kRequireSkill, "taal", 4),
            Act(Kind::kSetPriority, "", 90)}),
      Rule("nooit", "true", {Act(Kind::kRouteTo, "kcc-algemeen")}),
  };
  const RuleSet rules = Compile();
  RuleOutcome outcome = rules.NewOutcome();

  ctx_.language = "ar";
  ctx_.needs = NeedBit(Need::kLanguageBarrier);
  ctx_.topic = config_.FindTopic("mantelzorg");
  rules.Evaluate(ctx_, &outcome);
  EXPECT_THAT(FiredNames(rules, outcome), ElementsAre("taal", "tenzij", "sociaal"));
  EXPECT_EQ(outcome.queue, config_.FindQueue("wmo"));  // the later route_to wins
  ASSERT_EQ(outcome.required_skills.size(), 1u);       // one entry per skill, highest level
  EXPECT_EQ(outcome.required_skills[0]->min_proficiency, 4);
  EXPECT_EQ(outcome.set_priority, 90);
  EXPECT_EQ(outcome.raise_priority, 30);
  EXPECT_EQ(outcome.Priority(50), 100);  // 90 + 30 capped

  // The same outcome object is reused: everything from the previous contact is gone.
  ctx_.language = "nl";
  ctx_.needs = 0;
  ctx_.topic = config_.FindTopic("paspoort");
  rules.Evaluate(ctx_, &outcome);
  EXPECT_THAT(FiredNames(rules, outcome), ElementsAre("nooit"));
  EXPECT_EQ(outcome.queue, config_.FindQueue("kcc-algemeen"));
  EXPECT_THAT(outcome.required_skills, IsEmpty());
  EXPECT_EQ(outcome.set_priority, std::nullopt);
  EXPECT_EQ(outcome.raise_priority, 0);
  EXPECT_EQ(outcome.Priority(50), 50);

  // A continue rule that fires alone still matches; nothing after it needs to.
  ctx_.language = "en";
  config_.rules.pop_back();
  const RuleSet fewer = Compile();
  const RuleOutcome only_continue = fewer.Evaluate(ctx_);
  EXPECT_THAT(FiredNames(fewer, only_continue), ElementsAre("taal"));
  EXPECT_EQ(only_continue.Priority(50), 60);
}

TEST_F(RuleSetTest, PriorityIsCappedBothWays) {
  RuleOutcome outcome;
  outcome.set_priority = 0;
  EXPECT_EQ(outcome.Priority(70), 0);
  outcome.raise_priority = 150;
  EXPECT_EQ(outcome.Priority(70), 100);
  outcome.set_priority.reset();
  outcome.raise_priority = 0;
  EXPECT_EQ(outcome.Priority(-5), 0);
}

TEST_F(RuleSetTest, NewOutcomeHasWorstCaseCapacity) {
  config_.rules = {
      Rule("a", "true", {Act(Kind::kRequireSkill, "wmo", 2)}, true),
      Rule("b", "true", {Act(Kind::kRequireSkill, "taal", 2)}, true),
      Rule("c", "true", {Act(Kind::kRequireSkill, "wmo", 3)}),
      Rule("d", "true", {Act(Kind::kRequireSkill, "kcc", 3)}),
  };
  const RuleSet rules = Compile();
  RuleOutcome outcome = rules.NewOutcome();
  EXPECT_GE(outcome.fired_rules.capacity(), 3u);
  EXPECT_GE(outcome.required_skills.capacity(), 3u);
  const auto* fired_data = outcome.fired_rules.data();
  const auto* skills_data = outcome.required_skills.data();
  rules.Evaluate(ctx_, &outcome);
  EXPECT_EQ(outcome.fired_rules.size(), 3u);
  EXPECT_EQ(outcome.required_skills.size(), 2u);
  // No reallocation happened.
  EXPECT_EQ(outcome.fired_rules.data(), fired_data);
  EXPECT_EQ(outcome.required_skills.data(), skills_data);
  EXPECT_THAT(rules.warnings(), ElementsAre(HasSubstr("rule 'd': can never fire: rule 'c'")));
}

TEST_F(RuleSetTest, CopiesShareTheProgram) {
  config_.rules = {Rule("a", "channel == phone", {Act(Kind::kRouteTo, "wmo")})};
  RuleSet original = Compile();
  const RuleSet copy = original;
  RuleSet moved = std::move(original);
  EXPECT_EQ(copy.Evaluate(ctx_).queue, config_.FindQueue("wmo"));
  EXPECT_EQ(moved.Evaluate(ctx_).queue, config_.FindQueue("wmo"));
  EXPECT_EQ(&copy.rule(0), &config_.rules[0]);
}

SourceLocation At(int line, int column) { return SourceLocation{"rules.yaml", line, column}; }

struct ErrorCase {
  std::string name;
  std::vector<RuleSpec> rules;
  std::string message;  // the whole first line
};

RuleSpec Located(RuleSpec rule, int line) {
  rule.location = At(line, 5);
  rule.when_location = At(line + 1, 11);
  for (size_t i = 0; i < rule.then.size(); ++i) {
    rule.then[i].location = At(line + 3 + static_cast<int>(i), 20);
  }
  return rule;
}

TEST_F(RuleSetTest, CompileErrorsNameFileLineColumnAndRule) {
  const ErrorCase cases[] = {
      {"UnknownQueue",
       {Located(Rule("r", "true", {Act(Kind::kRouteTo, "wmo2")}), 10)},
       "rules.yaml:13:20: rule 'r': route_to: unknown queue 'wmo2'; queues: kcc-algemeen, "
       "burgerzaken, wmo, schuldhulp, taalteam, nacht"},
      {"UnknownHandler",
       {Located(Rule("r", "true", {Act(Kind::kPreferHandler, "mw-77")}), 10)},
       "rules.yaml:13:20: rule 'r': prefer_handler: unknown handler 'mw-77' (not in the roster)"},
      {"UnknownSkill",
       {Located(Rule("r", "true", {Act(Kind::kRequireSkill, "vliegen", 2)}), 10)},
       "rules.yaml:13:20: rule 'r': require_skill: unknown skill 'vliegen': no queue has it and "
       "no handler in the roster has it"},
      {"ProficiencyOutOfRange",
       {Located(Rule("r", "true", {Act(Kind::kRequireSkill, "wmo", 6)}), 10)},
       "rules.yaml:13:20: rule 'r': require_skill: min_proficiency must be between 1 and 5, got 6"},
      {"SetPriorityOutOfRange",
       {Located(Rule("r", "true", {Act(Kind::kSetPriority, "", 101)}), 10)},
       "rules.yaml:13:20: rule 'r': set_priority: must be between 0 and 100, got 101"},
      {"RaisePriorityNegative",
       {Located(Rule("r", "true", {Act(Kind::kRaisePriority, "", -5)}), 10)},
       "rules.yaml:13:20: rule 'r': raise_priority: must be between 0 and 100, got -5"},
      {"EmptyClose",
       {Located(Rule("r", "true", {Act(Kind::kClose, "")}), 10)},
       "rules.yaml:13:20: rule 'r': close: the message must not be empty"},
      {"CloseWithRouteTo",
       {Located(Rule("r", "true", {Act(Kind::kRouteTo, "wmo"), Act(Kind::kClose, "Dicht")}), 10)},
       "rules.yaml:14:20: rule 'r': close gives the resident a message and no person; it cannot "
       "be combined with route_to in one rule"},
      {"TwiceRouteTo",
       {Located(Rule("r", "true", {Act(Kind::kRouteTo, "wmo"), Act(Kind::kRouteTo, "wmo")}), 10)},
       "rules.yaml:14:20: rule 'r': route_to appears twice in one rule"},
      {"NoActions",
       {Located(Rule("r", "true", {}), 10)},
       "rules.yaml:10:5: rule 'r': rule has no actions (then: is empty)"},
      {"DuplicateName",
       {Located(Rule("dubbel", "true", {Act(Kind::kRouteTo, "wmo")}, true), 10),
        Located(Rule("dubbel", "true", {Act(Kind::kRouteTo, "wmo")}), 20)},
       "rules.yaml:20:5: rule 'dubbel': duplicate rule name (first defined at line 10)"},
      {"EmptyName",
       {Located(Rule("", "true", {Act(Kind::kRouteTo, "wmo")}), 10)},
       "rules.yaml:10:5: rule '': rule has no name"},
      {"BadOperator",
       {Located(Rule("r", "channel = phone", {Act(Kind::kRouteTo, "wmo")}), 10)},
       "rules.yaml:11:19: rule 'r': use '==' to compare ('=' alone is not an operator)"},
      {"TypeMismatch",
       {Located(Rule("r", "channel == 45s", {Act(Kind::kRouteTo, "wmo")}), 10)},
       "rules.yaml:11:22: rule 'r': channel is compared with a channel (phone, chat, web_form, "
       "balie, email), not with the duration '45s'"},
      {"UnterminatedString",
       {Located(Rule("r", "topic == \"paspoort", {Act(Kind::kRouteTo, "wmo")}), 10)},
       "rules.yaml:11:20: rule 'r': unterminated string (missing closing \")"},
      {"UnknownTopic",
       {Located(Rule("r", "topic == fiets", {Act(Kind::kRouteTo, "wmo")}), 10)},
       "rules.yaml:11:20: rule 'r': unknown topic 'fiets'"},
      {"ErrorOnALaterLineOfAMultiLineCondition",
       {Located(Rule("r", "channel == phone\nand topic == fiets", {Act(Kind::kRouteTo, "wmo")}),
                10)},
       "rules.yaml:12:24: rule 'r': unknown topic 'fiets'"},
  };
  for (const ErrorCase& c : cases) {
    config_.rules = c.rules;
    absl::StatusOr<RuleSet> rules = RuleSet::Compile(config_);
    ASSERT_FALSE(rules.ok()) << c.name;
    EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    const std::vector<std::string> lines = absl::StrSplit(rules.status().message(), '\n');
    EXPECT_EQ(lines[0], c.message) << c.name;
  }
}

TEST_F(RuleSetTest, EveryProblemIsReportedNotJustTheFirst) {
  config_.rules = {
      Located(Rule("a", "topic == fiets", {Act(Kind::kRouteTo, "wmo")}), 10),
      Located(Rule("b", "true", {Act(Kind::kRouteTo, "nergens")}), 20),
      Located(Rule("c", "channel == phone", {Act(Kind::kRouteTo, "wmo")}), 30),
  };
  absl::StatusOr<RuleSet> rules = RuleSet::Compile(config_);
  ASSERT_FALSE(rules.ok());
  const std::vector<std::string> lines = absl::StrSplit(rules.status().message(), '\n');
  EXPECT_THAT(lines,
              ElementsAre(StartsWith("rules.yaml:11:20: rule 'a': unknown topic"),
                          StartsWith("rules.yaml:23:20: rule 'b': route_to: unknown queue")));
}

TEST_F(RuleSetTest, WithoutAFileErrorsNameTheRuleIndexAndCharacter) {
  config_.rules = {Rule("ok", "true", {Act(Kind::kRouteTo, "wmo")}, true),
                   Rule("kapot", "channel == fax", {Act(Kind::kRouteTo, "wmo")})};
  absl::StatusOr<RuleSet> rules = RuleSet::Compile(config_);
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().message(),
            "rules[1] rule 'kapot': unknown channel 'fax'; expected one of: phone, chat, "
            "web_form, balie, email (at character 12 of the condition)");
}

TEST_F(RuleSetTest, WarningsAreReportedNotRefused) {
  config_.rules = {
      Located(Rule("nacht", "time >= 20:00", {Act(Kind::kRouteTo, "nacht")}), 10),
      Located(Rule("expert", "case.open", {Act(Kind::kRequireSkill, "wmo", 5)}), 20),
      Located(Rule("oud", "party.known", {Act(Kind::kPreferHandler, "mw-9")}), 30),
      Located(Rule("ok", "channel == chat", {Act(Kind::kRouteTo, "wmo")}), 40),
  };
  const RuleSet rules = Compile();
  EXPECT_THAT(
      rules.warnings(),
      ElementsAre(
          "rules.yaml:13:20: rule 'nacht': route_to 'nacht': no active handler in the roster "
          "has skill 'nacht' or is in team 'nacht'; contacts will wait until someone with it "
          "signs in",
          "rules.yaml:23:20: rule 'expert': require_skill 'wmo' at 5: no active handler in the "
          "roster has it at that level",
          "rules.yaml:33:20: rule 'oud': prefer_handler 'mw-9' is inactive in the roster and is "
          "never assigned"));

  // A queue served only through team membership (no explicit skill) counts as served.
  config_.handlers.push_back({.id = "mw-5", .name = "Nachtdienst", .teams = {"nacht"}});
  EXPECT_THAT(Compile().warnings(), ::testing::SizeIs(2));

  // Without a roster (handlers only sign in) the roster checks are skipped.
  config_.handlers.clear();
  config_.rules = {Located(Rule("nacht", "true", {Act(Kind::kRouteTo, "nacht")}), 10)};
  EXPECT_THAT(Compile().warnings(), IsEmpty());
}

TEST_F(RuleSetTest, OfferDigitalWithoutAnyAlternativeWarns) {
  for (TopicConfig& t : config_.topics) t.digital_alternative.reset();
  config_.rules = {Located(Rule("digitaal", "true", {Act(Kind::kOfferDigital)}), 10)};
  EXPECT_THAT(Compile().warnings(),
              ElementsAre("rules.yaml:13:20: rule 'digitaal': offer_digital: no topic has a "
                          "digital_alternative to offer"));
}

}  // namespace
}  // namespace wissel::core::rules
