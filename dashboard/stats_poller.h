// StatsPoller: asks the router for the tenant's queue statistics (OperatorService.GetQueueStats)
// every few seconds, on a thread of its own, and hands each answer (or failure) to the
// dashboard's state. The router's figures are authoritative for what waits now and for the
// handlers available per queue (which need the handlers' skills, not in the events); between
// two answers the events keep the figures live (dashboard_model.h).
//
// Thread-safe: Start and Stop from the owner's thread.
#pragma once

#include <string>
#include <thread>

#include "absl/time/time.h"
#include "dashboard/dashboard_state.h"
#include "router/cli/stop_signal.h"
#include "wissel/v1/operator_service.grpc.pb.h"

namespace wissel::dashboard {

struct StatsPollerOptions {
  std::string tenant;
  absl::Duration interval = absl::Seconds(2);
  // Deadline of each call.
  absl::Duration deadline = absl::Seconds(2);
};

class StatsPoller {
 public:
  // `stub` and `state` must outlive the poller.
  StatsPoller(StatsPollerOptions options, v1::OperatorService::StubInterface* stub,
              DashboardState* state);
  ~StatsPoller();  // Stop()
  StatsPoller(const StatsPoller&) = delete;
  StatsPoller& operator=(const StatsPoller&) = delete;

  void Start();
  // Joins the thread (a call in flight ends at its deadline at the latest). Idempotent.
  void Stop();

  // One call, on the caller's thread; OK or the call's failure.
  grpc::Status PollOnce();

 private:
  const StatsPollerOptions options_;
  v1::OperatorService::StubInterface* const stub_;
  DashboardState* const state_;
  cli::StopSignal stop_;
  std::thread thread_;
};

}  // namespace wissel::dashboard
