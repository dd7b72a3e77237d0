// StoreReader: a thread of its own for the reads an operation's completion needs before it can
// reply (the replay of a contact that is no longer live, the explanation of an error).
//
// Completions run on the engine's writer thread (routing_engine.h), and every batch behind a
// completion waits until it returns; a read of the store there would hold them all up for a
// round trip. A completion hands such a read to the reader instead and returns at once; the read
// replies when the store has answered.
//
// Tasks run one at a time, in the order they were handed over, with the reader's store. While the
// thread is not running (before Start(), after Stop()) a task runs at once on the calling thread,
// so a handed-over reply is never lost.
//
// Thread-safe. The store is not owned and must outlive the reader; give it a connection of its
// own (a store serialises its calls, so a read on the writer's connection would still hold up
// the writes).
#pragma once

#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "router/state/state_store.h"

namespace wissel::engine {

class StoreReader {
 public:
  // Reads `store` and replies; runs on the reader thread.
  using Task = absl::AnyInvocable<void(state::StateStore& store)>;

  explicit StoreReader(state::StateStore* store);
  // Stop().
  ~StoreReader();
  StoreReader(const StoreReader&) = delete;
  StoreReader& operator=(const StoreReader&) = delete;

  // Starts the thread. Call at most once.
  void Start();
  // Runs every task handed over so far, then joins the thread. Idempotent.
  void Stop();

  // Queues `task` behind the tasks handed over before it. Never blocks on the store, except when
  // the thread is not running: then the task runs here and now.
  void Run(Task task);

  // Tasks handed over and not yet finished (for tests).
  size_t pending() const;

 private:
  void Loop();

  state::StateStore* const store_;
  mutable absl::Mutex mu_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  size_t running_tasks_ ABSL_GUARDED_BY(mu_) = 0;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace wissel::engine
