// The routing core's policies and strategies, with the injected clock: selection strategies,
// escalation steps, aging, channel combinations, "digitaal, tenzij", "één contactpersoon",
// confidential topics, opening hours, handling dates and rules.
#include <variant>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/core/router.h"
#include "tests/fakes/fake_clock.h"

namespace wissel::core {
namespace {

using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::wissel::testing::FakeClock;

template <typename T>
std::vector<T> EffectsOf(const EffectList& effects) {
  std::vector<T> out;
  for (const Effect& e : effects) {
    if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
  }
  return out;
}

// Monday 2026-11-23 10:00 in Amsterdam (UTC+1).
absl::Time Monday10() { return absl::FromUnixSeconds(1795424400); }

TenantConfig PolicyConfig() {
  TenantConfig config;
  // Handlers sign in without being listed in a roster.
  config.dynamic_handlers = true;
  config.id = "gemeente-test";
  config.name = "Gemeente Test";
  QueueConfig burgerzaken{"burgerzaken", "burgerzaken", absl::Minutes(4)};
  QueueConfig kcc{"kcc-algemeen", "kcc", absl::Minutes(3)};
  QueueConfig wmo{"wmo", "wmo", absl::Minutes(10)};
  wmo.min_proficiency = 3;
  wmo.escalation = {{absl::Seconds(45), 2, "", false},
                    {absl::Seconds(120), std::nullopt, "kcc-algemeen", false},
                    {absl::Seconds(300), std::nullopt, "", true}};
  QueueConfig schuld{"schuldhulp", "schuldhulp", absl::Minutes(20)};
  schuld.authorised_for_confidential = true;
  schuld.escalation = {{absl::Seconds(60), std::nullopt, "kcc-algemeen", false}};
  config.queues = {burgerzaken, kcc, wmo, schuld};
  TopicConfig paspoort{"paspoort", "Paspoort", "burgerzaken", "burgerzaken", 0};
  paspoort.digital_alternative = DigitalAlternative{"https://example.nl/paspoort", "Online"};
  TopicConfig afvalpas{"afvalpas", "Afvalpas", "afval", "kcc-algemeen", 0};
  afvalpas.digital_alternative = DigitalAlternative{"https://example.nl/afvalpas", "Online"};
  afvalpas.person_after_digital_offer = false;
  TopicConfig hulp{"wmo-hulpmiddelen", "Hulpmiddelen", "sociaal_domein", "wmo", 0};
  TopicConfig schuldhulp{"schuldhulp-intake", "Schuldhulp", "sociaal_domein", "schuldhulp", 0};
  schuldhulp.confidential = true;
  TopicConfig klacht{"klacht", "Klacht", "algemeen", "kcc-algemeen", 0};
  klacht.norms[Channel::kWebForm].working_days = 5;
  config.topics = {paspoort, afvalpas, hulp, schuldhulp, klacht};
  HandlerProfile anna{"anna", "Anna", {{"wmo", 5}}, {}, true, "bram"};
  HandlerProfile bram{"bram", "Bram", {{"wmo", 4}}, {}, true, ""};
  HandlerProfile oud{"oud", "Oud", {{"wmo", 5}}, {}, false, ""};
  config.handlers = {anna, bram, oud};
  config.handler_defaults.offer_timeout = absl::Seconds(20);
  config.contact_person.wait_for_contact_person = absl::Seconds(60);
  config.digital_first.digital_first_above_wait = absl::Minutes(30);
  return config;
}

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(PolicyConfig()); }
  void Build(TenantConfig config) {
    auto router = Router::Create(std::move(config), &clock_);
    ASSERT_TRUE(router.ok()) << router.status();
    router_ = *std::move(router);
  }
  NewContact Contact(const std::string& id, const std::string& topic,
                     Channel channel = Channel::kPhone) {
    NewContact c;
    c.id = id;
    c.topic = topic;
    c.channel = channel;
    c.idempotency_key = id;
    return c;
  }
  void SignIn(const std::string& id, std::map<std::string, int> skills,
              PerChannel<int> capacity = PerChannel<int>(-1)) {
    HandlerSignIn h;
    h.id = id;
    for (const auto& [skill, level] : skills) h.skills.push_back(skill);
    h.proficiency = std::move(skills);
    h.capacity = capacity;
    auto r = router_->SignIn(h, &effects_);
    ASSERT_TRUE(r.ok()) << r.status();
  }
  Decision Route(NewContact c) {
    auto d = router_->Route(std::move(c), &effects_);
    EXPECT_TRUE(d.ok()) << d.status();
    return d.value_or(Decision{});
  }

