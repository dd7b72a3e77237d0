// EngineObserver: what the routing engine reports about itself to whoever watches it (the
// router's metrics, router/service/router_metrics.h): how each batch went through the store, the
// writes the store fenced, and, at a fixed interval, each tenant's core for gauges such as queue
// depth. The engine knows nothing of metrics; the observer turns these calls into them.
//
// The calls come from the engine's threads and must be quick: a slow observer holds up routing.
// The default implementations do nothing.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "router/core/router.h"

namespace wissel::engine {

class EngineObserver {
 public:
  virtual ~EngineObserver() = default;

  // Writer thread: a batch of `operations` with `effects` effects went to the store in one
  // pipelined round trip that took `round_trip`; `status` is the whole write's (a failure:
  // the store could not be reached).
  virtual void BatchWritten(size_t /*operations*/, size_t /*effects*/,
                            absl::Duration /*round_trip*/, const absl::Status& /*status*/) {}

  // Routing thread: the store refused `effects` writes of `tenant` because another router holds
  // its lease now (the fence).
  virtual void WritesFenced(const std::string& /*tenant*/, size_t /*effects*/) {}

  // Routing thread, every RoutingEngineOptions::observe_interval, for every tenant: its core
  // while this engine decides it, nullptr while it does not (another router does, or it is
  // being reloaded). The core may be read during the call only.
  virtual void Observe(const std::string& /*tenant*/, const core::Router* /*router*/) {}
};

}  // namespace wissel::engine
