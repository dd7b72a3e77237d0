// AuditWriter: appends audit entries (router/state/audit.h) to the tenants' audit logs on a
// thread of its own.
//
// Why off the routing thread and not in the batch of the change: most audited actions are
// reads (a supervisor's GetContact, an export) or happen outside the engine (a configuration
// reload), and the rest (contact-person changes) are a few per thousand routed contacts. Putting
// their entries in the group commit would add a write to the routing path and let an audit
// failure fail a routing decision; here an entry costs the caller a queue push. The price: an
// entry is written shortly after the change it records, and a crash in between loses it. The
// erasure, whose record must not be lost, writes its entry in its own script instead
// (state::scripts kResidentErased).
//
// A failed append is logged (the first ones, then one in a hundred) and counted in failed(),
// and its entries are dropped; so are entries recorded while max_queued wait. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "router/state/audit.h"
#include "router/state/state_store.h"

namespace wissel::engine {

struct AuditWriterOptions {
  // Entries waiting beyond this are dropped (and counted as failed). Default 10 000.
  size_t max_queued = 10000;
};

class AuditWriter {
 public:
  // `store` is not owned and must outlive the writer; it should be a connection of its own, so
  // that audit writes never wait for routing or reads.
  explicit AuditWriter(state::StateStore* store, AuditWriterOptions options = {});
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  void Start();
  // Writes what is queued, then stops the thread. Entries recorded later are written at once on
  // the calling thread.
  void Stop();

  // Queues `entry` for `tenant`'s log. Never blocks on the store (before Start() and after
  // Stop(): writes at once). An entry without actor or action is dropped and counted as failed.
  void Record(const std::string& tenant, state::AuditEntry entry);
  // Blocks until every entry recorded before it was written or failed.
  void Flush();

  int64_t written() const;
  int64_t failed() const;

 private:
  struct Item {
    std::string tenant;
    state::AuditEntry entry;
  };
  void Run();
  // Appends `items` (in order, one call per run of one tenant) and counts the outcome.
  void Write(std::deque<Item> items);
  void CountFailure(size_t n, const absl::Status& status) ABSL_LOCKS_EXCLUDED(mu_);

  state::StateStore* const store_;
  const AuditWriterOptions options_;
  mutable absl::Mutex mu_;
  std::deque<Item> queue_ ABSL_GUARDED_BY(mu_);
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t written_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace wissel::engine
