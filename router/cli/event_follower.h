// `wisselctl events`: prints a tenant's events (OperatorService.WatchEvents), one per line.
//
// Without `follow` it prints the events up to the newest one at the time of the call and ends
// (for a look back, or an export with --json). With `follow` it keeps printing as they happen,
// and when the stream breaks (the router restarts or fails over, a network hiccup) it connects
// again and resumes after the last offset it printed, so that no event is printed twice or
// missed, until Ctrl-C. It reports the last offset on the error stream when it ends, so that a
// later run can resume with --after.
//
// Thread-safety: RunEventFollower blocks the calling thread; the StopSignal may be triggered from
// another thread.
#pragma once

#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "router/cli/stop_signal.h"
#include "wissel/v1/operator_service.grpc.pb.h"

namespace wissel::cli {

struct EventFollowerConfig {
  std::string tenant;
  // WatchEventsRequest.after: "" only new events (with follow), "0" from the oldest retained.
  std::string after;
  bool follow = false;
  // Print each event as a JSON object per line instead of text.
  bool json = false;
  absl::TimeZone time_zone = absl::UTCTimeZone();
  // Waits between reconnection attempts (follow), doubling up to the maximum.
  absl::Duration retry_initial = absl::Milliseconds(250);
  absl::Duration retry_max = absl::Seconds(5);
  // Gives up (exit 1) after this long without a stream; zero: never.
  absl::Duration give_up_after = absl::ZeroDuration();
};

// Returns the exit code: 0 when the events were printed (or a stop ended the following), 1 when
// the router refused the watch (the error is printed) or could not be reached in time.
int RunEventFollower(const EventFollowerConfig& config, v1::OperatorService::StubInterface& stub,
                     StopSignal& stop, std::ostream& out, std::ostream& err);

}  // namespace wissel::cli
