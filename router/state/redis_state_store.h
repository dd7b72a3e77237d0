// RedisStateStore: the StateStore on Redis (hiredis, synchronous).
//
// Key schema: redis_keys.h; hash fields: contact_codec.h, handler_codec.h; one Lua script per
// effect type: scripts.h. Apply() sends all effects of a batch as EVALSHA calls in one
// pipelined round trip; each script checks the state the effect expects and applies it
// atomically, so several router replicas can share one Redis.
//
// Signing out (HandlerChanged with presence offline) deletes the handler's keys; LoadTenant()
// therefore returns only signed-in handlers.
//
// Idempotency: a contact with an idempotency key has an id derived from it (the service's rule,
// request_validation.h), so creating it again finds its hash: AlreadyExists with its state. The
// store keeps no key -> id mapping; it only still reads the ones routers wrote before
// (redis_keys.h).
//
// Retention: every key of a contact (hash, history, a legacy idempotency key) and the tenant's
// live set expire `contact_retention` (or the tenant's override) after the contact's last change
// (every script that changes a contact refreshes all of them); a
// handler's keys and the handlers set expire `handler_retention` after the handler's last change
// (offers and other contact changes count). A contact-person mapping expires at its expires_at
// (TTL = expires_at - the effect's time, rounded up, at least 1 s); its index expires with the
// longest mapping written to it or `handler_retention` after the last write, whichever is later.
//
// The resident index (redis_keys.h w:{T}:p:<pseudonym>) lives as long as the longest-lived
// contact in it; the audit stream keeps `audit_retention` (or the tenant's override) of
// entries, trimmed by the server's clock at every append, and the key expires that long after
// the last entry. The event stream (event_codec.h) likewise keeps `event_retention`: every
// effect's script appends the effect's event in the same atomic step.
//
// Contact-person mappings are keyed on the resident's pseudonym only (64 lower-case hex
// digits, checked): no clear identifier reaches a key.
//
// Thread-safe: one connection behind a mutex, so calls are serialised; each call blocks until
// Redis answered or the endpoint's timeouts passed. Does not connect in the constructor: the
// first call does, and after a failure the next call reconnects.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "router/core/clock.h"
#include "router/state/redis_connection.h"
#include "router/state/state_store.h"

namespace wissel::state {

struct RedisStateStoreOptions {
  RedisEndpoint endpoint;
  // How long a contact's keys live after its last change. Default 30 days. Whole seconds,
  // at least 1 s.
  absl::Duration contact_retention = absl::Hours(24 * 30);
  // Per-tenant overrides of contact_retention (tenant id -> retention).
  absl::flat_hash_map<std::string, absl::Duration> tenant_retention;
  // How long audit entries are kept (stream trimming and TTL). Default 365 days. Whole
  // milliseconds, at least 1 ms.
  absl::Duration audit_retention = absl::Hours(24 * 365);
  // Per-tenant overrides of audit_retention.
  absl::flat_hash_map<std::string, absl::Duration> tenant_audit_retention;
  // How long the event stream keeps its events (event_codec.h; trimming and TTL). Default 8
  // days. Whole milliseconds, at least 1 ms.
  absl::Duration event_retention = absl::Hours(24 * 8);
  // Per-tenant overrides of event_retention.
  absl::flat_hash_map<std::string, absl::Duration> tenant_event_retention;
  // How long a handler's keys live after its last change. Default 7 days.
  absl::Duration handler_retention = absl::Hours(24 * 7);
  // "Now" for LoadTenant's choice of unexpired contact-person mappings; pass the clock the core
  // uses. Not owned; must outlive the store. Default nullptr: the wall clock.
  const core::Clock* clock = nullptr;
  // Stricter durability (replica_ack.h): when > 0, Apply waits (WAIT, same round trip) until
  // this many replicas acknowledged the batch, at most replica_ack_timeout, and reports the
  // batch Unavailable when fewer did. Default 0: asynchronous replication. The timeout must be
  // below endpoint.command_timeout. Default 500 ms.
  int min_replica_acks = 0;
  absl::Duration replica_ack_timeout = absl::Milliseconds(500);
};

class RedisStateStore : public StateStore {
 public:
  explicit RedisStateStore(RedisStateStoreOptions options);
  ~RedisStateStore() override;
  RedisStateStore(const RedisStateStore&) = delete;
  RedisStateStore& operator=(const RedisStateStore&) = delete;

