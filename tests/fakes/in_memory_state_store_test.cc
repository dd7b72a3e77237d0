// The in-memory fake passes the StateStore contract suite (state_store_contract.h), and its
// test controls do what they say.
#include "tests/fakes/in_memory_state_store.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/router/state/state_store_contract.h"

namespace wissel::testing {
namespace {

using state::contract::Changed;
using state::contract::Created;
using state::contract::kTenant;
using state::contract::MakeContact;
using state::contract::MakeHandler;
using state::contract::StateStoreBackend;
using state::contract::StateStoreBackendFactory;
using state::contract::StateStoreContractTest;
using state::contract::T;
using ::testing::ElementsAre;

class InMemoryBackend : public StateStoreBackend {
 public:
  std::unique_ptr<state::StateStore> NewStore(const core::Clock* clock) override {
    return root_.NewReplica(InMemoryStateStoreOptions{clock, &lease_clock_});
  }
  void LetLeasesAge(absl::Duration d) override { lease_clock_.Advance(d); }
  std::string Dump() override { return root_.Dump(); }
  absl::Status SeedLegacyIdempotencyKey(const std::string& tenant,
                                        const std::string& idempotency_key,
                                        const std::string& contact_id, bool) override {
    root_.SeedLegacyIdempotencyKey(tenant, idempotency_key, contact_id);
    return absl::OkStatus();
  }
  absl::Status Disconnect() override {
    root_.SetAvailable(false);
    return absl::OkStatus();
  }
  absl::Status Reconnect() override {
    root_.SetAvailable(true);
    return absl::OkStatus();
  }

 private:
  FakeClock lease_clock_;
  InMemoryStateStore root_;
};

INSTANTIATE_TEST_SUITE_P(InMemory, StateStoreContractTest,
                         ::testing::Values(StateStoreBackendFactory{
                             "InMemory",
                             []() -> absl::StatusOr<std::unique_ptr<StateStoreBackend>> {
                               return std::make_unique<InMemoryBackend>();
                             }}),
                         state::contract::StateStoreBackendName);

std::vector<state::TenantEffect> Batch(std::vector<core::Effect> effects) {
  std::vector<state::TenantEffect> batch;
  for (core::Effect& e : effects) batch.push_back({kTenant, std::move(e)});
  return batch;
}

TEST(InMemoryStateStoreTest, FailNextAppliesFailsWholeCallsAndAppliesNothing) {
  InMemoryStateStore store;
  store.FailNextApplies(1, absl::UnavailableError("boom"));
  const std::string before = store.Dump();
  EXPECT_EQ(store.Apply(Batch({Created(MakeContact("c1", T(1)))})).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(store.Dump(), before);
  EXPECT_TRUE(store.Apply(Batch({Created(MakeContact("c1", T(1)))})).ok());
  EXPECT_TRUE(store.LoadContact(kTenant, "c1").ok());
  EXPECT_THAT(store.applied_batches(), ElementsAre(1u));
}

TEST(InMemoryStateStoreTest, CountersCountCalls) {
  InMemoryStateStore store;
  ASSERT_TRUE(
      store.Apply(Batch({Changed(MakeHandler("h1"), T(0)), Created(MakeContact("c1", T(1)))}))
          .ok());
  ASSERT_TRUE(store.LoadTenant(kTenant).ok());
  ASSERT_TRUE(store.Ping().ok());
  ASSERT_TRUE(store.ClaimLeases({kTenant}, state::LeaseClaim{"a:1", "n"}).ok());
  const InMemoryStateStore::Counters counters = store.counters();
  EXPECT_EQ(counters.apply, 1);
  EXPECT_EQ(counters.effects, 2);
  EXPECT_EQ(counters.load_tenant, 1);
  EXPECT_EQ(counters.ping, 1);
  EXPECT_EQ(counters.claim_leases, 1);
  EXPECT_THAT(store.applied_batches(), ElementsAre(2u));
}

TEST(InMemoryStateStoreTest, PauseApplyBlocksUntilResumed) {
  InMemoryStateStore store;
  store.PauseApply();
  absl::StatusOr<std::vector<state::EffectResult>> result;
  std::thread writer([&] { result = store.Apply(Batch({Created(MakeContact("c1", T(1)))})); });
  while (store.apply_waiting() == 0) absl::SleepFor(absl::Milliseconds(1));
  EXPECT_EQ(store.LoadContact(kTenant, "c1").status().code(), absl::StatusCode::kNotFound);
  store.ResumeApply();
  writer.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(store.LoadContact(kTenant, "c1").ok());
}

TEST(InMemoryStateStoreTest, ExpireLeaseFencesItsHolder) {
  InMemoryStateStore store;
  auto lease = store.ClaimLeases({kTenant}, state::LeaseClaim{"a:1", "n"});
  ASSERT_TRUE(lease.ok()) << lease.status();
  store.SetFence(kTenant, (*lease)[0].lease);
  store.ExpireLease(kTenant);
  auto results = store.Apply(Batch({Created(MakeContact("c1", T(1)))}));
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].status.code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace wissel::testing
