#include "router/core/router.h"

#include <algorithm>
#include <random>
#include <variant>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"

namespace wissel::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::wissel::testing::FakeClock;

TenantConfig TestConfig() {
  TenantConfig config;
  // Handlers sign in without being listed in a roster.
  config.dynamic_handlers = true;
  config.id = "gemeente-test";
  config.name = "Gemeente Test";
  config.queues = {{"burgerzaken", "burgerzaken", absl::Minutes(4)},
                   {"wmo", "wmo", absl::Minutes(10)},
                   {"kcc-algemeen", "kcc", absl::Minutes(3)}};
  config.topics = {{"paspoort", "Paspoort", "burgerzaken", "burgerzaken", 0},
                   {"wmo-hulpmiddelen", "Hulpmiddelen", "sociaal_domein", "wmo", 20},
                   {"algemene-vraag", "Algemene vraag", "kcc", "kcc-algemeen", 0}};
  config.handler_defaults.offer_timeout = absl::Seconds(20);
  config.handler_defaults.max_wrap_up = absl::Seconds(60);
  return config;
}

NewContact MakeContact(const std::string& id, const std::string& topic,
                       Channel channel = Channel::kPhone, int priority = 0) {
  NewContact c;
  c.id = id;
  c.topic = topic;
  c.channel = channel;
  c.priority = priority;
  c.idempotency_key = "key-" + id;
  c.payload = "payload-" + id;
  return c;
}

HandlerSignIn MakeHandler(const std::string& id, std::vector<std::string> skills) {
  HandlerSignIn h;
  h.id = id;
  h.skills = std::move(skills);
  return h;
}

template <typename T>
std::vector<T> EffectsOf(const EffectList& effects) {
  std::vector<T> out;
  for (const Effect& e : effects) {
    if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
  }
  return out;
}

std::unique_ptr<Router> MakeRouter(TenantConfig config, const Clock* clock) {
  absl::StatusOr<std::unique_ptr<Router>> router = Router::Create(std::move(config), clock);
  EXPECT_TRUE(router.ok()) << router.status();
  return router.ok() ? *std::move(router) : nullptr;
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : owned_(MakeRouter(TestConfig(), &clock_)), router_(*owned_) {}

  FakeClock clock_;
  std::unique_ptr<Router> owned_;
  Router& router_;
  EffectList effects_;
};

TEST_F(RouterTest, RoutesToTheOneAvailableHandler) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  effects_.clear();
  auto d = router_.Route(MakeContact("c1", "paspoort"), &effects_);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->outcome, Decision::Outcome::kAssigned);
  EXPECT_EQ(d->handler_id, "h1");
  EXPECT_EQ(d->queue, "burgerzaken");
  EXPECT_THAT(d->Reasons(), ::testing::Contains(HasSubstr("maps to queue 'burgerzaken'")));
  ASSERT_THAT(effects_, SizeIs(2));
  EXPECT_TRUE(std::holds_alternative<ContactCreated>(effects_[0]));
  auto offered = EffectsOf<ContactOffered>(effects_);
  ASSERT_THAT(offered, SizeIs(1));
  EXPECT_EQ(offered[0].deadline, clock_.Now() + absl::Seconds(20));
  EXPECT_EQ(router_.FindContact("c1")->state, ContactState::kOffered);
}

// A contact routed again under the id of one its handler still holds in wrap-up (a retry of a
// closed contact's create: ids follow from idempotency keys) is not offered to that handler,
// which cannot hold one id twice; forgetting it leaves the wrap-up alone.
TEST_F(RouterTest, AHandlerNeverHoldsOneContactIdTwice) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c1", "paspoort", Channel::kChat), &effects_).ok());
  ASSERT_TRUE(router_.Accept("h1", "c1", &effects_).ok());
  ASSERT_TRUE(router_.Complete("c1", &effects_).ok());
  ASSERT_EQ(router_.FindHandler("h1")->held.size(), 1u);
  EXPECT_EQ(router_.FindHandler("h1")->held[0].state, HoldState::kWrapUp);

  // h1 has two chat slots free, but holds c1.
  effects_.clear();
  auto again = router_.Route(MakeContact("c1", "paspoort", Channel::kChat), &effects_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->outcome, Decision::Outcome::kQueued);
  EXPECT_THAT(EffectsOf<ContactOffered>(effects_), IsEmpty());
  // Another contact does go to h1.
  auto other = router_.Route(MakeContact("c2", "paspoort", Channel::kChat), &effects_);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->outcome, Decision::Outcome::kAssigned);

  effects_.clear();
  router_.Forget("c1", &effects_);
  EXPECT_EQ(router_.FindContact("c1"), nullptr);
  const Handler* h1 = router_.FindHandler("h1");
  ASSERT_EQ(h1->held.size(), 2u);
  EXPECT_EQ(h1->held[0].contact_id, "c1");
  EXPECT_EQ(h1->held[0].state, HoldState::kWrapUp);
  ASSERT_TRUE(router_.FinishWrapUp("h1", "c1", &effects_).ok());
}

