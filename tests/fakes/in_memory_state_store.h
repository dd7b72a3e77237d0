// InMemoryStateStore: a state::StateStore in memory, for unit tests of the engine, leases and
// settling without Redis.
//
// It honours the contract of state::StateStore as RedisStateStore does (the shared contract
// suite, tests/router/state/state_store_contract.h, runs against both): each effect re-checks
// what its Lua script checks (scripts.h: the contact's state, the handler holding it, the
// handler's presence and free capacity on the channel, the held entry of a wrap-up, a sign-out
// with nothing held) and refuses with FailedPrecondition, changing nothing; a ContactCreated for
// an existing id is AlreadyExists with the contact and whether it is live when the contact has
// an idempotency key (a retry), FailedPrecondition without one; the fence of SetFence() refuses
// a write with PermissionDenied once the tenant's lease is another; the ids and names
// RedisStateStore refuses are InvalidArgument here too. Leases run on `lease_clock` (real time
// by default, as Redis's TTLs do); contact persons are "now"-filtered by `clock`. Contacts and
// handlers do not expire (retention is Redis's TTL; not modelled), nor is the audit log trimmed;
// audit entries get their time and id from the wall clock, as a Redis stream's from the server's.
// The resident index and the erasure (ResidentErased) follow their scripts (scripts.h).
//
// Several stores may share one backing (NewReplica(): two routers on one Redis); each has its
// own fences. Test controls (availability, failures, a pause of Apply, call counters) act on the
// backing or on the store as documented.
//
// Thread-safe: the backing's state is behind one absl::Mutex, so every call is atomic, like a
// script on Redis. Apply() blocks while paused (PauseApply()).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "router/core/clock.h"
#include "router/state/state_store.h"

namespace wissel::testing {

struct InMemoryStateStoreOptions {
  // "Now" for LoadTenant's choice of unexpired contact-person mappings. Not owned; must outlive
  // the store. Default nullptr: the wall clock.
  const core::Clock* clock = nullptr;
  // The time of lease expiry. Not owned. Default nullptr: the wall clock (like Redis's PX).
  const core::Clock* lease_clock = nullptr;
};

class InMemoryStateStore : public state::StateStore {
 public:
  explicit InMemoryStateStore(InMemoryStateStoreOptions options = {});
  ~InMemoryStateStore() override;
  InMemoryStateStore(const InMemoryStateStore&) = delete;
  InMemoryStateStore& operator=(const InMemoryStateStore&) = delete;

  // Another store on the same data (a second router on one Redis), with its own fences and
  // counters; `options` may differ.
  std::unique_ptr<InMemoryStateStore> NewReplica(InMemoryStateStoreOptions options) const;

  // state::StateStore.
  absl::StatusOr<std::vector<state::EffectResult>> Apply(
      absl::Span<const state::TenantEffect> effects) override;
  absl::StatusOr<state::TenantSnapshot> LoadTenant(const std::string& tenant) override;
  absl::StatusOr<state::StoredContact> LoadContact(const std::string& tenant,
                                                   const std::string& contact_id) override;
  absl::StatusOr<std::string> FindByIdempotencyKey(const std::string& tenant,
                                                   const std::string& idempotency_key) override;
  absl::Status Ping() override;
  absl::StatusOr<std::vector<state::TenantLease>> ClaimLeases(
      absl::Span<const std::string> tenants, const state::LeaseClaim& claim) override;
  absl::Status ReleaseLeases(absl::Span<const std::string> tenants,
                             const state::LeaseClaim& claim) override;
  void SetFence(const std::string& tenant, std::string lease) override;
  absl::StatusOr<state::ResidentData> LoadResident(
      const std::string& tenant, const std::vector<std::string>& pseudonyms) override;
  absl::Status AppendAudit(const std::string& tenant,
                           const std::vector<state::AuditEntry>& entries) override;
  absl::StatusOr<std::vector<state::AuditEntry>> ReadAudit(const std::string& tenant,
                                                           absl::Time since, size_t limit) override;

  // --- Test controls. Those on the backing affect every replica. ---

  // Backing: while unavailable, every call (Apply only when an effect is valid, as Redis is
  // asked only then) answers Unavailable and changes nothing, like a Redis that is down.
  void SetAvailable(bool available);
  // This store: the next `n` calls of Apply that start from now on (with at least one valid
  // effect) fail with `status` (e.g. Unavailable) and apply nothing. A call already waiting in
  // PauseApply() is not one of them.
  void FailNextApplies(int n, absl::Status status);
  // This store: Apply() blocks before applying until ResumeApply(). apply_waiting() tells how
  // many calls are blocked.
  void PauseApply();
  void ResumeApply();
  int apply_waiting() const;
  // Backing: an idempotency key as routers before derived contact ids wrote it (under either
  // legacy name): a ContactCreated with that key is AlreadyExists naming `contact_id`.
  void SeedLegacyIdempotencyKey(const std::string& tenant, const std::string& idempotency_key,
                                const std::string& contact_id);
  // Backing: the tenant's lease expires now (its holder's later writes are fenced).
  void ExpireLease(const std::string& tenant);
  // Backing: everything stored, serialised in a fixed order: equal dumps mean nothing changed.
  std::string Dump() const;

  // This store's calls so far.
  struct Counters {
    int apply = 0;        // calls of Apply
    int64_t effects = 0;  // effects passed to Apply
    int load_tenant = 0;
    int load_contact = 0;
    int find_by_idempotency_key = 0;
    int ping = 0;
    int claim_leases = 0;
    int release_leases = 0;
  };
  Counters counters() const;
  // The number of effects of each Apply call that reached the backing and applied (not failed
  // by a control or an outage), in order: group commit shows as several effects in one call.
  std::vector<size_t> applied_batches() const;

 private:
  struct Backing;
  InMemoryStateStore(std::shared_ptr<Backing> backing, InMemoryStateStoreOptions options);

  void Count(int Counters::*call);
  absl::Time Now() const;
  absl::Time LeaseNow() const;
  std::string FenceOf(const std::string& tenant) const;

  const std::shared_ptr<Backing> backing_;
  const InMemoryStateStoreOptions options_;

  mutable absl::Mutex mu_;
  std::map<std::string, std::string> fences_ ABSL_GUARDED_BY(mu_);
  Counters counters_ ABSL_GUARDED_BY(mu_);
  std::vector<size_t> applied_batches_ ABSL_GUARDED_BY(mu_);
  int fail_applies_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status fail_status_ ABSL_GUARDED_BY(mu_);
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  int apply_waiting_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace wissel::testing
