// ChildProcess: runs a program (wisseld, an adapter, sipp, Chromium) as a child of the test, for
// integration and end-to-end tests. The child's stdout and stderr go to files (given, or in a
// temporary directory the ChildProcess owns and removes), its stdin is /dev/null. Every wait is
// bounded. The destructor kills a child that still runs (by its pid), and the kernel sends the
// child SIGKILL if the test process dies, so no process outlives a crashed test.
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
  // `argv[0]` is the program path; `env` ("NAME=value") is added to the child's environment.
  // The child's stdout and stderr go to files in a temporary directory, removed with the object.
  explicit ChildProcess(std::vector<std::string> argv, std::vector<std::string> env = {});
  // As above, with stdout appended to `stdout_path` and stderr to `stderr_path` (which may be the
  // same file); the files are left for the caller.
  ChildProcess(std::vector<std::string> argv, std::string stdout_path, std::string stderr_path,
               std::vector<std::string> env = {});
  // Kills the child (SIGKILL) if it still runs.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts the child; does not wait for it. FailedPrecondition if it already runs. A stopped
  // child can be started again.
  absl::Status Start();
  // Waits until the child has written a whole stdout line holding `marker` since Start(), and
  // returns that line. FailedPrecondition if the child exits first, DeadlineExceeded after
  // `timeout`.
  absl::StatusOr<std::string> WaitForLine(absl::string_view marker, absl::Duration timeout);
  // Waits (as WaitForLine) for the "listening on port N" line that Wissel's binaries print, and
  // returns N, which port() then returns too. InternalError if N is not a number.
  absl::StatusOr<int> WaitForPort(absl::Duration timeout = absl::Seconds(20));
  // Waits for the exit and returns the status as from waitpid. DeadlineExceeded after `timeout`
  // (the child is then killed with SIGKILL); FailedPrecondition if it does not run.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  // Sends `signal`, then Wait(timeout).
  absl::StatusOr<int> SignalAndWait(int signal, absl::Duration timeout = absl::Seconds(10));

  pid_t pid() const { return pid_; }
  // The port read by WaitForPort; 0 before.
  int port() const { return port_; }
  const std::string& stdout_path() const { return stdout_path_; }
  // The last `max_bytes` of the child's stderr (for failure messages).
  std::string Log(size_t max_bytes = 6000) const;

 private:
  std::vector<std::string> argv_;
  std::vector<std::string> env_;
  std::string owned_dir_;  // removed by the destructor when not empty
  std::string stdout_path_;
  std::string stderr_path_;
  off_t stdout_start_ = 0;  // size of the stdout file at Start(): earlier runs' output
  pid_t pid_ = -1;
  int port_ = 0;
};

// A TCP port on 127.0.0.1 that nothing listens on (bound, read back and closed; good enough for
// tests).
int UnusedTcpPort();

}  // namespace wissel::testing