  FakeClock clock_{Monday10()};
  std::unique_ptr<Router> router_;
  EffectList effects_;
};

TEST_F(PolicyTest, BestProficiencyOutranksIdleTime) {
  TenantConfig config = PolicyConfig();
  config.queues[2].strategy = Strategy::kBestProficiency;
  Build(config);
  SignIn("h-low", {{"wmo", 3}});
  clock_.Advance(absl::Seconds(10));
  SignIn("h-high", {{"wmo", 5}});
  EXPECT_EQ(Route(Contact("c1", "wmo-hulpmiddelen")).handler_id, "h-high");
}

TEST_F(PolicyTest, LeastOccupiedSpreadsChats) {
  TenantConfig config = PolicyConfig();
  config.queues[0].strategy = Strategy::kLeastOccupied;
  Build(config);
  SignIn("h1", {{"burgerzaken", 3}});
  SignIn("h2", {{"burgerzaken", 3}});
  std::map<std::string, int> per_handler;
  for (int i = 0; i < 4; ++i) {
    NewContact c = Contact(absl::StrCat("chat", i), "paspoort", Channel::kChat);
    c.wants_person = true;
    per_handler[Route(c).handler_id]++;
  }
  EXPECT_EQ(per_handler["h1"], 2);
  EXPECT_EQ(per_handler["h2"], 2);
}

TEST_F(PolicyTest, RoundRobinRotates) {
  TenantConfig config = PolicyConfig();
  config.queues[1].strategy = Strategy::kRoundRobin;
  Build(config);
  for (const char* id : {"a", "b", "c"}) {
    HandlerSignIn h;
    h.id = id;
    h.skills = {"kcc"};
    h.capacity[Channel::kWebForm] = 10;
    ASSERT_TRUE(router_->SignIn(h, &effects_).ok());
  }
  std::vector<std::string> order;
  for (int i = 0; i < 6; ++i) {
    order.push_back(Route(Contact(absl::StrCat("f", i), "klacht", Channel::kWebForm)).handler_id);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "a", "b", "c"}));
}

TEST_F(PolicyTest, EscalationRelaxesProficiencyThenOverflowsThenOffersCallback) {
  SignIn("junior", {{"wmo", 2}});
  Decision d = Route(Contact("c1", "wmo-hulpmiddelen"));
  EXPECT_EQ(d.outcome, Decision::Outcome::kQueued);  // proficiency 3 needed, junior has 2

  clock_.Advance(absl::Seconds(44));
  effects_.clear();
  router_->Tick(&effects_);
  EXPECT_THAT(EffectsOf<ContactOffered>(effects_), SizeIs(0));
  clock_.Advance(absl::Seconds(1));  // 45 s: proficiency 2 accepted
  router_->Tick(&effects_);
  auto updated = EffectsOf<ContactUpdated>(effects_);
  ASSERT_THAT(updated, SizeIs(1));
  EXPECT_THAT(updated[0].reason, HasSubstr("proficiency 2"));
  auto offered = EffectsOf<ContactOffered>(effects_);
  ASSERT_THAT(offered, SizeIs(1));
  EXPECT_EQ(offered[0].handler_id, "junior");
}

TEST_F(PolicyTest, EscalationOverflowsToTheGeneralTeamAndOffersCallback) {
  Route(Contact("c1", "wmo-hulpmiddelen"));
  clock_.Advance(absl::Seconds(120));
  router_->Tick(&effects_);
  EXPECT_EQ(router_->FindContact("c1")->overflow_queues, std::vector<std::string>{"kcc-algemeen"});
  effects_.clear();
  SignIn("kcc-1", {{"kcc", 3}});
  auto offered = EffectsOf<ContactOffered>(effects_);
  ASSERT_THAT(offered, SizeIs(1));
  EXPECT_EQ(offered[0].contact_id, "c1");
  ASSERT_TRUE(router_->Reject("kcc-1", "c1", &effects_).ok());
  clock_.Advance(absl::Seconds(180));  // 300 s
  router_->Tick(&effects_);
  EXPECT_TRUE(router_->FindContact("c1")->callback);
  EXPECT_EQ(router_->Describe("c1")->outcome, Decision::Outcome::kCallback);
}

