// Measures what the stricter durability mode costs: RedisStateStore::Apply of a batch of
// ContactCreated effects against a local primary with one replica, asynchronous
// (min_replica_acks 0) and with WAIT for one replica (min_replica_acks 1), in the same run.
// Why: WAIT adds the replica's acknowledgement to every group-commit round trip; operators
// choosing redis.min_replica_acks need the price per batch and per contact.
//
// Unlike the core benchmarks this one links the state layer and starts real redis-server
// processes (the integration tests' fixture) on free loopback ports.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "router/state/redis_state_store.h"
#include "tests/integration/redis_server.h"

namespace wissel {
namespace {

using testing::RedisServer;
using testing::RedisServerOptions;

// One primary and one replica for the whole run, stopped when the program exits (and killed by
// the kernel if it dies: the benchmarks run on the thread that starts them).
struct Pair {
  std::unique_ptr<RedisServer> primary;
  std::unique_ptr<RedisServer> replica;
};

Pair& Servers() {
  static Pair* pair = [] {
    static Pair servers;
    Pair* p = &servers;
    RedisServerOptions primary_options;
    primary_options.extra_args = {"--repl-diskless-sync-delay", "0"};
    auto primary = RedisServer::Start(primary_options);
    if (!primary.ok()) return p;
    RedisServerOptions replica_options;
    replica_options.extra_args = {"--replicaof", "127.0.0.1", absl::StrCat((*primary)->port()),
                                  "--appendonly", "no"};
    auto replica = RedisServer::Start(replica_options);
    if (!replica.ok()) return p;
    for (int i = 0; i < 200; ++i) {
      if ((*primary)->Command({"WAIT", "1", "50"}).value_or("0") == "1") break;
    }
    p->primary = *std::move(primary);
    p->replica = *std::move(replica);
    return p;
  }();
  return *pair;
}

core::Contact NewContact(int64_t n) {
  core::Contact c;
  c.id = absl::StrCat("c", n);
  c.channel = core::Channel::kPhone;
  c.topic = "paspoort";
  c.queue = "burgerzaken";
  c.priority = 10;
  c.idempotency_key = absl::StrCat("k", n);
  c.party_pseudonym = std::string(64, 'a');
  c.created_at = absl::FromUnixSeconds(1700000000);
  c.enqueued_at = c.created_at;
  c.payload = std::string(300, 'p');  // about the size of a stored decision
  return c;
}

// Args: {batch size, min_replica_acks}.
void BM_Apply_ContactCreated(benchmark::State& state) {
  Pair& servers = Servers();
  if (servers.replica == nullptr) {
    state.SkipWithError("could not start redis-server primary and replica");
    return;
  }
  state::RedisStateStoreOptions options;
  options.endpoint.port = servers.primary->port();
  options.min_replica_acks = static_cast<int>(state.range(1));
  options.replica_ack_timeout = absl::Milliseconds(500);
  options.contact_retention = absl::Minutes(10);
  state::RedisStateStore store(options);
  const int batch = static_cast<int>(state.range(0));
  static int64_t next = 0;
  std::vector<state::TenantEffect> effects(batch);
  int64_t since_flush = 0;
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): the benchmark loop variable
  for (auto _ : state) {
    state.PauseTiming();
    for (int i = 0; i < batch; ++i) {
      effects[i] = {"bench", core::ContactCreated{NewContact(next++)}};
    }
    since_flush += batch;
    if (since_flush > 20000) {  // bound the servers' memory
      servers.primary->FlushAll().IgnoreError();
      since_flush = 0;
    }
    state.ResumeTiming();
    absl::StatusOr<std::vector<state::EffectResult>> results = store.Apply(effects);
    if (!results.ok()) {
      state.SkipWithError(std::string(results.status().message()).c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["batch"] = batch;
  state.counters["acks"] = static_cast<double>(state.range(1));
}
BENCHMARK(BM_Apply_ContactCreated)
    // With and without WAIT side by side for each batch size, so both see the same machine load.
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({16, 0})
    ->Args({16, 1})
    ->Args({128, 0})
    ->Args({128, 1})
    ->ArgNames({"batch", "acks"})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace wissel
