#include "router/core/deadline_schedule.h"

#include "gtest/gtest.h"

namespace wissel::core {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);

TEST(DeadlineScheduleTest, EmptyHasNoDeadline) {
  DeadlineSchedule schedule;
  EXPECT_EQ(schedule.Next(), absl::InfiniteFuture());
  EXPECT_EQ(schedule.DueOffer(kT0), nullptr);
  EXPECT_EQ(schedule.DueEscalation(kT0), nullptr);
  EXPECT_EQ(schedule.DueReservation(kT0), nullptr);
  EXPECT_FALSE(schedule.TakeDueWrapUp(kT0).has_value());
}

TEST(DeadlineScheduleTest, NextIsTheEarliestOfEveryKind) {
  DeadlineSchedule schedule;
  schedule.AddOffer(kT0 + absl::Seconds(40), "c1");
  schedule.AddEscalation(kT0 + absl::Seconds(30), "c2");
  schedule.AddReservation(kT0 + absl::Seconds(20), "c3");
  schedule.AddWrapUp(kT0 + absl::Seconds(10), "h1", "c4");
  EXPECT_EQ(schedule.Next(), kT0 + absl::Seconds(10));
  ASSERT_TRUE(schedule.TakeDueWrapUp(kT0 + absl::Seconds(10)).has_value());
  EXPECT_EQ(schedule.Next(), kT0 + absl::Seconds(20));
  schedule.RemoveReservation(kT0 + absl::Seconds(20), "c3");
  EXPECT_EQ(schedule.Next(), kT0 + absl::Seconds(30));
  schedule.RemoveEscalation(kT0 + absl::Seconds(30), "c2");
  EXPECT_EQ(schedule.Next(), kT0 + absl::Seconds(40));
  schedule.RemoveOffer(kT0 + absl::Seconds(40), "c1");
  EXPECT_EQ(schedule.Next(), absl::InfiniteFuture());
}

TEST(DeadlineScheduleTest, DueReturnsTheEarliestPassedEntryUntilRemoved) {
  DeadlineSchedule schedule;
  schedule.AddOffer(kT0 + absl::Seconds(2), "late");
  schedule.AddOffer(kT0 + absl::Seconds(1), "early");
  EXPECT_EQ(schedule.DueOffer(kT0), nullptr);
  const std::string* due = schedule.DueOffer(kT0 + absl::Seconds(5));
  ASSERT_NE(due, nullptr);
  EXPECT_EQ(*due, "early");
  // Still due until the caller removes it (Router::Tick's handlers remove their own entry).
  EXPECT_EQ(*schedule.DueOffer(kT0 + absl::Seconds(5)), "early");
  schedule.RemoveOffer(kT0 + absl::Seconds(1), "early");
  EXPECT_EQ(*schedule.DueOffer(kT0 + absl::Seconds(5)), "late");
  // A deadline equal to now is due.
  EXPECT_NE(schedule.DueOffer(kT0 + absl::Seconds(2)), nullptr);
}

TEST(DeadlineScheduleTest, EntriesAreIdentifiedByTimeAndIds) {
  DeadlineSchedule schedule;
  schedule.AddEscalation(kT0, "c1");
  schedule.AddEscalation(kT0, "c1");                        // the same entry: kept once
  schedule.RemoveEscalation(kT0 + absl::Seconds(1), "c1");  // another time: not there
  schedule.RemoveEscalation(kT0, "c2");                     // another contact: not there
  ASSERT_NE(schedule.DueEscalation(kT0), nullptr);
  schedule.RemoveEscalation(kT0, "c1");
  EXPECT_EQ(schedule.DueEscalation(kT0), nullptr);
  // The kinds are separate.
  schedule.AddReservation(kT0, "c1");
  EXPECT_EQ(schedule.DueOffer(kT0), nullptr);
  EXPECT_EQ(schedule.DueEscalation(kT0), nullptr);
  EXPECT_NE(schedule.DueReservation(kT0), nullptr);
}

TEST(DeadlineScheduleTest, WrapUpsAreTakenInDeadlineOrder) {
  DeadlineSchedule schedule;
  schedule.AddWrapUp(kT0 + absl::Seconds(3), "h1", "c3");
  schedule.AddWrapUp(kT0 + absl::Seconds(1), "h2", "c1");
  schedule.AddWrapUp(kT0 + absl::Seconds(2), "h1", "c2");
  schedule.RemoveWrapUp(kT0 + absl::Seconds(2), "h1", "c2");
  std::optional<DeadlineSchedule::WrapUp> first = schedule.TakeDueWrapUp(kT0 + absl::Seconds(5));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->deadline, kT0 + absl::Seconds(1));
  EXPECT_EQ(first->handler_id, "h2");
  EXPECT_EQ(first->contact_id, "c1");
  EXPECT_FALSE(schedule.TakeDueWrapUp(kT0 + absl::Seconds(2)).has_value());
  std::optional<DeadlineSchedule::WrapUp> second = schedule.TakeDueWrapUp(kT0 + absl::Seconds(5));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->contact_id, "c3");
  EXPECT_FALSE(schedule.TakeDueWrapUp(kT0 + absl::Seconds(5)).has_value());
}

}  // namespace
}  // namespace wissel::core
