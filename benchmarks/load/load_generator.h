// RunLoad: drives a running router (or the floor server) over gRPC as LoadConfig says and
// measures it; FormatReport/FormatSummary print what it found. This is the engine of the
// wissel-load program (main.cc only parses flags).
//
// How: the gRPC callback client API, so one process keeps hundreds of calls in flight on two
// cores without a thread per call; `channels` channels with distinct arguments, so each is its
// own TCP connection (one HTTP/2 connection serialises on one server thread). Latencies go into
// LatencyHistograms in nanoseconds.
//
// Thread-safety: RunLoad blocks the calling thread for the run; it starts and stops every
// thread and call it makes.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "benchmarks/load/latency_histogram.h"
#include "benchmarks/load/load_config.h"

namespace wissel::load {

struct LoadReport {
  std::string label;
  std::string target;
  std::string mode;  // "closed", "open" or "count"
  int concurrency = 0;
  double rate = 0;
  int handlers = 0;
  // The measured window, in seconds (the run's length for mode "count").
  double window_seconds = 0;

  // RouteContact calls started in the window.
  int64_t ok = 0;
  int64_t errors = 0;
  // Open loop: sends skipped because max_in_flight calls were outstanding.
  int64_t dropped = 0;
  // Successful RouteContact calls of the whole run, warm-up included (to divide Redis counters
  // by).
  int64_t total_ok = 0;
  // Calls still outstanding when the drain timeout ended the run.
  int64_t undrained = 0;
  std::map<std::string, int64_t> errors_by_code;  // gRPC code name -> count
  std::map<std::string, int64_t> outcomes;        // "queued", "assigned", ... -> count
  // Wire bytes of the decisions' explanations over the ok calls of the window: the structured
  // trace (Decision.trace) and the plain-word reasons (Decision.reasons). The router stores the
  // decision with the contact, so these tell what of Redis's bytes per contact is explanation.
  int64_t trace_bytes = 0;
  int64_t reasons_bytes = 0;
  LatencyHistogram route;  // ns, ok calls only
  LatencyHistogram offer;  // ns from sending a contact to its offer reaching a handler

  // Simulated handlers.
  int64_t signed_in = 0;
  double sign_in_seconds = 0;
  int64_t offers = 0;
  int64_t withdrawn = 0;
  int64_t hung_up = 0;  // queued contacts cancelled after the residents' patience
  int64_t accepted = 0;
  int64_t completed = 0;
  int64_t wrapped_up = 0;
  int64_t signed_out = 0;
  std::map<std::string, int64_t> handler_errors;  // "AcceptOffer FAILED_PRECONDITION" -> count
};

// Runs the load. Errors: InvalidArgument for a config that cannot run (empty mixes, no target);
// Unavailable when not a single handler could sign in. Call failures during the run are counted
// in the report, not returned. `progress` gets a few lines about the phases.
absl::StatusOr<LoadReport> RunLoad(const LoadConfig& config, std::ostream& progress);

// The human-readable report (several lines, latencies in microseconds).
std::string FormatReport(const LoadReport& report);
// The one machine-readable line: "SUMMARY target=wissel mode=closed c=16 ok=... rps=...
// p50_us=... p90_us=... p99_us=... p999_us=... max_us=... offer_n=... offer_p50_us=...
// offer_p99_us=...".
std::string FormatSummary(const LoadReport& report);

}  // namespace wissel::load
