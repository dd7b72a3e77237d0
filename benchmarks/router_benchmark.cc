// Benchmarks of the routing core alone (no gRPC, no Redis): whole routing decisions with the
// operators' rules, at growing numbers of handlers and queues. Heap allocations are counted by
// replacing the global operator new in this program.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "benchmarks/allocation_counter.h"
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

// `queues` teams with one topic each, across 10 domains, and 50 rules of the kinds a
// municipality writes (language, needs, channel and domain, DigiD level, attributes). Most do
// not match a plain contact, so evaluation runs through all of them.
TenantConfig BenchConfig(int queues) {
  TenantConfig config;
  // Handlers sign in without being listed in a roster.
  config.dynamic_handlers = true;
  config.id = "gemeente-bench";
  for (int q = 0; q < queues; ++q) {
    const std::string name = absl::StrCat("team-", q);
    config.queues.push_back({name, name, absl::Minutes(5)});
    config.topics.push_back(
        {absl::StrCat("topic-", q), name, absl::StrCat("domain-", q % 10), name, 0});
  }
  for (int r = 0; r < 50; ++r) {
    RuleSpec rule;
    rule.name = absl::StrCat("rule-", r);
    switch (r % 5) {
      case 0:
        rule.when = absl::StrCat("language == \"lang-", r, "\"");
        break;
      case 1:
        rule.when = absl::StrCat("channel == chat and topic.domain == \"domain-", r % 10,
                                 "\" and digid >= hoog");
        break;
      case 2:
        rule.when = "needs.any and wants_person and not party.known";
        break;
      case 3:
        rule.when = absl::StrCat("attributes.ivr == \"", r, "\" or priority > 99");
        break;
      default:
        rule.when = absl::StrCat("topic in [topic-0, topic-1] and queue.expected_wait > ", r, "h");
        break;
    }
    rule.then = {{ActionSpec::Kind::kRaisePriority, "", 1, {}}};
    rule.continue_matching = true;
    config.rules.push_back(rule);
  }
  return config;
}

std::unique_ptr<Router> MakeRouter(int queues, int handlers, BenchClock* clock) {
  absl::StatusOr<std::unique_ptr<Router>> router = Router::Create(BenchConfig(queues), clock);
  if (!router.ok()) {
    std::fprintf(stderr, "%s\n", std::string(router.status().message()).c_str());
    std::abort();
  }
  EffectList effects;
  for (int h = 0; h < handlers; ++h) {
    HandlerSignIn in;
    in.id = absl::StrCat("h", h);
    in.skills = {absl::StrCat("team-", h % queues)};
    (void)(*router)->SignIn(std::move(in), &effects);
  }
  return *std::move(router);
}