// The explanation is recorded as notes and formatted on demand: the text is the API's, so it
// must stay exactly as it was.
TEST_F(RouterTest, ExplanationTextOfAnAssignedAndAQueuedDecision) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  auto assigned = router_.Route(MakeContact("c1", "paspoort"), &effects_);
  ASSERT_TRUE(assigned.ok()) << assigned.status();
  EXPECT_THAT(assigned->Reasons(),
              ::testing::Contains("topic 'paspoort' maps to queue 'burgerzaken'"));
  EXPECT_EQ(assigned->Reasons().back(), "offered to handler 'h1'");
  const std::vector<TraceStep> trace = assigned->Trace();
  ASSERT_THAT(trace, SizeIs(::testing::Ge(2u)));
  EXPECT_EQ(trace.front().kind, "queue");
  EXPECT_EQ(trace.front().name, "burgerzaken");
  EXPECT_EQ(trace.front().detail, "catalogue: topic 'paspoort'");
  EXPECT_EQ(trace.back().kind, "candidate");
  EXPECT_EQ(trace.back().name, "h1");
  EXPECT_EQ(trace.back().detail,
            "longest idle of 1 proficiency level(s) with a free handler in queue 'burgerzaken'");

  // h1 is busy now: the next contact waits.
  auto queued = router_.Route(MakeContact("c2", "paspoort"), &effects_);
  ASSERT_TRUE(queued.ok()) << queued.status();
  ASSERT_EQ(queued->outcome, Decision::Outcome::kQueued);
  EXPECT_THAT(queued->Reasons().back(),
              ::testing::StartsWith("queued in 'burgerzaken' at position 1, expected wait "));
  // A copy formats the same.
  const Decision copy = *queued;
  EXPECT_EQ(copy.Reasons(), queued->Reasons());
}

TEST_F(RouterTest, HandlerWithoutTheSkillIsNotOffered) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"wmo"}), &effects_).ok());
  auto d = router_.Route(MakeContact("c1", "paspoort"), &effects_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Decision::Outcome::kQueued);
  EXPECT_EQ(d->position, 1);
}

TEST_F(RouterTest, TeamMembershipGrantsTheQueueSkill) {
  HandlerSignIn h = MakeHandler("h1", {});
  h.teams = {"kcc-algemeen"};
  ASSERT_TRUE(router_.SignIn(h, &effects_).ok());
  auto d = router_.Route(MakeContact("c1", "algemene-vraag"), &effects_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Decision::Outcome::kAssigned);
}

TEST_F(RouterTest, QueuedThenOfferedAcceptedCompletedAndWrappedUp) {
  auto d1 = router_.Route(MakeContact("c1", "paspoort"), &effects_);
  auto d2 = router_.Route(MakeContact("c2", "paspoort"), &effects_);
  ASSERT_TRUE(d1.ok() && d2.ok());
  EXPECT_EQ(d1->position, 1);
  EXPECT_EQ(d2->position, 2);
  EXPECT_GT(d2->expected_wait, d1->expected_wait);

  effects_.clear();
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  auto offered = EffectsOf<ContactOffered>(effects_);
  ASSERT_THAT(offered, SizeIs(1));
  EXPECT_EQ(offered[0].contact_id, "c1");  // first come, first served

  effects_.clear();
  ASSERT_TRUE(router_.Accept("h1", "c1", &effects_).ok());
  EXPECT_THAT(EffectsOf<OfferAccepted>(effects_), SizeIs(1));
  EXPECT_EQ(router_.FindContact("c1")->state, ContactState::kConnected);

  clock_.Advance(absl::Minutes(3));
  effects_.clear();
  ASSERT_TRUE(router_.Complete("c1", &effects_).ok());
  EXPECT_THAT(EffectsOf<ContactCompleted>(effects_), SizeIs(1));
  EXPECT_EQ(router_.FindContact("c1"), nullptr);  // closed contacts leave memory
  // The phone slot is still held for wrap-up: c2 waits.
  EXPECT_EQ(router_.FindContact("c2")->state, ContactState::kQueued);

  effects_.clear();
  ASSERT_TRUE(router_.FinishWrapUp("h1", "c1", &effects_).ok());
  EXPECT_THAT(EffectsOf<WrapUpFinished>(effects_), SizeIs(1));
  EXPECT_EQ(router_.FindContact("c2")->state, ContactState::kOffered);
}

