// wisselctl: command-line client of the Wissel routing engine. See router/cli/wisselctl.h.
//
// This file only gathers the environment (WISSEL_ROUTER, the local time zone) and turns
// SIGINT/SIGTERM into a StopSignal: the signals are blocked in every thread and received by a
// dedicated thread with sigwait(), so the stop runs outside signal-handler context and may
// cancel gRPC calls. A second signal ends the process at once.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "base/termination.h"
#include "router/cli/stop_signal.h"
#include "router/cli/wisselctl.h"

namespace {

// Blocks SIGINT and SIGTERM in the calling thread and in every thread started after it (gRPC
// starts its threads later), and starts the thread that receives them.
void WatchStopSignals(wissel::cli::StopSignal* stop) {
  wissel::base::BlockTerminationSignals();
  std::thread([stop] {
    for (int count = 0;; ++count) {
      const int received = wissel::base::WaitForTerminationSignal();
      if (count > 0) _exit(128 + received);
      std::cerr << "stopping (signal again to quit at once)" << std::endl;
      stop->Stop();
    }
  }).detach();
}

}  // namespace

int main(int argc, char** argv) {
  // Never destroyed: the detached signal thread may use it until the process ends.
  auto* const stop = new wissel::cli::StopSignal();
  WatchStopSignals(stop);

  wissel::cli::CliEnvironment env;
  env.out = &std::cout;
  env.err = &std::cerr;
  if (const char* router = std::getenv("WISSEL_ROUTER"); router != nullptr && *router != '\0') {
    env.default_router = router;
  }
  env.time_zone = absl::LocalTimeZone();
  env.stop = stop;
  return wissel::cli::RunWisselctl(std::vector<std::string>(argv + 1, argv + argc), env);
}
