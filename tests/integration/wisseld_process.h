// WisseldProcess: runs the real `wisseld` binary as a child process for tests that kill and
// restart it. The port is read back from the daemon's "listening on port N" line.
#pragma once

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

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
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The daemon's stderr so far (for failure messages).
  std::string Log() const;

 private:
  std::string binary_;
  std::string dir_;
  std::string config_path_;
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace wissel::testing
