#include "router/core/queue_state.h"

#include <vector>

#include "gtest/gtest.h"

namespace wissel::core {
namespace {

std::vector<QueueConfig> Queues() {
  return {{"wmo", "", absl::Minutes(10)}, {"burgerzaken", "bz", absl::Minutes(4)}};
}

TEST(QueueTableTest, OneStatePerQueueFoundByName) {
  const std::vector<QueueConfig> queues = Queues();
  QueueTable table(queues);
  QueueState* wmo = table.Find("wmo");
  ASSERT_NE(wmo, nullptr);
  EXPECT_EQ(wmo->config, &queues[0]);
  EXPECT_EQ(wmo->skill, "wmo");  // the skill defaults to the queue's name
  EXPECT_EQ(wmo->average_handle_time, absl::Minutes(10));
  EXPECT_EQ(table.Find("burgerzaken")->skill, "bz");
  EXPECT_EQ(table.Find("onbekend"), nullptr);
  EXPECT_TRUE(table.contains("wmo"));
  EXPECT_FALSE(table.contains("onbekend"));
  const QueueTable& read_only = table;
  EXPECT_EQ(read_only.Find("wmo"), wmo);
}

TEST(QueueTableTest, IteratesInNameOrder) {
  const std::vector<QueueConfig> queues = Queues();
  QueueTable table(queues);
  std::vector<std::string> names;
  for (const auto& [name, state] : table.by_name()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"burgerzaken", "wmo"}));
}

TEST(QueueStateTest, HandleTimeIsAMovingAverage) {
  QueueState q;
  q.average_handle_time = absl::Minutes(10);
  q.ObserveHandleTime(absl::Minutes(20));  // 0.9 * 10 + 0.1 * 20
  EXPECT_NEAR(absl::ToDoubleMinutes(q.average_handle_time), 11.0, 1e-6);
  q.ObserveHandleTime(absl::Minutes(1));  // 0.9 * 11 + 0.1 * 1
  EXPECT_NEAR(absl::ToDoubleMinutes(q.average_handle_time), 10.0, 1e-6);
}

TEST(WaitKeyTest, OrdersByKeyThenEnqueuedThenId) {
  const absl::Time t = absl::FromUnixSeconds(100);
  EXPECT_LT((WaitKey{1.0, t + absl::Seconds(5), "z"}), (WaitKey{2.0, t, "a"}));
  EXPECT_LT((WaitKey{1.0, t, "z"}), (WaitKey{1.0, t + absl::Seconds(1), "a"}));
  EXPECT_LT((WaitKey{1.0, t, "a"}), (WaitKey{1.0, t, "b"}));
}

}  // namespace
}  // namespace wissel::core
