#include "tests/integration/wisseld_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace wissel::testing {

WisseldProcess::WisseldProcess(std::string binary, std::string config_yaml)
    : binary_(std::move(binary)) {
  char tmpl[] = "/tmp/wisseld-test-XXXXXX";
  dir_ = mkdtemp(tmpl);
  config_path_ = dir_ + "/wissel.yaml";
  log_path_ = dir_ + "/wisseld.log";
  std::ofstream(config_path_) << config_yaml;
}

WisseldProcess::~WisseldProcess() {
  if (pid_ > 0) (void)SignalAndWait(SIGKILL, absl::Seconds(5));
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

absl::Status WisseldProcess::Start(absl::Duration timeout) {
  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out[1], STDOUT_FILENO);
    const int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(log, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    const std::string config_flag = "--config=" + config_path_;
    execl(binary_.c_str(), binary_.c_str(), config_flag.c_str(), "--startup_timeout=5s",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  pid_ = pid;
  // Read stdout until "listening on port N".
  std::string seen;
  const absl::Time give_up = absl::Now() + timeout;
  while (absl::Now() < give_up) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    const ssize_t n = read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    seen.append(buf, n);
    const size_t at = seen.find("listening on port ");
    const size_t eol = at == std::string::npos ? at : seen.find('\n', at);
    if (eol != std::string::npos) {
      const std::string number = seen.substr(at + 18, eol - at - 18);
      close(out[0]);
      if (!absl::SimpleAtoi(number, &port_)) return absl::InternalError("bad port line");
      return absl::OkStatus();
    }
  }
  close(out[0]);
  return absl::DeadlineExceededError(absl::StrCat("wisseld did not start: ", Log()));
}

absl::StatusOr<int> WisseldProcess::SignalAndWait(int signal, absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  kill(pid_, signal);
  const absl::Time give_up = absl::Now() + timeout;
  while (absl::Now() < give_up) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return status;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return absl::DeadlineExceededError("did not exit in time; killed");
}

void WisseldProcess::RewriteConfig(const std::string& config_yaml) {
  const std::string tmp = config_path_ + ".new";
  std::ofstream(tmp) << config_yaml;
  std::filesystem::rename(tmp, config_path_);
}

std::string WisseldProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string log = ss.str();
  return log.size() > 4000 ? log.substr(log.size() - 4000) : log;
}

}  // namespace wissel::testing
