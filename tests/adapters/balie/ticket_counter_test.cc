// Ticket numbering: per local day (Europe/Amsterdam), per letter, 001..999 wrapping, and the
// state file that carries the day's sequences across a restart. Time is passed in.
#include "adapters/balie/ticket_counter.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace wissel::adapters::balie {
namespace {

absl::TimeZone Amsterdam() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &zone));
  return zone;
}

absl::Time At(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), Amsterdam());
}

std::string TempDir() {
  char tmpl[] = "/tmp/wissel-balie-tickets-XXXXXX";
  return mkdtemp(tmpl);
}

TEST(TicketCounterTest, FormatsThreeDigits) {
  EXPECT_EQ(FormatTicket('A', 1), "A001");
  EXPECT_EQ(FormatTicket('B', 42), "B042");
  EXPECT_EQ(FormatTicket('C', 999), "C999");
}

TEST(TicketCounterTest, SequencePerLetter) {
  TicketCounterOptions options;
  options.zone = Amsterdam();
  auto counter = TicketCounter::Create(options, At(2026, 3, 2, 9, 0));
  ASSERT_TRUE(counter.ok()) << counter.status();
  const absl::Time t = At(2026, 3, 2, 9, 5);
  EXPECT_EQ((*counter)->Next('A', t), "A001");
  EXPECT_EQ((*counter)->Next('A', t), "A002");
  EXPECT_EQ((*counter)->Next('B', t), "B001");
  EXPECT_EQ((*counter)->Next('A', t), "A003");
}

TEST(TicketCounterTest, RestartsAtLocalMidnightNotUtcMidnight) {
  TicketCounterOptions options;
  options.zone = Amsterdam();
  auto counter = TicketCounter::Create(options, At(2026, 3, 2, 9, 0));
  ASSERT_TRUE(counter.ok());
  EXPECT_EQ((*counter)->Next('A', At(2026, 3, 2, 23, 30)), "A001");
  // 00:30 in Amsterdam is still the previous day in UTC: a new day all the same.
  EXPECT_EQ((*counter)->Next('A', At(2026, 3, 3, 0, 30)), "A001");
  EXPECT_EQ((*counter)->Next('A', At(2026, 3, 3, 0, 31)), "A002");
  EXPECT_EQ((*counter)->Day(At(2026, 3, 3, 0, 30)), "2026-03-03");
  // Across the switch to summer time (29 March 2026) too.
  EXPECT_EQ((*counter)->Next('A', At(2026, 3, 29, 9, 0)), "A001");
}

TEST(TicketCounterTest, WrapsAfterMaxNumber) {
  TicketCounterOptions options;
  options.zone = Amsterdam();
  options.max_number = 999;
  auto counter = TicketCounter::Create(options, At(2026, 3, 2, 9, 0));
  ASSERT_TRUE(counter.ok());
  const absl::Time t = At(2026, 3, 2, 10, 0);
  std::string last;
  for (int i = 0; i < 999; ++i) last = (*counter)->Next('C', t);
  EXPECT_EQ(last, "C999");
  EXPECT_EQ((*counter)->Next('C', t), "C001");
}

TEST(TicketCounterTest, StateFileContinuesTheDayAfterARestart) {
  const std::string dir = TempDir();
  TicketCounterOptions options;
  options.zone = Amsterdam();
  options.state_file = dir + "/tickets.state";
  const absl::Time morning = At(2026, 3, 2, 9, 0);
  {
    auto counter = TicketCounter::Create(options, morning);
    ASSERT_TRUE(counter.ok());
    EXPECT_EQ((*counter)->Next('A', morning), "A001");
    EXPECT_EQ((*counter)->Next('A', morning), "A002");
    EXPECT_EQ((*counter)->Next('B', morning), "B001");
  }
  {  // restarted the same day
    auto counter = TicketCounter::Create(options, At(2026, 3, 2, 11, 0));
    ASSERT_TRUE(counter.ok());
    EXPECT_EQ((*counter)->Next('A', At(2026, 3, 2, 11, 0)), "A003");
    EXPECT_EQ((*counter)->Next('B', At(2026, 3, 2, 11, 0)), "B002");
  }
  {  // restarted the next day: yesterday's state is ignored
    auto counter = TicketCounter::Create(options, At(2026, 3, 3, 8, 0));
    ASSERT_TRUE(counter.ok());
    EXPECT_EQ((*counter)->Next('A', At(2026, 3, 3, 9, 0)), "A001");
  }
  std::ofstream(options.state_file) << "garbage A=x\n";
  auto broken = TicketCounter::Create(options, morning);
  EXPECT_EQ(broken.status().code(), absl::StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace wissel::adapters::balie

namespace wissel::adapters::balie {
namespace {

TEST(TicketCounterTest, ReleaseGivesBackOnlyTheLastTicket) {
  TicketCounterOptions options;
  options.zone = Amsterdam();
  const absl::Time t = At(2026, 3, 2, 9, 0);
  auto counter = TicketCounter::Create(options, t);
  ASSERT_TRUE(counter.ok());
  EXPECT_EQ((*counter)->Next('A', t), "A001");
  (*counter)->Release("A001", t);
  EXPECT_EQ((*counter)->Next('A', t), "A001");
  EXPECT_EQ((*counter)->Next('A', t), "A002");
  (*counter)->Release("A001", t);  // not the last: a gap rather than a duplicate
  EXPECT_EQ((*counter)->Next('A', t), "A003");
  (*counter)->Release("A003", At(2026, 3, 3, 9, 0));  // another day: ignored
  EXPECT_EQ((*counter)->Next('A', t), "A004");
}

}  // namespace
}  // namespace wissel::adapters::balie
