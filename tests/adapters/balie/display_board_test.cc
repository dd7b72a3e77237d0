// The display board (recent calls, waiting for new ones) and the waiting-room page's
// accessibility essentials.
#include "adapters/balie/display_board.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::adapters::balie {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(DisplayBoardTest, KeepsTheRecentCallsInOrder) {
  DisplayBoard board(3);
  for (int i = 1; i <= 5; ++i) {
    board.Publish({0, absl::StrCat("A00", i), "desk-1", "Balie 1", absl::Now()});
  }
  const std::vector<DisplayCall> calls = board.CallsAfter(0, absl::ZeroDuration());
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].ticket, "A003");
  EXPECT_EQ(calls[2].ticket, "A005");
  EXPECT_EQ(calls[2].sequence, 5u);
  EXPECT_EQ(board.CallsAfter(4, absl::ZeroDuration()).size(), 1u);
}

TEST(DisplayBoardTest, WaitsForANewCall) {
  DisplayBoard board;
  std::thread publisher([&] {
    absl::SleepFor(absl::Milliseconds(50));
    board.Publish({0, "B001", "desk-2", "Balie 2", absl::Now()});
  });
  const std::vector<DisplayCall> calls = board.CallsAfter(0, absl::Seconds(10));
  publisher.join();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].desk_name, "Balie 2");
  // Bounded when nothing comes.
  const absl::Time start = absl::Now();
  EXPECT_TRUE(board.CallsAfter(1, absl::Milliseconds(50)).empty());
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST(DisplayPageTest, IsSelfContainedAccessibleAndEscaped) {
  const std::string page = DisplayPage(
      "Gemeente <Test> & \"Co\"", "/v1/balie/gemeente-test/display/events", "Europe/Amsterdam");
  EXPECT_THAT(page, HasSubstr("<html lang=\"nl\">"));
  EXPECT_THAT(page, HasSubstr("<main>"));
  EXPECT_THAT(page, HasSubstr("aria-live=\"polite\""));
  EXPECT_THAT(page, HasSubstr("var EVENTS = \"/v1/balie/gemeente-test/display/events\";"));
  EXPECT_THAT(page, HasSubstr("Gemeente &lt;Test&gt; &amp; &quot;Co&quot;"));
  EXPECT_THAT(page, Not(HasSubstr("<Test>")));
  // No external resources.
  EXPECT_THAT(page, Not(HasSubstr("http://")));
  EXPECT_THAT(page, Not(HasSubstr("https://")));
  EXPECT_THAT(page, Not(HasSubstr("src=")));
}

}  // namespace
}  // namespace wissel::adapters::balie
