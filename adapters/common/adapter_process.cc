#include "adapters/common/adapter_process.h"

#include <glog/logging.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX sigwait, pthread_sigmask

#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "adapters/common/env_flags.h"
#include "base/duration_flag.h"
#include "base/program_flags.h"
#include "base/termination.h"

ABSL_FLAG(std::string, router, "127.0.0.1:7450",
          "gRPC target of the Wissel router (env WISSEL_ROUTER).");
ABSL_FLAG(wissel::base::DurationFlag, router_deadline, {absl::Seconds(2)},
          "Deadline of each call to the router (env WISSEL_ROUTER_DEADLINE).");

namespace wissel::adapters {

void InitAdapterProcess(int argc, char** argv, absl::string_view usage,
                        const FlagEnvironment& env) {
  base::BlockTerminationSignals();  // before any thread starts
  signal(SIGPIPE, SIG_IGN);
  FlagEnvironment all = {
      {"router", "WISSEL_ROUTER"},
      {"router_deadline", "WISSEL_ROUTER_DEADLINE"},
  };
  all.insert(all.end(), env.begin(), env.end());
  if (absl::Status s = ApplyEnvironment(all); !s.ok()) {
    std::cerr << argv[0] << ": " << s.message() << "\n";
    std::exit(2);
  }
  base::ParseProgramFlags(argc, argv, usage);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
}

absl::StatusOr<GrpcRouterClientOptions> RouterOptionsFromFlags() {
  GrpcRouterClientOptions options;
  options.target = absl::GetFlag(FLAGS_router);
  options.deadline = absl::GetFlag(FLAGS_router_deadline).value;
  if (options.target.empty()) return absl::InvalidArgumentError("--router is required");
  if (options.deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--router_deadline must be positive");
  }
  return options;
}

int WaitForTermination(absl::string_view name) {
  const int signal_number = base::WaitForTerminationSignal();
  LOG(INFO) << name << " got signal " << signal_number << "; finishing requests in flight";
  return signal_number;
}

}  // namespace wissel::adapters
