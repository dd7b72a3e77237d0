// EventWatches: the WatchEvents calls of one router. Each follows its tenant's event stream in
// Redis (state::EventStreamReader) on a thread and a Redis connection of its own, because it
// waits in a blocking XREAD; so the stream is the same whichever router serves it, and a client
// resumes after its last offset at any router of the tenant.
//
// A watch writes one event at a time (gRPC allows one outstanding write) and reads more from
// Redis only when fewer than kMaxPending wait for the client: a slow wallboard slows only its
// own stream, and memory stays bounded. A watch ends when the client cancels, when Redis fails
// (UNAVAILABLE: the client resumes after its last offset, here or at another router) and at
// Shutdown (UNAVAILABLE too). At most `max_watches` at once: RESOURCE_EXHAUSTED beyond.
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "router/state/redis_connection.h"
#include "wissel/v1/operator_service.pb.h"

namespace wissel::service {

class EventWatches {
 public:
  // Events read from Redis and not yet taken by the client, at most (per watch).
  static constexpr size_t kMaxPending = 256;

  EventWatches(state::RedisEndpoint endpoint, size_t max_watches);
  // Shutdown().
  ~EventWatches();
  EventWatches(const EventWatches&) = delete;
  EventWatches& operator=(const EventWatches&) = delete;

  // The reactor of one admitted and validated call: follows `tenant`'s stream after `after`
  // (WatchEventsRequest.after; an offset the stream cannot serve finishes it with the reader's
  // status, state/event_stream_reader.h). With `until_newest`, finishes OK once the events up
  // to the newest at the start were written.
  grpc::ServerWriteReactor<v1::Event>* Watch(const std::string& tenant, const std::string& after,
                                             bool until_newest);

  // Finishes every watch with UNAVAILABLE and joins their threads; later calls are refused with
  // UNAVAILABLE. Idempotent.
  void Shutdown();

  // Watches whose thread still runs (tests, metrics).
  size_t active() const;

  // One call's state (event_watches.cc).
  struct WatchState;

 private:
  // Joins and forgets the watches whose thread and call have both ended.
  void ReapLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const state::RedisEndpoint endpoint_;
  const size_t max_watches_;
  mutable absl::Mutex mu_;
  std::list<std::unique_ptr<WatchState>> watches_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace wissel::service