TEST_F(RouterTest, HigherPriorityIsServedFirst) {
  ASSERT_TRUE(router_.Route(MakeContact("low", "paspoort", Channel::kPhone, 10), &effects_).ok());
  clock_.Advance(absl::Seconds(1));
  auto high = router_.Route(MakeContact("high", "paspoort", Channel::kPhone, 50), &effects_);
  ASSERT_TRUE(high.ok());
  EXPECT_EQ(high->position, 1);
  effects_.clear();
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  auto offered = EffectsOf<ContactOffered>(effects_);
  ASSERT_THAT(offered, SizeIs(1));
  EXPECT_EQ(offered[0].contact_id, "high");
}

TEST_F(RouterTest, TopicDefaultPriorityApplies) {
  ASSERT_TRUE(router_.Route(MakeContact("c1", "wmo-hulpmiddelen"), &effects_).ok());
  EXPECT_EQ(router_.FindContact("c1")->priority, 20);
}

TEST_F(RouterTest, LongestIdleHandlerIsChosen) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  clock_.Advance(absl::Seconds(5));
  ASSERT_TRUE(router_.SignIn(MakeHandler("h2", {"burgerzaken"}), &effects_).ok());
  auto d1 = router_.Route(MakeContact("c1", "paspoort"), &effects_);
  auto d2 = router_.Route(MakeContact("c2", "paspoort"), &effects_);
  ASSERT_TRUE(d1.ok() && d2.ok());
  EXPECT_EQ(d1->handler_id, "h1");
  EXPECT_EQ(d2->handler_id, "h2");
}

TEST_F(RouterTest, ChannelCapacityIsRespected) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  // Default capacity: 1 phone, 3 chats.
  for (int i = 0; i < 4; ++i) {
    auto d =
        router_.Route(MakeContact(absl::StrCat("chat", i), "paspoort", Channel::kChat), &effects_);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->outcome, i < 3 ? Decision::Outcome::kAssigned : Decision::Outcome::kQueued);
  }
  auto phone = router_.Route(MakeContact("call", "paspoort", Channel::kPhone), &effects_);
  ASSERT_TRUE(phone.ok());
  EXPECT_EQ(phone->outcome, Decision::Outcome::kAssigned);
  auto phone2 = router_.Route(MakeContact("call2", "paspoort", Channel::kPhone), &effects_);
  EXPECT_EQ(phone2->outcome, Decision::Outcome::kQueued);
  EXPECT_EQ(router_.FindHandler("h1")->Load(Channel::kChat), 3);
  EXPECT_EQ(router_.FindHandler("h1")->Load(Channel::kPhone), 1);
}

TEST_F(RouterTest, OfferTimeoutRequeuesAtOldPlaceAndSetsHandlerAway) {
  ASSERT_TRUE(router_.Route(MakeContact("c1", "paspoort"), &effects_).ok());
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(router_.Route(MakeContact("c2", "paspoort"), &effects_).ok());
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  EXPECT_EQ(router_.FindContact("c1")->state, ContactState::kOffered);
  EXPECT_EQ(router_.NextDeadline(), clock_.Now() + absl::Seconds(20));

  clock_.Advance(absl::Seconds(19));
  effects_.clear();
  router_.Tick(&effects_);
  EXPECT_THAT(effects_, IsEmpty());

  clock_.Advance(absl::Seconds(1));
  router_.Tick(&effects_);
  auto withdrawn = EffectsOf<OfferWithdrawn>(effects_);
  ASSERT_THAT(withdrawn, SizeIs(1));
  EXPECT_EQ(withdrawn[0].reason, "offer_timeout");
  EXPECT_EQ(router_.FindHandler("h1")->presence, Presence::kAway);
  const Contact* c1 = router_.FindContact("c1");
  EXPECT_EQ(c1->state, ContactState::kQueued);
  // Back at its old place: ahead of c2.
  auto stats = router_.QueueStats("burgerzaken");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ((*stats)[0].waiting, 2);

  effects_.clear();
  ASSERT_TRUE(router_.SignIn(MakeHandler("h2", {"burgerzaken"}), &effects_).ok());
  auto offered = EffectsOf<ContactOffered>(effects_);
  ASSERT_THAT(offered, SizeIs(1));
  EXPECT_EQ(offered[0].contact_id, "c1");
}

