// WisseldProcess: runs the real `wisseld` binary as a child process for tests that kill and
// restart it. The port is read back from the daemon's "listening on port N" line. The process
// handling is ChildProcess's; this class adds the configuration file.
//
// Not thread-safe: one test thread owns a WisseldProcess.
#pragma once

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/integration/child_process.h"

namespace wissel::testing {

class WisseldProcess {
 public:
  // `config_yaml` is written to a temporary file and passed with --config.
  WisseldProcess(std::string binary, std::string config_yaml);
  ~WisseldProcess();

  // Starts the daemon and waits (bounded) until it listens.
  absl::Status Start(absl::Duration timeout = absl::Seconds(20));
  // Sends `signal` and waits for exit; returns the exit status as from waitpid.
  absl::StatusOr<int> SignalAndWait(int signal, absl::Duration timeout = absl::Seconds(15));
  // Replaces the configuration file (for SIGHUP reload tests).
  void RewriteConfig(const std::string& config_yaml);
  // Waits (bounded) for a stdout line holding `marker` since the last Start (ChildProcess).
  absl::StatusOr<std::string> WaitForLine(absl::string_view marker, absl::Duration timeout) {
    return process_.WaitForLine(marker, timeout);
  }
  int port() const { return process_.port(); }
  pid_t pid() const { return process_.pid(); }
  // The daemon's stderr so far, over all its starts (for failure messages).
  std::string Log() const { return process_.Log(4000); }

 private:
  static std::string MakeDir();

  std::string dir_;
  std::string config_path_;
  ChildProcess process_;
};

}  // namespace wissel::testing
