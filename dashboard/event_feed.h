// EventFeed: follows the tenant's events (OperatorService.WatchEvents) into the dashboard's
// state, on a thread of its own, for as long as the dashboard runs.
//
// It first reads every event the router retains (after "0", until_newest: the figures are
// complete when that ends, and the page says "loading" until then), then follows new ones. When
// the stream breaks (the router restarts or fails over, the network, the router's limit on
// watches) it connects again and resumes after the last offset it received, as `wisselctl
// events --follow` does (router/cli/event_follower.cc), so no event counts twice or is missed;
// each connection reads up to the newest event first, so that the page says "live" only once
// the router answered.
// Unlike that command it never gives up: a refusal (wrong credentials, no supervisor role) is
// shown on the page and in /healthz and retried at the longest interval, since an operator may
// fix the grant while the dashboard runs. When the router no longer retains the last offset
// (OUT_OF_RANGE: the dashboard was away longer than the retention), the model starts again from
// what is retained.
//
// Thread-safe: Start and Stop from the owner's thread.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "dashboard/dashboard_state.h"
#include "router/cli/stop_signal.h"
#include "wissel/v1/operator_service.grpc.pb.h"

namespace wissel::dashboard {

struct EventFeedOptions {
  std::string tenant;
  // Waits between reconnection attempts, doubling up to the maximum.
  absl::Duration retry_initial = absl::Milliseconds(250);
  absl::Duration retry_max = absl::Seconds(5);
};

class EventFeed {
 public:
  // `stub` and `state` must outlive the feed.
  EventFeed(EventFeedOptions options, v1::OperatorService::StubInterface* stub,
            DashboardState* state);
  ~EventFeed();  // Stop()
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;

  void Start();
  // Cancels the stream and joins the thread. Idempotent.
  void Stop();

 private:
  void Run();

  const EventFeedOptions options_;
  v1::OperatorService::StubInterface* const stub_;
  DashboardState* const state_;
  cli::StopSignal stop_;
  std::thread thread_;
};

}  // namespace wissel::dashboard
