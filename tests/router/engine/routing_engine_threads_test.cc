// Which thread runs what in the RoutingEngine: operations on the routing thread, completions on
// the writer thread after the store applied their batch, and a read a completion hands to
// Read() on the reader thread, where it does not hold up the writer (issue 13: a replay's
// LoadContact or an error's explanation no longer makes every batch behind it wait).
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "router/core/router.h"
#include "router/core/tenant_config.h"
#include "router/engine/routing_engine.h"
#include "tests/fakes/fake_clock.h"

namespace wissel::engine {
namespace {

constexpr char kTenant[] = "gemeente-test";
// Bounds the waits for something that must happen, so a broken engine fails instead of hanging.
constexpr absl::Duration kPatience = absl::Seconds(60);

// A StateStore that applies everything and keeps nothing, and whose LoadContact can be held
// until the test releases it. (tests/fakes will have a full in-memory store; this one only needs
// to count writes and block a read.)
class TestStore : public state::StateStore {
 public:
  // From now on LoadContact waits until Release().
  void HoldReads() {
    absl::MutexLock lock(&mu_);
    hold_reads_ = true;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    hold_reads_ = false;
  }
  // Blocks until a LoadContact has started.
  void AwaitReadStarted() {
    absl::MutexLock lock(&mu_);
    auto started = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return reads_started_ > 0; };
    mu_.Await(absl::Condition(&started));
  }
  int effects_applied() const {
    absl::MutexLock lock(&mu_);
    return effects_applied_;
  }

  absl::StatusOr<std::vector<state::EffectResult>> Apply(
      absl::Span<const state::TenantEffect> effects) override {
    absl::MutexLock lock(&mu_);
    effects_applied_ += static_cast<int>(effects.size());
    return std::vector<state::EffectResult>(effects.size());
  }
  absl::StatusOr<state::TenantSnapshot> LoadTenant(const std::string&) override {
    return state::TenantSnapshot{};
  }
  absl::StatusOr<state::StoredContact> LoadContact(const std::string&,
                                                   const std::string& contact_id) override {
    absl::MutexLock lock(&mu_);
    ++reads_started_;
    auto released = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !hold_reads_; };
    mu_.Await(absl::Condition(&released));
    state::StoredContact stored;
    stored.contact.id = contact_id;
    stored.contact.state = core::ContactState::kCompleted;
    return stored;
  }
  absl::StatusOr<std::string> FindByIdempotencyKey(const std::string&,
                                                   const std::string&) override {
    return absl::NotFoundError("no legacy keys here");
  }
  absl::Status Ping() override { return absl::OkStatus(); }
  absl::StatusOr<std::vector<state::TenantLease>> ClaimLeases(absl::Span<const std::string>,
                                                              const state::LeaseClaim&) override {
    return absl::UnimplementedError("no leases in this test");
  }
  absl::Status ReleaseLeases(absl::Span<const std::string>, const state::LeaseClaim&) override {
    return absl::UnimplementedError("no leases in this test");
  }
  void SetFence(const std::string&, std::string) override {}

 private:
  mutable absl::Mutex mu_;
  bool hold_reads_ ABSL_GUARDED_BY(mu_) = false;
  int reads_started_ ABSL_GUARDED_BY(mu_) = 0;
  int effects_applied_ ABSL_GUARDED_BY(mu_) = 0;
};

core::TenantConfig TestConfig() {
  core::TenantConfig config;
  config.id = kTenant;
  config.name = "Gemeente Test";
  config.queues = {{"burgerzaken", "burgerzaken", absl::Minutes(4)}};
  config.topics = {{"paspoort", "Paspoort", "burgerzaken", "burgerzaken", 0}};
  config.handler_defaults.offer_timeout = absl::Seconds(20);
  config.handler_defaults.max_wrap_up = absl::Seconds(60);
  return config;
}

// An operation with one effect (a handler signs in), so its batch goes to the store.
RoutingEngine::Operation SignIn(std::string handler_id) {
  return [handler_id = std::move(handler_id)](core::Router& router, core::EffectList* effects) {
    core::HandlerSignIn sign_in;
    sign_in.id = handler_id;
    sign_in.skills = {"burgerzaken"};
    return router.SignIn(std::move(sign_in), effects).status();
  };
}

