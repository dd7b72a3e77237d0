// ChildProcess: runs a program (wissel-sip, sipp) as a child of the test, with its stdout and
// stderr in a log file, bounded waits, and a stop by PID. The child gets SIGKILL if the test
// process dies, so no process outlives a crashed test.
//
// Not thread-safe: one test thread owns a ChildProcess.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace wissel::testing {

class ChildProcess {
 public:
  // `argv[0]` is the program path. Output goes to `log_path`.
  ChildProcess(std::vector<std::string> argv, std::string log_path);
  // Kills the child (SIGKILL) if it still runs.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  absl::Status Start();
  // Waits until the log contains `marker`, the child exits, or `timeout` passes. Returns the
  // log line holding the marker.
  absl::StatusOr<std::string> WaitForLine(absl::string_view marker, absl::Duration timeout);
  // Waits for the exit; the wait status as from waitpid. DeadlineExceeded after `timeout`
  // (the child is then killed).
  absl::StatusOr<int> Wait(absl::Duration timeout);
  // Sends `signal` and waits (SIGKILL after `timeout`).
  absl::StatusOr<int> Stop(int signal, absl::Duration timeout);
  pid_t pid() const { return pid_; }
  std::string Log(size_t max_bytes = 6000) const;

 private:
  std::vector<std::string> argv_;
  std::string log_path_;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that nothing listens on (bound, read back and closed).
int UnusedTcpPort();

}  // namespace wissel::testing
