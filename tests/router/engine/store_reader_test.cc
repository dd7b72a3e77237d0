// StoreReader: tasks run in order on the reader's own thread, Stop() runs what was handed over,
// and a task handed over while the thread is not running runs at once.
#include "router/engine/store_reader.h"

#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/router/engine/blocking_read_store.h"

namespace wissel::engine {
namespace {

using ::testing::ElementsAre;

// What the tasks saw, in the order they ran.
struct Log {
  absl::Mutex mu;
  std::vector<int> order ABSL_GUARDED_BY(mu);
  std::vector<std::thread::id> threads ABSL_GUARDED_BY(mu);
  std::vector<state::StateStore*> stores ABSL_GUARDED_BY(mu);
};

StoreReader::Task Record(Log& log, int n) {
  return [&log, n](state::StateStore& store) {
    absl::MutexLock lock(&log.mu);
    log.order.push_back(n);
    log.threads.push_back(std::this_thread::get_id());
    log.stores.push_back(&store);
  };
}

TEST(StoreReaderTest, RunsTasksInOrderOnItsOwnThreadWithItsStore) {
  testing::BlockingReadStore store;
  StoreReader reader(&store);
  reader.Start();
  Log log;
  for (int i = 0; i < 5; ++i) reader.Run(Record(log, i));
  reader.Stop();  // runs what was handed over first
  EXPECT_EQ(reader.pending(), 0u);
  absl::MutexLock lock(&log.mu);
  EXPECT_THAT(log.order, ElementsAre(0, 1, 2, 3, 4));
  for (std::thread::id id : log.threads) {
    EXPECT_NE(id, std::this_thread::get_id());
    EXPECT_EQ(id, log.threads.front());
  }
  for (state::StateStore* s : log.stores) EXPECT_EQ(s, &store);
}

TEST(StoreReaderTest, RunsATaskAtOnceWhileNotRunning) {
  testing::BlockingReadStore store;
  Log log;
  {
    StoreReader reader(&store);
    reader.Run(Record(log, 1));  // before Start()
    reader.Start();
    reader.Stop();
    reader.Run(Record(log, 2));  // after Stop()
    reader.Stop();               // idempotent
  }
  absl::MutexLock lock(&log.mu);
  EXPECT_THAT(log.order, ElementsAre(1, 2));
  for (std::thread::id id : log.threads) EXPECT_EQ(id, std::this_thread::get_id());
}

}  // namespace
}  // namespace wissel::engine
