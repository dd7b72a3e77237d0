// Benchmarks of the routing core alone (no gRPC, no Redis).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "router/core/router.h"

namespace wissel::core {
namespace {

class BenchClock : public Clock {
 public:
  absl::Time Now() const override { return now_; }
  void Advance(absl::Duration d) { now_ += d; }

 private:
  absl::Time now_ = absl::FromUnixSeconds(1'790'000'000);
};

TenantConfig BenchConfig(int queues) {
  TenantConfig config;
  config.id = "gemeente-bench";
  for (int q = 0; q < queues; ++q) {
    const std::string name = absl::StrCat("team-", q);
    config.queues.push_back({name, name, absl::Minutes(5)});
    config.topics.push_back({absl::StrCat("topic-", q), name, "domain", name, 0});
  }
  return config;
}

// Measures one routing decision that assigns a contact to a free handler and the handler's
// accept, complete and wrap-up that free it again (so the state stays steady), with `handlers`
// signed in over 10 queues. Why: this is the core's share of every RouteContact call; it must
// stay in microseconds and grow sub-linearly with the number of handlers.
void BM_Route_AssignAndRelease(benchmark::State& state) {
  const int handlers = static_cast<int>(state.range(0));
  constexpr int kQueues = 10;
  BenchClock clock;
  std::unique_ptr<Router> owned = *Router::Create(BenchConfig(kQueues), &clock);
  Router& router = *owned;
  EffectList effects;
  for (int h = 0; h < handlers; ++h) {
    HandlerSignIn in;
    in.id = absl::StrCat("h", h);
    in.skills = {absl::StrCat("team-", h % kQueues)};
    (void)router.SignIn(std::move(in), &effects);
  }
  int64_t n = 0;
  for (auto _ : state) {
    effects.clear();
    NewContact c;
    c.id = absl::StrCat("c", n);
    c.topic = absl::StrCat("topic-", n % kQueues);
    c.idempotency_key = c.id;
    const std::string id = c.id;
    auto decision = router.Route(std::move(c), &effects);
    benchmark::DoNotOptimize(decision);
    state.PauseTiming();
    if (decision.ok() && decision->outcome == Decision::Outcome::kAssigned) {
      (void)router.Accept(decision->handler_id, id, &effects);
      (void)router.Complete(id, &effects);
      (void)router.FinishWrapUp(decision->handler_id, id, &effects);
    }
    clock.Advance(absl::Milliseconds(1));
    ++n;
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Route_AssignAndRelease)->RangeMultiplier(10)->Range(100, 100000);

// Measures queuing a contact when no handler is free, at queue depth `depth`. Why: at peak
// hours contacts wait; the cost of joining a deep queue (including its position) must not
// grow linearly with the depth.
void BM_Route_Queue(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  BenchClock clock;
  std::unique_ptr<Router> owned = *Router::Create(BenchConfig(1), &clock);
  Router& router = *owned;
  EffectList effects;
  for (int i = 0; i < depth; ++i) {
    NewContact c;
    c.id = absl::StrCat("pre", i);
    c.topic = "topic-0";
    (void)router.Route(std::move(c), &effects);
    clock.Advance(absl::Milliseconds(1));
  }
  int64_t n = 0;
  for (auto _ : state) {
    effects.clear();
    NewContact c;
    c.id = absl::StrCat("c", n++);
    c.topic = "topic-0";
    const std::string id = c.id;
    auto decision = router.Route(std::move(c), &effects);
    benchmark::DoNotOptimize(decision);
    state.PauseTiming();
    (void)router.Cancel(id, "bench", &effects);
    clock.Advance(absl::Milliseconds(1));
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Route_Queue)->RangeMultiplier(10)->Range(10, 100000);

}  // namespace
}  // namespace wissel::core
