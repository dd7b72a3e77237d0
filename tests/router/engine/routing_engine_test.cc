// Unit tests of RoutingEngine on the in-memory store (tests/fakes/in_memory_state_store.h): the
// order of writes and replies and group commit, the reload after a lost lease, and a failed
// batch. No Redis, no gRPC server; the cores run on a fake clock that the tests never move
// while the engine runs.
#include "router/engine/routing_engine.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_state_store.h"
#include "tests/router/engine/test_tenant_config.h"

namespace wissel::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::wissel::testing::FakeClock;
using ::wissel::testing::InMemoryStateStore;
using ::wissel::testing::InMemoryStateStoreOptions;

constexpr const char* kTenant = kTestTenant;
constexpr absl::Duration kWait = absl::Seconds(10);

// Routes a new phone contact about "paspoort"; with no handler signed in it is queued, so its
// only effect is its ContactCreated.
RoutingEngine::Operation RouteContact(const std::string& id) {
  return [id](core::Router& router, core::EffectList* effects) -> absl::Status {
    core::NewContact contact;
    contact.id = id;
    contact.topic = "paspoort";
    contact.idempotency_key = "key-" + id;
    contact.payload = "payload of " + id;
    return router.Route(std::move(contact), effects).status();
  };
}

// The outcomes of submitted operations, in the order their completions ran.
class Replies {
 public:
  RoutingEngine::Completion For(const std::string& name, std::function<void()> on_reply = nullptr) {
    return [this, name, on_reply = std::move(on_reply)](OperationOutcome outcome) {
      if (on_reply) on_reply();
      absl::MutexLock lock(&mu_);
      names_.push_back(name);
      outcomes_.push_back(std::move(outcome));
    };
  }
  // Blocks until `n` replies arrived (false after kWait).
  bool WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto arrived = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return names_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&arrived), kWait);
  }
  std::vector<std::string> names() const {
    absl::MutexLock lock(&mu_);
    return names_;
  }
  OperationOutcome outcome(const std::string& name) const {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return outcomes_[i];
    }
    return OperationOutcome{absl::NotFoundError("no reply for " + name), ""};
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> names_ ABSL_GUARDED_BY(mu_);
  std::vector<OperationOutcome> outcomes_ ABSL_GUARDED_BY(mu_);
};