  // See StateStore. In addition, per effect: InvalidArgument when the tenant is not
  // [a-z0-9-]+ or an id is empty or contains one of ": , | { }" or whitespace (nothing is sent
  // for that effect); Unavailable when Redis answered that one with a transient error
  // (LOADING, BUSY, READONLY, OOM, ...); Internal for any other error reply (e.g. WRONGTYPE on
  // foreign data) or a reply the store does not understand. A NOSCRIPT reply reloads the
  // scripts and sends the refused calls again. Unavailable for the whole batch when the
  // connection fails or times out; then any part of the batch may or may not have been
  // applied. With min_replica_acks > 0, also Unavailable for the whole batch when fewer replicas
  // acknowledged it in time; then the batch is applied on the primary (a retried ContactCreated
  // finds its own id). A ContactCreated retried after a lost reply gets AlreadyExists with its own
  // id.
  // Also InvalidArgument for: a ContactCreated in state offered or connected (a created contact
  // is queued, or completed/abandoned when it was not routed); a list entry (overflow queue,
  // required skill, declined handler) or reserved_for that is not a valid id; a ContactPersonSet
  // whose pseudonym is not 64 lower-case hex digits, whose domain or handler id is not a valid
  // id, or whose time or expires_at is infinite. A ContactPersonSet whose expires_at is not
  // after its time deletes the mapping (OK).
  absl::StatusOr<std::vector<EffectResult>> Apply(absl::Span<const TenantEffect> effects) override;

  // Two pipelined round trips; not a point-in-time snapshot when other replicas write
  // meanwhile. Entries that are missing (expired) or malformed are skipped with a warning, and
  // so are held entries that are malformed. Live contacts come ordered by enqueued_at.
  // Contact persons: the mappings whose expires_at is after options.clock's now, ordered by
  // expires_at; expired keys are skipped silently.
  absl::StatusOr<TenantSnapshot> LoadTenant(const std::string& tenant) override;

  // NotFound when missing or expired; DataLoss when the stored hash is malformed (a malformed
  // history entry is skipped with a warning).
  absl::StatusOr<StoredContact> LoadContact(const std::string& tenant,
                                            const std::string& contact_id) override;

  absl::StatusOr<std::string> FindByIdempotencyKey(const std::string& tenant,
                                                   const std::string& idempotency_key) override;

  // See StateStore. Several round trips (index, contacts, a ZSCAN of the contact-person index
  // per pseudonym, one GET per mapping); not a point-in-time snapshot. DataLoss when a
  // contact's hash is malformed.
  absl::StatusOr<ResidentData> LoadResident(const std::string& tenant,
                                            const std::vector<std::string>& pseudonyms) override;
  // One pipelined round trip; each entry trims the stream to the tenant's audit retention.
  absl::Status AppendAudit(const std::string& tenant,
                           const std::vector<AuditEntry>& entries) override;
  absl::StatusOr<std::vector<AuditEntry>> ReadAudit(const std::string& tenant, absl::Time since,
                                                    size_t limit) override;

  absl::Status Ping() override;

  absl::StatusOr<std::vector<TenantLease>> ClaimLeases(absl::Span<const std::string> tenants,
                                                       const LeaseClaim& claim) override;
  absl::Status ReleaseLeases(absl::Span<const std::string> tenants,
                             const LeaseClaim& claim) override;
  void SetFence(const std::string& tenant, std::string lease) override;

 private:
  // One lease script call per tenant, pipelined; `mode` is "claim" or "release".
  absl::StatusOr<std::vector<RedisReply>> CallLeaseScript(absl::Span<const std::string> tenants,
                                                          const LeaseClaim& claim,
                                                          absl::string_view mode);
  std::string FenceOf(const std::string& tenant) const;

  // The contact retention of `tenant` in whole seconds (>= 1), as a decimal string.
  std::string ContactTtl(const std::string& tenant) const;
  std::string HandlerTtl() const;
  absl::Duration AuditRetention(const std::string& tenant) const;
  // The same for the event stream.
  absl::Duration EventRetention(const std::string& tenant) const;
  std::string EventRetentionMs(const std::string& tenant) const;
  std::string EventTtl(const std::string& tenant) const;
  // AuditRetention in whole milliseconds (>= 1) and in whole seconds (>= 1), as decimal strings.
  std::string AuditRetentionMs(const std::string& tenant) const;
  std::string AuditTtl(const std::string& tenant) const;
  // A contact from its HGETALL and LRANGE replies; NotFound when the hash is empty.
  static absl::StatusOr<StoredContact> DecodeStored(const std::string& tenant,
                                                    const std::string& contact_id,
                                                    const RedisReply& hash, const RedisReply& list);
  // Builds the script call for one effect; InvalidArgument when its tenant or ids are unusable.
  absl::StatusOr<ScriptCall> Prepare(const TenantEffect& effect) const;

  absl::Time Now() const;

  const RedisStateStoreOptions options_;
  absl::Mutex mu_;
  RedisConnection connection_ ABSL_GUARDED_BY(mu_);
  // Script handles, indexed like core::Effect's alternatives.
  std::vector<int> script_handles_;
  int lease_script_ = -1;
  int audit_script_ = -1;
  mutable absl::Mutex fence_mu_;
  absl::flat_hash_map<std::string, std::string> fences_ ABSL_GUARDED_BY(fence_mu_);
};

}  // namespace wissel::state
