// wisselctl: command-line client of the Wissel routing engine. See router/cli/wisselctl.h.
//
// This file only gathers the environment (WISSEL_ROUTER, the local time zone) and turns
// SIGINT/SIGTERM into a StopSignal: the signals are blocked in every thread and received by a
// dedicated thread with sigwait(), so the stop runs outside signal-handler context and may
// cancel gRPC calls. A second signal ends the process at once.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
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

// $WISSEL_TLS_DIR, else the .run/tls that scripts/run.sh fills, in the working directory or in
// the checkout this wisselctl was built in (build/router/cli/wisselctl).
std::string DevelopmentTlsDir(const char* argv0) {
  if (const char* dir = std::getenv("WISSEL_TLS_DIR"); dir != nullptr && *dir != '\0') return dir;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(".run/tls/ca.pem", ec)) return ".run/tls";
  const fs::path self = fs::canonical(fs::path(argv0), ec);
  if (!ec) {
    for (fs::path dir = self.parent_path(); !dir.empty() && dir != dir.root_path();
         dir = dir.parent_path()) {
      if (fs::exists(dir / ".run/tls/ca.pem", ec)) return (dir / ".run/tls").string();
    }
  }
  return "";
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
  env.default_tls_dir = DevelopmentTlsDir(argv[0]);
  env.time_zone = absl::LocalTimeZone();
  env.stop = stop;
  return wissel::cli::RunWisselctl(std::vector<std::string>(argv + 1, argv + argc), env);
}
