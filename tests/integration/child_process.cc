#include "tests/integration/child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace wissel::testing {
namespace {

constexpr absl::string_view kPortMarker = "listening on port ";

// The file's bytes from `offset` on ("" if it does not exist).
std::string ReadFrom(const std::string& path, off_t offset) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(offset);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

off_t FileSize(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

// The name part of "NAME=value".
absl::string_view EnvName(absl::string_view entry) { return entry.substr(0, entry.find('=')); }

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::vector<std::string> env)
    : argv_(std::move(argv)), env_(std::move(env)) {
  char tmpl[] = "/tmp/wissel-child-XXXXXX";
  owned_dir_ = mkdtemp(tmpl);
  stdout_path_ = owned_dir_ + "/stdout.log";
  stderr_path_ = owned_dir_ + "/stderr.log";
}

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string stdout_path,
                           std::string stderr_path, std::vector<std::string> env)
    : argv_(std::move(argv)),
      env_(std::move(env)),
      stdout_path_(std::move(stdout_path)),
      stderr_path_(std::move(stderr_path)) {}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) (void)SignalAndWait(SIGKILL, absl::Seconds(5));
  if (!owned_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(owned_dir_, ec);
  }
}

absl::Status ChildProcess::Start() {
  if (pid_ > 0) return absl::FailedPreconditionError("already running");
  if (argv_.empty()) return absl::InvalidArgumentError("no program");
  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::vector<char*> args;
  for (std::string& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    const absl::string_view name = EnvName(*e);
    bool overridden = false;
    for (const std::string& mine : env_) overridden = overridden || EnvName(mine) == name;
    if (!overridden) envp.push_back(*e);
  }
  for (std::string& e : env_) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int out = open(stdout_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int err = open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const auto close_all = [&] {
    for (int fd : {out, err, null}) {
      if (fd >= 0) close(fd);
    }
  };
  if (out < 0 || err < 0 || null < 0) {
    const int error = errno;
    close_all();
    return absl::InternalError(absl::StrCat("open: ", std::strerror(error)));
  }
  stdout_start_ = FileSize(stdout_path_);
  port_ = 0;
  const pid_t pid = fork();
  if (pid < 0) {
    close_all();
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(null, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close_all();
  pid_ = pid;
  return absl::OkStatus();
}

absl::StatusOr<std::string> ChildProcess::WaitForLine(absl::string_view marker,
                                                      absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  const absl::Time give_up = absl::Now() + timeout;
  while (absl::Now() < give_up) {
    // Reap first, read second: a line written just before the exit still counts.
    int status = 0;
    const bool exited = waitpid(pid_, &status, WNOHANG) == pid_;
    if (exited) pid_ = -1;
    const std::string seen = ReadFrom(stdout_path_, stdout_start_);
    // Whole lines only: a line still being written may be cut in the middle of a number.
    for (size_t begin = 0, end; (end = seen.find('\n', begin)) != std::string::npos;
         begin = end + 1) {
      const absl::string_view line(seen.data() + begin, end - begin);
      if (absl::StrContains(line, marker)) return std::string(line);
    }
    if (exited) {
      return absl::FailedPreconditionError(
          absl::StrCat(argv_[0], " exited early (", status, "): ", Log()));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(argv_[0], ": no '", marker, "' in time: ", Log()));
}

absl::StatusOr<int> ChildProcess::WaitForPort(absl::Duration timeout) {
  absl::StatusOr<std::string> line = WaitForLine(kPortMarker, timeout);
  if (!line.ok()) return line.status();
  const absl::string_view text = *line;
  if (!absl::SimpleAtoi(text.substr(text.find(kPortMarker) + kPortMarker.size()), &port_)) {
    return absl::InternalError(absl::StrCat("bad port line: ", text));
  }
  return port_;
}

absl::StatusOr<int> ChildProcess::Wait(absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  const absl::Time give_up = absl::Now() + timeout;
  while (absl::Now() < give_up) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return absl::DeadlineExceededError(absl::StrCat(argv_[0], " did not exit in time; killed"));
}

absl::StatusOr<int> ChildProcess::SignalAndWait(int signal, absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  kill(pid_, signal);
  return Wait(timeout);
}

std::string ChildProcess::Log(size_t max_bytes) const {
  const off_t size = FileSize(stderr_path_);
  const off_t tail = static_cast<off_t>(std::min<size_t>(max_bytes, static_cast<size_t>(size)));
  return ReadFrom(stderr_path_, size - tail);
}

int UnusedTcpPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace wissel::testing
