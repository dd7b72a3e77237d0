// Benchmarks of the compiled routing rules (router/core/rules) and of a configuration reload.
//
// Heap allocations are counted by the global operator new of benchmarks/allocation_counter.cc
// (linked into the benchmark binaries only); BM_RuleSet_Evaluate reports them per iteration as the
// counter "allocs/iter", which must be 0.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "benchmarks/allocation_counter.h"
#include "router/config/router_config.h"
#include "router/core/contact.h"
#include "router/core/rule_spec.h"
#include "router/core/rules/rule_context.h"
#include "router/core/rules/rule_set.h"
#include "router/core/tenant_config.h"

namespace wissel {
namespace {

constexpr int kRules = 50;

// A catalogue of `topics` topics over 20 queues with a roster, and `kRules` rules in the style
// of config/example/wissel.yaml: rule i fires for topic t<i> on a voice or chat channel during
// office hours; every rule reads several fields, so a miss costs what real rules cost.
core::TenantConfig MakeConfig(int topics) {
  core::TenantConfig config;
  // Handlers sign in without being listed in a roster.
  config.dynamic_handlers = true;
  config.id = "gemeente-bench";
  config.name = "Gemeente Bench";
  for (int q = 0; q < 20; ++q) {
    config.queues.push_back({.name = absl::StrCat("q", q), .skill = absl::StrCat("s", q)});
    config.handlers.push_back({.id = absl::StrCat("h", q),
                               .skills = {{absl::StrCat("s", q), 3}, {"taal", 3}},
                               .teams = {absl::StrCat("q", q)}});
  }
  for (int t = 0; t < topics; ++t) {
    core::TopicConfig topic;
    topic.code = absl::StrCat("t", t);
    topic.name = absl::StrCat("Topic ", t);
    topic.domain = absl::StrCat("d", t % 6);
    topic.queue = absl::StrCat("q", t % 20);
    topic.default_priority = 40;
    config.topics.push_back(std::move(topic));
  }
  for (int r = 0; r < kRules; ++r) {
    core::RuleSpec rule;
    rule.name = absl::StrCat("rule-", r);
    rule.when = absl::StrCat(
        "channel in [phone, chat, balie] and time >= 08:00 and day <= fri and topic == t", r,
        " and (language_barrier in needs or priority >= 30) and not wants_person");
    rule.then = {{.kind = core::ActionSpec::Kind::kRouteTo, .target = absl::StrCat("q", r % 20)},
                 {.kind = core::ActionSpec::Kind::kRequireSkill, .target = "taal", .value = 2},
                 {.kind = core::ActionSpec::Kind::kRaisePriority, .value = 10}};
    config.rules.push_back(std::move(rule));
  }
  return config;
}

// Measures evaluating 50 compiled rules for one contact whose first matching rule is rule
// state.range(0) (1, 25 or 50), or none (0): the per-contact cost of the rules in RouteContact,
// and that it allocates nothing. Why: rules run on the routing thread for every contact; their
// cost must stay in the sub-microsecond range and must not touch the allocator.
void BM_RuleSet_Evaluate(benchmark::State& state) {
  const core::TenantConfig config = MakeConfig(100);
  absl::StatusOr<core::rules::RuleSet> rules = core::rules::RuleSet::Compile(config);
  if (!rules.ok()) {
    state.SkipWithError(std::string(rules.status().message()).c_str());
    return;
  }
  const int match = static_cast<int>(state.range(0));
  const std::vector<std::pair<std::string, std::string>> attributes = {{"ivr_keuze", "2"}};
  core::rules::RuleContext ctx;
  ctx.channel = core::Channel::kPhone;
  ctx.topic = &config.topics[match == 0 ? 99 : match - 1];
  ctx.language = "nl";
  ctx.priority = 40;
  ctx.queue_expected_wait = absl::Seconds(90);
  ctx.local_time = absl::CivilSecond(2026, 3, 5, 10, 30, 0);  // a Thursday
  ctx.open = true;
  ctx.attributes = &attributes;
  core::rules::RuleOutcome outcome = rules->NewOutcome();

  const int64_t allocations_before = benchmarks::AllocationCount();
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): the benchmark loop variable
  for (auto _ : state) {
    rules->Evaluate(ctx, &outcome);
    benchmark::DoNotOptimize(outcome.queue);
    benchmark::ClobberMemory();
  }
  const int64_t allocations = benchmarks::AllocationCount() - allocations_before;
  state.counters["allocs/iter"] =
      benchmark::Counter(static_cast<double>(allocations), benchmark::Counter::kAvgIterations);
  state.counters["fired"] = static_cast<double>(outcome.fired_rules.size());
  state.SetLabel(match == 0 ? "no match" : absl::StrCat("match at rule ", match));
}
BENCHMARK(BM_RuleSet_Evaluate)->Arg(1)->Arg(25)->Arg(50)->Arg(0);

// Measures compiling 50 rules (parsing, name resolution, type checks, roster checks) against a
// catalogue of state.range(0) topics. Why: it is part of every configuration (re)load and of
// `wisselctl config check`; it must stay far below the reload budget.
void BM_RuleSet_Compile(benchmark::State& state) {
  const core::TenantConfig config = MakeConfig(static_cast<int>(state.range(0)));
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): the benchmark loop variable
  for (auto _ : state) {
    absl::StatusOr<core::rules::RuleSet> rules = core::rules::RuleSet::Compile(config);
    benchmark::DoNotOptimize(rules);
  }
  state.SetItemsProcessed(state.iterations() * kRules);
}
BENCHMARK(BM_RuleSet_Compile)->Arg(100)->Arg(1000);

