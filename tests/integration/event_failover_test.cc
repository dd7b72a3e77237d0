// Issue 15, the event stream across a router failover: three wisseld on one Redis under load
// (residents routing, handlers taking offers). A client follows WatchEvents on the deciding
// replica; that replica is killed with SIGKILL, another takes the tenant over, and the client
// resumes at another replica after the last offset it received. At the end the client has every
// event of the stream exactly once, in order, and every acknowledged contact was routed exactly
// once in it.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "router/state/redis_keys.h"
#include "tests/integration/contact_history.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/router_harness.h"
#include "tests/integration/simulated_centre.h"
#include "tests/integration/wisseld_process.h"

namespace wissel::testing {
namespace {

// Follows the tenant's events the way a wallboard would: one stream at a time, and when it
// breaks, the next router of the list, after the last offset received.
class Follower {
 public:
  explicit Follower(std::vector<std::string> addresses) : addresses_(std::move(addresses)) {}

  void Start(int first) {
    thread_ = std::thread([this, first] { Run(first); });
  }

  // Stops after catching up with `newest` (or after `timeout`).
  void StopAt(const std::string& newest, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      {
        absl::MutexLock lock(&mu_);
        if (!offsets_.empty() && offsets_.back() == newest) break;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    stop_ = true;
    {
      absl::MutexLock lock(&mu_);
      if (context_ != nullptr) context_->TryCancel();
    }
    thread_.join();
  }

  std::vector<std::string> offsets() const {
    absl::MutexLock lock(&mu_);
    return offsets_;
  }
  std::vector<v1::Event> events() const {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  int reconnections() const { return reconnections_; }

 private:
  void Run(int index) {
    std::string after = "0";
    while (!stop_) {
      auto channel = grpc::CreateChannel(addresses_[index], grpc::InsecureChannelCredentials());
      auto stub = v1::OperatorService::NewStub(channel);
      grpc::ClientContext context;
      {
        absl::MutexLock lock(&mu_);
        context_ = &context;
      }
      v1::WatchEventsRequest req;
      req.set_tenant(kTenant);
      req.set_after(after);
      auto reader = stub->WatchEvents(&context, req);
      v1::Event e;
      while (reader->Read(&e)) {
        absl::MutexLock lock(&mu_);
        offsets_.push_back(e.offset());
        events_.push_back(e);
        after = e.offset();
      }
      grpc::Status status = reader->Finish();
      {
        absl::MutexLock lock(&mu_);
        context_ = nullptr;
      }
      if (stop_) break;
      ++reconnections_;
      std::cout << "follower: stream at " << addresses_[index] << " ended (" << status.error_code()
                << " " << status.error_message() << "); resuming after " << after << std::endl;
      index = (index + 1) % static_cast<int>(addresses_.size());
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  const std::vector<std::string> addresses_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> reconnections_{0};
  mutable absl::Mutex mu_;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::vector<std::string> offsets_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::Event> events_ ABSL_GUARDED_BY(mu_);
};

TEST(EventFailoverTest, AFollowerHasEveryEventOnceAcrossTheKillOfTheDecidingReplica) {
  auto redis = RedisServer::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  constexpr int kReplicas = 3;
  std::vector<std::unique_ptr<WisseldProcess>> replicas;
  std::vector<std::string> addresses;
  for (int i = 0; i < kReplicas; ++i) {
    const std::string address = absl::StrCat("127.0.0.1:", UnusedTcpPort());
    replicas.push_back(std::make_unique<WisseldProcess>(
        WISSELD_BINARY, TestConfigYaml((*redis)->port(), "20s", address)));
    ASSERT_TRUE(replicas.back()->Start().ok()) << replicas.back()->Log();
    addresses.push_back(address);
  }
  auto decider = [&]() -> int {
    absl::StatusOr<std::string> lease =
        (*redis)->Command({"GET", absl::StrCat("w:{", kTenant, "}:owner")});
    for (int i = 0; lease.ok() && i < kReplicas; ++i) {
      if (absl::EndsWith(*lease, absl::StrCat("|", addresses[i]))) return i;
    }
    return -1;
  };
  const int first = decider();
  ASSERT_GE(first, 0) << "no replica holds the tenant's lease";

  Follower follower(addresses);
  follower.Start(first);

  SimulatedCentreOptions options;
  options.router_addresses = addresses;
  options.tenant = kTenant;
  options.run_id = "events";
  options.channel = v1::CHANNEL_CHAT;
  options.producers = 2;
  options.contacts_per_second = 150;
  options.handlers = 9;
  options.capacity = 3;
  options.seed = 15;
  ContactHistory history;
  SimulatedCentre centre(options, &history);
  ASSERT_TRUE(centre.Start().ok());

  absl::SleepFor(absl::Seconds(2));
  absl::StatusOr<int> killed = replicas[first]->SignalAndWait(SIGKILL);
  ASSERT_TRUE(killed.ok()) << killed.status();
  ASSERT_TRUE(WIFSIGNALED(*killed) && WTERMSIG(*killed) == SIGKILL) << replicas[first]->Log();
  const absl::Time down = absl::Now();
  int second = -1;
  while (absl::Now() - down < absl::Seconds(15)) {
    second = decider();
    if (second >= 0 && second != first) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(second >= 0 && second != first) << "no replica took the tenant over";
  std::cout << "killed replica " << first << "; replica " << second << " decides after "
            << absl::FormatDuration(absl::Now() - down) << std::endl;
  absl::SleepFor(absl::Seconds(2));  // load on the survivors

  FaultReport report = centre.Finish(absl::Seconds(20), /*replay_fraction=*/0.0, nullptr);
  std::cout << report.Summary() << std::endl;

  // The whole stream as Redis has it, and the follower's copy once it caught up.
  const std::string key = state::keys::Events(kTenant);
  absl::StatusOr<std::vector<std::string>> newest =
      (*redis)->CommandArray({"XREVRANGE", key, "+", "-", "COUNT", "1"});
  ASSERT_TRUE(newest.ok() && !newest->empty()) << newest.status();
  follower.StopAt(newest->front(), absl::Seconds(30));
  absl::StatusOr<std::vector<std::string>> ids = (*redis)->CommandArray(
      {"EVAL",
       "local out = {} for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do "
       "out[#out + 1] = e[1] end return out",
       "1", key});
  ASSERT_TRUE(ids.ok()) << ids.status();
  const std::vector<std::string> got = follower.offsets();
  std::cout << "stream: " << ids->size() << " events; follower: " << got.size() << " after "
            << follower.reconnections() << " reconnection(s)" << std::endl;
  EXPECT_GE(follower.reconnections(), 1);
  EXPECT_GT(ids->size(), 100u);
  EXPECT_EQ(got, *ids) << "the follower's events differ from the stream";

  // Every acknowledged contact was routed exactly once in the stream.
  absl::flat_hash_map<std::string, int> routed;
  for (const v1::Event& e : follower.events()) {
    if (e.type() == v1::EVENT_TYPE_ROUTED) ++routed[e.contact_id()];
  }
  int acknowledged = 0;
  for (const RouteAttempt& attempt : history.Snapshot().routes) {
    if (!attempt.status.ok()) continue;
    ++acknowledged;
    EXPECT_EQ(routed[attempt.contact_id], 1) << attempt.contact_id;
  }
  EXPECT_GT(acknowledged, 100);
}

}  // namespace
}  // namespace wissel::testing
