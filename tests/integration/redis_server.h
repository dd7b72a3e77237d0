// RedisServer: a real redis-server process for integration tests.
//
// Start() picks a free loopback port, creates a temporary directory, runs `redis-server` in it
// (append-only file on, fsync every second, no RDB snapshots) and waits until it answers PING.
// Stop()/Kill()/Restart() let outage tests take the server away and bring it back on the same
// port with the same data directory (so the append-only file is replayed). The destructor stops
// the server and removes the directory.
//
// Not thread-safe: one test thread owns a RedisServer. The helper commands (Command, Keys, ...)
// open a short-lived connection of their own, so they do not disturb the connections of the code
// under test.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace wissel::testing {

struct RedisServerOptions {
  // Path of the redis-server binary; empty: the first `redis-server` on PATH, else
  // /usr/bin/redis-server.
  std::string executable;
  // How long Start()/Restart() wait for the server to answer PING. Default 10 s.
  absl::Duration startup_timeout = absl::Seconds(10);
  // How long Stop() waits after SIGTERM before it sends SIGKILL. Default 5 s.
  absl::Duration stop_timeout = absl::Seconds(5);
  // Appended to the command line, e.g. {"--maxmemory", "10mb"}.
  std::vector<std::string> extra_args;
  // ACL rules, one `user NAME ...` line each, written to users.acl in the server's directory
  // and loaded with --aclfile. Empty: no ACL file (the default user, no password). A file that
  // does not mention `default` leaves the default user open; give it a password (and set
  // admin_password) to make the server require AUTH.
  std::vector<std::string> acl_lines;
  // What the fixture's own connections (the PING at start, Command, Keys, Dump, ...) send with
  // AUTH when admin_password is not empty; empty admin_username: the default user.
  std::string admin_username;
  std::string admin_password;
  // Ask the kernel to SIGKILL the server when the thread that started it exits, so that a crashed
  // test leaves no server behind. Turn off when a short-lived thread starts the server.
  bool kill_on_parent_death = true;
};

class RedisServer {
 public:
  // Starts a server on a free port of 127.0.0.1 in a new temporary directory. Blocks until it
  // answers PING. Internal when the binary cannot be started or exits early (the error includes
  // the tail of its log); DeadlineExceeded when it does not answer within startup_timeout.
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start(RedisServerOptions options = {});

  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  const std::string& host() const { return host_; }  // always "127.0.0.1"
  int port() const { return port_; }
  // Process id of the running server; -1 when stopped or killed.
  pid_t pid() const { return pid_; }
  // The data directory (holds the append-only file and redis.log).
  const std::string& dir() const { return dir_; }
  bool running() const { return pid_ > 0; }

  // SIGTERM, then waits for the process (SIGKILL after stop_timeout). OK when not running.
  absl::Status Stop();
  // SIGKILL, then waits for the process: a crash, nothing is flushed. OK when not running.
  absl::Status Kill();
  // Stops the server if it runs, then starts it again on the same port and directory, so the
  // append-only file is replayed. Blocks until it answers PING.
  absl::Status Restart();

  // Runs one command on a fresh connection, e.g. Command({"HGET", key, "state"}).
  // The reply as text: a string or status as is, an integer in decimal, an array as its
  // elements (flattened, nil elements as "") joined by '\n'. NotFound for a nil reply,
  // FailedPrecondition carrying the message for an error reply, Unavailable when the server
  // cannot be reached.
  absl::StatusOr<std::string> Command(const std::vector<std::string>& args);
  // Like Command(), on a fresh connection authenticated as `username` (empty: the default
  // user) with `password`, e.g. to see what an ACL user may do. Unauthenticated (with Redis's
  // reason) when AUTH is refused.
  absl::StatusOr<std::string> CommandAs(const std::string& username, const std::string& password,
                                        const std::vector<std::string>& args);
  // Like Command() but an array reply (flattened) as a vector; a scalar reply is one element.
  absl::StatusOr<std::vector<std::string>> CommandArray(const std::vector<std::string>& args);
  // Every key matching `pattern`, collected with SCAN (unordered).
  absl::StatusOr<std::vector<std::string>> Keys(const std::string& pattern = "*");
  // Every key (sorted) with its string value or its members, for tests that search everything
  // Redis holds; a hash's fields and values, then a contact's payload whole (its chunks joined,
  // contact_codec.h), so that a search also finds what a chunk boundary splits; a stream's entries
  // (XRANGE); a type it cannot read shows as "<a TYPE is not dumped>".
  std::string Dump();
  // FLUSHALL.
  absl::Status FlushAll();
  // The last `max_bytes` of the server's log file (for failure messages).
  std::string LogTail(size_t max_bytes = 2000) const;

 private:
  RedisServer(RedisServerOptions options, std::string executable, std::string dir, int port);
  // Forks and execs the server, then waits for PING.
  absl::Status Launch();
  // Sends `signal`, waits up to `timeout` for the process to exit; returns true if it did.
  bool SignalAndWait(int signal, absl::Duration timeout);

  RedisServerOptions options_;
  std::string executable_;
  std::string host_ = "127.0.0.1";
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace wissel::testing
