// `wisselctl handler demo`: a scripted handler (medewerker) for demonstrations and manual tests.
//
// Signs the handler in, opens its StreamOffers stream, and for each offer: waits
// `accept_after`, accepts, "talks" for `handle_time`, completes the contact, spends `wrap_up`
// in wrap-up and finishes it. Offers are handled one at a time, in the order they arrive.
// It stops when the stream ends, after `max_contacts` contacts, or on the StopSignal; a stop
// during a contact cuts the remaining waits short but still completes the contact and finishes
// its wrap-up (an offer not yet accepted is rejected), so that the handler can sign out.
// Each step is printed to `out` (as one JSON object per line with `json`), problems to `err`.
//
// Thread-safety: RunHandlerDemo blocks the calling thread; the StopSignal may be triggered
// from another thread.
#pragma once

#include <ostream>

#include "absl/time/time.h"
#include "router/cli/stop_signal.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::cli {

struct HandlerDemoConfig {
  // The handler to sign in (tenant, id, skills, ...).
  v1::SignInRequest sign_in;
  // Wait after an offer arrives before accepting it. Default 2 s.
  absl::Duration accept_after = absl::Seconds(2);
  // Time between accepting and completing a contact. Default 10 s.
  absl::Duration handle_time = absl::Seconds(10);
  // Time in wrap-up after completing, before FinishWrapUp. Default 2 s.
  absl::Duration wrap_up = absl::Seconds(2);
  // Stop after this many contacts; 0 means no limit.
  int max_contacts = 0;
  // Deadline of each unary call (the offer stream has none). Default 5 s.
  absl::Duration rpc_timeout = absl::Seconds(5);
  // Print responses as JSON lines instead of text.
  bool json = false;
  // Zone for the times printed.
  absl::TimeZone time_zone = absl::UTCTimeZone();
};

// Runs the demo. Returns the process exit code: 0 when it ended normally (stream ended, limit
// reached or stopped) and signed out, 1 when sign-in, the stream or sign-out failed.
int RunHandlerDemo(const HandlerDemoConfig& config, v1::HandlerService::StubInterface& handlers,
                   v1::RoutingService::StubInterface& routing, StopSignal& stop, std::ostream& out,
                   std::ostream& err);

}  // namespace wissel::cli
