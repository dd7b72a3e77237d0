// The cost of wisseld's metrics (issue 15), measured directly, apart from the end-to-end runs
// (benchmarks/run.sh metrics) that this shared machine makes noisy.
//
// BM_RouterMetrics_PerRouteContact measures what counting adds to one RouteContact: the contact
// routed ("digitaal, tenzij" included), the RPC finished with its duration (the interceptor's
// call), and a share of a batch written (round trip and sizes; one batch per 8 calls, fewer than
// the group commit makes under load). Why: the bound is 10 % of RouteContact throughput at c=64,
// where wisseld spends about 80-100 µs of CPU per call; the counting must stay a small fraction
// of that, also with several threads counting at once (Threads(2): both cores).
//
// BM_Registry_Serialize measures one scrape of a registry filled as a large deployment fills it
// (RouterMetrics for two tenants, 20 queues, 50 topics, all channels). Why: a scrape runs on
// the endpoint's thread beside routing; its cost per scrape interval is what it takes away.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "metrics/registry.h"
#include "router/core/channel.h"
#include "router/core/decision.h"
#include "router/core/effect.h"
#include "router/core/router.h"
#include "router/core/tenant_config.h"
#include "router/engine/system_clock.h"
#include "router/service/router_metrics.h"

namespace wissel {
namespace {

std::unique_ptr<service::RouterMetrics> MakeMetrics(metrics::Registry* registry) {
  absl::StatusOr<std::unique_ptr<service::RouterMetrics>> m = service::RouterMetrics::Create(
      registry, [] { return 0.0; }, [] { return std::pair<double, double>(0, 0); });
  return m.ok() ? *std::move(m) : nullptr;
}

// The metrics one RouteContact moves, as wisseld moves them.
void CountOneCall(service::RouterMetrics& m, int i) {
  service::RouterMetrics::Routed routed;
  routed.channel = (i % 4 == 0) ? core::Channel::kChat : core::Channel::kPhone;
  routed.outcome =
      (i % 3 == 0) ? core::Decision::Outcome::kDigital : core::Decision::Outcome::kQueued;
  routed.digital_first =
      (i % 3 == 0) ? core::DigitalFirst::kSteered : core::DigitalFirst::kNotApplicable;
  m.ContactRouted("gemeente-wisseloord", routed);
  m.RpcFinished("RoutingService/RouteContact", "OK", absl::Microseconds(900 + i % 200));
  if (i % 8 == 0) m.BatchWritten(8, 8, absl::Microseconds(300), absl::OkStatus());
}

void BM_RouterMetrics_PerRouteContact(benchmark::State& state) {
  static metrics::Registry* registry = nullptr;
  static std::unique_ptr<service::RouterMetrics> shared;
  if (state.thread_index() == 0) {
    registry = new metrics::Registry();
    shared = MakeMetrics(registry);
  }
  int i = static_cast<int>(state.thread_index());
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): the benchmark loop variable
  for (auto _ : state) CountOneCall(*shared, i++);
  if (state.thread_index() == 0) {
    shared.reset();
    delete registry;
  }
}
BENCHMARK(BM_RouterMetrics_PerRouteContact)->Threads(1)->Threads(2)->UseRealTime();

// A tenant of 20 queues and 50 topics, each topic with a phone norm.
std::unique_ptr<core::Router> MakeTenant(const std::string& id, const core::Clock* clock) {
  core::TenantConfig config;
  config.id = id;
  config.name = id;
  config.dynamic_handlers = true;
  for (int q = 0; q < 20; ++q) {
    config.queues.push_back({.name = absl::StrCat("queue-", q), .skill = absl::StrCat("s", q)});
  }
  for (int t = 0; t < 50; ++t) {
    core::TopicConfig topic;
    topic.code = absl::StrCat("topic-", t);
    topic.name = topic.code;
    topic.domain = absl::StrCat("domain-", t % 5);
    topic.queue = absl::StrCat("queue-", t % 20);
    topic.norms[core::Channel::kPhone].answer_within = absl::Seconds(30);
    config.topics.push_back(std::move(topic));
  }
  absl::StatusOr<std::unique_ptr<core::Router>> router = core::Router::Create(config, clock);
  return router.ok() ? *std::move(router) : nullptr;
}

void BM_Registry_Serialize(benchmark::State& state) {
  engine::SystemClock clock;
  metrics::Registry registry;
  std::unique_ptr<service::RouterMetrics> m = MakeMetrics(&registry);
  std::vector<std::unique_ptr<core::Router>> tenants;
  for (const char* id : {"gemeente-wisseloord", "gemeente-spoorwijk"}) {
    tenants.push_back(MakeTenant(id, &clock));
    const core::Router& router = *tenants.back();
    for (core::Channel ch : core::kAllChannels) {
      for (int t = 0; t < 50; ++t) {
        service::RouterMetrics::Routed routed;
        routed.channel = ch;
        m->ContactRouted(id, routed);
        core::OfferAccepted accepted;
        accepted.channel = ch;
        accepted.queue = absl::StrCat("queue-", t % 20);
        accepted.topic = absl::StrCat("topic-", t);
        accepted.time = clock.Now();
        accepted.created_at = accepted.enqueued_at = clock.Now() - absl::Seconds(t);
        m->Applied(id, router, core::Effect(accepted));
      }
    }
    m->Observe(id, &router);
  }
  for (int k = 0; k < 20; ++k) {
    m->RpcFinished(absl::StrCat("RoutingService/Method", k), "OK", absl::Milliseconds(1));
  }
  size_t bytes = 0;
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): the benchmark loop variable
  for (auto _ : state) {
    const std::string text = registry.Serialize();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Registry_Serialize);

}  // namespace
}  // namespace wissel
