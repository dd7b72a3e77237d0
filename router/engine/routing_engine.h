// RoutingEngine: the one thread that owns the routing cores, and group commit to the store.
//
// gRPC handlers never touch a core. They Submit() an operation; the routing thread takes every
// operation that arrived meanwhile, runs them in arrival order against the tenant's
// core::Router and hands the batch with all its effects to the writer thread, which sends the
// effects to the StateStore in one pipelined round trip and, only when the store has
// acknowledged them, calls each operation's completion — on the writer thread, in the order the
// operations were submitted. So a reply always follows durability, many calls share one round
// trip, and the routing thread decides the next batch while the previous one is in the store
// (memory runs at most one batch ahead of the batch in flight; batches are written and their
// completions run in order, so a read never sees a decision that is not yet durable). The
// routing thread then settles the written batch: it tells the listener about the applied
// effects and handles refusals.
//
// A completion holds up every batch behind it, so it only fills its reply. One that must read
// the store first (the replay of a contact that is no longer live, the explanation of an error)
// hands the read to Read(), which runs it on the reader thread (store_reader.h) with a
// connection of its own, and returns. Such a reply still follows its batch's durability, but may
// go out after the replies of later batches (the calls were concurrent), and its read sees the
// store as that batch left it or later.
//
// When the store refuses or fails a batch, memory may be ahead of the store: the tenants
// involved are rebuilt from the store before their next operation (the store is the source of
// truth). A ContactCreated refused because the contact exists (its id follows from its
// idempotency key: a retry of a contact no longer in memory) is undone in memory directly and
// reported to the caller with the id of the existing contact.
//
// Several routers on one store (docs/adr/0005-tenant-leases.md): with a lease claim in the
// options, the engine decides only the tenants whose lease it holds in the store. The routing
// thread renews its leases and takes free ones every lease_renew_interval; a tenant it takes is
// loaded from the store (offers that were out are withdrawn), a tenant whose lease it lost is
// dropped from memory. Every write carries the lease as a fence, so the store refuses the
// writes of a router that lost its lease without noticing. Calls for a tenant decided elsewhere
// are the service's to forward (RouteOf).
//
// No gRPC here: the service (router/service) is the gRPC edge on top of this library, and the
// simulator, benchmarks and unit tests drive the engine without it.
//
// Thread-safety: Submit(), Read(), RouteOf(), RenewLeasesSoon() and pending() may be called from
// any thread; everything else is for the owner.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "router/core/clock.h"
#include "router/core/effect.h"
#include "router/core/router.h"
#include "router/core/tenant_config.h"
#include "router/engine/engine_observer.h"
#include "router/engine/store_reader.h"
#include "router/state/state_store.h"