TEST_F(RouterTest, RejectedContactGoesToAnotherHandler) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(router_.SignIn(MakeHandler("h2", {"burgerzaken"}), &effects_).ok());
  auto d = router_.Route(MakeContact("c1", "paspoort"), &effects_);
  ASSERT_EQ(d->handler_id, "h1");
  effects_.clear();
  ASSERT_TRUE(router_.Reject("h1", "c1", &effects_).ok());
  auto offered = EffectsOf<ContactOffered>(effects_);
  ASSERT_THAT(offered, SizeIs(1));
  EXPECT_EQ(offered[0].handler_id, "h2");
  EXPECT_THAT(router_.FindContact("c1")->declined_by, ElementsAre("h1"));
}

TEST_F(RouterTest, AcceptByTheWrongHandlerFails) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  ASSERT_TRUE(router_.SignIn(MakeHandler("h2", {"wmo"}), &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c1", "paspoort"), &effects_).ok());
  effects_.clear();
  EXPECT_EQ(router_.Accept("h2", "c1", &effects_).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(router_.Accept("nobody", "c1", &effects_).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(router_.Accept("h1", "nothing", &effects_).code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(effects_, IsEmpty());
}

TEST_F(RouterTest, BadInputChangesNothing) {
  auto unknown = router_.Route(MakeContact("c1", "no-such-topic"), &effects_);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("topic"));
  auto prio = router_.Route(MakeContact("c1", "paspoort", Channel::kPhone, 101), &effects_);
  EXPECT_EQ(prio.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(prio.status().message(), HasSubstr("priority"));
  EXPECT_THAT(effects_, IsEmpty());
  EXPECT_EQ(router_.live_contacts(), 0u);
}

TEST_F(RouterTest, LiveContactIdIsRefused) {
  ASSERT_TRUE(router_.Route(MakeContact("c1", "paspoort"), &effects_).ok());
  effects_.clear();
  EXPECT_EQ(router_.Route(MakeContact("c1", "wmo-hulpmiddelen"), &effects_).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(effects_, IsEmpty());
  EXPECT_EQ(router_.FindContact("c1")->topic, "paspoort");
  EXPECT_EQ(router_.live_contacts(), 1u);
}

TEST_F(RouterTest, CancelQueuedAndOfferedContacts) {
  ASSERT_TRUE(router_.Route(MakeContact("c1", "paspoort"), &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c2", "paspoort"), &effects_).ok());
  ASSERT_TRUE(router_.Cancel("c2", "caller_hung_up", &effects_).ok());
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  EXPECT_EQ(router_.FindContact("c1")->state, ContactState::kOffered);
  ASSERT_TRUE(router_.Route(MakeContact("c3", "paspoort"), &effects_).ok());
  effects_.clear();
  ASSERT_TRUE(router_.Cancel("c1", "caller_hung_up", &effects_).ok());
  auto abandoned = EffectsOf<ContactAbandoned>(effects_);
  ASSERT_THAT(abandoned, SizeIs(1));
  EXPECT_EQ(abandoned[0].previous, ContactState::kOffered);
  EXPECT_EQ(abandoned[0].handler_id, "h1");
  // The freed slot goes to the next waiting contact.
  EXPECT_EQ(router_.FindContact("c3")->state, ContactState::kOffered);
  EXPECT_EQ(router_.Cancel("c1", "again", &effects_).code(), absl::StatusCode::kNotFound);
}

TEST_F(RouterTest, TransferMovesAConnectedContact) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"kcc"}), &effects_).ok());
  ASSERT_TRUE(router_.SignIn(MakeHandler("h2", {"wmo"}), &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c1", "algemene-vraag"), &effects_).ok());
  ASSERT_TRUE(router_.Accept("h1", "c1", &effects_).ok());
  EXPECT_EQ(router_.Transfer("c1", "nope", &effects_).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto d = router_.Transfer("c1", "wmo", &effects_);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->outcome, Decision::Outcome::kAssigned);
  EXPECT_EQ(d->handler_id, "h2");
  EXPECT_EQ(router_.FindHandler("h1")->Load(Channel::kPhone), 0);
}

TEST_F(RouterTest, SignOutRefusedWhileHoldingContacts) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c1", "paspoort"), &effects_).ok());
  EXPECT_EQ(router_.SignOut("h1", &effects_).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(router_.Cancel("c1", "x", &effects_).ok());
  EXPECT_TRUE(router_.SignOut("h1", &effects_).ok());
  EXPECT_EQ(router_.FindHandler("h1")->presence, Presence::kOffline);
  auto d = router_.Route(MakeContact("c2", "paspoort"), &effects_);
  EXPECT_EQ(d->outcome, Decision::Outcome::kQueued);
}

TEST_F(RouterTest, AwayHandlerGetsNoOffersUntilAvailable) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  ASSERT_TRUE(router_.SetPresence("h1", Presence::kAway, &effects_).ok());
  auto d = router_.Route(MakeContact("c1", "paspoort"), &effects_);
  EXPECT_EQ(d->outcome, Decision::Outcome::kQueued);
  ASSERT_TRUE(router_.SetPresence("h1", Presence::kAvailable, &effects_).ok());
  EXPECT_EQ(router_.FindContact("c1")->state, ContactState::kOffered);
  EXPECT_EQ(router_.SetPresence("h1", Presence::kOffline, &effects_).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RouterTest, WrapUpEndsByItself) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c1", "paspoort"), &effects_).ok());
  ASSERT_TRUE(router_.Accept("h1", "c1", &effects_).ok());
  ASSERT_TRUE(router_.Complete("c1", &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c2", "paspoort"), &effects_).ok());
  clock_.Advance(absl::Seconds(60));
  effects_.clear();
  router_.Tick(&effects_);
  auto finished = EffectsOf<WrapUpFinished>(effects_);
  ASSERT_THAT(finished, SizeIs(1));
  EXPECT_EQ(finished[0].reason, "wrap_up_timeout");
  EXPECT_EQ(finished[0].channel, Channel::kPhone);
  EXPECT_EQ(router_.FindContact("c2")->state, ContactState::kOffered);
}

TEST_F(RouterTest, QueueStatsCountWaitingAndHandlers) {
  ASSERT_TRUE(router_.Route(MakeContact("c1", "paspoort"), &effects_).ok());
  clock_.Advance(absl::Seconds(30));
  ASSERT_TRUE(router_.Route(MakeContact("c2", "paspoort"), &effects_).ok());
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"wmo"}), &effects_).ok());
  auto stats = router_.QueueStats("");
  ASSERT_TRUE(stats.ok());
  ASSERT_THAT(*stats, SizeIs(3));
  for (const QueueStatsView& v : *stats) {
    if (v.queue == "burgerzaken") {
      EXPECT_EQ(v.waiting, 2);
      EXPECT_EQ(v.longest_wait, absl::Seconds(30));
      EXPECT_EQ(v.waiting_by_channel[Channel::kPhone], 2);
      EXPECT_EQ(v.waiting_by_channel[Channel::kChat], 0);
      EXPECT_EQ(v.longest_wait_by_channel[Channel::kPhone], absl::Seconds(30));
      EXPECT_EQ(v.longest_wait_by_channel[Channel::kChat], absl::ZeroDuration());
      EXPECT_EQ(v.handlers_signed_in, 0);
    } else if (v.queue == "wmo") {
      EXPECT_EQ(v.handlers_available, 1);
      EXPECT_EQ(v.handlers_signed_in, 1);
    }
  }
  EXPECT_EQ(router_.QueueStats("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RouterTest, HandlerStatsCountPresenceHeldContactsAndCapacity) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  ASSERT_TRUE(router_.SignIn(MakeHandler("h2", {"wmo"}), &effects_).ok());
  ASSERT_TRUE(router_.SetPresence("h2", Presence::kAway, &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c1", "paspoort", Channel::kChat), &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c2", "paspoort", Channel::kChat), &effects_).ok());
  ASSERT_TRUE(router_.Accept("h1", "c1", &effects_).ok());
  const HandlerStatsView stats = router_.HandlerStats();
  EXPECT_EQ(stats.available, 1);
  EXPECT_EQ(stats.away, 1);
  EXPECT_EQ(stats.busy, 0);
  EXPECT_EQ(stats.connected[Channel::kChat], 1);
  EXPECT_EQ(stats.offered[Channel::kChat], 1);  // c2, offered to h1 too (chat capacity 3)
  const PerChannel<int> capacity = TestConfig().handler_defaults.capacity;
  EXPECT_EQ(stats.capacity[Channel::kChat], 2 * capacity[Channel::kChat]);
  // Signed out handlers are not counted.
  ASSERT_TRUE(router_.SignOut("h2", &effects_).ok());
  EXPECT_EQ(router_.HandlerStats().away, 0);
}

TEST_F(RouterTest, AnAcceptSaysWhatWasAnswered) {
  ASSERT_TRUE(router_.Route(MakeContact("c1", "paspoort", Channel::kChat), &effects_).ok());
  const absl::Time created = clock_.Now();
  clock_.Advance(absl::Seconds(45));
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  effects_.clear();
  ASSERT_TRUE(router_.Accept("h1", "c1", &effects_).ok());
  const std::vector<OfferAccepted> accepted = EffectsOf<OfferAccepted>(effects_);
  ASSERT_THAT(accepted, SizeIs(1));
  EXPECT_EQ(accepted[0].channel, Channel::kChat);
  EXPECT_EQ(accepted[0].queue, "burgerzaken");
  EXPECT_EQ(accepted[0].topic, "paspoort");
  EXPECT_EQ(accepted[0].created_at, created);
  EXPECT_EQ(accepted[0].enqueued_at, created);
  EXPECT_EQ(accepted[0].time - accepted[0].enqueued_at, absl::Seconds(45));
}

TEST_F(RouterTest, RestoreResumesAndWithdrawsOutstandingOffers) {
  // Build state in one router, then restore it into another as the state store would.
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c1", "paspoort"), &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c2", "paspoort"), &effects_).ok());

  std::unique_ptr<Router> restored_owned = MakeRouter(TestConfig(), &clock_);
  Router& restored = *restored_owned;
  ASSERT_TRUE(restored.RestoreHandler(*router_.FindHandler("h1")).ok());
  ASSERT_TRUE(restored.RestoreContact(*router_.FindContact("c1")).ok());
  ASSERT_TRUE(restored.RestoreContact(*router_.FindContact("c2")).ok());
  EXPECT_EQ(restored.RestoreContact(*router_.FindContact("c2")).code(),
            absl::StatusCode::kInvalidArgument);
  EffectList effects;
  restored.FinishRestore(&effects);
  auto withdrawn = EffectsOf<OfferWithdrawn>(effects);
  ASSERT_THAT(withdrawn, SizeIs(1));
  EXPECT_EQ(withdrawn[0].reason, "recovered");
  // The handler is free again and gets c1 back (it kept its place).
  auto offered = EffectsOf<ContactOffered>(effects);
  ASSERT_THAT(offered, SizeIs(1));
  EXPECT_EQ(offered[0].contact_id, "c1");
  EXPECT_EQ(restored.FindContact("c2")->state, ContactState::kQueued);
}

