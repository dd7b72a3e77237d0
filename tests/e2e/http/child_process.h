// ChildProcess: runs a Wissel binary (wisseld, wissel-chat, wissel-webform) as a child process
// for end-to-end tests, and learns its port from the "NAME: listening on port N" line it prints
// on stdout. Its stderr goes to a log file for failure messages. The destructor kills a child
// that still runs (by its pid); the kernel does the same if the test process dies.
//
// Not thread-safe: one test thread owns a ChildProcess.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace wissel::testing {

class ChildProcess {
 public:
  // `args` follow the binary; `env` ("NAME=value") is added to the child's environment.
  ChildProcess(std::string binary, std::vector<std::string> args,
               std::vector<std::string> env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts the child and waits (bounded) for its "listening on port N" line.
  absl::Status Start(absl::Duration timeout = absl::Seconds(20));
  // Sends `signal` and waits for the exit; returns the status as from waitpid. DeadlineExceeded
  // (after a SIGKILL) when it does not exit in time.
  absl::StatusOr<int> SignalAndWait(int signal, absl::Duration timeout = absl::Seconds(10));

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The tail of the child's stderr.
  std::string Log() const;

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::string dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
};

// A loopback port that nothing listens on (bound and released; good enough for tests).
int UnusedPort();

}  // namespace wissel::testing