namespace wissel::engine {

// The shortest time between two lease rounds asked for by RenewLeasesSoon().
inline constexpr absl::Duration kMinLeaseRoundGap = absl::Milliseconds(100);

struct RoutingEngineOptions {
  // The most operations run in one batch (one store round trip). Default 1024.
  size_t max_batch = 1024;
  // Longest the thread sleeps when no deadline is due, so a clock jump is noticed. Default 1 s.
  absl::Duration max_sleep = absl::Seconds(1);
  // While a tenant cannot be reloaded from the store, retry this often. Default 500 ms.
  absl::Duration reload_interval = absl::Milliseconds(500);
  // The leases this engine claims. An empty address: no leases, this engine decides every
  // tenant (a single router, tests).
  state::LeaseClaim lease;
  // How often leases are renewed and free ones claimed; well under lease.ttl. Default 1 s.
  absl::Duration lease_renew_interval = absl::Seconds(1);
  // The store Read() tasks read: a connection other than the engine's own, so that a read never
  // waits for a write or a write for a read. Not owned; must outlive the engine. Default nullptr:
  // the engine's store (tests, a simulation).
  state::StateStore* reader = nullptr;
  // Told about batches, fenced writes and, every observe_interval, the tenants' cores (metrics).
  // Not owned; must outlive the engine. Default nullptr: nobody watches, nothing is spent on it.
  EngineObserver* observer = nullptr;
  absl::Duration observe_interval = absl::Seconds(1);
};

// Where a tenant is decided right now.
struct TenantRoute {
  bool local = false;
  // The deciding router's address when it is another router; empty when no router holds the
  // tenant's lease at the moment (a takeover is under way).
  std::string address;
  // Why this router does not decide the tenant although nobody else is known to: for the
  // callers' error messages (e.g. the store cannot be reached).
  std::string reason;
};

// Unavailable for a call of `tenant` that this router does not decide, saying who does or why
// nobody does; clients retry it.
absl::Status NotDecidedHere(const std::string& tenant, const TenantRoute& route);

// What an operation's completion learns.
struct OperationOutcome {
  // The operation's own status, or Unavailable when its effects could not be made durable, or
  // AlreadyExists when the store has the contact already (see existing_contact_id), or
  // Aborted when another writer changed the state first (safe to retry).
  absl::Status status;
  std::string existing_contact_id;
  // What the store's erasures (core::ResidentErased) among the operation's effects deleted:
  // contacts and contact-person mappings (state::EffectResult).
  int64_t erased_contacts = 0;
  int64_t erased_mappings = 0;
};

class RoutingEngine {
 public:
  // Runs on the routing thread with the tenant's core; appends effects; returns its status.
  using Operation = absl::AnyInvocable<absl::Status(core::Router&, core::EffectList*)>;
  // Runs on the writer thread once the operation's effects are durable (or failed), after the
  // completions of the operations submitted before it; when the engine is not running or the
  // tenant is unknown, at once on the thread that called Submit(). Must be quick (the next batch
  // waits for it): reply and return, or hand a read of the store to Read().
  using Completion = absl::AnyInvocable<void(OperationOutcome)>;
  // Called on the routing thread (during Start(), on its caller's) for each effect the store
  // applied, in order, with the tenant's core (already past the whole batch). Used to notify
  // handlers of offers.
  using AppliedListener =
      std::function<void(const std::string& tenant, const core::Router&, const core::Effect&)>;
  // Called on the routing thread (during Start(), on its caller's) when the engine starts or
  // stops deciding a tenant.
  using OwnershipListener = std::function<void(const std::string& tenant, bool owned)>;

  // `store` and `clock` are not owned and must outlive the engine.
  RoutingEngine(RoutingEngineOptions options, std::vector<core::TenantConfig> tenants,
                state::StateStore* store, const core::Clock* clock);
  ~RoutingEngine();

  // Turns leases on, for the router reached at `address` (host:port). Before Start().
  void SetLeaseAddress(std::string address) { options_.lease.address = std::move(address); }
  // Must be called before Start().
  void SetAppliedListener(AppliedListener listener) { listener_ = std::move(listener); }
  void SetOwnershipListener(OwnershipListener listener) {
    ownership_listener_ = std::move(listener);
  }

  // Loads every tenant from the store (recovery), persists what recovery changed, and starts
  // the routing, writer and reader threads. Unavailable when the store cannot be reached.
  absl::Status Start();
  // Completes every operation already submitted and runs every read handed to Read(), then
  // stops the threads and gives up its leases, so another router takes the tenants over at
  // once. Later submissions complete at once with Unavailable; later reads run at once.
  void Stop();

  bool HasTenant(const std::string& tenant) const { return tenants_.contains(tenant); }
  // Whether this engine decides `tenant` (which must be known), or which router does.
  TenantRoute RouteOf(const std::string& tenant) const;

  // Replaces the tenants' configurations without dropping traffic: on the routing thread, each
  // tenant gets a new core built from its new config that takes over the old core's handlers,
  // contacts and offers (core::Router::AdoptState). All or nothing: InvalidArgument (and nothing
  // changes) if a config does not build or the set of tenants differs. Blocks until applied or
  // `timeout` (DeadlineExceeded; the change may still apply).
  absl::Status Reconfigure(const std::vector<core::TenantConfig>& configs,
                           absl::Duration timeout = absl::Seconds(10));

  // Asks for a lease round now rather than at the next renewal: a call forwarded to the router
  // a route names could not be served there, so the route may be stale (that router stopped, or
  // no longer decides the tenant). Learning the new holder, or taking the free lease, at once
  // spares clients up to a renewal interval of UNAVAILABLE. Rounds asked for this way are at
  // least kMinLeaseRoundGap apart, so a burst of refused calls costs at most a few round trips.
  // Thread-safe; without leases, does nothing.
  void RenewLeasesSoon();

  // Queues `operation` for `tenant` (which must be known: HasTenant). Never blocks on the store.
  void Submit(const std::string& tenant, Operation operation, Completion completion);

