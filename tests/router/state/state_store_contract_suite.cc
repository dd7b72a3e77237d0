// The StateStore contract suite itself (state_store_contract.h): compiled into each test binary
// that instantiates it, since a static library would drop the registration of its tests.
#include <functional>
#include <map>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/router/state/state_store_contract.h"

namespace wissel::state::contract {

using core::Channel;
using core::ContactState;
using core::HoldState;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;

namespace {

TEST_P(StateStoreContractTest, Ping) { EXPECT_TRUE(store_->Ping().ok()); }

TEST_P(StateStoreContractTest, FullLifeCycle) {
  ASSERT_TRUE(ApplyOne(Changed(MakeHandler("h1"), T(0))).ok());
  ASSERT_TRUE(ApplyOne(Created(MakeContact("c1", T(1), "idem-1"))).ok());
  EXPECT_EQ(Stored("c1").state, ContactState::kQueued);
  EXPECT_EQ(Stored("c1").enqueued_at, T(1));
  EXPECT_THAT(LiveIds(), ElementsAre("c1"));

  ASSERT_TRUE(ApplyOne(Offered("c1", "h1", T(2))).ok());
  core::Contact c = Stored("c1");
  EXPECT_EQ(c.state, ContactState::kOffered);
  EXPECT_EQ(c.handler_id, "h1");
  EXPECT_EQ(c.offer_deadline, T(32));

  ASSERT_TRUE(ApplyOne(Accepted("c1", "h1", T(3))).ok());
  c = Stored("c1");
  EXPECT_EQ(c.state, ContactState::kConnected);
  EXPECT_EQ(c.offer_deadline, absl::InfiniteFuture());

  ASSERT_TRUE(ApplyOne(Completed("c1", "h1", T(4))).ok());
  EXPECT_EQ(Stored("c1").state, ContactState::kCompleted);
  EXPECT_THAT(LiveIds(), IsEmpty());
  absl::StatusOr<TenantSnapshot> wrap_up = store_->LoadTenant(kTenant);
  ASSERT_TRUE(wrap_up.ok()) << wrap_up.status();
  ASSERT_EQ(wrap_up->handlers.size(), 1u);
  ASSERT_EQ(wrap_up->handlers[0].held.size(), 1u);
  EXPECT_EQ(wrap_up->handlers[0].held[0].contact_id, "c1");
  EXPECT_EQ(wrap_up->handlers[0].held[0].state, HoldState::kWrapUp);
  EXPECT_EQ(wrap_up->handlers[0].held[0].wrap_up_deadline, T(64));
  EXPECT_EQ(wrap_up->handlers[0].last_offer_at, T(2));

  ASSERT_TRUE(ApplyOne(WrapUpDone("c1", "h1", T(5))).ok());

  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "c1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->contact.state, ContactState::kCompleted);
  EXPECT_TRUE(stored->contact.idempotency_key.empty());  // not stored: the id stands for it
  EXPECT_EQ(stored->contact.created_at, T(1));
  EXPECT_THAT(HistoryLines(*stored),
              ElementsAre("1:queued::created", "2:offered:h1:", "3:connected:h1:",
                          "4:completed:h1:", "5:completed:h1:finished"));

  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_EQ(snapshot->handlers.size(), 1u);
  EXPECT_TRUE(snapshot->handlers[0].held.empty());
  EXPECT_TRUE(snapshot->live_contacts.empty());
}

TEST_P(StateStoreContractTest, LifeCycleInOneBatch) {
  std::vector<EffectResult> results = ApplyAll({
      Changed(MakeHandler("h1"), T(0)),
      Created(MakeContact("c1", T(1))),
      Offered("c1", "h1", T(2)),
      Accepted("c1", "h1", T(3)),
      Completed("c1", "h1", T(4)),
      WrapUpDone("c1", "h1", T(5)),
      Created(MakeContact("c2", T(6))),
      Offered("c2", "h1", T(6)),
  });
  ExpectAllOk(results);
  EXPECT_EQ(Stored("c2").state, ContactState::kOffered);
}

TEST_P(StateStoreContractTest, EveryScriptRefusesAWrongStateAndChangesNothing) {
  Populate();
  const std::string before = backend_->Dump();
  const std::vector<std::pair<std::string, core::Effect>> refused = {
      {"create existing id", Created(MakeContact("c3", T(20)))},
      {"offer connected", Offered("c2", "h1", T(20))},
      {"offer missing contact", Offered("nope", "h1", T(20))},
      {"offer on wrong channel", Offered("c3", "h1", T(20), Channel::kChat)},
      {"withdraw queued", Withdrawn("c3", "h1", T(20), "rejected")},
      {"withdraw from other handler", Withdrawn("c1", "h2", T(20), "rejected")},
      {"accept queued", Accepted("c3", "h1", T(20))},
      {"accept by other handler", Accepted("c1", "h2", T(20))},
      {"complete offered", Completed("c1", "h1", T(20))},
      {"complete by other handler", Completed("c2", "h1", T(20))},
      {"wrap-up of connected", WrapUpDone("c2", "h2", T(20))},
      {"wrap-up not held", WrapUpDone("c4", "h2", T(20))},
      {"abandon with wrong previous", Abandoned("c1", "h1", ContactState::kQueued, T(20))},
      {"abandon with wrong handler", Abandoned("c2", "h1", ContactState::kConnected, T(20))},
      {"abandon completed", Abandoned("c4", "", ContactState::kQueued, T(20))},
      {"abandon abandoned", Abandoned("c5", "", ContactState::kQueued, T(20))},
      {"transfer offered", Transferred("c1", "h1", "vergunningen", T(20))},
      {"transfer by other handler", Transferred("c2", "h1", "vergunningen", T(20))},
      {"sign out while holding", Changed(MakeHandler("h1", 1, 2, core::Presence::kOffline), T(20))},
      {"update offered", Updated(RichContact("c1", T(20)), T(20), "escalated")},
      {"update connected", Updated(RichContact("c2", T(20)), T(20), "escalated")},
      {"update completed", Updated(RichContact("c4", T(20)), T(20), "escalated")},
      {"update abandoned", Updated(RichContact("c5", T(20)), T(20), "escalated")},
      {"update missing contact", Updated(RichContact("nope", T(20)), T(20), "escalated")},
  };
  for (const auto& [what, effect] : refused) {
    absl::Status status = ApplyOne(effect);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << what << ": " << status;
    EXPECT_FALSE(status.message().empty()) << what;
  }
  EXPECT_EQ(backend_->Dump(), before);
}

TEST_P(StateStoreContractTest, InvalidInputIsRefusedPerEffect) {
  std::vector<TenantEffect> batch = {
      {"Bad_Tenant", Created(MakeContact("c1", T(1)))},
      {kTenant, Created(MakeContact("bad:id", T(1)))},
      {kTenant, Created(MakeContact("c2", T(1)))},
      {kTenant, Abandoned("c2", "", ContactState::kCompleted, T(2))},
      {kTenant, Offered("c2", "", T(2))},
  };
  absl::StatusOr<std::vector<EffectResult>> results = store_->Apply(batch);
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*results)[1].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE((*results)[2].status.ok()) << (*results)[2].status;
  EXPECT_EQ((*results)[3].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*results)[4].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(LiveIds(), ElementsAre("c2"));
  EXPECT_EQ(store_->LoadTenant("Bad").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->LoadContact(kTenant, "a|b").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StateStoreContractTest, CapacityAndPresenceAreChecked) {
  ExpectAllOk(ApplyAll({
      Changed(MakeHandler("h1", /*phone=*/1, /*chat=*/0), T(0)),
      Changed(MakeHandler("busy", 1, 1, core::Presence::kBusy), T(0)),
      Created(MakeContact("c1", T(1))),
      Created(MakeContact("c2", T(2))),
      Created(MakeContact("chat1", T(3), "", Channel::kChat)),
      Offered("c1", "h1", T(4)),
  }));
  const std::string before = backend_->Dump();
  EXPECT_EQ(ApplyOne(Offered("c2", "h1", T(5))).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ApplyOne(Offered("chat1", "h1", T(5), Channel::kChat)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ApplyOne(Offered("c2", "busy", T(5))).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ApplyOne(Offered("c2", "unknown", T(5))).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(backend_->Dump(), before);

  // Wrap-up still takes the slot; finishing it frees the slot.
  ExpectAllOk(ApplyAll({Accepted("c1", "h1", T(6)), Completed("c1", "h1", T(7))}));
  EXPECT_EQ(ApplyOne(Offered("c2", "h1", T(8))).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ApplyOne(WrapUpDone("c1", "h1", T(9))).ok());
  EXPECT_TRUE(ApplyOne(Offered("c2", "h1", T(10))).ok());

  // Only one of two replicas racing for the last slot wins.
  ExpectAllOk(ApplyAll({Changed(MakeHandler("h2", 1, 0), T(11)), Created(MakeContact("c3", T(12))),
                        Created(MakeContact("c4", T(12)))}));
  std::unique_ptr<StateStore> replica = backend_->NewStore(&clock_);
  std::vector<TenantEffect> mine = {{kTenant, Offered("c3", "h2", T(13))}};
  std::vector<TenantEffect> theirs = {{kTenant, Offered("c4", "h2", T(13))}};
  absl::StatusOr<std::vector<EffectResult>> a, b;
  std::thread t1([&] { a = store_->Apply(mine); });
  std::thread t2([&] { b = replica->Apply(theirs); });
  t1.join();
  t2.join();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)[0].status.ok(), (*b)[0].status.ok());
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  size_t h2_holds = 0;
  for (const core::Handler& h : snapshot->handlers) {
    if (h.id == "h2") h2_holds = h.held.size();
  }
  EXPECT_EQ(h2_holds, 1u);
}

// A contact with an idempotency key has an id derived from the key (the service's rule), so
// creating it again is a retry: AlreadyExists naming it, with whether it is still live, and
// nothing written. Without a key it is a conflict (FailedPrecondition).
TEST_P(StateStoreContractTest, CreatingAContactAgainIsARetry) {
  ASSERT_TRUE(ApplyOne(Created(MakeContact("c1", T(1), "key-1"))).ok());
  const std::string before = backend_->Dump();
  std::vector<EffectResult> retry = ApplyAll({Created(MakeContact("c1", T(2), "key-1"))});
  EXPECT_EQ(retry[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(retry[0].existing_contact_id, "c1");
  EXPECT_TRUE(retry[0].existing_live);
  EXPECT_EQ(backend_->Dump(), before);
  EXPECT_THAT(LiveIds(), ElementsAre("c1"));
  // The store keeps no key -> id mapping of its own.
  EXPECT_EQ(store_->FindByIdempotencyKey(kTenant, "key-1").status().code(),
            absl::StatusCode::kNotFound);

  // Once closed, a retry still finds it, not live.
  ASSERT_TRUE(ApplyOne(Abandoned("c1", "", ContactState::kQueued, T(3))).ok());
  retry = ApplyAll({Created(MakeContact("c1", T(4), "key-1"))});
  EXPECT_EQ(retry[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(retry[0].existing_contact_id, "c1");
  EXPECT_FALSE(retry[0].existing_live);
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "c1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->contact.state, ContactState::kAbandoned);
  EXPECT_EQ(stored->contact.created_at, T(1));

  // Without a key, the same id twice is a conflict.
  ASSERT_TRUE(ApplyOne(Created(MakeContact("c2", T(5)))).ok());
  std::vector<EffectResult> again = ApplyAll({Created(MakeContact("c2", T(6)))});
  EXPECT_EQ(again[0].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(again[0].existing_contact_id.empty());

  // Ids are per tenant.
  EXPECT_TRUE(ApplyOne(Created(MakeContact("c1", T(1), "key-1")), "amersfoort").ok());
}

TEST_P(StateStoreContractTest, LoadTenantReturnsHandlersHeldAndLiveContacts) {
  Populate();
  // A signed-out handler is gone.
  ExpectAllOk(ApplyAll({Changed(MakeHandler("h3"), T(10)),
                        Changed(MakeHandler("h3", 1, 2, core::Presence::kOffline), T(11))}));
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();

  ASSERT_EQ(snapshot->handlers.size(), 2u);
  const core::Handler& h1 = snapshot->handlers[0];
  const core::Handler& h2 = snapshot->handlers[1];
  EXPECT_EQ(h1.id, "h1");
  EXPECT_EQ(h2.id, "h2");
  EXPECT_EQ(h1.display_name, "Handler h1");
  EXPECT_THAT(h1.skills, ElementsAre("burgerzaken", "parkeren"));
  EXPECT_EQ(h1.capacity[Channel::kChat], 2);
  EXPECT_EQ(h1.presence, core::Presence::kAvailable);
  EXPECT_EQ(h1.last_offer_at, T(4));
  ASSERT_EQ(h1.held.size(), 2u);
  EXPECT_EQ(h1.held[0].contact_id, "c1");
  EXPECT_EQ(h1.held[0].channel, Channel::kChat);
  EXPECT_EQ(h1.held[0].state, HoldState::kOffered);
  EXPECT_EQ(h1.held[1].contact_id, "c4");
  EXPECT_EQ(h1.held[1].state, HoldState::kWrapUp);
  EXPECT_EQ(h1.held[1].wrap_up_deadline, T(63));
  EXPECT_EQ(h1.Load(Channel::kPhone), 1);
  ASSERT_EQ(h2.held.size(), 1u);
  EXPECT_EQ(h2.held[0].contact_id, "c2");
  EXPECT_EQ(h2.held[0].state, HoldState::kConnected);

  std::vector<std::string> live;
  for (const core::Contact& c : snapshot->live_contacts) live.push_back(c.id);
  EXPECT_THAT(live, ElementsAre("c1", "c2", "c3"));  // by enqueued_at
  EXPECT_EQ(snapshot->live_contacts[0].state, ContactState::kOffered);
  EXPECT_EQ(snapshot->live_contacts[0].handler_id, "h1");
  EXPECT_EQ(snapshot->live_contacts[1].state, ContactState::kConnected);
  EXPECT_EQ(snapshot->live_contacts[2].state, ContactState::kQueued);
  EXPECT_EQ(snapshot->live_contacts[2].created_at, T(7));

  absl::StatusOr<TenantSnapshot> empty = store_->LoadTenant("elsewhere");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->handlers.empty());
  EXPECT_TRUE(empty->live_contacts.empty());
}

TEST_P(StateStoreContractTest, LoadContactNotFound) {
  EXPECT_EQ(store_->LoadContact(kTenant, "nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StateStoreContractTest, CreatedAsCompletedIsNeverLive) {
  core::Contact steered = MakeContact("digital", T(1), "idem-digital");
  steered.state = ContactState::kCompleted;
  core::Contact closed = MakeContact("closed", T(2));
  closed.state = ContactState::kCompleted;
  ExpectAllOk(
      ApplyAll({core::ContactCreated{steered, "steered_to_digital"},
                core::ContactCreated{closed, "closed"}, Created(MakeContact("queued", T(3)))}));
  EXPECT_THAT(LiveIds(), ElementsAre("queued"));
  EXPECT_EQ(Stored("digital").state, ContactState::kCompleted);

  // Still findable, with its reason as the first history entry, and idempotent.
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "digital");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->contact.state, ContactState::kCompleted);
  ASSERT_EQ(stored->history.size(), 1u);
  EXPECT_EQ(stored->history[0].state, ContactState::kCompleted);
  EXPECT_EQ(stored->history[0].reason, "steered_to_digital");
  EXPECT_EQ(stored->history[0].time, T(1));
  absl::StatusOr<StoredContact> queued = store_->LoadContact(kTenant, "queued");
  ASSERT_TRUE(queued.ok()) << queued.status();
  EXPECT_EQ(queued->history[0].reason, "created");  // no reason given
  std::vector<EffectResult> retry = ApplyAll({core::ContactCreated{steered, "steered_to_digital"}});
  EXPECT_EQ(retry[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(retry[0].existing_contact_id, "digital");
  EXPECT_FALSE(retry[0].existing_live);

  // Nothing may offer or abandon it.
  ASSERT_TRUE(ApplyOne(Changed(MakeHandler("h1"), T(4))).ok());
  EXPECT_EQ(ApplyOne(Offered("digital", "h1", T(5))).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ApplyOne(Abandoned("closed", "", ContactState::kQueued, T(5))).code(),
            absl::StatusCode::kFailedPrecondition);

  // A contact cannot be created offered or connected: there would be no held entry.
  const std::string before = backend_->Dump();
  for (ContactState state : {ContactState::kOffered, ContactState::kConnected}) {
    core::Contact c = MakeContact("held", T(6));
    c.state = state;
    c.handler_id = "h1";
    EXPECT_EQ(ApplyOne(Created(c)).code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(backend_->Dump(), before);
}

TEST_P(StateStoreContractTest, EveryContactFieldSurvivesLoadTenantAndLoadContact) {
  const core::Contact rich = RichContact("rich", T(1));
  ASSERT_TRUE(ApplyOne(Created(rich)).ok());
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_EQ(snapshot->live_contacts.size(), 1u);
  EXPECT_EQ(AllFields(snapshot->live_contacts[0]), AllFields(rich));
  EXPECT_EQ(snapshot->live_contacts[0].required_skills, rich.required_skills);
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "rich");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(AllFields(stored->contact), AllFields(rich));

  // Names that would break the stored lists are refused before anything is stored.
  for (auto mutate : std::vector<std::function<void(core::Contact&)>>{
           [](core::Contact& c) { c.overflow_queues = {"a,b"}; },
           [](core::Contact& c) { c.overflow_queues = {""}; },
           [](core::Contact& c) {
             c.required_skills = {{"wmo:3", 1}};
           },
           [](core::Contact& c) { c.reserved_for = "h 1"; },
       }) {
    core::Contact bad = RichContact("bad", T(2));
    mutate(bad);
    EXPECT_EQ(ApplyOne(Created(bad)).code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ApplyOne(Updated(bad, T(2), "x")).code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(store_->LoadContact(kTenant, "bad").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StateStoreContractTest, ContactUpdatedOverwritesTheRoutingStateOfAQueuedContact) {
  Populate();
  // c3 (queued since T(7), behind c1 and c2) escalates: new queue, priority, skills, overflow,
  // a reservation, and it moves to the front.
  core::Contact c3 = MakeContact("c3", T(7), "idem-3");
  c3.queue = "wmo";
  c3.priority = 90;
  c3.enqueued_at = T(2);
  c3.callback = true;
  c3.escalation_level = 2;
  c3.min_proficiency = 2;
  c3.overflow_queues = {"kcc", "wmo-b"};
  c3.required_skills = {{"wmo", 3}};
  c3.reserved_for = "h2";
  c3.reserved_until = T(100);
  // Fields that are not routing state are not the update's to change.
  core::Contact changed = c3;
  changed.payload = "other payload";
  changed.topic = "other topic";
  changed.domain = "elsewhere";
  ASSERT_TRUE(ApplyOne(Updated(changed, T(20), "escalation step 2")).ok());

  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  std::vector<std::string> live;
  for (const core::Contact& c : snapshot->live_contacts) live.push_back(c.id);
  EXPECT_THAT(live, ElementsAre("c3", "c1", "c2"));  // by enqueued_at
  const core::Contact& loaded = snapshot->live_contacts[0];
  EXPECT_EQ(AllFields(loaded), AllFields(c3));
  EXPECT_EQ(loaded.payload, "payload of c3");
  EXPECT_EQ(loaded.reserved_until, T(100));
  EXPECT_THAT(loaded.overflow_queues, ElementsAre("kcc", "wmo-b"));

  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "c3");
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->history.size(), 2u);
  EXPECT_EQ(stored->history[1].time, T(20));
  EXPECT_EQ(stored->history[1].state, ContactState::kQueued);
  EXPECT_EQ(stored->history[1].reason, "escalation step 2");

  // The reservation ends: lists back to empty, reservation cleared.
  c3.reserved_for.clear();
  c3.reserved_until = absl::InfinitePast();
  c3.overflow_queues.clear();
  c3.required_skills.clear();
  ASSERT_TRUE(ApplyOne(Updated(c3, T(21), "")).ok());
  stored = store_->LoadContact(kTenant, "c3");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(AllFields(stored->contact), AllFields(c3));
  EXPECT_EQ(stored->history.back().reason, "updated");

  // The updated contact is still offered as usual.
  ASSERT_TRUE(ApplyOne(Changed(MakeHandler("h3"), T(22))).ok());
  EXPECT_TRUE(ApplyOne(Offered("c3", "h3", T(22))).ok());
}

TEST_P(StateStoreContractTest, ContactPersonsAreStoredLoadedAndExpire) {
  const absl::Time now = clock_.Now();
  ExpectAllOk(ApplyAll({
      PersonSet(kResident1, "sociaal_domein", "h1", now + absl::Hours(24 * 365), now),
      PersonSet(kResident1, "burgerzaken", "h2", now + absl::Seconds(10), now),
      PersonSet(kResident2, "sociaal_domein", "h2", now + absl::Hours(24 * 30), now),
  }));
  auto loaded = [&] { return ContactPersonLines(*store_, now); };
  // Ordered by expires_at.
  EXPECT_THAT(loaded(), ElementsAre("3f1c:burgerzaken:h2:10", "00ff:sociaal_domein:h2:2592000",
                                    "3f1c:sociaal_domein:h1:31536000"));

  // Past its expires_at (by the store's clock) a mapping is not loaded.
  clock_.Advance(absl::Seconds(11));
  EXPECT_THAT(loaded(),
              ElementsAre("00ff:sociaal_domein:h2:2592000", "3f1c:sociaal_domein:h1:31536000"));

  // A renewal replaces the handler and the expiry.
  const absl::Time later = now + absl::Seconds(20);
  ASSERT_TRUE(
      ApplyOne(PersonSet(kResident1, "sociaal_domein", "h3", later + absl::Hours(24), later)).ok());
  EXPECT_THAT(loaded(),
              ElementsAre("3f1c:sociaal_domein:h3:86420", "00ff:sociaal_domein:h2:2592000"));

  // Expiring at or before the effect's time removes the mapping; nothing is stored for a new one.
  ExpectAllOk(ApplyAll({PersonSet(kResident1, "sociaal_domein", "h3", later, later),
                        PersonSet(kResident2, "wmo", "h1", later - absl::Hours(1), later)}));
  EXPECT_THAT(loaded(), ElementsAre("00ff:sociaal_domein:h2:2592000"));
}

// A pseudonym secret rotation re-keys a mapping: the new one is stored and the old one dropped
// in one step, so a crash in between cannot leave the resident with two contact persons.
TEST_P(StateStoreContractTest, AReKeyedContactPersonReplacesTheOldMapping) {
  const absl::Time now = clock_.Now();
  ExpectAllOk(ApplyAll({
      PersonSet(kResident1, "sociaal_domein", "h1", now + absl::Hours(24), now),
      PersonSet(kResident1, "burgerzaken", "h2", now + absl::Hours(24), now),
  }));
  core::ContactPersonSet moved =
      PersonSet(kResident2, "sociaal_domein", "h1", now + absl::Hours(25), now);
  moved.replaces_pseudonym = kResident1;
  ASSERT_TRUE(ApplyOne(moved).ok());
  // Ordered by expires_at; only the re-keyed domain moved.
  EXPECT_THAT(ContactPersonLines(*store_, now),
              ElementsAre("3f1c:burgerzaken:h2:86400", "00ff:sociaal_domein:h1:90000"));
  const std::string dump = backend_->Dump();

  // The replaced pseudonym is checked like the new one, and a refusal changes nothing.
  core::ContactPersonSet bad = moved;
  bad.replaces_pseudonym = "123456782";
  const absl::Status status = ApplyOne(bad);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("123456782")));
  EXPECT_EQ(backend_->Dump(), dump);
}

TEST_P(StateStoreContractTest, ContactPersonSetRefusesClearIdentifiersAndBadInput) {
  const absl::Time now = clock_.Now();
  const std::string before = backend_->Dump();
  const std::vector<std::pair<std::string, core::Effect>> refused = {
      {"bsn", PersonSet("123456782", "wmo", "h1", now + absl::Hours(1), now)},
      {"e-mail", PersonSet("jan@example.nl", "wmo", "h1", now + absl::Hours(1), now)},
      {"upper-case hex", PersonSet(std::string(64, 'A'), "wmo", "h1", now + absl::Hours(1), now)},
      {"empty pseudonym", PersonSet("", "wmo", "h1", now + absl::Hours(1), now)},
      {"domain with ':'", PersonSet(kResident1, "a:b", "h1", now + absl::Hours(1), now)},
      {"empty domain", PersonSet(kResident1, "", "h1", now + absl::Hours(1), now)},
      {"bad handler", PersonSet(kResident1, "wmo", "h|1", now + absl::Hours(1), now)},
      {"never expires", PersonSet(kResident1, "wmo", "h1", absl::InfiniteFuture(), now)},
      {"no time", PersonSet(kResident1, "wmo", "h1", now, absl::InfinitePast())},
  };
  for (const auto& [what, effect] : refused) {
    absl::Status status = ApplyOne(effect);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << what << ": " << status;
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("123456782"))) << what;
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("jan@example"))) << what;
  }
  EXPECT_EQ(backend_->Dump(), before);

  // The core keys a case's contact person on the case pseudonym with domain "*".
  ASSERT_TRUE(ApplyOne(PersonSet(kResident2, "*", "h1", now + absl::Hours(1), now)).ok());
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_EQ(snapshot->contact_persons.size(), 1u);
  EXPECT_EQ(snapshot->contact_persons[0].party_pseudonym, kResident2);
  EXPECT_EQ(snapshot->contact_persons[0].domain, "*");
}

TEST_P(StateStoreContractTest, PayloadIsBinarySafe) {
  core::Contact c = MakeContact("bin", T(1));
  std::string bytes("\0\x01\xff|,:{}\r\n\0end", 14);
  for (int i = 0; i < 100000; ++i) bytes.push_back(static_cast<char>(i % 256));
  c.payload = bytes;
  ASSERT_TRUE(ApplyOne(Created(c)).ok());
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "bin");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->contact.payload.size(), c.payload.size());
  EXPECT_EQ(stored->contact.payload, c.payload);
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ(snapshot->live_contacts.size(), 1u);
  EXPECT_EQ(snapshot->live_contacts[0].payload, c.payload);
}

// Idempotency keys written by routers before contact ids were derived from keys, under either
// of their names, still make a retry find its contact, through the create and lookups.
TEST_P(StateStoreContractTest, LegacyIdempotencyKeyIsStillHonoured) {
  ASSERT_TRUE(backend_->SeedLegacyIdempotencyKey(kTenant, "key-7", "old-contact", true).ok());
  EXPECT_EQ(ApplyOne(Created(MakeContact("c7", T(1), "key-7"))).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->LoadContact(kTenant, "c7").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*store_->FindByIdempotencyKey(kTenant, "key-7"), "old-contact");
  // And under the short name of the routers between.
  ASSERT_TRUE(backend_->SeedLegacyIdempotencyKey(kTenant, "key-8", "older-contact", false).ok());
  std::vector<EffectResult> retry = ApplyAll({Created(MakeContact("c8", T(2), "key-8"))});
  EXPECT_EQ(retry[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(retry[0].existing_contact_id, "older-contact");
  EXPECT_FALSE(retry[0].existing_live);
  EXPECT_EQ(store_->LoadContact(kTenant, "c8").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*store_->FindByIdempotencyKey(kTenant, "key-8"), "older-contact");
  // A new key is written under no name.
  ASSERT_TRUE(ApplyOne(Created(MakeContact("c9", T(2), "key-9"))).ok());
  EXPECT_EQ(store_->FindByIdempotencyKey(kTenant, "key-9").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->FindByIdempotencyKey(kTenant, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The first history entry reads back whatever its length and reason.
TEST_P(StateStoreContractTest, FirstHistoryEntryReadsBack) {
  core::Contact closed = MakeContact("c2", T(4));
  closed.state = ContactState::kCompleted;
  const std::string reason(70, 'r');
  ASSERT_TRUE(ApplyOne(core::ContactCreated{closed, reason}).ok());
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "c2");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_THAT(HistoryLines(*stored), ElementsAre(absl::StrCat("4:completed::", reason)));

  core::Contact steered = MakeContact("c3", T(5));
  steered.state = ContactState::kCompleted;
  ASSERT_TRUE(ApplyOne(core::ContactCreated{steered, "steered_to_digital"}).ok());
  stored = store_->LoadContact(kTenant, "c3");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_THAT(HistoryLines(*stored), ElementsAre("5:completed::steered_to_digital"));
}

TEST_P(StateStoreContractTest, WithdrawTransferAndAbandon) {
  ExpectAllOk(ApplyAll({
      Changed(MakeHandler("h1", 2, 0), T(0)),
      Created(MakeContact("c1", T(1))),
      Offered("c1", "h1", T(2)),
      Withdrawn("c1", "h1", T(3), "rejected"),
      Offered("c1", "h1", T(4)),
      Withdrawn("c1", "h1", T(5), "handler_signed_out"),
      Offered("c1", "h1", T(6)),
      Withdrawn("c1", "h1", T(7), "offer_timeout"),
  }));
  core::Contact c1 = Stored("c1");
  EXPECT_THAT(c1.declined_by, ElementsAre("h1"));  // once, although declined twice
  EXPECT_EQ(c1.state, ContactState::kQueued);
  EXPECT_EQ(c1.handler_id, "");
  EXPECT_EQ(c1.offer_deadline, absl::InfiniteFuture());

  ExpectAllOk(ApplyAll({
      Offered("c1", "h1", T(8)),
      Accepted("c1", "h1", T(9)),
      Transferred("c1", "h1", "vergunningen", T(10)),
  }));
  c1 = Stored("c1");
  EXPECT_EQ(c1.state, ContactState::kQueued);
  EXPECT_EQ(c1.queue, "vergunningen");
  EXPECT_THAT(c1.declined_by, IsEmpty());  // as the core does: the new queue starts afresh
  EXPECT_EQ(c1.enqueued_at, T(10));
  absl::StatusOr<TenantSnapshot> snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_EQ(snapshot->handlers.size(), 1u);
  EXPECT_THAT(snapshot->handlers[0].held, IsEmpty());

  // Abandoned while offered and while connected: the slot is freed.
  ExpectAllOk(ApplyAll({
      Offered("c1", "h1", T(11)),
      Abandoned("c1", "h1", ContactState::kOffered, T(12)),
      Created(MakeContact("c2", T(13))),
      Offered("c2", "h1", T(13)),
      Accepted("c2", "h1", T(14)),
      Abandoned("c2", "h1", ContactState::kConnected, T(15)),
  }));
  EXPECT_EQ(Stored("c1").state, ContactState::kAbandoned);
  EXPECT_THAT(LiveIds(), IsEmpty());
  snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_EQ(snapshot->handlers.size(), 1u);
  EXPECT_THAT(snapshot->handlers[0].held, IsEmpty());
  absl::StatusOr<StoredContact> stored = store_->LoadContact(kTenant, "c1");
  ASSERT_TRUE(stored.ok());
  ASSERT_FALSE(stored->history.empty());
  EXPECT_EQ(stored->history.back().state, ContactState::kAbandoned);
  EXPECT_EQ(stored->history.back().reason, "caller_hung_up");
  EXPECT_EQ(stored->history[2].reason, "rejected");

  // Signing out with nothing held deletes the handler.
  ASSERT_TRUE(ApplyOne(Changed(MakeHandler("h1", 2, 0, core::Presence::kOffline), T(16))).ok());
  snapshot = store_->LoadTenant(kTenant);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_THAT(snapshot->handlers, IsEmpty());
}

TEST_P(StateStoreContractTest, OutageIsUnavailableQuicklyAndHealsAfterReconnect) {
  ExpectAllOk(ApplyAll({Changed(MakeHandler("h1"), T(0)), Created(MakeContact("c1", T(1)))}));
  ASSERT_TRUE(backend_->Disconnect().ok());

  const absl::Time start = absl::Now();
  std::vector<TenantEffect> batch = {{kTenant, Created(MakeContact("c2", T(2)))},
                                     {kTenant, Offered("c1", "h1", T(2))}};
  EXPECT_EQ(store_->Apply(batch).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->Ping().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->LoadTenant(kTenant).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->LoadContact(kTenant, "c1").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->FindByIdempotencyKey(kTenant, "k").status().code(),
            absl::StatusCode::kUnavailable);
  const LeaseClaim claim{"10.0.0.1:7000", "nonce-a"};
  EXPECT_EQ(store_->ClaimLeases({kTenant}, claim).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->ReleaseLeases({kTenant}, claim).code(), absl::StatusCode::kUnavailable);
  // Bounded by the timeouts, not hanging.
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));

  ASSERT_TRUE(backend_->Reconnect().ok());
  EXPECT_TRUE(store_->Ping().ok());
  ExpectAllOk(ApplyAll({Changed(MakeHandler("h1"), T(3)), Created(MakeContact("c3", T(3))),
                        Offered("c3", "h1", T(4))}));
}

TEST_P(StateStoreContractTest, ConcurrentCallersShareOneStore) {
  constexpr int kThreads = 4, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<TenantEffect> batch = {
            {kTenant, Created(MakeContact(absl::StrCat("c", t, "-", i), T(i)))}};
        absl::StatusOr<std::vector<EffectResult>> r = store_->Apply(batch);
        EXPECT_TRUE(r.ok() && (*r)[0].status.ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(LiveIds().size(), static_cast<size_t>(kThreads * kPerThread));
}

// Leases (docs/adr/0005): a free lease is taken, the holder renews it, another router learns
// who holds it, the holder's successor at the same address takes it over, release frees it.
TEST_P(StateStoreContractTest, LeasesAreClaimedRenewedReportedAndReleased) {
  const LeaseClaim a{"10.0.0.1:7000", "nonce-a", absl::Seconds(30)};
  const LeaseClaim b{"10.0.0.2:7000", "nonce-b", absl::Seconds(30)};
  absl::StatusOr<std::vector<TenantLease>> first = store_->ClaimLeases({kTenant, "amersfoort"}, a);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 2u);
  for (const TenantLease& lease : *first) {
    EXPECT_TRUE(lease.held && lease.acquired) << lease.tenant;
    EXPECT_THAT(lease.lease, MatchesRegex("[0-9]+\\|nonce-a\\|10\\.0\\.0\\.1:7000"));
    EXPECT_EQ(lease.holder_address, a.address);
  }
  EXPECT_EQ((*first)[0].tenant, kTenant);
  EXPECT_EQ((*first)[1].tenant, "amersfoort");
  const std::string lease_a = (*first)[0].lease;

  // Renewed: held, not newly acquired, the same lease.
  absl::StatusOr<std::vector<TenantLease>> renewed = store_->ClaimLeases({kTenant}, a);
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_TRUE((*renewed)[0].held);
  EXPECT_FALSE((*renewed)[0].acquired);
  EXPECT_EQ((*renewed)[0].lease, lease_a);

  // Another router is told who holds it, from any store on the same data.
  std::unique_ptr<StateStore> replica = backend_->NewStore(&clock_);
  absl::StatusOr<std::vector<TenantLease>> other = replica->ClaimLeases({kTenant}, b);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE((*other)[0].held);
  EXPECT_FALSE((*other)[0].acquired);
  EXPECT_EQ((*other)[0].lease, lease_a);
  EXPECT_EQ((*other)[0].holder_address, a.address);
  // Releasing a lease one does not hold changes nothing.
  ASSERT_TRUE(replica->ReleaseLeases({kTenant}, b).ok());
  other = replica->ClaimLeases({kTenant}, b);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE((*other)[0].held);
  EXPECT_EQ((*other)[0].lease, lease_a);

  // A router restarted at the same address (a new nonce) takes over at once, under a new lease.
  const LeaseClaim a2{a.address, "nonce-a2", absl::Seconds(30)};
  absl::StatusOr<std::vector<TenantLease>> successor = replica->ClaimLeases({kTenant}, a2);
  ASSERT_TRUE(successor.ok()) << successor.status();
  EXPECT_TRUE((*successor)[0].held && (*successor)[0].acquired);
  EXPECT_NE((*successor)[0].lease, lease_a);
  EXPECT_THAT((*successor)[0].lease, MatchesRegex("[0-9]+\\|nonce-a2\\|10\\.0\\.0\\.1:7000"));

  // Released by its holder, the lease is free for anyone.
  ASSERT_TRUE(replica->ReleaseLeases({kTenant}, a2).ok());
  absl::StatusOr<std::vector<TenantLease>> taken = replica->ClaimLeases({kTenant}, b);
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_TRUE((*taken)[0].held && (*taken)[0].acquired);
  EXPECT_EQ((*taken)[0].holder_address, b.address);
  EXPECT_EQ(store_->ClaimLeases({"Bad"}, a).status().code(), absl::StatusCode::kInvalidArgument);
}

// Fencing: once another router holds the tenant's lease, a write under the old lease is refused
// with PermissionDenied and changes nothing; other tenants and the new holder are unaffected.
TEST_P(StateStoreContractTest, AWriteUnderALostLeaseIsFencedAndChangesNothing) {
  const LeaseClaim a{"10.0.0.1:7000", "nonce-a", absl::Seconds(30)};
  const LeaseClaim b{"10.0.0.2:7000", "nonce-b", absl::Seconds(30)};
  absl::StatusOr<std::vector<TenantLease>> mine = store_->ClaimLeases({kTenant}, a);
  ASSERT_TRUE(mine.ok()) << mine.status();
  store_->SetFence(kTenant, (*mine)[0].lease);
  ExpectAllOk(ApplyAll({Changed(MakeHandler("h1"), T(0)), Created(MakeContact("c1", T(1)))}));

  ASSERT_TRUE(store_->ReleaseLeases({kTenant}, a).ok());
  std::unique_ptr<StateStore> replica = backend_->NewStore(&clock_);
  absl::StatusOr<std::vector<TenantLease>> theirs = replica->ClaimLeases({kTenant}, b);
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  ASSERT_TRUE((*theirs)[0].acquired);
  replica->SetFence(kTenant, (*theirs)[0].lease);

  const std::string before = backend_->Dump();
  std::vector<EffectResult> fenced =
      ApplyAll({Offered("c1", "h1", T(2)), Created(MakeContact("c2", T(2))),
                Changed(MakeHandler("h2"), T(2))});
  for (const EffectResult& r : fenced) {
    EXPECT_EQ(r.status.code(), absl::StatusCode::kPermissionDenied) << r.status;
    EXPECT_THAT(std::string(r.status.message()), HasSubstr((*theirs)[0].lease));
  }
  EXPECT_EQ(backend_->Dump(), before);
  // Another tenant has no fence.
  EXPECT_TRUE(ApplyOne(Created(MakeContact("c1", T(1))), "amersfoort").ok());

  // The new holder writes.
  std::vector<TenantEffect> offer = {{kTenant, Offered("c1", "h1", T(3))}};
  absl::StatusOr<std::vector<EffectResult>> applied = replica->Apply(offer);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_TRUE((*applied)[0].status.ok()) << (*applied)[0].status;

  // "" turns the check off.
  store_->SetFence(kTenant, "");
  EXPECT_TRUE(ApplyOne(Created(MakeContact("c3", T(4)))).ok());

  // A fence on a lease nobody holds any more is refused too.
  ASSERT_TRUE(replica->ReleaseLeases({kTenant}, b).ok());
  std::vector<TenantEffect> late = {{kTenant, Created(MakeContact("c4", T(5)))}};
  applied = replica->Apply(late);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ((*applied)[0].status.code(), absl::StatusCode::kPermissionDenied);
}

// A lease that is not renewed expires after its TTL: its holder's writes are fenced and another
// router takes the tenant under a new lease.
TEST_P(StateStoreContractTest, AnUnrenewedLeaseExpires) {
  const LeaseClaim a{"10.0.0.1:7000", "nonce-a", absl::Milliseconds(200)};
  const LeaseClaim b{"10.0.0.2:7000", "nonce-b", absl::Seconds(30)};
  absl::StatusOr<std::vector<TenantLease>> mine = store_->ClaimLeases({kTenant}, a);
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_TRUE((*mine)[0].acquired);
  store_->SetFence(kTenant, (*mine)[0].lease);
  backend_->LetLeasesAge(absl::Milliseconds(500));
  EXPECT_EQ(ApplyOne(Created(MakeContact("c1", T(1)))).code(), absl::StatusCode::kPermissionDenied);
  absl::StatusOr<std::vector<TenantLease>> theirs = store_->ClaimLeases({kTenant}, b);
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  EXPECT_TRUE((*theirs)[0].acquired);
  EXPECT_NE((*theirs)[0].lease, (*mine)[0].lease);
}

// AVG art. 15: the resident index finds a resident's contacts (by party or case pseudonym),
// live or closed, with their histories, and their unexpired contact-person mappings; nobody
// else's.
TEST_P(StateStoreContractTest, LoadResidentFindsTheContactsAndMappingsOfAResident) {
  clock_.Set(T(0));
  core::Contact a = MakeContact("r1-call", T(1), "idem-r1-call");
  a.party_pseudonym = kResident1;
  core::Contact b = MakeContact("r1-form", T(2), "idem-r1-form", Channel::kWebForm);
  b.party_pseudonym = kResident1;
  core::Contact case_contact = MakeContact("case-chat", T(3), "idem-case", Channel::kChat);
  case_contact.party_pseudonym.clear();
  case_contact.case_reference = kResident1;  // a case pseudonym is indexed the same way
  core::Contact other = MakeContact("r2-call", T(4), "idem-r2-call");
  other.party_pseudonym = kResident2;
  ExpectAllOk(ApplyAll({Changed(MakeHandler("h1"), T(0)), Created(a), Created(b),
                        Created(case_contact), Created(other), Offered("r1-call", "h1", T(5)),
                        Abandoned("r1-call", "h1", ContactState::kOffered, T(6)),
                        PersonSet(kResident1, "sociaal_domein", "h1", T(100), T(7)),
                        PersonSet(kResident1, "burgerzaken", "h1", T(200), T(7)),
                        PersonSet(kResident2, "burgerzaken", "h1", T(200), T(7))}));

  absl::StatusOr<ResidentData> data = store_->LoadResident(kTenant, {kResident1});
  ASSERT_TRUE(data.ok()) << data.status();
  std::vector<std::string> ids;
  for (const StoredContact& c : data->contacts) ids.push_back(c.contact.id);
  EXPECT_THAT(ids, ElementsAre("r1-call", "r1-form", "case-chat"));  // by created_at
  EXPECT_EQ(data->contacts[0].contact.state, ContactState::kAbandoned);
  EXPECT_THAT(HistoryLines(data->contacts[0]),
              ElementsAre("1:queued::created", "5:offered:h1:", "6:abandoned:h1:caller_hung_up"));
  std::vector<std::string> domains;
  for (const core::ContactPersonMapping& m : data->contact_persons) {
    EXPECT_EQ(m.party_pseudonym, kResident1);
    domains.push_back(m.domain);
  }
  EXPECT_THAT(domains, ElementsAre("burgerzaken", "sociaal_domein"));

  data = store_->LoadResident(kTenant, {kResident2});
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_THAT(data->contacts, ::testing::SizeIs(1));
  EXPECT_EQ(data->contacts[0].contact.id, "r2-call");
  EXPECT_THAT(data->contact_persons, ::testing::SizeIs(1));

  // Expired mappings are not listed.
  clock_.Set(T(150));
  data = store_->LoadResident(kTenant, {kResident1});
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_THAT(data->contact_persons, ::testing::SizeIs(1));
  EXPECT_EQ(data->contact_persons[0].domain, "burgerzaken");

  // Nobody known: nothing; not a pseudonym: refused without echoing it.
  const std::string unknown(64, 'e');
  data = store_->LoadResident(kTenant, {unknown});
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_THAT(data->contacts, IsEmpty());
  absl::StatusOr<ResidentData> bad = store_->LoadResident(kTenant, {"111222333"});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), Not(HasSubstr("111222333")));
}

// AVG art. 17: the erasure deletes the resident's closed contacts with their histories and
// their mappings, leaves everyone else's alone, and records itself in the audit log in the same
// step, naming the resident only by AuditSubject.
TEST_P(StateStoreContractTest, ResidentErasedDeletesEverythingOfTheResidentAndRecordsIt) {
  clock_.Set(T(0));
  core::Contact a = MakeContact("r1-call", T(1), "idem-r1-call");
  a.party_pseudonym = kResident1;
  core::Contact case_contact = MakeContact("case-chat", T(2), "idem-case", Channel::kChat);
  case_contact.party_pseudonym.clear();
  case_contact.case_reference = kResident2;
  core::Contact other = MakeContact("r2-call", T(3), "idem-r2-call");
  other.party_pseudonym = kResident2;
  ExpectAllOk(
      ApplyAll({Changed(MakeHandler("h1"), T(0)), Created(a), Created(case_contact), Created(other),
                Offered("r1-call", "h1", T(4)), Accepted("r1-call", "h1", T(5)),
                Completed("r1-call", "h1", T(6)), WrapUpDone("r1-call", "h1", T(7)),
                PersonSet(kResident1, "sociaal_domein", "h1", T(1000), T(7)),
                PersonSet(kResident1, "burgerzaken", "h1", T(1000), T(7)),
                PersonSet(kResident2, "burgerzaken", "h1", T(1000), T(7))}));
  const std::vector<std::string> live_before = LiveIds();

  std::vector<EffectResult> results =
      ApplyAll({core::ResidentErased{{kResident1}, T(8), "spiffe://test/operator"}});
  ASSERT_TRUE(results[0].status.ok()) << results[0].status;
  EXPECT_EQ(results[0].erased_contacts, 1);
  EXPECT_EQ(results[0].erased_mappings, 2);
  EXPECT_EQ(store_->LoadContact(kTenant, "r1-call").status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<ResidentData> gone = store_->LoadResident(kTenant, {kResident1});
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_THAT(gone->contacts, IsEmpty());
  EXPECT_THAT(gone->contact_persons, IsEmpty());
  EXPECT_THAT(backend_->Dump(), Not(HasSubstr(kResident1)));

  // Someone else's data is untouched.
  absl::StatusOr<ResidentData> kept = store_->LoadResident(kTenant, {kResident2});
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_THAT(kept->contacts, ::testing::SizeIs(2));
  EXPECT_THAT(kept->contact_persons, ::testing::SizeIs(1));
  EXPECT_EQ(LiveIds(), live_before);

  absl::StatusOr<std::vector<AuditEntry>> audit =
      store_->ReadAudit(kTenant, absl::InfinitePast(), 10);
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_THAT(*audit, ::testing::SizeIs(1));
  EXPECT_EQ((*audit)[0].action, kAuditEraseResident);
  EXPECT_EQ((*audit)[0].actor, "spiffe://test/operator");
  EXPECT_EQ((*audit)[0].subject, AuditSubject(kResident1));
  EXPECT_EQ((*audit)[0].detail, "contacts=1 mappings=2");
  EXPECT_FALSE((*audit)[0].id.empty());

  // Idempotent: again, nothing is left to delete; the request is recorded again.
  results = ApplyAll({core::ResidentErased{{kResident1}, T(9), "spiffe://test/operator"}});
  ASSERT_TRUE(results[0].status.ok()) << results[0].status;
  EXPECT_EQ(results[0].erased_contacts, 0);
  EXPECT_EQ(results[0].erased_mappings, 0);
  audit = store_->ReadAudit(kTenant, absl::InfinitePast(), 10);
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_THAT(*audit, ::testing::SizeIs(2));
  EXPECT_EQ((*audit)[1].detail, "contacts=0 mappings=0");

  // A pseudonym that is a case's finds the case's contacts as well (once they are closed).
  ExpectAllOk(ApplyAll({Abandoned("case-chat", "", ContactState::kQueued, T(10)),
                        Abandoned("r2-call", "", ContactState::kQueued, T(10))}));
  results = ApplyAll({core::ResidentErased{{kResident2}, T(11), "op"}});
  ASSERT_TRUE(results[0].status.ok()) << results[0].status;
  EXPECT_EQ(results[0].erased_contacts, 2);
  EXPECT_EQ(results[0].erased_mappings, 1);
  EXPECT_THAT(backend_->Dump(), Not(HasSubstr(kResident2)));
}

TEST_P(StateStoreContractTest, ResidentErasedIsRefusedWhileAContactIsLiveAndForBadInput) {
  core::Contact a = MakeContact("r1-call", T(1), "idem-r1-call");
  a.party_pseudonym = kResident1;
  ExpectAllOk(ApplyAll({Created(a), PersonSet(kResident1, "wmo", "h1", T(1000), T(1))}));
  const std::string before = backend_->Dump();
  // The router ends live contacts first; a live one here means memory and store disagree.
  EXPECT_EQ(ApplyOne(core::ResidentErased{{kResident1}, T(2), "op"}).code(),
            absl::StatusCode::kFailedPrecondition);
  absl::Status bad = ApplyOne(core::ResidentErased{{"111222333"}, T(2), "op"});
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.message()), Not(HasSubstr("111222333")));
  EXPECT_EQ(ApplyOne(core::ResidentErased{{}, T(2), "op"}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(backend_->Dump(), before);
}

TEST_P(StateStoreContractTest, AuditEntriesAreAppendedAndReadNewestLast) {
  std::vector<AuditEntry> entries(3);
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].actor = absl::StrCat("op-", i);
    entries[i].action = std::string(kAuditReadContact);
    entries[i].contact_id = absl::StrCat("c", i);
  }
  entries[2].subject = AuditSubject(kResident1);
  entries[2].detail = "sha256=abc";
  ASSERT_TRUE(store_->AppendAudit(kTenant, entries).ok());
  absl::StatusOr<std::vector<AuditEntry>> all =
      store_->ReadAudit(kTenant, absl::InfinitePast(), 10);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_THAT(*all, ::testing::SizeIs(3));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*all)[i].actor, absl::StrCat("op-", i));
    EXPECT_EQ((*all)[i].action, kAuditReadContact);
    EXPECT_EQ((*all)[i].contact_id, absl::StrCat("c", i));
    if (i > 0) {
      EXPECT_GT((*all)[i].id, (*all)[i - 1].id);
    }
    EXPECT_LE((*all)[i].time, absl::Now());
    EXPECT_GT((*all)[i].time, absl::Now() - absl::Minutes(5));
  }
  EXPECT_EQ((*all)[2].subject, AuditSubject(kResident1));
  EXPECT_EQ((*all)[2].detail, "sha256=abc");

  // The newest `limit`, oldest first; nothing after the last one; everything since the first.
  absl::StatusOr<std::vector<AuditEntry>> newest =
      store_->ReadAudit(kTenant, absl::InfinitePast(), 2);
  ASSERT_TRUE(newest.ok()) << newest.status();
  ASSERT_THAT(*newest, ::testing::SizeIs(2));
  EXPECT_EQ((*newest)[0].actor, "op-1");
  EXPECT_EQ((*newest)[1].actor, "op-2");
  absl::StatusOr<std::vector<AuditEntry>> later =
      store_->ReadAudit(kTenant, (*all)[2].time + absl::Seconds(1), 10);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_THAT(*later, IsEmpty());
  absl::StatusOr<std::vector<AuditEntry>> since = store_->ReadAudit(kTenant, (*all)[0].time, 10);
  ASSERT_TRUE(since.ok()) << since.status();
  EXPECT_THAT(*since, ::testing::SizeIs(3));
  // Another tenant's log is its own.
  absl::StatusOr<std::vector<AuditEntry>> elsewhere =
      store_->ReadAudit("den-haag", absl::InfinitePast(), 10);
  ASSERT_TRUE(elsewhere.ok()) << elsewhere.status();
  EXPECT_THAT(*elsewhere, IsEmpty());

  // Bad input: nothing appended.
  const std::string before = backend_->Dump();
  AuditEntry anonymous;
  anonymous.action = "x";
  EXPECT_EQ(store_->AppendAudit(kTenant, {anonymous}).code(), absl::StatusCode::kInvalidArgument);
  AuditEntry aimless;
  aimless.actor = "x";
  EXPECT_EQ(store_->AppendAudit(kTenant, {entries[0], aimless}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AppendAudit("Bad Tenant", {entries[0]}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(backend_->Dump(), before);
  EXPECT_EQ(store_->ReadAudit(kTenant, absl::InfinitePast(), 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wissel::state::contract
