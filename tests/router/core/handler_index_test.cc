#include "router/core/handler_index.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace wissel::core {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);

TenantConfig Config() {
  TenantConfig config;
  // Handlers sign in without being listed in a roster.
  config.dynamic_handlers = true;
  config.id = "gemeente-test";
  config.queues = {{"burgerzaken", "burgerzaken", absl::Minutes(4)},
                   {"wmo", "wmo", absl::Minutes(10)}};
  HandlerProfile roster;
  roster.id = "h-roster";
  roster.skills = {{"wmo", 5}};
  HandlerProfile inactive;
  inactive.id = "h-inactive";
  inactive.active = false;
  config.handlers = {roster, inactive};
  return config;
}

class HandlerIndexTest : public ::testing::Test {
 protected:
  HandlerIndexTest() : config_(Config()), queues_(config_.queues), index_(&config_, &queues_) {}

  HandlerEntry& AddAvailable(const std::string& id, std::vector<std::string> skills,
                             absl::Time last_offer_at = kT0) {
    Handler h;
    h.id = id;
    h.skills = std::move(skills);
    h.capacity = config_.handler_defaults.capacity;
    h.presence = Presence::kAvailable;
    h.last_offer_at = last_offer_at;
    HandlerEntry& e = index_.Add(std::move(h));
    index_.Index(e);
    return e;
  }

  Contact ContactFor(const std::string& id, const std::string& queue) {
    Contact c;
    c.id = id;
    c.queue = queue;
    c.channel = Channel::kPhone;
    return c;
  }

  TenantConfig config_;
  QueueTable queues_;
  HandlerIndex index_;
};

TEST_F(HandlerIndexTest, EligibilityFollowsSkillsTeamsAndTheRoster) {
  Handler h;
  h.id = "h1";
  h.skills = {"burgerzaken"};
  h.teams = {"wmo"};
  h.proficiency = {{"wmo", 9}};  // clamped to 1..5
  HandlerEntry& e = index_.Add(std::move(h));
  ASSERT_EQ(e.eligible.size(), 2u);
  EXPECT_EQ(e.eligible[0].first, queues_.Find("burgerzaken"));
  EXPECT_EQ(e.eligible[0].second, kDefaultProficiency);
  EXPECT_EQ(e.eligible[1].first, queues_.Find("wmo"));
  EXPECT_EQ(e.eligible[1].second, kMaxProficiency);
  EXPECT_TRUE(e.active);

  Handler roster;
  roster.id = "h-roster";
  roster.skills = {"wmo"};
  EXPECT_EQ(index_.ProficiencyOf(roster, "wmo"), 5);  // from the roster
  EXPECT_EQ(index_.ProficiencyOf(roster, "burgerzaken"), kDefaultProficiency);
  Handler inactive;
  inactive.id = "h-inactive";
  EXPECT_FALSE(index_.Add(std::move(inactive)).active);
}

TEST_F(HandlerIndexTest, IndexAndUnindexKeepFreeSetsAndStaffing) {
  HandlerEntry& e = AddAvailable("h1", {"burgerzaken"});
  QueueState& q = *queues_.Find("burgerzaken");
  EXPECT_EQ(q.staffed[Channel::kPhone], 1);
  EXPECT_EQ(q.staffed[Channel::kChat], 3);
  EXPECT_EQ(q.free[Channel::kPhone][kDefaultProficiency].size(), 1u);
  index_.Unindex(e);
  EXPECT_EQ(q.staffed[Channel::kPhone], 0);
  EXPECT_EQ(q.free[Channel::kPhone][kDefaultProficiency].size(), 0u);
  // A handler that is away is not indexed at all.
  e.handler.presence = Presence::kAway;
  index_.Index(e);
  EXPECT_EQ(q.staffed[Channel::kPhone], 0);
  EXPECT_EQ(q.free[Channel::kPhone][kDefaultProficiency].size(), 0u);
}