// Polls `condition` (a few ms apart) until it holds or kWait passed.
bool Eventually(const std::function<bool()>& condition) {
  const absl::Time deadline = absl::Now() + kWait;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

class RoutingEngineTest : public ::testing::Test {
 protected:
  void StartEngine(RoutingEngineOptions options = {}) {
    engine_ = std::make_unique<RoutingEngine>(
        options, std::vector<core::TenantConfig>{TestTenantConfig()}, &store_, &clock_);
    engine_->SetOwnershipListener([this](const std::string& tenant, bool owned) {
      absl::MutexLock lock(&mu_);
      ownership_.push_back(tenant + (owned ? ": owned" : ": dropped"));
    });
    ASSERT_TRUE(engine_->Start().ok());
  }

  // Runs `inspect` on the routing thread with the tenant's core; false when the operation was
  // not run (the tenant is not decided here) or did not complete in time.
  bool Inspect(const std::function<void(const core::Router&)>& inspect) {
    auto done = std::make_shared<absl::Notification>();
    auto ran = std::make_shared<bool>(false);
    engine_->Submit(
        kTenant,
        [inspect, ran](core::Router& router, core::EffectList*) {
          inspect(router);
          *ran = true;
          return absl::OkStatus();
        },
        [done](OperationOutcome) { done->Notify(); });
    return done->WaitForNotificationWithTimeout(kWait) && *ran;
  }

  // Submits an operation that blocks the routing thread until the returned notification is
  // notified, and waits until it runs: whatever is submitted meanwhile is decided together, in
  // the next batch.
  std::shared_ptr<absl::Notification> BlockRoutingThread(const std::string& name, Replies& replies,
                                                         RoutingEngine::Operation then) {
    auto release = std::make_shared<absl::Notification>();
    auto running = std::make_shared<absl::Notification>();
    engine_->Submit(
        kTenant,
        [release, running, then = std::move(then)](core::Router& router,
                                                   core::EffectList* effects) mutable {
          running->Notify();
          release->WaitForNotification();
          return then(router, effects);
        },
        replies.For(name));
    EXPECT_TRUE(running->WaitForNotificationWithTimeout(kWait));
    return release;
  }

  std::vector<std::string> ownership() const {
    absl::MutexLock lock(&mu_);
    return ownership_;
  }

  FakeClock clock_;
  InMemoryStateStore store_;
  std::unique_ptr<RoutingEngine> engine_;
  mutable absl::Mutex mu_;
  std::vector<std::string> ownership_ ABSL_GUARDED_BY(mu_);
};

// Replies follow durability and submission order, and the operations that arrived while a
// batch was in the store are written together, in one Apply.
TEST_F(RoutingEngineTest, RepliesFollowTheDurableBatchInSubmissionOrderWithGroupCommit) {
  StartEngine();
  Replies replies;
  // Each reply checks that its contact is in the store by the time it is sent.
  absl::Mutex durable_mu;
  std::vector<std::string> durable_at_reply;
  auto durable_check = [&](const std::string& id) {
    return [&, id] {
      const bool durable = store_.LoadContact(kTenant, id).ok();
      absl::MutexLock lock(&durable_mu);
      if (durable) durable_at_reply.push_back(id);
    };
  };

  auto release = BlockRoutingThread("a", replies, RouteContact("a"));
  for (const std::string id : {"b", "c", "d"}) {
    engine_->Submit(kTenant, RouteContact(id), replies.For(id, durable_check(id)));
  }
  ASSERT_TRUE(Eventually([&] { return engine_->pending() == 3; }));
  store_.PauseApply();
  release->Notify();

  // a's batch is in the store (Apply blocked there) and b, c, d are decided: nobody has been
  // answered, since nothing is durable yet.
  ASSERT_TRUE(Eventually([&] { return store_.apply_waiting() == 1 && engine_->pending() == 0; }));
  EXPECT_TRUE(replies.names().empty());
  EXPECT_EQ(store_.LoadContact(kTenant, "a").status().code(), absl::StatusCode::kNotFound);

  store_.ResumeApply();
  ASSERT_TRUE(replies.WaitFor(4));
  EXPECT_THAT(replies.names(), ElementsAre("a", "b", "c", "d"));
  for (const std::string id : {"a", "b", "c", "d"}) {
    EXPECT_TRUE(replies.outcome(id).status.ok()) << id << ": " << replies.outcome(id).status;
  }
  {
    absl::MutexLock lock(&durable_mu);
    EXPECT_THAT(durable_at_reply, ElementsAre("b", "c", "d"));
  }
  // One round trip for a, one for b, c and d together.
  EXPECT_THAT(store_.applied_batches(), ElementsAre(1u, 3u));
  EXPECT_EQ(store_.counters().apply, 2);
}

// A write refused by the fence (another router took the tenant's lease) fails its caller with
// Unavailable ("moved to another router; retry"), and the engine stops deciding the tenant;
// once it holds the lease again it reloads the tenant from the store, with what the other
// router wrote meanwhile.
TEST_F(RoutingEngineTest, ALostLeaseFencesTheWriteDropsTheTenantAndReloadsItWhenRegained) {
  RoutingEngineOptions options;
  options.lease = state::LeaseClaim{"10.0.0.1:7000", "engine-nonce", absl::Seconds(30)};
  // Lease rounds only when the test asks for one (RenewLeasesSoon).
  options.lease_renew_interval = absl::Hours(1);
  StartEngine(options);
  ASSERT_TRUE(engine_->RouteOf(kTenant).local);

  Replies replies;
  engine_->Submit(kTenant, RouteContact("c1"), replies.For("c1"));
  ASSERT_TRUE(replies.WaitFor(1));
  ASSERT_TRUE(replies.outcome("c1").status.ok()) << replies.outcome("c1").status;
  const int loads_before = store_.counters().load_tenant;

  // The engine's lease lapses (it was paused, say) and another router takes the tenant and
  // routes a contact.
  store_.ExpireLease(kTenant);
  std::unique_ptr<InMemoryStateStore> other = store_.NewReplica(InMemoryStateStoreOptions{});
  const state::LeaseClaim other_claim{"10.0.0.2:7000", "other-nonce", absl::Seconds(30)};
  absl::StatusOr<std::vector<state::TenantLease>> theirs =
      other->ClaimLeases({kTenant}, other_claim);
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  ASSERT_TRUE((*theirs)[0].acquired);
  other->SetFence(kTenant, (*theirs)[0].lease);
  core::Contact c2;
  c2.id = "c2";
  c2.topic = "paspoort";
  c2.queue = "burgerzaken";
  c2.created_at = c2.enqueued_at = clock_.Now();
  std::vector<state::TenantEffect> create = {{kTenant, core::ContactCreated{c2, ""}}};
  absl::StatusOr<std::vector<state::EffectResult>> created = other->Apply(create);
  ASSERT_TRUE(created.ok() && (*created)[0].status.ok());

  // The engine has not noticed: its write is fenced.
  engine_->Submit(kTenant, RouteContact("c3"), replies.For("c3"));
  ASSERT_TRUE(replies.WaitFor(2));
  EXPECT_EQ(replies.outcome("c3").status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(replies.outcome("c3").status.message()),
              HasSubstr("moved to another router"));
  EXPECT_EQ(store_.LoadContact(kTenant, "c3").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Eventually([&] { return !engine_->RouteOf(kTenant).local; }));
  EXPECT_THAT(engine_->RouteOf(kTenant).reason, HasSubstr("fenced"));
  // Calls for the tenant are refused here now, without touching the store.
  const int applies = store_.counters().apply;
  engine_->Submit(kTenant, RouteContact("c4"), replies.For("c4"));
  ASSERT_TRUE(replies.WaitFor(3));
  EXPECT_EQ(replies.outcome("c4").status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_.counters().apply, applies);

  // A lease round while the other router holds the lease names it.
  engine_->RenewLeasesSoon();
  ASSERT_TRUE(Eventually([&] { return engine_->RouteOf(kTenant).address == "10.0.0.2:7000"; }));

  // The other router hands the tenant back; the engine's next lease round takes it and
  // reloads it from the store.
  ASSERT_TRUE(other->ReleaseLeases({kTenant}, other_claim).ok());
  engine_->RenewLeasesSoon();
  ASSERT_TRUE(Eventually([&] { return engine_->RouteOf(kTenant).local; }));
  EXPECT_GT(store_.counters().load_tenant, loads_before);
  bool has_c1 = false, has_c2 = false, has_c3 = true;
  ASSERT_TRUE(Inspect([&](const core::Router& router) {
    has_c1 = router.FindContact("c1") != nullptr;
    has_c2 = router.FindContact("c2") != nullptr;
    has_c3 = router.FindContact("c3") != nullptr;
  }));
  EXPECT_TRUE(has_c1);
  EXPECT_TRUE(has_c2);   // written by the other router
  EXPECT_FALSE(has_c3);  // fenced: never stored
  EXPECT_THAT(ownership(),
              ElementsAre(std::string(kTenant) + ": owned", std::string(kTenant) + ": dropped",
                          std::string(kTenant) + ": owned"));

  // And it writes under its new lease.
  engine_->Submit(kTenant, RouteContact("c5"), replies.For("c5"));
  ASSERT_TRUE(replies.WaitFor(4));
  EXPECT_TRUE(replies.outcome("c5").status.ok()) << replies.outcome("c5").status;
  EXPECT_TRUE(store_.LoadContact(kTenant, "c5").ok());
}

// A batch the store fails (Apply is Unavailable) fails every operation of it that had effects
// with Unavailable; an operation without effects keeps its own outcome. Nothing of the batch
// stays in memory: the tenant is reloaded from the store before its next operation, so a retry
// routes the contact afresh.
TEST_F(RoutingEngineTest, AFailedBatchFailsEveryOperationOfItAndIsNotKeptInMemory) {
  StartEngine();
  Replies replies;
  auto release = BlockRoutingThread("c0", replies, RouteContact("c0"));
  engine_->Submit(kTenant, RouteContact("c1"), replies.For("c1"));
  engine_->Submit(kTenant, RouteContact("c2"), replies.For("c2"));
  engine_->Submit(
      kTenant, [](core::Router&, core::EffectList*) { return absl::OkStatus(); },
      replies.For("no-effects"));
  ASSERT_TRUE(Eventually([&] { return engine_->pending() == 3; }));
  // c0's batch is applied; the next one (c1, c2, no-effects) fails in the store.
  store_.PauseApply();
  release->Notify();
  ASSERT_TRUE(Eventually([&] { return store_.apply_waiting() == 1; }));
  store_.FailNextApplies(1, absl::UnavailableError("connection reset"));
  const int loads_before = store_.counters().load_tenant;
  store_.ResumeApply();

  ASSERT_TRUE(replies.WaitFor(4));
  EXPECT_THAT(replies.names(), ElementsAre("c0", "c1", "c2", "no-effects"));
  EXPECT_TRUE(replies.outcome("c0").status.ok()) << replies.outcome("c0").status;
  for (const std::string id : {"c1", "c2"}) {
    const absl::Status status = replies.outcome(id).status;
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << id << ": " << status;
    EXPECT_THAT(std::string(status.message()), HasSubstr("connection reset")) << id;
    EXPECT_EQ(store_.LoadContact(kTenant, id).status().code(), absl::StatusCode::kNotFound);
  }
  EXPECT_TRUE(replies.outcome("no-effects").status.ok());
  EXPECT_THAT(store_.applied_batches(), ElementsAre(1u));  // the failed one applied nothing

  // The tenant is rebuilt from the store: c0 is there, c1 and c2 are not. (The reply of a
  // failed batch goes out just before the routing thread settles it, so the first operation
  // after it may still see the old memory: poll.)
  bool has_c0 = false;
  ASSERT_TRUE(Eventually([&] {
    bool has_c1 = true, has_c2 = true;
    EXPECT_TRUE(Inspect([&](const core::Router& router) {
      has_c0 = router.FindContact("c0") != nullptr;
      has_c1 = router.FindContact("c1") != nullptr;
      has_c2 = router.FindContact("c2") != nullptr;
    }));
    return !has_c1 && !has_c2;
  }));
  EXPECT_TRUE(has_c0);
  EXPECT_EQ(store_.counters().load_tenant, loads_before + 1);

  // A retry routes the contact afresh and stores it.
  engine_->Submit(kTenant, RouteContact("c1"), replies.For("c1-retry"));
  ASSERT_TRUE(replies.WaitFor(5));
  EXPECT_TRUE(replies.outcome("c1-retry").status.ok()) << replies.outcome("c1-retry").status;
  EXPECT_TRUE(store_.LoadContact(kTenant, "c1").ok());
}

// While the store is unreachable at start, Start() fails with Unavailable and nothing runs.
TEST_F(RoutingEngineTest, StartFailsWhileTheStoreIsUnavailable) {
  store_.SetAvailable(false);
  engine_ = std::make_unique<RoutingEngine>(RoutingEngineOptions{},
                                            std::vector<core::TenantConfig>{TestTenantConfig()},
                                            &store_, &clock_);
  EXPECT_EQ(engine_->Start().code(), absl::StatusCode::kUnavailable);
  Replies replies;
  engine_->Submit(kTenant, RouteContact("c1"), replies.For("c1"));
  ASSERT_TRUE(replies.WaitFor(1));
  EXPECT_EQ(replies.outcome("c1").status.code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace wissel::engine