// Measures one whole routing decision — opening hours, 50 rules, both policies, the handler
// selection by strategy — for a contact that is assigned to a free handler, plus the accept,
// complete and wrap-up that free the handler again (outside the timing), with `handlers`
// signed in over `queues` queues. Where queues outnumber handlers, most topics have nobody:
// those contacts are queued, and cancelled outside the timing, so that the state stays the
// same from one decision to the next (decisions are timed in batches, see below). Why: this is the
// core's share of every RouteContact call; it must stay in microseconds, grow sub-linearly with
// handlers and queues, and allocate nothing in steady state (the counter allocs_per_route counts
// operator new calls inside Route only; the explanation is formatted later, at the API edge, and is
// not included).
void BM_Route_Decision(benchmark::State& state) {
  const int handlers = static_cast<int>(state.range(0));
  const int queues = static_cast<int>(state.range(1));
  BenchClock clock;
  std::unique_ptr<Router> router = MakeRouter(queues, handlers, &clock);
  EffectList effects;
  effects.reserve(4096);
  // Decisions are timed in batches, so the timer's own pause and resume (a system call each)
  // is paid once per batch rather than once per decision; a batch is small against the number
  // of handlers, so most of its contacts still find a free handler.
  const int batch = std::clamp(handlers / 20, 1, 64);
  std::vector<NewContact> contacts(batch);
  std::vector<std::string> ids(batch);
  std::vector<absl::StatusOr<Decision>> decisions;
  decisions.reserve(batch);
  const Payload payload(std::string(200, 'p'));
  int64_t n = 0;
  int64_t routed = 0;
  int64_t allocations = 0;
  while (true) {
    // Realistic sizes: a 15-character contact id as the service makes them, a SIP Call-ID as
    // idempotency key, the service's serialized record as payload (made before routing, by the
    // service, as in the daemon).
    for (int i = 0; i < batch; ++i, ++n) {
      NewContact& c = contacts[i];
      c = NewContact{};
      c.id = absl::StrFormat("c%014d", n);
      c.topic = absl::StrCat("topic-", n % queues);
      c.idempotency_key = absl::StrFormat("sip:%08d-4f3a-9c2e@pbx.wisseloord.example", n);
      c.language = "nl";
      c.payload = payload;
      ids[i] = c.id;
    }
    decisions.clear();
    effects.clear();
    if (!state.KeepRunningBatch(batch)) break;
    const int64_t before = benchmarks::AllocationCount();
    for (int i = 0; i < batch; ++i) {
      decisions.push_back(router->Route(std::move(contacts[i]), &effects));
    }
    allocations += benchmarks::AllocationCount() - before;
    routed += batch;
    state.PauseTiming();
    for (int i = 0; i < batch; ++i) {
      const absl::StatusOr<Decision>& d = decisions[i];
      if (d.ok() && d->outcome == Decision::Outcome::kAssigned) {
        (void)router->Accept(d->handler_id, ids[i], &effects);
        (void)router->Complete(ids[i], &effects);
        (void)router->FinishWrapUp(d->handler_id, ids[i], &effects);
      } else if (d.ok()) {
        (void)router->Cancel(ids[i], "bench", &effects);
      }
    }
    clock.Advance(absl::Milliseconds(1));
    state.ResumeTiming();
  }
  state.SetItemsProcessed(routed);
  state.counters["allocs_per_route"] =
      benchmark::Counter(static_cast<double>(allocations) / static_cast<double>(routed));
  state.counters["batch"] = batch;
}
BENCHMARK(BM_Route_Decision)
    ->ArgsProduct({{100, 1000, 10000, 100000}, {10, 100, 1000}})
    ->ArgNames({"handlers", "queues"});

// Measures the cost of PauseTiming/ResumeTiming around an empty timed region. Why: the
// benchmarks above time each decision between them, so their figures include this overhead
// (reading the thread CPU clock is a system call); subtract it to get the decision alone.
void BM_Timer_PauseResume(benchmark::State& state) {
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): the benchmark loop variable
  for (auto _ : state) {
    state.PauseTiming();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Timer_PauseResume);

// Measures queuing a contact when no handler is free, at queue depth `depth`. Why: at peak
// hours contacts wait; joining a deep queue (including its position and expected wait) must
// not grow linearly with the depth.
void BM_Route_Queue(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  BenchClock clock;
  std::unique_ptr<Router> router = MakeRouter(10, 0, &clock);
  EffectList effects;
  for (int i = 0; i < depth; ++i) {
    NewContact c;
    c.id = absl::StrCat("pre", i);
    c.topic = "topic-0";
    (void)router->Route(std::move(c), &effects);
    clock.Advance(absl::Milliseconds(1));
  }
  int64_t n = 0;
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): the benchmark loop variable
  for (auto _ : state) {
    state.PauseTiming();
    effects.clear();
    NewContact c;
    c.id = absl::StrCat("c", n++);
    c.topic = "topic-0";
    const std::string id = c.id;
    state.ResumeTiming();
    auto decision = router->Route(std::move(c), &effects);
    benchmark::DoNotOptimize(decision);
    state.PauseTiming();
    (void)router->Cancel(id, "bench", &effects);
    clock.Advance(absl::Milliseconds(1));
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Route_Queue)->RangeMultiplier(10)->Range(10, 100000);