// The YAML of one tenant with 1000 topics, 20 queues with escalation, a roster, opening hours
// and 50 rules.
std::string MakeYaml() {
  std::string yaml = R"(tenants:
  - id: gemeente-bench
    name: Gemeente Bench
    pseudonym_secret_env: WISSEL_BENCH_SECRET
    queues:
)";
  for (int q = 0; q < 20; ++q) {
    absl::StrAppend(&yaml, "      - {name: q", q, ", skill: s", q,
                    ", min_proficiency: 2, strategy: best_proficiency, escalation: [{after: 45s, "
                    "min_proficiency: 1}, {after: 120s, overflow: q",
                    (q + 1) % 20, "}, {after: 300s, offer_callback: true}]}\n");
  }
  yaml += "    topics:\n";
  for (int t = 0; t < 1000; ++t) {
    absl::StrAppend(&yaml, "      - {code: t", t, ", name: Topic ", t, ", domain: d", t % 6,
                    ", queue: q", t % 20, ", default_priority: 40, phase: maatwerk, skills: {s",
                    t % 20, ": 2}, digital_alternative: {url: \"https://example.nl/t", t,
                    "\", message: Online}, norms: {phone: {answer_within: 30s}, web_form: "
                    "{working_days: 5}}}\n");
  }
  yaml += "    handlers:\n";
  for (int h = 0; h < 40; ++h) {
    absl::StrAppend(&yaml, "      - {id: h", h, ", name: Handler ", h, ", skills: {s", h % 20,
                    ": 3, taal: 3}, teams: [q", h % 20, "]}\n");
  }
  yaml += R"(    calendar:
      time_zone: Europe/Amsterdam
      hours:
        phone: {mon: ["08:30-17:00"], tue: ["08:30-17:00"], wed: ["08:30-17:00"],
                thu: ["08:30-20:00"], fri: ["08:30-17:00"]}
      outside_hours: {phone: callback}
    rules:
)";
  for (int r = 0; r < kRules; ++r) {
    absl::StrAppend(&yaml, "      - name: rule-", r,
                    "\n        when: channel in [phone, chat, balie] and time >= 08:00 and day <= "
                    "fri and topic == t",
                    r,
                    " and (language_barrier in needs or priority >= 30) and not wants_person\n"
                    "        then:\n          - route_to: q",
                    r % 20,
                    "\n          - require_skill: {skill: taal, min_proficiency: 2}\n"
                    "          - raise_priority: 10\n");
  }
  return yaml;
}

// Measures a full configuration load from YAML text — parse, TenantConfig::Validate and
// RuleSet::Compile — for a tenant with 1000 topics and 50 rules: the "config reload with 1 000
// topics" figure. Why: a reload must be quick enough to do on every edit of the rules file
// without disturbing traffic.
void BM_Config_Load_1000Topics(benchmark::State& state) {
  setenv("WISSEL_BENCH_SECRET", "bench-secret-0123456789abcdef0123456789", 1);
  const std::string yaml = MakeYaml();
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): the benchmark loop variable
  for (auto _ : state) {
    absl::StatusOr<config::RouterConfig> config = config::ParseRouterConfig(yaml, "bench.yaml");
    if (!config.ok()) {
      state.SkipWithError(std::string(config.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(config);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(yaml.size()));
}
BENCHMARK(BM_Config_Load_1000Topics)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace wissel