TEST_F(RouterTest, ForgetUndoesAnOffer) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c1", "paspoort"), &effects_).ok());
  ASSERT_TRUE(router_.Route(MakeContact("c2", "paspoort"), &effects_).ok());
  effects_.clear();
  router_.Forget("c1", &effects_);
  EXPECT_EQ(router_.FindContact("c1"), nullptr);
  EXPECT_EQ(router_.FindContact("c2")->state, ContactState::kOffered);
}

// Route's contract with its caller (router.h): the new contact's ContactCreated is the first
// effect Route appends, whatever the outcome, and `created_index` says where it is. The
// service stamps the decision into that record before it is stored.
TEST_F(RouterTest, RouteReportsWhereItAppendedTheContactCreated) {
  ASSERT_TRUE(router_.SignIn(MakeHandler("h1", {"burgerzaken"}), &effects_).ok());

  // Assigned: the offer follows the creation.
  size_t before = effects_.size();
  size_t index = 999;
  absl::StatusOr<Decision> d = router_.Route(MakeContact("c1", "paspoort"), &effects_, &index);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->outcome, Decision::Outcome::kAssigned);
  EXPECT_EQ(index, before);
  EXPECT_EQ(Router::CreatedContact(effects_, index).contact.id, "c1");
  ASSERT_EQ(effects_.size(), before + 2);
  EXPECT_TRUE(std::holds_alternative<ContactOffered>(effects_[before + 1]));

  // Queued (h1 is on the phone).
  before = effects_.size();
  d = router_.Route(MakeContact("c2", "paspoort"), &effects_, &index);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->outcome, Decision::Outcome::kQueued);
  EXPECT_EQ(index, before);
  ContactCreated& created = Router::CreatedContact(effects_, index);
  EXPECT_EQ(created.contact.id, "c2");
  EXPECT_EQ(created.reason, "");
  // The caller may amend the record before it is stored.
  created.contact.payload = "amended";
  EXPECT_EQ(std::get<ContactCreated>(effects_[before]).contact.payload.str(), "amended");

  // Without `created_index` Route behaves the same.
  before = effects_.size();
  ASSERT_TRUE(router_.Route(MakeContact("c3", "paspoort"), &effects_).ok());
  EXPECT_TRUE(std::holds_alternative<ContactCreated>(effects_[before]));

  // An error appends nothing and leaves the index alone.
  before = effects_.size();
  index = 999;
  EXPECT_FALSE(router_.Route(MakeContact("c4", "onbekend"), &effects_, &index).ok());
  EXPECT_EQ(effects_.size(), before);
  EXPECT_EQ(index, 999u);
}

