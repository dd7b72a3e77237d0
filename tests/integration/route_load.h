// RouteLoad: client threads that send RouteContact calls to a router and record every outcome,
// for the fault tests (Redis outage, Sentinel failover); and HealthStatus(), one call of the
// standard gRPC health check.
//
// Each thread sends calls with unique idempotency keys ("<prefix>-<thread>-<n>"), a generous
// deadline and a short pause between calls, until Stop() or its call budget is spent: every loop
// is bounded in count and time. Pause() holds the threads between calls.
//
// Thread-safe: records are taken under a mutex; Start/Pause/Resume/Stop from the test thread.
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::testing {

struct RouteCall {
  std::string key;  // idempotency key
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  std::string message;
  std::string contact_id;  // when OK
  bool replayed = false;
  absl::Duration latency;
  int phase = 0;  // RouteLoad::phase() when the call was sent
};

class RouteLoad {
 public:
  struct Options {
    std::string tenant;
    std::string topic = "paspoort";
    std::string key_prefix = "load";
    int threads = 4;
    int max_calls_per_thread = 5000;
    absl::Duration pause = absl::Milliseconds(5);
    absl::Duration deadline = absl::Seconds(5);
  };

  RouteLoad(std::shared_ptr<grpc::Channel> channel, Options options)
      : stub_(v1::RoutingService::NewStub(channel)), options_(std::move(options)) {}
  ~RouteLoad() { Stop(); }

  void Start() {
    for (int t = 0; t < options_.threads; ++t) threads_.emplace_back([this, t] { Run(t); });
  }
  void Stop() {
    stop_ = true;
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }
  void Pause() {
    paused_ = true;
    // Wait (bounded) until no call is in flight, so that nothing reaches the router after this.
    for (int i = 0; i < 2000 && in_flight_ > 0; ++i) absl::SleepFor(absl::Milliseconds(5));
  }
  void Resume() { paused_ = false; }
  void set_phase(int phase) { phase_ = phase; }

  std::vector<RouteCall> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  // Calls of `phase` (or of any phase with -1) that ended with `code`.
  int Count(grpc::StatusCode code, int phase = -1) const {
    absl::MutexLock lock(&mu_);
    int n = 0;
    for (const RouteCall& c : calls_) n += c.code == code && (phase < 0 || c.phase == phase);
    return n;
  }
  // Waits at most `timeout` until Count(code, phase) >= n; returns whether it got there.
  bool WaitForCount(grpc::StatusCode code, int n, absl::Duration timeout, int phase = -1) const {
    const absl::Time until = absl::Now() + timeout;
    while (Count(code, phase) < n) {
      if (absl::Now() > until) return false;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return true;
  }

  // One RouteContact call with `key`, outside the load (e.g. a retry).
  RouteCall Call(const std::string& key, int phase) {
    v1::RouteContactRequest request;
    v1::Contact* contact = request.mutable_contact();
    contact->set_tenant(options_.tenant);
    contact->set_channel(v1::CHANNEL_PHONE);
    contact->set_topic(options_.topic);
    contact->set_idempotency_key(key);
    v1::RouteContactResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::microseconds(absl::ToInt64Microseconds(options_.deadline)));
    const absl::Time start = absl::Now();
    grpc::Status status = stub_->RouteContact(&ctx, request, &response);
    RouteCall call;
    call.key = key;
    call.code = status.error_code();
    call.message = status.error_message();
    call.contact_id = response.contact_id();
    call.replayed = response.replayed();
    call.latency = absl::Now() - start;
    call.phase = phase;
    return call;
  }

 private:
  void Run(int thread) {
    for (int n = 0; n < options_.max_calls_per_thread && !stop_; ++n) {
      while (paused_ && !stop_) absl::SleepFor(absl::Milliseconds(5));
      if (stop_) break;
      ++in_flight_;
      const int phase = phase_;
      RouteCall call = Call(absl::StrCat(options_.key_prefix, "-", thread, "-", n), phase);
      {
        absl::MutexLock lock(&mu_);
        calls_.push_back(std::move(call));
      }
      --in_flight_;
      absl::SleepFor(options_.pause);
    }
  }

  std::unique_ptr<v1::RoutingService::Stub> stub_;
  const Options options_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> paused_{false};
  std::atomic<int> in_flight_{0};
  std::atomic<int> phase_{0};
  mutable absl::Mutex mu_;
  std::vector<RouteCall> calls_ ABSL_GUARDED_BY(mu_);
};

// The serving status of the router at `target` for the whole server (service ""): 1 SERVING,
// 2 NOT_SERVING, -1 when the call fails. One call, bounded by a 2 s deadline.
inline int HealthStatus(const std::string& target) {
  grpc::GenericStub stub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::Slice empty("", 0);  // HealthCheckRequest{service: ""} serialises to nothing
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   status = s;
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return -1;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return -1;
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  if (bytes == std::string("\x08\x01", 2)) return 1;
  if (bytes == std::string("\x08\x02", 2)) return 2;
  return -1;
}

// Polls HealthStatus until it is `want`, at most `timeout`; returns whether it got there.
inline bool WaitForHealth(const std::string& target, int want, absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  while (HealthStatus(target) != want) {
    if (absl::Now() > until) return false;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return true;
}

}  // namespace wissel::testing