  // Runs `read` on the reader thread with the reader store (options.reader), after the reads
  // handed over before it: for a completion that must read the store before it replies, so the
  // writer thread goes on with the next batch meanwhile. Never blocks on the store while the
  // engine runs; before Start() and after Stop(), `read` runs at once on the calling thread.
  void Read(StoreReader::Task read) { reader_.Run(std::move(read)); }

  // Operations waiting for the routing thread (for metrics and tests).
  size_t pending() const;

 private:
  struct Tenant {
    // Null while another router decides the tenant.
    std::unique_ptr<core::Router> router;
    bool owned = false;
    std::string lease;  // the fence of the writes, while owned
    bool needs_reload = false;
    absl::Time next_reload_attempt = absl::InfinitePast();
  };
  struct Command {
    std::string tenant;
    Operation operation;
    Completion completion;
  };

  // One operation's place in a batch: its own status and its effects in Commit::effects.
  struct CommitEntry {
    absl::Status status;
    size_t first_effect = 0;
    size_t end_effect = 0;
  };
  // A decided batch on its way through the store.
  struct Commit {
    std::vector<Command> batch;
    std::vector<CommitEntry> entries;
    std::vector<state::TenantEffect> effects;
    absl::flat_hash_set<std::string> touched;                  // tenants with effects
    absl::StatusOr<std::vector<state::EffectResult>> results;  // set by Write
  };

  void Run();
  // Routing thread: runs the batch's operations and the tenants' timers.
  std::unique_ptr<Commit> Decide(std::vector<Command>& batch);
  // Writer thread: writes decided batches in order, then replies.
  void WriteCommits();
  void Write(Commit& commit);
  // Routing thread: the memory side of a written batch (listener, refusals, fencing).
  void Settle(Commit& commit);
  // Routing thread: waits until every decided batch is written and settled (before a reload).
  void DrainWrites();
  // Rebuilds a tenant's core from the store and persists what recovery changed.
  absl::Status Reload(const std::string& tenant_id, Tenant& tenant);
  absl::Time NextDeadline() const;
  bool leasing() const { return !options_.lease.address.empty(); }
  // One lease round: renews, claims free leases (loading those tenants), drops lost ones.
  absl::Status RenewLeases();
  // Shows every tenant's core to options_.observer (routing thread).
  void ObserveTenants();
  // Stops deciding a tenant: its core is dropped, its writes stay fenced.
  void Drop(const std::string& tenant_id, Tenant& tenant, absl::string_view why);
  void SetRoute(const std::string& tenant_id, TenantRoute route);

  RoutingEngineOptions options_;  // fixed once started
  state::StateStore* const store_;
  const core::Clock* const clock_;
  AppliedListener listener_;
  OwnershipListener ownership_listener_;
  // Leases run on real time (their TTL is Redis's), whatever clock the cores use.
  absl::Time next_lease_round_ = absl::InfinitePast();
  absl::Time last_lease_round_ = absl::InfinitePast();
  absl::Time last_lease_renewal_ = absl::InfinitePast();
  // The observer is shown the cores on real time too.
  absl::Time next_observation_ = absl::InfinitePast();
  std::vector<core::TenantConfig> configs_;
  // Keys fixed at construction; values touched only by the routing thread (and Start()).
  absl::flat_hash_map<std::string, Tenant> tenants_;
  // Effects produced while undoing refused creates, written with the next batch.
  std::vector<state::TenantEffect> carry_over_;

  mutable absl::Mutex routes_mu_;
  absl::flat_hash_map<std::string, TenantRoute> routes_ ABSL_GUARDED_BY(routes_mu_);

  mutable absl::Mutex mu_;
  std::deque<Command> queue_ ABSL_GUARDED_BY(mu_);
  // Work for the routing thread itself (reconfiguration), run before the next batch.
  std::deque<std::function<void()>> control_ ABSL_GUARDED_BY(mu_);
  bool lease_round_asked_ ABSL_GUARDED_BY(mu_) = false;  // RenewLeasesSoon
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  // The batch the writer is writing, the next one decided, those written but not settled.
  std::unique_ptr<Commit> in_flight_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Commit> next_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Commit>> done_ ABSL_GUARDED_BY(mu_);
  bool writer_stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
  std::thread writer_;
  // Read()'s thread; stopped after the writer, whose completions hand it reads.
  StoreReader reader_;
};

}  // namespace wissel::engine