class RoutingEngineThreadsTest : public ::testing::Test {
 protected:
  RoutingEngineThreadsTest() {
    RoutingEngineOptions options;
    options.reader = &reader_store_;
    engine_ = std::make_unique<RoutingEngine>(
        options, std::vector<core::TenantConfig>{TestConfig()}, &store_, &clock_);
  }

  void SetUp() override { ASSERT_TRUE(engine_->Start().ok()); }

  testing::FakeClock clock_;
  TestStore store_;         // the engine's own connection: writes
  TestStore reader_store_;  // the reader's connection
  std::unique_ptr<RoutingEngine> engine_;
};

TEST_F(RoutingEngineThreadsTest, CompletionRunsOnTheWriterThreadAfterTheStoreApplied) {
  std::thread::id operation_thread;
  std::thread::id completion_thread;
  int applied_at_completion = -1;
  absl::Notification done;
  RoutingEngine::Operation sign_in = SignIn("mdw-1");
  engine_->Submit(
      kTenant,
      [&, sign_in = std::move(sign_in)](core::Router& router, core::EffectList* effects) mutable {
        operation_thread = std::this_thread::get_id();
        return sign_in(router, effects);
      },
      [&](OperationOutcome outcome) {
        EXPECT_TRUE(outcome.status.ok()) << outcome.status;
        completion_thread = std::this_thread::get_id();
        applied_at_completion = store_.effects_applied();
        done.Notify();
      });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(kPatience));
  EXPECT_NE(operation_thread, std::this_thread::get_id());
  EXPECT_NE(completion_thread, std::this_thread::get_id());
  // Not the routing thread: that one decides the next batch meanwhile.
  EXPECT_NE(completion_thread, operation_thread);
  EXPECT_GE(applied_at_completion, 1);  // durable before the reply
}

TEST_F(RoutingEngineThreadsTest, AReadHandedToTheReaderDoesNotHoldUpTheWriter) {
  reader_store_.HoldReads();
  // A: its completion must read the store before it replies (like a RouteContact replay).
  absl::Notification a_replied;
  std::thread::id writer_thread;
  std::thread::id read_thread;
  engine_->Submit(
      kTenant, [](core::Router&, core::EffectList*) { return absl::OkStatus(); },
      [&](OperationOutcome) {
        writer_thread = std::this_thread::get_id();
        engine_->Read([&](state::StateStore& store) {
          read_thread = std::this_thread::get_id();
          EXPECT_TRUE(store.LoadContact(kTenant, "c-1").ok());
          a_replied.Notify();
        });
      });
  reader_store_.AwaitReadStarted();  // A's read is in the store, and stays there

  // B, a later batch with a write: written and completed while A's read still waits.
  absl::Notification b_done;
  engine_->Submit(kTenant, SignIn("mdw-1"), [&](OperationOutcome outcome) {
    EXPECT_TRUE(outcome.status.ok()) << outcome.status;
    b_done.Notify();
  });
  EXPECT_TRUE(b_done.WaitForNotificationWithTimeout(kPatience));
  EXPECT_FALSE(a_replied.HasBeenNotified());
  EXPECT_GE(store_.effects_applied(), 1);  // B's sign-in

  reader_store_.Release();
  EXPECT_TRUE(a_replied.WaitForNotificationWithTimeout(kPatience));
  EXPECT_NE(read_thread, writer_thread);
}

TEST_F(RoutingEngineThreadsTest, StopRunsTheReadsHandedOver) {
  bool read = false;
  engine_->Submit(
      kTenant, [](core::Router&, core::EffectList*) { return absl::OkStatus(); },
      [&](OperationOutcome) {
        engine_->Read(
            [&](state::StateStore& store) { read = store.LoadContact(kTenant, "c-1").ok(); });
      });
  engine_->Stop();  // completes the operation, whose completion hands over the read
  EXPECT_TRUE(read);
}

}  // namespace
}  // namespace wissel::engine