TEST(RouterContractTest, RouteReportsTheContactCreatedOfAContactThatGetsNoPerson) {
  TenantConfig config = TestConfig();
  TopicConfig parkeren{"parkeervergunning", "Parkeervergunning", "burgerzaken", "burgerzaken"};
  parkeren.digital_alternative = DigitalAlternative{"https://example.nl/parkeren", "Online"};
  parkeren.person_after_digital_offer = false;
  config.topics.push_back(parkeren);
  FakeClock clock;
  std::unique_ptr<Router> router = MakeRouter(std::move(config), &clock);
  ASSERT_NE(router, nullptr);
  EffectList effects;
  effects.push_back(ContactAbandoned{});  // the caller's own effects come first
  size_t index = 999;
  absl::StatusOr<Decision> d =
      router->Route(MakeContact("c1", "parkeervergunning"), &effects, &index);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->outcome, Decision::Outcome::kDigital);
  EXPECT_EQ(index, 1u);
  ASSERT_EQ(effects.size(), 2u);
  const ContactCreated& created = Router::CreatedContact(effects, index);
  EXPECT_EQ(created.contact.id, "c1");
  EXPECT_EQ(created.contact.state, ContactState::kCompleted);
  EXPECT_EQ(created.reason, "steered_to_digital");
}