TEST_F(HandlerIndexTest, ACallBlocksOtherChannelsUntilItsSlotIsReleased) {
  HandlerEntry& e = AddAvailable("h1", {"burgerzaken"});
  index_.Unindex(e);
  e.handler.held.push_back(HeldContact{"c1", Channel::kPhone, HoldState::kConnected});
  index_.Index(e);
  EXPECT_FALSE(index_.CanTakeChannel(e.handler, Channel::kPhone));  // full
  EXPECT_FALSE(index_.CanTakeChannel(e.handler, Channel::kChat));   // blocked by the call
  EXPECT_EQ(queues_.Find("burgerzaken")->free[Channel::kChat][kDefaultProficiency].size(), 0u);
  index_.ReleaseSlot(e, "c1");
  EXPECT_TRUE(e.handler.held.empty());
  EXPECT_TRUE(index_.CanTakeChannel(e.handler, Channel::kChat));
  EXPECT_EQ(queues_.Find("burgerzaken")->free[Channel::kChat][kDefaultProficiency].size(), 1u);
}

TEST_F(HandlerIndexTest, MayTakeChecksSkillDeclinesAndReservation) {
  HandlerEntry& h1 = AddAvailable("h1", {"burgerzaken"});
  Contact c = ContactFor("c1", "burgerzaken");
  EXPECT_TRUE(index_.MayTake(h1, c, false));
  EXPECT_FALSE(index_.MayTake(h1, ContactFor("c2", "wmo"), false));  // no skill
  c.min_proficiency = 4;
  EXPECT_FALSE(index_.MayTake(h1, c, false));  // not proficient enough
  EXPECT_TRUE(index_.MayTake(h1, c, true));    // through overflow any level will do
  c.min_proficiency = 1;
  c.declined_by = {"h1"};
  EXPECT_FALSE(index_.MayTake(h1, c, false));
  c.declined_by.clear();
  c.reserved_for = "h2";
  EXPECT_FALSE(index_.MayTake(h1, c, false));
  c.reserved_for = "h1";
  EXPECT_TRUE(index_.MayTake(h1, c, false));
  c.reserved_for.clear();
  c.required_skills = {{"wmo", 1}};
  EXPECT_FALSE(index_.MayTake(h1, c, false));  // lacks the topic's extra skill
  c.required_skills.clear();
  c.confidential = true;  // burgerzaken is not authorised for confidential contacts
  EXPECT_FALSE(index_.MayTake(h1, c, false));
}

TEST_F(HandlerIndexTest, ChooseTakesTheLongestIdleHandlerThatMayTakeTheContact) {
  AddAvailable("recent", {"burgerzaken"}, kT0 + absl::Minutes(5));
  AddAvailable("idle", {"burgerzaken"}, kT0);
  AddAvailable("wmo-only", {"wmo"}, kT0 - absl::Hours(1));
  Contact c = ContactFor("c1", "burgerzaken");
  HandlerIndex::Choice choice = index_.Choose(c, *queues_.Find("burgerzaken"), false);
  ASSERT_NE(choice.handler, nullptr);
  EXPECT_EQ(choice.handler->handler.id, "idle");
  EXPECT_EQ(choice.considered, 1);
  c.declined_by = {"idle"};
  choice = index_.Choose(c, *queues_.Find("burgerzaken"), false);
  ASSERT_NE(choice.handler, nullptr);
  EXPECT_EQ(choice.handler->handler.id, "recent");
  c.declined_by = {"idle", "recent"};
  EXPECT_EQ(index_.Choose(c, *queues_.Find("burgerzaken"), false).handler, nullptr);
}

TEST_F(HandlerIndexTest, SortedIdsAndNoteNames) {
  AddAvailable("b", {"wmo"});
  AddAvailable("a", {"wmo"});
  EXPECT_EQ(index_.SortedIds(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(index_.contains("a"));
  Decision d;
  EXPECT_EQ(index_.NoteName("a", &d), &index_.Find("a")->handler.id);
  EXPECT_EQ(index_.NoteName("h-roster", &d), &config_.handlers[0].id);
  const std::string* owned = index_.NoteName("gone", &d);
  EXPECT_EQ(*owned, "gone");
  EXPECT_EQ(d.owned_names.size(), 1u);
}

}  // namespace
}  // namespace wissel::core
