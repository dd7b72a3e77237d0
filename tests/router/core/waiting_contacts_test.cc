#include "router/core/waiting_contacts.h"

#include <vector>

#include "gtest/gtest.h"

namespace wissel::core {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);

class WaitingContactsTest : public ::testing::Test {
 protected:
  WaitingContactsTest()
      : configs_{{"burgerzaken", "burgerzaken", absl::Minutes(4)},
                 {"kcc", "kcc", absl::Minutes(3)}},
        queues_(configs_),
        waiting_(/*aging_per_minute=*/1.0, &queues_) {}

  Contact Queued(const std::string& id, int priority, absl::Time enqueued_at,
                 const std::string& queue = "burgerzaken") {
    Contact c;
    c.id = id;
    c.queue = queue;
    c.priority = priority;
    c.enqueued_at = enqueued_at;
    return c;
  }

  std::vector<QueueConfig> configs_;
  QueueTable queues_;
  WaitingContacts waiting_;
};

TEST_F(WaitingContactsTest, HigherPriorityFirstButAgingCatchesUp) {
  const Contact old = Queued("old", 0, kT0);
  const Contact urgent = Queued("urgent", 10, kT0 + absl::Minutes(5));
  const Contact later = Queued("later", 10, kT0 + absl::Minutes(20));
  for (const Contact* c : {&old, &urgent, &later}) waiting_.Add(*c);
  // 10 points of priority are worth 10 minutes of waiting at one point per minute.
  EXPECT_EQ(waiting_.PositionOf(urgent), 1);
  EXPECT_EQ(waiting_.PositionOf(old), 2);
  EXPECT_EQ(waiting_.PositionOf(later), 3);
  EXPECT_EQ(waiting_.Waiting("burgerzaken", Channel::kPhone), 3);
  EXPECT_EQ(waiting_.Waiting("burgerzaken", Channel::kChat), 0);
}

TEST_F(WaitingContactsTest, RemoveTakesAContactOutOfEverySetItWaitsIn) {
  Contact c = Queued("c1", 0, kT0);
  c.overflow_queues = {"kcc"};
  waiting_.Add(c);
  EXPECT_EQ(waiting_.Waiting("burgerzaken", Channel::kPhone), 1);
  EXPECT_EQ(waiting_.Waiting("kcc", Channel::kPhone), 1);  // overflow counts there too
  waiting_.Remove(c);
  EXPECT_EQ(waiting_.Waiting("burgerzaken", Channel::kPhone), 0);
  EXPECT_EQ(waiting_.Waiting("kcc", Channel::kPhone), 0);
  EXPECT_EQ(waiting_.PositionOf(c), 0);
}

TEST_F(WaitingContactsTest, PositionCountsEveryProficiencyLevelOfTheQueue) {
  Contact expert = Queued("expert", 0, kT0);
  expert.min_proficiency = 4;
  const Contact anyone = Queued("anyone", 0, kT0 + absl::Minutes(1));
  waiting_.Add(expert);
  waiting_.Add(anyone);
  EXPECT_EQ(waiting_.PositionOf(expert), 1);
  EXPECT_EQ(waiting_.PositionOf(anyone), 2);
}

TEST_F(WaitingContactsTest, AReservedContactWaitsForItsHandlerOnly) {
  Contact c = Queued("c1", 0, kT0);
  c.reserved_for = "h1";
  c.channel = Channel::kChat;
  EXPECT_EQ(waiting_.ReservedFor("h1"), nullptr);
  waiting_.Add(c);
  EXPECT_EQ(waiting_.Waiting("burgerzaken", Channel::kChat), 0);
  const PerChannel<WaitSet>* reserved = waiting_.ReservedFor("h1");
  ASSERT_NE(reserved, nullptr);
  EXPECT_EQ((*reserved)[Channel::kChat].size(), 1u);
  EXPECT_EQ(waiting_.PositionOf(c), 1);
  waiting_.Remove(c);
  EXPECT_EQ((*waiting_.ReservedFor("h1"))[Channel::kChat].size(), 0u);
  EXPECT_EQ(waiting_.PositionOf(c), 0);
}

TEST_F(WaitingContactsTest, ExpectedWaitDividesByStaffedSlots) {
  // No staff: as if one slot.
  EXPECT_EQ(waiting_.ExpectedWait("burgerzaken", Channel::kPhone, 3), absl::Minutes(12));
  queues_.Find("burgerzaken")->staffed[Channel::kPhone] = 2;
  EXPECT_EQ(waiting_.ExpectedWait("burgerzaken", Channel::kPhone, 3), absl::Minutes(6));
}

}  // namespace
}  // namespace wissel::core