// Measures a queued decision (the contact is told its position and expected wait) when
// `depth` contacts already wait and no handler is signed in, as at peak hours. Why: issue #6,
// the position in the queue was counted by walking the waiting sets, so every queued decision
// cost O(depth); it must grow at most logarithmically. The waiting contacts have mixed
// priorities and half of them have been escalated to a lower proficiency level, so the new
// contact lands in the middle of its own level and behind a whole other level (the cases the
// walk was slowest for). Decisions are timed in batches (as in BM_Route_Decision) and cancelled
// outside the timing, so the depth stays the same; allocs_per_route counts operator new calls
// inside Route.
void BM_Route_QueuedDecision(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  TenantConfig config = BenchConfig(10);  // the rules name 10 topics; contacts use one
  config.queues[0].min_proficiency = 3;
  // Contacts that waited longer than half the fill time accept proficiency 1.
  config.queues[0].escalation.push_back({absl::Milliseconds(std::max(1, depth / 2)), 1, "", false});
  BenchClock clock;
  absl::StatusOr<std::unique_ptr<Router>> created = Router::Create(std::move(config), &clock);
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", std::string(created.status().message()).c_str());
    std::abort();
  }
  Router& router = **created;
  EffectList effects;
  // Priorities 0..99 in a fixed scattered order (deterministic runs). Not 100: that matches the
  // bench rules' "priority > 99", and the trace of ten matched rules outgrows its inline
  // storage, an allocation that has nothing to do with the queue.
  auto priority = [](int64_t i) { return static_cast<int>((i * 37) % 100); };
  for (int i = 0; i < depth; ++i) {
    NewContact c;
    c.id = absl::StrFormat("p%014d", i);
    c.topic = "topic-0";
    c.priority = priority(i);
    (void)router.Route(std::move(c), &effects);
    clock.Advance(absl::Milliseconds(1));
  }
  router.Tick(&effects);  // applies the escalations that are due
  effects.clear();
  effects.reserve(4096);
  const int batch = 64;
  std::vector<NewContact> contacts(batch);
  std::vector<std::string> ids(batch);
  std::vector<absl::StatusOr<Decision>> decisions;
  decisions.reserve(batch);
  int64_t n = 0;
  int64_t routed = 0;
  int64_t allocations = 0;
  int64_t position_sum = 0;
  while (true) {
    for (int i = 0; i < batch; ++i, ++n) {
      NewContact& c = contacts[i];
      c = NewContact{};
      c.id = absl::StrFormat("c%014d", n);
      c.topic = "topic-0";
      c.priority = priority(n);
      c.idempotency_key = absl::StrFormat("sip:%08d-4f3a-9c2e@pbx.wisseloord.example", n);
      ids[i] = c.id;
    }
    decisions.clear();
    effects.clear();
    if (!state.KeepRunningBatch(batch)) break;
    const int64_t before = benchmarks::AllocationCount();
    for (int i = 0; i < batch; ++i) {
      decisions.push_back(router.Route(std::move(contacts[i]), &effects));
    }
    allocations += benchmarks::AllocationCount() - before;
    routed += batch;
    state.PauseTiming();
    for (int i = 0; i < batch; ++i) {
      if (decisions[i].ok()) position_sum += decisions[i]->position;
      (void)router.Cancel(ids[i], "bench", &effects);
    }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(routed);
  state.counters["allocs_per_route"] =
      benchmark::Counter(static_cast<double>(allocations) / static_cast<double>(routed));
  // The mean position told, to show that contacts do land mid-queue.
  state.counters["mean_position"] =
      benchmark::Counter(static_cast<double>(position_sum) / static_cast<double>(routed));
}
BENCHMARK(BM_Route_QueuedDecision)->Arg(1000)->Arg(10000)->Arg(100000)->ArgName("depth");

}  // namespace
}  // namespace wissel::core
