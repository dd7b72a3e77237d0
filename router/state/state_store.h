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

namespace wissel::state {

struct TenantEffect {
  std::string tenant;
  core::Effect effect;
};

// The outcome of one effect.
//  - OK: applied.
//  - FailedPrecondition: the store's check refused it (the state was not as expected); nothing
//    of this effect was applied.
//  - AlreadyExists (ContactCreated only): the idempotency key belongs to `existing_contact_id`;
//    nothing was applied.
struct EffectResult {
  absl::Status status;
  std::string existing_contact_id;
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

  // The contact created with `idempotency_key`; NotFound when the key is unused or expired.
  virtual absl::StatusOr<std::string> FindByIdempotencyKey(const std::string& tenant,
                                                           const std::string& idempotency_key) = 0;

  // OK when the store answers; Unavailable otherwise.
  virtual absl::Status Ping() = 0;
};

}  // namespace wissel::state
