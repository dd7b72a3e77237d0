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
#include "tests/router/engine/blocking_read_store.h"
#include "tests/router/engine/test_tenant_config.h"

namespace wissel::engine {
namespace {

constexpr const char* kTenant = kTestTenant;
// Bounds the waits for something that must happen, so a broken engine fails instead of hanging.
constexpr absl::Duration kPatience = absl::Seconds(60);

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
        options, std::vector<core::TenantConfig>{TestTenantConfig()}, &store_, &clock_);
  }

  void SetUp() override { ASSERT_TRUE(engine_->Start().ok()); }

  testing::FakeClock clock_;
  testing::BlockingReadStore store_;         // the engine's own connection: writes
  testing::BlockingReadStore reader_store_;  // the reader's connection
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
