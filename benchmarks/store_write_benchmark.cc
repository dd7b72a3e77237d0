// Measures what one contact's write costs Redis itself: the Redis server's CPU time per contact
// for the floor's write (benchmarks/floor: one EVALSHA of HSET + ZADD + EXPIRE on a four-field
// hash) against Wissel's write of a queued contact (RedisStateStore::Apply of ContactCreated:
// the create script with its fencing, retry check, history and live index, and the whole
// contact hash), both pipelined in batches of the same size on one connection, in the same run.
// Why: on this machine the floor is CPU-bound, so Redis's CPU per contact bounds how close the
// router can come to it however well it batches (issue #6); this separates the cost of the work
// from the cost of the round trips.
//
// Links the state layer and starts a real redis-server (the integration tests' fixture: AOF on,
// appendfsync everysec) on a free loopback port. Redis's CPU is read from /proc/<pid>/stat, so
// the client's own build type does not matter for the redis_cpu_us counter.
#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "benchmarks/floor/floor_server.h"
#include "benchmarks/floor/queued_record.h"
#include "router/state/redis_state_store.h"
#include "tests/integration/redis_server.h"

namespace wissel {
namespace {

using testing::RedisServer;

// One server for the whole run, stopped (and its directory removed) when the program exits.
RedisServer* Server() {
  static std::unique_ptr<RedisServer> server = []() -> std::unique_ptr<RedisServer> {
    absl::StatusOr<std::unique_ptr<RedisServer>> started = RedisServer::Start();
    return started.ok() ? *std::move(started) : nullptr;
  }();
  return server.get();
}

// User plus system CPU time of process `pid`, in microseconds.
double CpuMicros(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::stringstream text;
  text << in.rdbuf();
  const std::string stat = text.str();
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const std::vector<std::string> fields =
      absl::StrSplit(stat.substr(stat.rfind(')') + 2), ' ', absl::SkipEmpty());
  if (fields.size() < 13) return 0;
  const double ticks = std::stod(fields[11]) + std::stod(fields[12]);  // utime, stime
  return ticks * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The record floor's record of a contact of the load's kind (queued_record.h).
core::Contact QueuedContact(int64_t n) {
  v1::Contact contact;
  contact.set_tenant("bench");
  contact.set_channel(v1::CHANNEL_PHONE);
  contact.set_topic("algemene-vraag");
  contact.set_language("nl");
  contact.set_priority(20);
  contact.set_idempotency_key(absl::StrCat("load-", n));
  return floor::QueuedRecord(contact);
}

void ReportRedisCpu(benchmark::State& state, double cpu_before, int64_t contacts) {
  const double cpu = CpuMicros(Server()->pid()) - cpu_before;
  state.SetItemsProcessed(contacts);
  state.counters["redis_cpu_us"] = contacts > 0 ? cpu / static_cast<double>(contacts) : 0;
}

// Arg: batch size.
void BM_FloorWrite(benchmark::State& state) {
  RedisServer* server = Server();
  if (server == nullptr) {
    state.SkipWithError("could not start redis-server");
    return;
  }
  redisContext* context = redisConnect("127.0.0.1", server->port());
  if (context == nullptr || context->err != 0) {
    state.SkipWithError("could not connect to redis-server");
    if (context != nullptr) redisFree(context);
    return;
  }
  auto* loaded =
      static_cast<redisReply*>(redisCommand(context, "SCRIPT LOAD %s", floor::kFloorScript));
  if (loaded == nullptr || loaded->type != REDIS_REPLY_STRING) {
    state.SkipWithError("SCRIPT LOAD of the floor's script failed");
    if (loaded != nullptr) freeReplyObject(loaded);
    redisFree(context);
    return;
  }
  const std::string sha(loaded->str, loaded->len);
  freeReplyObject(loaded);
  const int batch = static_cast<int>(state.range(0));
  static int64_t next = 0;
  int64_t contacts = 0;
  bool failed = false;
  const double cpu_before = CpuMicros(server->pid());
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): the benchmark loop variable
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) {
      const std::string key = absl::StrCat("{bench}:floor:c:k", next++);
      const std::string score = absl::StrCat(1795657036404 + next);
      const char* argv[] = {"EVALSHA",
                            sha.c_str(),
                            "2",
                            key.c_str(),
                            "{bench}:floor:q:algemene-vraag",
                            "algemene-vraag",
                            "1",
                            score.c_str(),
                            "3600"};
      redisAppendCommandArgv(context, 9, argv, nullptr);
    }
    for (int i = 0; i < batch; ++i) {
      void* reply = nullptr;
      if (redisGetReply(context, &reply) != REDIS_OK ||
          static_cast<redisReply*>(reply)->type != REDIS_REPLY_INTEGER) {
        failed = true;
      }
      if (reply != nullptr) freeReplyObject(reply);
    }
    if (failed) break;
    contacts += batch;
  }
  redisFree(context);
  if (failed) {
    state.SkipWithError("the floor script failed");
    return;
  }
  ReportRedisCpu(state, cpu_before, contacts);
}

// Arg: batch size.
void BM_WisselContactCreated(benchmark::State& state) {
  RedisServer* server = Server();
  if (server == nullptr) {
    state.SkipWithError("could not start redis-server");
    return;
  }
  state::RedisStateStoreOptions options;
  options.endpoint.port = server->port();
  options.contact_retention = absl::Hours(24);
  state::RedisStateStore store(options);
  // As in production, the writes carry the tenant's lease as a fence (the script reads it).
  state::LeaseClaim claim;
  claim.address = "127.0.0.1:7700";
  claim.nonce = absl::StrCat("bench-", getpid());
  claim.ttl = absl::Minutes(10);
  const std::vector<std::string> tenants = {"bench"};
  absl::StatusOr<std::vector<state::TenantLease>> leases = store.ClaimLeases(tenants, claim);
  if (!leases.ok() || leases->empty() || !leases->front().held) {
    state.SkipWithError("could not take the tenant's lease");
    return;
  }
  store.SetFence("bench", leases->front().lease);
  const int batch = static_cast<int>(state.range(0));
  static int64_t next = 0;
  std::vector<state::TenantEffect> effects(batch);
  int64_t contacts = 0;
  const double cpu_before = CpuMicros(server->pid());
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): the benchmark loop variable
  for (auto _ : state) {
    state.PauseTiming();
    for (int i = 0; i < batch; ++i) {
      effects[i] = {"bench", core::ContactCreated{QueuedContact(next++), ""}};
    }
    state.ResumeTiming();
    absl::StatusOr<std::vector<state::EffectResult>> results = store.Apply(effects);
    if (!results.ok() || !(*results)[0].status.ok()) {
      state.SkipWithError("Apply failed");
      return;
    }
    contacts += batch;
  }
  ReportRedisCpu(state, cpu_before, contacts);
}

// Each batch size for both writes one after the other, so both see the same machine load; 20 is
// about the batch the router writes at concurrency 64.
BENCHMARK(BM_FloorWrite)->Arg(1)->ArgName("batch")->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_WisselContactCreated)->Arg(1)->ArgName("batch")->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_FloorWrite)->Arg(20)->ArgName("batch")->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_WisselContactCreated)->Arg(20)->ArgName("batch")->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace wissel