TEST_F(PolicyTest, AgingLetsALongWaitOvertakeLaterHigherPriority) {
  // 1 point per minute: a priority-0 contact that waited 30 minutes goes before a priority-20
  // contact that just arrived; a priority-50 one would still go first.
  Route(Contact("old", "paspoort"));
  clock_.Advance(absl::Minutes(30));
  NewContact newer = Contact("newer", "paspoort");
  newer.priority = 20;
  newer.wants_person = true;
  Route(newer);
  effects_.clear();
  SignIn("h1", {{"burgerzaken", 3}});
  auto offered = EffectsOf<ContactOffered>(effects_);
  ASSERT_THAT(offered, SizeIs(1));
  EXPECT_EQ(offered[0].contact_id, "old");
}

TEST_F(PolicyTest, ACallBlocksNewChats) {
  SignIn("h1", {{"burgerzaken", 3}});
  NewContact call = Contact("call", "paspoort");
  call.wants_person = true;
  EXPECT_EQ(Route(call).outcome, Decision::Outcome::kAssigned);
  NewContact chat = Contact("chat", "paspoort", Channel::kChat);
  chat.wants_person = true;
  EXPECT_EQ(Route(chat).outcome, Decision::Outcome::kQueued);
  ASSERT_TRUE(router_->Cancel("call", "hung up", &effects_).ok());
  EXPECT_EQ(router_->FindContact("chat")->state, ContactState::kOffered);
}

