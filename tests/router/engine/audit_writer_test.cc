// AuditWriter (router/engine/audit_writer.h) on the in-memory store: entries reach each tenant's
// log in order, Flush waits for them, and a store that fails is counted, not fatal.
#include "router/engine/audit_writer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/in_memory_state_store.h"

namespace wissel::engine {
namespace {

using ::testing::ElementsAre;

state::AuditEntry Entry(const std::string& actor) {
  state::AuditEntry e;
  e.actor = actor;
  e.action = std::string(state::kAuditReadContact);
  e.contact_id = "c-1";
  return e;
}

std::vector<std::string> Actors(wissel::testing::InMemoryStateStore& store,
                                const std::string& tenant) {
  std::vector<std::string> actors;
  absl::StatusOr<std::vector<state::AuditEntry>> entries =
      store.ReadAudit(tenant, absl::InfinitePast(), 100);
  EXPECT_TRUE(entries.ok()) << entries.status();
  if (entries.ok()) {
    for (const state::AuditEntry& e : *entries) actors.push_back(e.actor);
  }
  return actors;
}

TEST(AuditWriterTest, WritesEachTenantsEntriesInOrder) {
  wissel::testing::InMemoryStateStore store;
  AuditWriter writer(&store);
  writer.Start();
  writer.Record("utrecht", Entry("a"));
  writer.Record("den-haag", Entry("b"));
  writer.Record("utrecht", Entry("c"));
  writer.Flush();
  EXPECT_THAT(Actors(store, "utrecht"), ElementsAre("a", "c"));
  EXPECT_THAT(Actors(store, "den-haag"), ElementsAre("b"));
  EXPECT_EQ(writer.written(), 3);
  EXPECT_EQ(writer.failed(), 0);
  writer.Stop();
}

TEST(AuditWriterTest, StopWritesWhatIsQueuedAndLaterEntriesAtOnce) {
  wissel::testing::InMemoryStateStore store;
  AuditWriter writer(&store);
  writer.Start();
  for (int i = 0; i < 50; ++i) writer.Record("utrecht", Entry("x"));
  writer.Stop();
  EXPECT_EQ(writer.written(), 50);
  writer.Record("utrecht", Entry("after"));
  EXPECT_EQ(writer.written(), 51);
  EXPECT_EQ(Actors(store, "utrecht").back(), "after");
}

TEST(AuditWriterTest, AFailingStoreIsCountedAndTheWriterGoesOn) {
  wissel::testing::InMemoryStateStore store;
  AuditWriter writer(&store);
  writer.Start();
  store.SetAvailable(false);
  writer.Record("utrecht", Entry("lost"));
  writer.Flush();
  EXPECT_EQ(writer.failed(), 1);
  EXPECT_EQ(writer.written(), 0);
  store.SetAvailable(true);
  writer.Record("utrecht", Entry("kept"));
  // Bad input is dropped and counted; it costs the entries around it nothing.
  state::AuditEntry nameless = Entry("");
  writer.Record("utrecht", nameless);
  writer.Flush();
  EXPECT_EQ(writer.failed(), 2);
  EXPECT_EQ(writer.written(), 1);
  EXPECT_THAT(Actors(store, "utrecht"), ElementsAre("kept"));
}

TEST(AuditWriterTest, AFullQueueDropsAndCounts) {
  wissel::testing::InMemoryStateStore store;
  AuditWriter writer(&store, AuditWriterOptions{.max_queued = 2});
  writer.Start();
  // Entries beyond max_queued that arrive while others wait are dropped; how many depends on
  // the thread's pace, so only the accounting is checked: every entry is written or counted.
  for (int i = 0; i < 100; ++i) writer.Record("utrecht", Entry("x"));
  writer.Flush();
  EXPECT_EQ(writer.written() + writer.failed(), 100);
  EXPECT_EQ(static_cast<int64_t>(Actors(store, "utrecht").size()), writer.written());
}

}  // namespace
}  // namespace wissel::engine