// Random workloads: the invariants hold after every step and the same seed gives the same
// effects.
class RouterPropertyTest : public ::testing::TestWithParam<int> {};

std::string Fingerprint(const Effect& e) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ContactCreated>) return "create:" + v.contact.id;
        if constexpr (std::is_same_v<T, ContactOffered>) {
          return "offer:" + v.contact_id + ">" + v.handler_id;
        }
        if constexpr (std::is_same_v<T, HandlerChanged>) return "handler:" + v.handler.id;
        if constexpr (std::is_same_v<T, OfferWithdrawn>) return "withdraw:" + v.contact_id;
        return std::string(typeid(T).name());
      },
      e);
}

std::vector<std::string> RunWorkload(int seed, int steps) {
  FakeClock clock;
  std::unique_ptr<Router> owned = MakeRouter(TestConfig(), &clock);
  Router& router = *owned;
  std::mt19937 rng(seed);
  std::vector<std::string> trace;
  std::vector<std::string> topics = {"paspoort", "wmo-hulpmiddelen", "algemene-vraag"};
  std::vector<std::string> skills = {"burgerzaken", "wmo", "kcc"};
  int next_contact = 0;
  const TenantConfig config = TestConfig();
  // A waiting contact's effective-priority key (lower goes first): priority plus aging.
  auto key = [&](const Contact& c) {
    return config.aging_per_minute / 60.0 *
               absl::ToDoubleSeconds(c.enqueued_at - absl::UnixEpoch()) -
           c.priority;
  };
  auto queued_now = [&]() {
    std::vector<std::string> ids;
    for (int i = 0; i < next_contact; ++i) {
      const Contact* c = router.FindContact(absl::StrCat("c", i));
      if (c != nullptr && c->state == ContactState::kQueued) ids.push_back(c->id);
    }
    return ids;
  };
  // Whether handler `h` has room for `channel` (capacity and channel combinations).
  auto has_room = [&](const Handler& h, Channel channel) {
    if (h.Load(channel) >= h.capacity[channel]) return false;
    for (const HeldContact& held : h.held) {
      if (held.state == HoldState::kWrapUp) continue;
      const std::vector<Channel>& blocked = config.handler_defaults.blocks[held.channel];
      if (std::find(blocked.begin(), blocked.end(), channel) != blocked.end()) return false;
    }
    return true;
  };
  auto has_skill = [&](const Handler& h, const std::string& queue) {
    const std::string& skill = config.FindQueue(queue)->skill;
    return std::find(h.skills.begin(), h.skills.end(), skill) != h.skills.end();
  };
  auto declined = [](const Contact& c, const std::string& handler) {
    return std::find(c.declined_by.begin(), c.declined_by.end(), handler) != c.declined_by.end();
  };
  for (int step = 0; step < steps; ++step) {
    const std::vector<std::string> queued_before = queued_now();
    EffectList effects;
    const int op = static_cast<int>(rng() % 10);
    const std::string handler = absl::StrCat("h", rng() % 6);
    if (op < 4) {
      NewContact c = MakeContact(absl::StrCat("c", next_contact++), topics[rng() % 3],
                                 kAllChannels[rng() % 3], static_cast<int>(rng() % 3) * 10);
      EXPECT_TRUE(router.Route(c, &effects).ok());
    } else if (op == 4) {
      (void)router.SignIn(MakeHandler(handler, {skills[rng() % 3], skills[rng() % 3]}), &effects);
    } else if (op == 5 || op == 6) {
      // Accept or reject whatever the handler was offered; complete what is connected.
      if (const Handler* h = router.FindHandler(handler)) {
        std::vector<HeldContact> held = h->held;
        for (const HeldContact& hc : held) {
          if (hc.state == HoldState::kOffered) {
            (void)(op == 5 ? router.Accept(handler, hc.contact_id, &effects)
                           : router.Reject(handler, hc.contact_id, &effects));
          } else if (hc.state == HoldState::kConnected) {
            (void)router.Complete(hc.contact_id, &effects);
          } else {
            (void)router.FinishWrapUp(handler, hc.contact_id, &effects);
          }
        }
      }
    } else if (op == 7) {
      (void)router.Cancel(absl::StrCat("c", rng() % (next_contact + 1)), "gone", &effects);
    } else if (op == 8) {
      (void)router.SetPresence(handler, rng() % 2 ? Presence::kAvailable : Presence::kAway,
                               &effects);
    } else {
      clock.Advance(absl::Seconds(rng() % 30));
      router.Tick(&effects);
    }
    for (const Effect& e : effects) trace.push_back(Fingerprint(e));

    // Invariants.
    for (int i = 0; i < 6; ++i) {
      const Handler* h = router.FindHandler(absl::StrCat("h", i));
      if (h == nullptr) continue;
      for (Channel ch : kAllChannels) {
        EXPECT_LE(h->Load(ch), h->capacity[ch]) << "handler over capacity at step " << step;
      }
      for (const HeldContact& hc : h->held) {
        if (hc.state == HoldState::kWrapUp) continue;
        const Contact* c = router.FindContact(hc.contact_id);
        EXPECT_NE(c, nullptr);
        if (c != nullptr) {
          EXPECT_EQ(c->handler_id, h->id);
        }
      }
    }
    int waiting = 0;
    const std::vector<QueueStatsView> stats = *router.QueueStats("");
    for (const QueueStatsView& v : stats) waiting += v.waiting + v.offered;
    int live_unconnected = 0;
    for (int i = 0; i < next_contact; ++i) {
      const Contact* c = router.FindContact(absl::StrCat("c", i));
      if (c != nullptr && c->state != ContactState::kConnected) ++live_unconnected;
    }
    EXPECT_EQ(waiting, live_unconnected) << "every live contact in exactly one place";

    // No contact waits while a handler that may take it is free.
    for (const std::string& id : queued_now()) {
      const Contact& c = *router.FindContact(id);
      for (int i = 0; i < 6; ++i) {
        const Handler* h = router.FindHandler(absl::StrCat("h", i));
        if (h == nullptr || h->presence != Presence::kAvailable) continue;
        EXPECT_FALSE(has_skill(*h, c.queue) && !declined(c, h->id) && has_room(*h, c.channel))
            << "contact " << id << " (" << ChannelName(c.channel) << ", " << c.queue
            << ") waits while " << h->id << " (" << h->held.size() << " held, presence "
            << PresenceName(h->presence) << ") is free, step " << step << ", last op "
            << (trace.empty() ? "" : trace.back());
      }
    }
    // Higher effective priority never waits behind lower: whoever was offered a contact that
    // was waiting could not have taken a contact of the same queue and channel that waited
    // with a better key and is still waiting.
    const std::vector<std::string> queued_after = queued_now();
    for (const Effect& e : effects) {
      const auto* offered = std::get_if<ContactOffered>(&e);
      if (offered == nullptr) continue;
      if (std::find(queued_before.begin(), queued_before.end(), offered->contact_id) ==
          queued_before.end()) {
        continue;
      }
      const Contact* y = router.FindContact(offered->contact_id);
      if (y == nullptr) continue;
      for (const std::string& id : queued_after) {
        if (std::find(queued_before.begin(), queued_before.end(), id) == queued_before.end()) {
          continue;
        }
        const Contact& x = *router.FindContact(id);
        if (x.queue != y->queue || x.channel != y->channel || declined(x, offered->handler_id)) {
          continue;
        }
        EXPECT_GE(key(x), key(*y)) << x.id << " (priority " << x.priority << ") waited behind "
                                   << y->id << " (priority " << y->priority << "), step " << step;
      }
    }
  }
  return trace;
}

TEST_P(RouterPropertyTest, InvariantsHoldAndRunsAreDeterministic) {
  const int seed = GetParam();
  std::vector<std::string> first = RunWorkload(seed, 3000);
  std::vector<std::string> second = RunWorkload(seed, 3000);
  EXPECT_EQ(first, second);
  EXPECT_GT(first.size(), 100u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RouterPropertyTest, ::testing::Values(1, 2, 3, 42));

}  // namespace
}  // namespace wissel::core
