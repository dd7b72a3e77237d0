// The wisselctl command line: parses arguments, makes the gRPC calls of the public API
// (wissel.v1) and prints the results. main.cc only gathers the environment and signals.
//
// Exit codes: 0 success; 1 the call failed (the gRPC error is printed as "error: CODE: message"
// with any google.rpc.BadRequest field violations) or, for `config check`, the file was
// refused; 2 usage error. `config check FILE` (alias `rules check FILE`) works offline: it loads
// the file with the router's own loader (see config_check.h) and calls no router.
//
// Thread-safety: RunWisselctl blocks the calling thread for the duration of the command; the
// environment's StopSignal may be triggered from another thread to cancel it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/cli/stop_signal.h"

namespace wissel::cli {

// Address of the router when neither --router nor $WISSEL_ROUTER is set.
inline constexpr absl::string_view kDefaultRouterAddress = "127.0.0.1:7450";

struct CliEnvironment {
  std::ostream* out = nullptr;  // results; required
  std::ostream* err = nullptr;  // errors and usage errors; required
  // Router address used when --router is not given (main passes $WISSEL_ROUTER if set).
  std::string default_router = std::string(kDefaultRouterAddress);
  // Where the development certificates of `scripts/run.sh` are (ca.pem, wisselctl.pem,
  // wisselctl.key): used when --ca_file is not given. main passes $WISSEL_TLS_DIR, else
  // .run/tls of the working directory or of the checkout wisselctl was built in, if present.
  std::string default_tls_dir;
  // Zone for the times printed (main passes the local zone).
  absl::TimeZone time_zone = absl::UTCTimeZone();
  // Cancels the call in flight, or ends `handler demo`; may be null.
  StopSignal* stop = nullptr;
};

// Runs wisselctl with `args` (argv without the program name); returns the exit code.
int RunWisselctl(const std::vector<std::string>& args, const CliEnvironment& env);

// The top-level usage text (`wisselctl --help`).
std::string UsageText();

}  // namespace wissel::cli
