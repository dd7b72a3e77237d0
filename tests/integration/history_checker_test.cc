// CheckHistory on hand-made histories: a clean one passes, and each violation of issue #5 (lost,
// double assigned, over capacity, idempotency conflict) is found and named — so a fault test that
// prints zeros has a checker that can print something else.
#include "tests/integration/history_checker.h"

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace wissel::testing {
namespace {

using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01

absl::Time At(int ms) { return kT0 + absl::Milliseconds(ms); }

class CheckerTest : public ::testing::Test {
 protected:
  // A RouteContact reply.
  void Route(const std::string& key, const std::string& contact_id, int attempt = 1,
             absl::Status status = absl::OkStatus()) {
    RouteAttempt a;
    a.idempotency_key = key;
    a.attempt = attempt;
    a.sent = At(0);
    a.returned = At(1);
    a.status = status;
    if (status.ok()) {
      a.contact_id = contact_id;
      a.outcome = v1::Decision::OUTCOME_QUEUED;
    }
    input_.log.routes.push_back(a);
  }

  void Client(int ms, HandlerEventKind kind, const std::string& handler,
              const std::string& contact) {
    HandlerEvent e;
    e.time = At(ms);
    e.kind = kind;
    e.handler_id = handler;
    e.contact_id = contact;
    e.channel = v1::CHANNEL_CHAT;
    input_.log.handler_events.push_back(e);
  }

  // The stored record of `id`, built event by event.
  v1::ContactRecord& Stored(const std::string& id) {
    auto it = input_.stored.find(id);
    if (it == input_.stored.end()) {
      v1::ContactRecord r;
      r.set_contact_id(id);
      r.set_channel(v1::CHANNEL_CHAT);
      r.set_state(v1::CONTACT_STATE_QUEUED);
      it = input_.stored.emplace(id, r).first;
    }
    return *it->second;
  }
  void Event(const std::string& id, int ms, v1::ContactState state, const std::string& handler,
             const std::string& reason = "") {
    v1::ContactRecord& r = Stored(id);
    v1::ContactEvent* ev = r.add_history();
    *ev->mutable_time() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(At(ms)));
    ev->set_state(state);
    ev->set_handler_id(handler);
    ev->set_reason(reason);
    r.set_state(state);
  }

  // A contact routed, offered to `handler` at `ms`, accepted, completed, wrapped up; in the
  // store and in the clients' log.
  void Handled(const std::string& key, const std::string& id, const std::string& handler, int ms) {
    Route(key, id);
    Event(id, ms, v1::CONTACT_STATE_QUEUED, "", "created");
    Event(id, ms + 1, v1::CONTACT_STATE_OFFERED, handler);
    Client(ms + 2, HandlerEventKind::kOffered, handler, id);
    Event(id, ms + 10, v1::CONTACT_STATE_CONNECTED, handler);
    Client(ms + 11, HandlerEventKind::kAccepted, handler, id);
    Event(id, ms + 50, v1::CONTACT_STATE_COMPLETED, handler);
    Client(ms + 51, HandlerEventKind::kCompleted, handler, id);
    Client(ms + 60, HandlerEventKind::kReleasing, handler, id);
    Event(id, ms + 61, v1::CONTACT_STATE_COMPLETED, handler, "finished");
    Client(ms + 62, HandlerEventKind::kReleased, handler, id);
  }

  FaultReport Check() {
    input_.capacity["h1"][v1::CHANNEL_CHAT] = 2;
    input_.capacity["h2"][v1::CHANNEL_CHAT] = 2;
    FaultReport r = CheckHistory(input_);
    problems_ = absl::StrJoin(r.problems, "\n");
    return r;
  }

  HistoryCheckInput input_;
  std::string problems_;
};

TEST_F(CheckerTest, ACleanHistoryPasses) {
  Handled("k1", "c1", "h1", 0);
  Handled("k2", "c2", "h1", 10);   // overlaps c1: two at once, capacity 2
  Handled("k3", "c3", "h1", 100);  // after both
  Handled("k4", "c4", "h2", 0);
  Route("k2", "c2", /*attempt=*/2);  // a resend answered with the same contact
  FaultReport r = Check();
  EXPECT_TRUE(r.ok()) << problems_;
  EXPECT_EQ(r.acknowledged, 4);
  EXPECT_EQ(r.completed, 4);
  EXPECT_EQ(r.idempotent_retries, 1);
  EXPECT_EQ(r.Summary(),
            "faults: acknowledged=4 completed=4 lost=0 double_assigned=0 over_capacity=0 "
            "idempotent_retries=1 idempotency_conflicts=0");
}

TEST_F(CheckerTest, AnOfferWithdrawnAtRecoveryAndOfferedAgainIsNoDoubleAssignment) {
  Route("k1", "c1");
  Event("c1", 0, v1::CONTACT_STATE_QUEUED, "", "created");
  Event("c1", 1, v1::CONTACT_STATE_OFFERED, "h1");
  Event("c1", 500, v1::CONTACT_STATE_QUEUED, "h1", "recovered");
  Event("c1", 501, v1::CONTACT_STATE_OFFERED, "h2");
  Event("c1", 510, v1::CONTACT_STATE_CONNECTED, "h2");
  Client(511, HandlerEventKind::kAccepted, "h2", "c1");
  Event("c1", 550, v1::CONTACT_STATE_COMPLETED, "h2");
  Client(560, HandlerEventKind::kReleasing, "h2", "c1");
  Event("c1", 561, v1::CONTACT_STATE_COMPLETED, "h2", "finished");
  FaultReport r = Check();
  EXPECT_TRUE(r.ok()) << problems_;
  EXPECT_THAT(r.activity, HasSubstr("recovered=1"));
}

TEST_F(CheckerTest, AnAcknowledgedContactMissingOrNeverCompletedIsLost) {
  Route("k1", "c1");  // the store does not have it
  input_.stored.emplace("c1", absl::NotFoundError("no such contact"));
  Route("k2", "c2");  // connected, never completed
  Event("c2", 0, v1::CONTACT_STATE_QUEUED, "", "created");
  Event("c2", 1, v1::CONTACT_STATE_OFFERED, "h1");
  Event("c2", 5, v1::CONTACT_STATE_CONNECTED, "h1");
  Route("k3", "c3");                                   // not even fetched
  Route("k4", "", 1, absl::UnavailableError("down"));  // never acknowledged: not counted
  FaultReport r = Check();
  EXPECT_EQ(r.acknowledged, 3);
  EXPECT_EQ(r.lost, 3);
  EXPECT_EQ(r.completed, 0);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(problems_, HasSubstr("lost: contact c2"));
  EXPECT_THAT(problems_, HasSubstr("CONTACT_STATE_CONNECTED with 0 completion(s)"));
}

TEST_F(CheckerTest, AnOfferWhileAnotherHandlerHoldsTheContactIsDoubleAssignment) {
  Handled("k1", "c1", "h1", 0);
  // Rewrite c1's stored history: offered to h2 while h1 was connected.
  v1::ContactRecord& r1 = Stored("c1");
  r1.clear_history();
  Event("c1", 0, v1::CONTACT_STATE_QUEUED, "", "created");
  Event("c1", 1, v1::CONTACT_STATE_OFFERED, "h1");
  Event("c1", 10, v1::CONTACT_STATE_CONNECTED, "h1");
  Event("c1", 20, v1::CONTACT_STATE_OFFERED, "h2");
  Event("c1", 50, v1::CONTACT_STATE_COMPLETED, "h1");
  Event("c1", 61, v1::CONTACT_STATE_COMPLETED, "h1", "finished");
  FaultReport r = Check();
  EXPECT_EQ(r.double_assigned, 1);
  EXPECT_THAT(problems_, HasSubstr("offered to h2 while h1 held it"));
}

TEST_F(CheckerTest, TwoHandlersHoldingOneContactOrTwoCompletionsAreDoubleAssignment) {
  Handled("k1", "c1", "h1", 0);
  Client(20, HandlerEventKind::kAccepted, "h2", "c1");  // a second accept that returned OK
  Handled("k2", "c2", "h2", 200);
  Event("c2", 300, v1::CONTACT_STATE_COMPLETED, "h2");  // completed twice
  FaultReport r = Check();
  EXPECT_EQ(r.double_assigned, 2);
  EXPECT_EQ(r.completed, 1);
  EXPECT_THAT(problems_, HasSubstr("held by h1 and h2"));
  EXPECT_THAT(problems_, HasSubstr("completed again by h2"));
}

TEST_F(CheckerTest, MoreHoldsThanCapacityAreFoundFromTheStoreAndFromTheClients) {
  // Stored: h1 (capacity 2) holds c1, c2 and c3 at 5 ms.
  Handled("k1", "c1", "h1", 0);
  Handled("k2", "c2", "h1", 2);
  Handled("k3", "c3", "h1", 4);
  FaultReport r = Check();
  EXPECT_EQ(r.over_capacity, 1);
  EXPECT_THAT(problems_, HasSubstr("over capacity (stored histories): handler h1 held 3"));

  // Clients only: the store says one at a time, the clients' holds overlap three times over.
  input_ = HistoryCheckInput();
  Handled("k1", "c1", "h2", 0);
  Handled("k2", "c2", "h2", 100);
  Handled("k3", "c3", "h2", 200);
  Client(1, HandlerEventKind::kAccepted, "h2", "x1");
  Client(2, HandlerEventKind::kAccepted, "h2", "x2");
  r = Check();
  EXPECT_EQ(r.over_capacity, 1);
  EXPECT_THAT(problems_, HasSubstr("over capacity (clients): handler h2 held 3"));
}

TEST_F(CheckerTest, AFreedSlotGivenOutAtTheSameInstantIsNotOverCapacity) {
  Route("k1", "c1");
  Event("c1", 0, v1::CONTACT_STATE_OFFERED, "h1");
  Event("c1", 10, v1::CONTACT_STATE_QUEUED, "h1", "rejected");
  Route("k2", "c2");
  Event("c2", 10, v1::CONTACT_STATE_OFFERED, "h1");
  HistoryCheckInput input = input_;
  input.capacity["h1"][v1::CHANNEL_CHAT] = 1;
  EXPECT_EQ(CheckHistory(input).over_capacity, 0);
}

TEST_F(CheckerTest, OneKeyGivingTwoContactsIsAnIdempotencyConflict) {
  Handled("k1", "c1", "h1", 0);
  Handled("k1", "c9", "h2", 0);  // the same key created a second contact
  FaultReport r = Check();
  EXPECT_EQ(r.idempotency_conflicts, 1);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(problems_, HasSubstr("key k1 gave contact c1 and later c9"));
}

}  // namespace
}  // namespace wissel::testing
