// RouterMetrics: what wisseld counts and measures, in the metrics registry
// (metrics/registry.h) its scrape endpoint serves. Names and labels: docs/metrics.md has the
// full list; labels are bounded (tenant, channel, queue, topic, outcome, reason, state, method,
// code), never a contact, handler or resident.
//
// It counts from what the layers around the routing core report, never from inside the core:
//   - the RoutingService: each contact routed, by outcome and "digitaal, tenzij" result
//     (ContactRouted, on the engine's writer thread once the decision is durable);
//   - the effects the store applied (Applied, the engine's AppliedListener on the routing
//     thread): offers made and how they ended, abandons, completions, transfers, and for every
//     answered contact its wait and whether it was within its queue's sla_target and its topic's
//     norm for the channel;
//   - the engine (EngineObserver): Redis round trips and batch sizes, fenced writes, and every
//     second each tenant's queues and handlers, kept as a snapshot that a scrape reads (queue
//     depth, oldest wait, handler states and occupancy);
//   - the Server: lease changes, whether Redis answers and the router serves, gRPC calls by
//     method and code (grpc_metrics_interceptor.h).
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "metrics/registry.h"
#include "router/core/decision.h"
#include "router/core/effect.h"
#include "router/core/router.h"
#include "router/engine/engine_observer.h"

namespace wissel::service {

class RouterMetrics : public engine::EngineObserver {
 public:
  // Adds the router's families to `registry` (which must outlive this object). `pending` and
  // `audit` (may be null) are read at scrape time: the operations waiting for the routing
  // thread, the audit entries written and failed.
  static absl::StatusOr<std::unique_ptr<RouterMetrics>> Create(
      metrics::Registry* registry, std::function<double()> pending,
      std::function<std::pair<double, double>()> audit);

  // A RouteContact decided and durable (a replay is not counted again).
  struct Routed {
    core::Channel channel = core::Channel::kPhone;
    core::Decision::Outcome outcome = core::Decision::Outcome::kQueued;
    core::DigitalFirst digital_first = core::DigitalFirst::kNotApplicable;
    core::NeedSet needs = 0;
  };
  void ContactRouted(const std::string& tenant, const Routed& routed);

  // An effect the store applied, with the tenant's core (routing thread).
  void Applied(const std::string& tenant, const core::Router& router, const core::Effect& effect);

  // This router started (owned) or stopped deciding `tenant`.
  void LeaseChanged(const std::string& tenant, bool owned);
  // Whether the last health probe reached Redis.
  void SetRedisUp(bool up);
  // Whether the router's gRPC health says SERVING.
  void SetServing(bool serving);

  // A gRPC call finished (grpc_metrics_interceptor.h). `method` is "Service/Method" or
  // "unknown"; `duration` is recorded for unary calls only (negative: a stream).
  void RpcFinished(absl::string_view method, absl::string_view code, absl::Duration duration);

  // engine::EngineObserver
  void BatchWritten(size_t operations, size_t effects, absl::Duration round_trip,
                    const absl::Status& status) override;
  void WritesFenced(const std::string& tenant, size_t effects) override;
  void Observe(const std::string& tenant, const core::Router* router) override;

 private:
  // What Observe() saw of one tenant, read by the scrape-time families.
  struct QueueSample {
    std::string queue;
    core::QueueStatsView stats;
    absl::Duration sla_target;
  };
  struct TenantSample {
    std::vector<QueueSample> queues;
    core::HandlerStatsView handlers;
  };

  RouterMetrics() = default;
  absl::Status Register(metrics::Registry* registry, std::function<double()> pending,
                        std::function<std::pair<double, double>()> audit);
  void CountAnswered(const std::string& tenant, const core::Router& router,
                     const core::OfferAccepted& accepted);
  // Runs `read` on the tenants decided here, under the snapshot lock.
  void ForEachTenant(
      const std::function<void(const std::string& tenant, const TenantSample&)>& read) const;

  metrics::CounterFamily* routed_ = nullptr;
  metrics::CounterFamily* digital_first_ = nullptr;
  metrics::CounterFamily* exemptions_ = nullptr;
  metrics::CounterFamily* offers_ = nullptr;
  metrics::CounterFamily* offer_outcomes_ = nullptr;
  metrics::CounterFamily* abandoned_ = nullptr;
  metrics::CounterFamily* completed_ = nullptr;
  metrics::CounterFamily* transferred_ = nullptr;
  metrics::HistogramFamily* wait_ = nullptr;
  metrics::CounterFamily* answered_ = nullptr;
  metrics::CounterFamily* answered_within_sla_ = nullptr;
  metrics::CounterFamily* answered_with_norm_ = nullptr;
  metrics::CounterFamily* answered_within_norm_ = nullptr;
  metrics::HistogramFamily* round_trip_ = nullptr;
  metrics::HistogramFamily* batch_operations_ = nullptr;
  metrics::HistogramFamily* batch_effects_ = nullptr;
  metrics::CounterFamily* batches_ = nullptr;
  metrics::CounterFamily* fenced_ = nullptr;
  metrics::CounterFamily* lease_changes_ = nullptr;
  metrics::GaugeFamily* redis_up_ = nullptr;
  metrics::GaugeFamily* serving_ = nullptr;
  metrics::CounterFamily* rpcs_ = nullptr;
  metrics::HistogramFamily* rpc_duration_ = nullptr;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, TenantSample> tenants_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wissel::service
