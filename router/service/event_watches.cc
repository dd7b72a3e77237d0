#include "router/service/event_watches.h"

#include <atomic>
#include <deque>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "router/service/api_convert.h"
#include "router/service/grpc_status.h"
#include "router/state/event_stream_reader.h"

namespace wissel::service {

// One call's state, shared by its reactor (gRPC's threads) and its reader thread. Lives in
// EventWatches::watches_ until both have ended.
struct EventWatches::WatchState {
  absl::Mutex mu;
  // Null once the call is done (OnDone).
  grpc::ServerWriteReactor<v1::Event>* reactor ABSL_GUARDED_BY(mu) = nullptr;
  // Read, not yet written; the front is being written while `writing`.
  std::deque<v1::Event> pending ABSL_GUARDED_BY(mu);
  bool writing ABSL_GUARDED_BY(mu) = false;
  // The reader thread is to end: the client went away, the call was closed or the router stops.
  bool stop ABSL_GUARDED_BY(mu) = false;
  // The status to finish with once what is pending is written.
  std::optional<grpc::Status> closing ABSL_GUARDED_BY(mu);
  bool finished ABSL_GUARDED_BY(mu) = false;
  bool call_done ABSL_GUARDED_BY(mu) = false;
  std::atomic<bool> thread_done{false};
  std::thread thread;

  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    writing = true;
    reactor->StartWrite(&pending.front());
  }
  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (finished || reactor == nullptr) return;
    finished = true;
    reactor->Finish(status);
  }
  // Ends the call with `status` after what is pending (the first close wins).
  void Close(const grpc::Status& status) {
    absl::MutexLock lock(&mu);
    stop = true;
    if (closing) return;
    closing = status;
    if (!writing) FinishLocked(status);
  }
  void Push(std::vector<v1::Event> events) {
    absl::MutexLock lock(&mu);
    if (stop || reactor == nullptr) return;
    for (v1::Event& e : events) pending.push_back(std::move(e));
    if (!writing && !pending.empty()) WriteNextLocked();
  }
};

namespace {

// gRPC's side of a watch. Deletes itself in OnDone.
class EventStream final : public grpc::ServerWriteReactor<v1::Event> {
 public:
  explicit EventStream(EventWatches::WatchState* watch) : watch_(watch) {
    absl::MutexLock lock(&watch_->mu);
    watch_->reactor = this;
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&watch_->mu);
    watch_->writing = false;
    watch_->pending.pop_front();
    if (!ok) {  // the client went away
      watch_->stop = true;
      watch_->pending.clear();
      watch_->FinishLocked(grpc::Status::CANCELLED);
    } else if (!watch_->pending.empty()) {
      watch_->WriteNextLocked();
    } else if (watch_->closing) {
      watch_->FinishLocked(*watch_->closing);
    }
  }

  void OnCancel() override {
    absl::MutexLock lock(&watch_->mu);
    watch_->stop = true;
    if (!watch_->closing) watch_->closing = grpc::Status::CANCELLED;
    // Only the write in flight stays (gRPC holds a pointer to it).
    while (watch_->pending.size() > (watch_->writing ? 1u : 0u)) watch_->pending.pop_back();
    if (!watch_->writing) watch_->FinishLocked(*watch_->closing);
  }

  void OnDone() override {
    {
      absl::MutexLock lock(&watch_->mu);
      watch_->reactor = nullptr;
      watch_->stop = true;
      watch_->call_done = true;
    }
    delete this;
  }

 private:
  EventWatches::WatchState* const watch_;
};

class RefusedWatch final : public grpc::ServerWriteReactor<v1::Event> {
 public:
  explicit RefusedWatch(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

// The reader thread of one watch.
void Follow(EventWatches::WatchState* watch, const state::RedisEndpoint& endpoint,
            const std::string& tenant, const std::string& after, bool until_newest) {
  state::EventStreamReader reader(endpoint);
  absl::StatusOr<state::EventStreamReader::StartPoint> start = reader.Start(tenant, after);
  if (!start.ok()) {
    watch->Close(ToGrpcStatus(start.status()));
    return;
  }
  std::string offset = start->after;
  const std::optional<state::StreamId> newest = state::ParseStreamId(start->newest);
  while (true) {
    if (until_newest) {
      const std::optional<state::StreamId> at = state::ParseStreamId(offset);
      if (!newest || !at || !(*at < *newest)) {
        watch->Close(grpc::Status::OK);
        return;
      }
    }
    size_t room = 0;
    {
      absl::MutexLock lock(&watch->mu);
      auto ready = [watch]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(watch->mu) {
        return watch->stop || watch->pending.size() < EventWatches::kMaxPending;
      };
      watch->mu.Await(absl::Condition(&ready));
      if (watch->stop) return;
      room = EventWatches::kMaxPending - watch->pending.size();
    }
    // Short waits, so that a stop is noticed soon.
    absl::StatusOr<state::EventStreamReader::Batch> batch =
        reader.ReadAfter(tenant, offset, room, absl::Milliseconds(500));
    if (!batch.ok()) {
      LOG(WARNING) << "tenant " << tenant << ": event watch ends: " << batch.status();
      watch->Close(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                absl::StrCat("event stream unavailable (", batch.status().message(),
                                             "); resume after the last offset received")));
      return;
    }
    offset = batch->last_offset;
    if (batch->events.empty()) continue;
    std::vector<v1::Event> events(batch->events.size());
    for (size_t i = 0; i < events.size(); ++i) ToProto(batch->events[i], &events[i]);
    watch->Push(std::move(events));
  }
}

}  // namespace

EventWatches::EventWatches(state::RedisEndpoint endpoint, size_t max_watches)
    : endpoint_(std::move(endpoint)), max_watches_(max_watches) {}

EventWatches::~EventWatches() { Shutdown(); }

grpc::ServerWriteReactor<v1::Event>* EventWatches::Watch(const std::string& tenant,
                                                         const std::string& after,
                                                         bool until_newest) {
  absl::MutexLock lock(&mu_);
  if (shut_down_) {
    return new RefusedWatch(grpc::Status(grpc::StatusCode::UNAVAILABLE, "router is shutting down"));
  }
  ReapLocked();
  if (watches_.size() >= max_watches_) {
    return new RefusedWatch(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("this router serves at most ", max_watches_,
                     " event watches at once; try another router of the tenant or later")));
  }
  auto watch = std::make_unique<WatchState>();
  WatchState* w = watch.get();
  auto* stream = new EventStream(w);
  w->thread = std::thread([w, endpoint = endpoint_, tenant, after, until_newest] {
    Follow(w, endpoint, tenant, after, until_newest);
    w->thread_done = true;
  });
  watches_.push_back(std::move(watch));
  return stream;
}

void EventWatches::Shutdown() {
  absl::MutexLock lock(&mu_);
  if (!shut_down_) {
    shut_down_ = true;
    for (auto& w : watches_) {
      w->Close(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            "router is shutting down; resume after the last offset received"));
    }
  }
  for (auto& w : watches_) {
    if (w->thread.joinable()) w->thread.join();
  }
  ReapLocked();
}

size_t EventWatches::active() const {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& w : watches_) {
    if (!w->thread_done) ++n;
  }
  return n;
}

void EventWatches::ReapLocked() {
  for (auto it = watches_.begin(); it != watches_.end();) {
    WatchState& w = **it;
    bool call_done = false;
    {
      absl::MutexLock lock(&w.mu);
      call_done = w.call_done;
    }
    if (w.thread_done && call_done) {
      if (w.thread.joinable()) w.thread.join();
      it = watches_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace wissel::service
