// The contract of state::StateStore as one value-parameterised GoogleTest suite, run against
// every implementation: RedisStateStore on a real redis-server
// (tests/integration/redis_state_store_contract_test.cc) and the in-memory fake
// (tests/fakes/in_memory_state_store_test.cc). What one implementation passes, the other must:
// each effect's precondition refusals (scripts.h), AlreadyExists for a retried create,
// LoadTenant and LoadContact, idempotency keys of older routers, leases and fencing, outages.
//
// An implementation joins with a StateStoreBackend (its "server": stores on shared data, a
// dump to compare, the few things a test must set up from outside) and
//   INSTANTIATE_TEST_SUITE_P(Name, StateStoreContractTest,
//                            ::testing::Values(StateStoreBackendFactory{"Name", start}),
//                            StateStoreBackendName);
// with state_store_contract_suite.cc among the test's sources (a static library would drop the
// registrations of its tests) and wissel_state_contract (this header) among its dependencies.
//
// The effect builders below are shared with the implementation-specific tests.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "router/core/clock.h"
#include "router/core/effect.h"
#include "router/state/contact_codec.h"
#include "router/state/state_store.h"
#include "tests/fakes/fake_clock.h"

namespace wissel::state::contract {

inline constexpr char kTenant[] = "utrecht";

// Seconds after a fixed instant.
absl::Time T(int64_t seconds);

core::Handler MakeHandler(const std::string& id, int phone = 1, int chat = 2,
                          core::Presence presence = core::Presence::kAvailable);
core::Contact MakeContact(const std::string& id, absl::Time at, const std::string& idem = "",
                          core::Channel channel = core::Channel::kPhone);
// A contact with every policy and routing field set.
core::Contact RichContact(const std::string& id, absl::Time at);
// Every field, as the codec writes it: equal maps mean equal contacts.
FieldMap AllFields(const core::Contact& c);

core::ContactCreated Created(const core::Contact& c);
core::ContactOffered Offered(const std::string& cid, const std::string& hid, absl::Time at,
                             core::Channel channel = core::Channel::kPhone);
core::OfferWithdrawn Withdrawn(const std::string& cid, const std::string& hid, absl::Time at,
                               const std::string& reason);
core::OfferAccepted Accepted(const std::string& cid, const std::string& hid, absl::Time at);
core::ContactCompleted Completed(const std::string& cid, const std::string& hid, absl::Time at);
core::WrapUpFinished WrapUpDone(const std::string& cid, const std::string& hid, absl::Time at);
core::ContactAbandoned Abandoned(const std::string& cid, const std::string& hid,
                                 core::ContactState previous, absl::Time at);
core::ContactTransferred Transferred(const std::string& cid, const std::string& hid,
                                     const std::string& queue, absl::Time at);
core::HandlerChanged Changed(const core::Handler& h, absl::Time at);
core::ContactUpdated Updated(const core::Contact& c, absl::Time at, const std::string& reason);
core::ContactPersonSet PersonSet(const std::string& pseudonym, const std::string& domain,
                                 const std::string& handler, absl::Time expires_at, absl::Time at);

// Two resident pseudonyms (HMAC-SHA256 hex, as router/privacy makes them).
extern const char kResident1[];
extern const char kResident2[];

// Handler h1 (phone 1, chat 2) and h2 signed in; c1 offered to h1, c2 connected to h2,
// c3 queued, c4 in wrap-up at h1 (completed), c5 abandoned.
std::vector<core::Effect> PopulateEffects();

// Applies `effects` of `tenant` in one call, expecting the call (not each effect) to succeed:
// one result per effect (default results when the call failed).
std::vector<EffectResult> ApplyEffects(StateStore& store, const std::vector<core::Effect>& effects,
                                       const std::string& tenant = kTenant);
void ExpectAllOk(const std::vector<EffectResult>& results);
// The tenant's contact persons as LoadTenant returns them, each as
// "<first 4 of the pseudonym>:<domain>:<handler>:<seconds from `now` to expires_at>".
std::vector<std::string> ContactPersonLines(StateStore& store, absl::Time now,
                                            const std::string& tenant = kTenant);

// A history as "<seconds after T(0)>:<state>:<handler>:<reason>" per entry.
std::vector<std::string> HistoryLines(const StoredContact& stored);

// One implementation's "server" for the contract suite.
class StateStoreBackend {
 public:
  virtual ~StateStoreBackend() = default;
  // A store on the backend's data; several stores share it (router replicas). `clock` is "now"
  // for contact persons (not owned).
  virtual std::unique_ptr<StateStore> NewStore(const core::Clock* clock) = 0;
  // Everything stored, serialised: equal dumps mean nothing changed.
  virtual std::string Dump() = 0;
  // An idempotency key as routers before derived contact ids wrote it: under the key's oldest
  // name (keys::LegacyIdempotency) when `oldest_name`, else under its short name.
  virtual absl::Status SeedLegacyIdempotencyKey(const std::string& tenant,
                                                const std::string& idempotency_key,
                                                const std::string& contact_id,
                                                bool oldest_name) = 0;
  // Lets `d` of lease time pass (leases expire by it): a real server sleeps, since Redis's TTLs
  // follow real time; a fake moves its lease clock.
  virtual void LetLeasesAge(absl::Duration d) = 0;
  // The store becomes unreachable (the server is killed) and comes back (with or without its
  // data).
  virtual absl::Status Disconnect() = 0;
  virtual absl::Status Reconnect() = 0;
};

struct StateStoreBackendFactory {
  std::string name;
  std::function<absl::StatusOr<std::unique_ptr<StateStoreBackend>>()> start;
};
void PrintTo(const StateStoreBackendFactory& factory, std::ostream* os);
std::string StateStoreBackendName(const ::testing::TestParamInfo<StateStoreBackendFactory>& info);

class StateStoreContractTest : public ::testing::TestWithParam<StateStoreBackendFactory> {
 protected:
  void SetUp() override;

  std::vector<EffectResult> ApplyAll(const std::vector<core::Effect>& effects,
                                     const std::string& tenant = kTenant) {
    return ApplyEffects(*store_, effects, tenant);
  }
  absl::Status ApplyOne(const core::Effect& effect, const std::string& tenant = kTenant) {
    return ApplyAll({effect}, tenant).front().status;
  }
  void Populate() { ExpectAllOk(ApplyAll(PopulateEffects())); }
  // Ids of the tenant's live contacts, as LoadTenant orders them.
  std::vector<std::string> LiveIds(const std::string& tenant = kTenant);
  // The contact as stored (a default contact with id "<missing>" when it cannot be loaded).
  core::Contact Stored(const std::string& contact_id);

  // "Now" of the contact-person mappings (LoadTenant asks this clock).
  wissel::testing::FakeClock clock_;
  std::unique_ptr<StateStoreBackend> backend_;
  std::unique_ptr<StateStore> store_;
};

}  // namespace wissel::state::contract
