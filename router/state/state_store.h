// StateStore: where Wissel's state lives durably (Redis in production).
//
// The routing core decides in memory and reports its changes as core::Effects; the store
// applies them, each atomically, and only then does the service reply. The store is the
// source of truth: each effect's script re-checks the state it expects (contact state, the
// handler holding it, the handler's free capacity) and refuses a change that does not fit,
// so several router replicas can share one store. At start a router rebuilds its memory from
// LoadTenant().
//
// Implementations are thread-safe; calls block until the store answered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "router/core/contact.h"
#include "router/core/contact_person.h"
#include "router/core/effect.h"
#include "router/core/handler.h"
#include "router/state/audit.h"

namespace wissel::state {

struct TenantEffect {
  std::string tenant;
  core::Effect effect;
};

// The outcome of one effect.
//  - OK: applied.
//  - FailedPrecondition: the store's check refused it (the state was not as expected); nothing
//    of this effect was applied.
//  - AlreadyExists (ContactCreated only): a contact with this id exists and the new one has an
//    idempotency key (the service derives such ids from the key: this is a retry), or the key
//    belongs to `existing_contact_id` under its legacy name (a contact created before ids were
//    derived from keys); nothing was applied. `existing_live` tells whether that contact is
//    live in the store: a live contact the router does not have in memory means its memory is
//    behind the store.
//  - PermissionDenied: fenced — the writer's lease on the tenant (SetFence) is no longer the
//    tenant's lease; another router owns the tenant now. Nothing was applied.
//  - FailedPrecondition (ResidentErased): a contact of the resident is still live in the store
//    (the router ends them first, earlier in the same batch: memory and store disagree); nothing
//    was deleted.
struct EffectResult {
  absl::Status status;
  std::string existing_contact_id;
  bool existing_live = false;
  // ResidentErased, when applied: how many contacts (with their histories) and contact-person
  // mappings were deleted.
  int64_t erased_contacts = 0;
  int64_t erased_mappings = 0;
};

struct HistoryEntry {
  absl::Time time;
  core::ContactState state = core::ContactState::kQueued;
  std::string handler_id;
  std::string reason;
};

struct StoredContact {
  core::Contact contact;  // state, queue, handler and payload as last stored
  std::vector<HistoryEntry> history;
};

// What a router needs to resume a tenant: handlers (with the contacts they hold) and the
// contacts that are not yet completed or abandoned.
struct TenantSnapshot {
  std::vector<core::Handler> handlers;
  std::vector<core::Contact> live_contacts;
  // Contact-person mappings that have not expired.
  std::vector<core::ContactPersonMapping> contact_persons;
};

// Everything the store holds about a resident (AVG art. 15): found through the resident index
// of their pseudonyms.
struct ResidentData {
  // Each contact with its history, ordered by created_at (then id).
  std::vector<StoredContact> contacts;
  // Their contact-person mappings not expired yet, ordered by (pseudonym, domain).
  std::vector<core::ContactPersonMapping> contact_persons;
};

// Several routers share one store; each tenant is decided by one of them at a time, the holder
// of the tenant's lease (docs/adr/0005-tenant-leases.md).
struct LeaseClaim {
  std::string address;  // where the other routers reach this one: host:port
  std::string nonce;    // unique per process start
  absl::Duration ttl = absl::Seconds(3);
};

struct TenantLease {
  std::string tenant;
  bool held = false;      // the claiming router holds the lease (`lease` is its fence)
  bool acquired = false;  // held, and newly taken by this claim
  // "<epoch>|<nonce>|<address>" of the current holder; empty when nobody holds it.
  std::string lease;
  std::string holder_address;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Applies `effects` in order, each atomically, as one pipelined round trip where possible.
  // Returns one result per effect. Unavailable (with the reason) when the store cannot be
  // reached; then the caller must treat every effect of the batch as not durable.
  virtual absl::StatusOr<std::vector<EffectResult>> Apply(
      absl::Span<const TenantEffect> effects) = 0;

  // Loads everything needed to resume `tenant`. Unavailable when unreachable.
  virtual absl::StatusOr<TenantSnapshot> LoadTenant(const std::string& tenant) = 0;

  // One contact with its history, live or closed (until its retention expires).
  // NotFound when there is no such contact.
  virtual absl::StatusOr<StoredContact> LoadContact(const std::string& tenant,
                                                    const std::string& contact_id) = 0;

  // The contact created with `idempotency_key` before contact ids were derived from keys (the
  // key under its legacy names); NotFound when there is none. Newer contacts are found by the
  // id the service derives from the key.
  virtual absl::StatusOr<std::string> FindByIdempotencyKey(const std::string& tenant,
                                                           const std::string& idempotency_key) = 0;

  // OK when the store answers; Unavailable otherwise, or Unauthenticated / PermissionDenied
  // when it refuses the credentials or the command.
  virtual absl::Status Ping() = 0;

  // AVG art. 15: every contact (live or closed, until its retention expires) whose party or case
  // pseudonym is one of `pseudonyms`, and their unexpired contact-person mappings. A contact id
  // in the index whose contact now belongs to someone else (or expired) is skipped.
  // InvalidArgument for a bad tenant or a pseudonym that is not 64 lower-case hex digits (not
  // echoed); Unavailable when unreachable.
  virtual absl::StatusOr<ResidentData> LoadResident(const std::string& tenant,
                                                    const std::vector<std::string>& pseudonyms) = 0;

  // Appends `entries` to the tenant's audit log, in order (each gets the store's time; ids
  // increase). Not fenced: any router of the tenant may record. InvalidArgument for a bad tenant
  // or an entry without actor or action (nothing appended); Unavailable when unreachable (then
  // any prefix of the entries may have been appended).
  virtual absl::Status AppendAudit(const std::string& tenant,
                                   const std::vector<AuditEntry>& entries) = 0;
  // The newest `limit` entries of the tenant's audit log whose time is at or after `since`
  // (InfinitePast: all), oldest first. InvalidArgument for a bad tenant or limit 0.
  virtual absl::StatusOr<std::vector<AuditEntry>> ReadAudit(const std::string& tenant,
                                                            absl::Time since, size_t limit) = 0;

  // Claims (or renews) the lease of each tenant for `claim`, in one round trip: a tenant whose
  // lease is free or held by this router's predecessor at the same address is taken; one held
  // by another router is reported with its holder. Unavailable when unreachable.
  virtual absl::StatusOr<std::vector<TenantLease>> ClaimLeases(
      absl::Span<const std::string> tenants, const LeaseClaim& claim) = 0;
  // Gives up the leases `claim` holds on `tenants` (a draining router hands over at once).
  virtual absl::Status ReleaseLeases(absl::Span<const std::string> tenants,
                                     const LeaseClaim& claim) = 0;
  // From now on Apply() writes effects of `tenant` only while its lease is `lease`; "" turns the
  // check off (a single router that takes no leases, tests).
  virtual void SetFence(const std::string& tenant, std::string lease) = 0;
};

}  // namespace wissel::state