TEST_F(PolicyTest, InactiveRosterHandlerIsNeverAssigned) {
  HandlerSignIn h;
  h.id = "oud";
  auto r = router_->SignIn(h, &effects_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
}

struct DigitalCase {
  std::string name;
  std::string topic;
  NeedSet needs;
  bool wants_person;
  Decision::Outcome outcome;
  DigitalFirst digital_first;
};

TEST_F(PolicyTest, DigitaalTenzijSteersButNeverWalls) {
  SignIn("h1", {{"burgerzaken", 3}, {"kcc", 3}});
  const std::vector<DigitalCase> cases = {
      {"offered and routed", "paspoort", 0, false, Decision::Outcome::kAssigned,
       DigitalFirst::kOfferedAndRouted},
      {"done digitally", "afvalpas", 0, false, Decision::Outcome::kDigital, DigitalFirst::kSteered},
      {"low digital skills", "afvalpas", NeedBit(Need::kLowDigitalSkills), false,
       Decision::Outcome::kQueued, DigitalFirst::kExemptNeed},
      {"wants a person", "afvalpas", 0, true, Decision::Outcome::kQueued,
       DigitalFirst::kExemptWantsPerson},
      {"no alternative", "klacht", 0, false, Decision::Outcome::kQueued,
       DigitalFirst::kNotApplicable},
  };
  int n = 0;
  for (const DigitalCase& tc : cases) {
    SCOPED_TRACE(tc.name);
    NewContact c = Contact(absl::StrCat("d", n++), tc.topic);
    c.needs = tc.needs;
    c.wants_person = tc.wants_person;
    Decision d = Route(c);
    if (tc.outcome == Decision::Outcome::kQueued) {
      EXPECT_NE(d.outcome, Decision::Outcome::kDigital);
    } else {
      EXPECT_EQ(d.outcome, tc.outcome);
    }
    EXPECT_EQ(d.digital_first, tc.digital_first);
    EXPECT_THAT(d.Trace(), Contains(Field(&TraceStep::kind, "queue")));
    if (tc.digital_first == DigitalFirst::kExemptNeed) {
      EXPECT_EQ(router_->FindContact(d.contact_id)->priority, 20);  // the boost
    }
  }
  // A steered contact is recorded (counted), not live.
  bool steered_created = false;
  for (const auto& created : EffectsOf<ContactCreated>(effects_)) {
    if (created.reason == "steered_to_digital") steered_created = true;
  }
  EXPECT_TRUE(steered_created);
}

TEST_F(PolicyTest, LongExpectedWaitPutsTheDigitalOfferFirst) {
  TenantConfig config = PolicyConfig();
  config.digital_first.digital_first_above_wait = absl::Minutes(5);
  Build(config);
  for (int i = 0; i < 3; ++i) {
    NewContact c = Contact(absl::StrCat("w", i), "paspoort");
    c.wants_person = true;
    Route(c);
  }
  // Three waiting, 4 min each, nobody staffed: 16 min expected > 5 min.
  Decision d = Route(Contact("c", "paspoort"));
  EXPECT_EQ(d.outcome, Decision::Outcome::kDigital);
  ASSERT_TRUE(d.digital_offer.has_value());
  EXPECT_EQ(d.digital_offer->url, "https://example.nl/paspoort");
}

TEST_F(PolicyTest, ContactPersonGetsTheResidentFirstOnAnyChannel) {
  SignIn("anna", {{"wmo", 5}});
  SignIn("other", {{"wmo", 5}});
  ContactPersonMapping m{"p-resident", "sociaal_domein", "anna", absl::InfiniteFuture()};
  ASSERT_TRUE(router_->SetContactPerson(m, &effects_).ok());
  EXPECT_THAT(EffectsOf<ContactPersonSet>(effects_), SizeIs(1));
  // (A call would block chats, so the second contact comes after a web form.)
  for (Channel ch : {Channel::kWebForm, Channel::kChat}) {
    NewContact c = Contact(absl::StrCat("c", ChannelName(ch)), "wmo-hulpmiddelen", ch);
    c.party_pseudonym = "p-resident";
    Decision d = Route(c);
    EXPECT_EQ(d.handler_id, "anna") << ChannelName(ch);
    EXPECT_THAT(d.Trace(), Contains(Field(&TraceStep::name, "een_contactpersoon")));
  }
}

// A rotation of the pseudonym secret: the mapping made under the previous secret is found
// through the contact's previous pseudonym, re-keyed, and found under the current one after.
TEST_F(PolicyTest, ContactPersonUnderThePreviousSecretIsRekeyed) {
  SignIn("other", {{"wmo", 5}});
  SignIn("anna", {{"wmo", 5}});
  ContactPersonMapping m{"p-old", "sociaal_domein", "anna", absl::InfiniteFuture()};
  ASSERT_TRUE(router_->SetContactPerson(m, &effects_).ok());
  ContactPersonMapping c{"c-old", ContactPersonTable::kAnyDomain, "anna", absl::InfiniteFuture()};
  ASSERT_TRUE(router_->SetContactPerson(c, &effects_).ok());
  effects_.clear();

  NewContact first = Contact("c1", "wmo-hulpmiddelen", Channel::kWebForm);
  first.party_pseudonym = "p-new";
  first.previous_party_pseudonym = "p-old";
  first.case_pseudonym = "c-new";
  first.previous_case_pseudonym = "c-old";
  Decision d = Route(first);
  EXPECT_EQ(d.handler_id, "anna");
  EXPECT_THAT(d.Trace(), Contains(Field(&TraceStep::name, "een_contactpersoon")));
  std::vector<std::string> replaced;
  for (const ContactPersonSet& set : EffectsOf<ContactPersonSet>(effects_)) {
    replaced.push_back(set.replaces_pseudonym + ">" + set.mapping.party_pseudonym);
  }
  EXPECT_THAT(replaced, ::testing::UnorderedElementsAre("p-old>p-new", "c-old>c-new"));
  EXPECT_EQ(router_->FindContactPerson("p-old", "sociaal_domein"), nullptr);
  ASSERT_NE(router_->FindContactPerson("p-new", "sociaal_domein"), nullptr);
  EXPECT_EQ(router_->FindContactPerson("p-new", "sociaal_domein")->handler_id, "anna");
  ASSERT_NE(router_->FindContactPerson("c-new", ContactPersonTable::kAnyDomain), nullptr);

  // After the window: the contact carries the current pseudonym only.
  NewContact later = Contact("c2", "wmo-hulpmiddelen", Channel::kChat);
  later.party_pseudonym = "p-new";
  EXPECT_EQ(Route(later).handler_id, "anna");
}

// Set again in the window (from the case system): the old mapping goes with the new one.
TEST_F(PolicyTest, SettingAContactPersonInTheWindowReplacesTheOldMapping) {
  ContactPersonMapping m{"p-old", "sociaal_domein", "anna", absl::InfiniteFuture()};
  ASSERT_TRUE(router_->SetContactPerson(m, &effects_).ok());
  effects_.clear();
  ContactPersonMapping renewed{"p-new", "sociaal_domein", "bram", absl::InfiniteFuture()};
  ASSERT_TRUE(router_->SetContactPerson(renewed, &effects_, "p-old").ok());
  ASSERT_THAT(EffectsOf<ContactPersonSet>(effects_), SizeIs(1));
  EXPECT_EQ(EffectsOf<ContactPersonSet>(effects_)[0].replaces_pseudonym, "p-old");
  EXPECT_EQ(router_->FindContactPerson("p-old", "sociaal_domein"), nullptr);
  EXPECT_EQ(router_->FindContactPerson("p-new", "sociaal_domein")->handler_id, "bram");
  // Nothing under the old pseudonym in that domain: nothing to replace.
  effects_.clear();
  ASSERT_TRUE(router_->SetContactPerson(renewed, &effects_, "p-old").ok());
  EXPECT_EQ(EffectsOf<ContactPersonSet>(effects_)[0].replaces_pseudonym, "");
}

TEST_F(PolicyTest, BusyContactPersonThenTeamAndACallbackTask) {
  SignIn("anna", {{"wmo", 5}});
  SignIn("bram", {{"wmo", 4}});
  ASSERT_TRUE(router_->SetPresence("anna", Presence::kBusy, &effects_).ok());
  ASSERT_TRUE(router_
                  ->SetContactPerson(
                      {"p-resident", "sociaal_domein", "anna", absl::InfiniteFuture()}, &effects_)
                  .ok());
  NewContact c = Contact("c1", "wmo-hulpmiddelen");
  c.party_pseudonym = "p-resident";
  Decision d = Route(c);
  EXPECT_EQ(d.outcome, Decision::Outcome::kQueued);  // waits for anna although bram is free
  clock_.Advance(absl::Seconds(60));
  effects_.clear();
  router_->Tick(&effects_);
  auto offered = EffectsOf<ContactOffered>(effects_);
  ASSERT_THAT(offered, SizeIs(1));
  EXPECT_EQ(offered[0].handler_id, "bram");
  const core::Contact* task = router_->FindContact("c1-cb");
  ASSERT_NE(task, nullptr);
  EXPECT_TRUE(task->callback);
  EXPECT_EQ(task->reserved_for, "anna");
  // When anna is back, she gets the callback task.
  effects_.clear();
  ASSERT_TRUE(router_->SetPresence("anna", Presence::kAvailable, &effects_).ok());
  offered = EffectsOf<ContactOffered>(effects_);
  ASSERT_THAT(offered, SizeIs(1));
  EXPECT_EQ(offered[0].contact_id, "c1-cb");
}

TEST_F(PolicyTest, AbsentContactPersonMeansTheDeputy) {
  SignIn("bram", {{"wmo", 4}});
  SignIn("other", {{"wmo", 5}});
  ASSERT_TRUE(router_
                  ->SetContactPerson(
                      {"p-resident", "sociaal_domein", "anna", absl::InfiniteFuture()}, &effects_)
                  .ok());
  NewContact c = Contact("c1", "wmo-hulpmiddelen");
  c.party_pseudonym = "p-resident";
  EXPECT_EQ(Route(c).handler_id, "bram");  // anna is not signed in; bram is her deputy
}

TEST_F(PolicyTest, KeepAsContactPersonOnComplete) {
  SignIn("anna", {{"wmo", 5}});
  NewContact c = Contact("c1", "wmo-hulpmiddelen");
  c.party_pseudonym = "p-resident";
  c.case_pseudonym = "p-case";
  ASSERT_EQ(Route(c).handler_id, "anna");
  ASSERT_TRUE(router_->Accept("anna", "c1", &effects_).ok());
  effects_.clear();
  ASSERT_TRUE(router_->Complete("c1", /*keep_as_contact_person=*/true, &effects_).ok());
  EXPECT_THAT(EffectsOf<ContactPersonSet>(effects_), SizeIs(2));  // resident and case
  ASSERT_NE(router_->FindContactPerson("p-resident", "sociaal_domein"), nullptr);
  EXPECT_EQ(router_->FindContactPerson("p-case", "*")->handler_id, "anna");
}

TEST_F(PolicyTest, ConfidentialNeverReachesAGeneralQueue) {
  SignIn("kcc-1", {{"kcc", 5}});
  Decision d = Route(Contact("c1", "schuldhulp-intake"));
  EXPECT_EQ(d.outcome, Decision::Outcome::kQueued);
  clock_.Advance(absl::Minutes(10));  // past the overflow step of its queue
  router_->Tick(&effects_);
  EXPECT_TRUE(router_->FindContact("c1")->overflow_queues.empty());
  EXPECT_EQ(router_->FindContact("c1")->state, ContactState::kQueued);
  SignIn("sh-1", {{"schuldhulp", 3}});
  EXPECT_EQ(router_->FindContact("c1")->handler_id, "sh-1");
}

TEST_F(PolicyTest, OutsideOpeningHoursGivesTheConfiguredOutcome) {
  TenantConfig config = PolicyConfig();
  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  config.calendar.time_zone = amsterdam;
  WeeklyHours office;
  for (int day = 0; day < 5; ++day) office.days[day] = {TimeRange{8 * 60 + 30, 17 * 60}};
  config.calendar.hours[Channel::kPhone] = office;
  config.calendar.hours[Channel::kChat] = office;
  config.calendar.outside_hours[Channel::kPhone] = OutsideHoursOutcome::kClosedMessage;
  config.calendar.outside_hours[Channel::kChat] = OutsideHoursOutcome::kDigitalAlternative;
  config.calendar.closed_message = "Wij zijn gesloten.";
  Build(config);
  SignIn("h1", {{"burgerzaken", 3}});
  clock_.Set(Monday10() + absl::Hours(10));  // 20:00
  Decision phone = Route(Contact("p1", "paspoort"));
  EXPECT_EQ(phone.outcome, Decision::Outcome::kClosed);
  EXPECT_EQ(phone.message, "Wij zijn gesloten.");
  EXPECT_THAT(phone.Reasons(), Contains(HasSubstr("open again 2026-11-24 08:30")));
  Decision chat = Route(Contact("ch1", "paspoort", Channel::kChat));
  EXPECT_EQ(chat.outcome, Decision::Outcome::kDigital);
  // Web forms have no hours: they are always taken.
  EXPECT_NE(Route(Contact("f1", "klacht", Channel::kWebForm)).outcome, Decision::Outcome::kClosed);
}

TEST_F(PolicyTest, WebFormGetsItsHandlingDateInWorkingDays) {
  // Friday 2026-12-18 + 5 working days: Mon 21 .. Thu 24, then Friday 25 December is
  // Eerste Kerstdag (26 December is a Saturday): Monday 2026-12-28.
  clock_.Set(absl::FromUnixSeconds(1797584400));  // 2026-12-18 10:00 CET
  TenantConfig config = PolicyConfig();
  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  config.calendar.time_zone = amsterdam;
  Build(config);
  Decision d = Route(Contact("f1", "klacht", Channel::kWebForm));
  ASSERT_TRUE(d.expected_handling_date.has_value());
  EXPECT_EQ(*d.expected_handling_date, absl::CivilDay(2026, 12, 28));
}

TEST_F(PolicyTest, RulesRouteRaisePriorityAndClose) {
  TenantConfig config = PolicyConfig();
  RuleSpec to_kcc;
  to_kcc.name = "english-to-kcc";
  to_kcc.when = "language == \"en\"";
  to_kcc.then = {{ActionSpec::Kind::kRouteTo, "kcc-algemeen", 0, {}},
                 {ActionSpec::Kind::kRaisePriority, "", 15, {}}};
  RuleSpec closed;
  closed.name = "no-balie-paspoort";
  closed.when = "channel == balie and topic == paspoort";
  closed.then = {{ActionSpec::Kind::kClose, "Alleen op afspraak.", 0, {}}};
  config.rules = {to_kcc, closed};
  Build(config);
  NewContact en = Contact("en", "paspoort");
  en.language = "en";
  en.wants_person = true;
  Decision d = Route(en);
  EXPECT_EQ(d.queue, "kcc-algemeen");
  EXPECT_EQ(router_->FindContact("en")->priority, 15);
  EXPECT_THAT(d.Trace(), Contains(Field(&TraceStep::name, "english-to-kcc")));
  Decision balie = Route(Contact("b", "paspoort", Channel::kBalie));
  EXPECT_EQ(balie.outcome, Decision::Outcome::kClosed);
  EXPECT_EQ(balie.message, "Alleen op afspraak.");
}

TEST_F(PolicyTest, SameInputsSameDecisions) {
  auto run = [&]() {
    Build(PolicyConfig());
    clock_.Set(Monday10());
    effects_.clear();
    SignIn("anna", {{"wmo", 5}});
    SignIn("kcc-1", {{"kcc", 2}});
    std::vector<std::string> trace;
    for (int i = 0; i < 30; ++i) {
      NewContact c = Contact(absl::StrCat("c", i), i % 2 ? "wmo-hulpmiddelen" : "klacht",
                             i % 3 ? Channel::kPhone : Channel::kChat);
      Decision d = Route(c);
      trace.push_back(absl::StrCat(d.contact_id, ">", d.handler_id, "@", d.position));
      clock_.Advance(absl::Seconds(17));
      router_->Tick(&effects_);
    }
    return trace;
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
}  // namespace wissel::core
