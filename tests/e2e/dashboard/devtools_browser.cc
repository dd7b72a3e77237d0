#include "tests/e2e/dashboard/devtools_browser.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace wissel::testing {
DevToolsBrowser::DevToolsBrowser(std::string chromium, std::string user_data_dir, std::string log,
                                 std::vector<std::string> extra_args)
    : chromium_(std::move(chromium)),
      user_data_dir_(std::move(user_data_dir)),
      log_(std::move(log)),
      extra_args_(std::move(extra_args)) {}

DevToolsBrowser::~DevToolsBrowser() {
  if (pid_ > 0) {
    (void)Call("Browser.close", Json::object(), /*browser=*/true, absl::Seconds(5));
    const absl::Time give_up = absl::Now() + absl::Seconds(5);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0 && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    // The browser's helpers (renderer, GPU, zygote) are in its process group.
    kill(-pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  for (int fd : {to_browser_, from_browser_}) {
    if (fd >= 0) close(fd);
  }
}

absl::Status DevToolsBrowser::Start() {
  std::vector<std::string> argv = {chromium_,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--disable-dev-shm-usage",
                                   "--hide-scrollbars",
                                   "--remote-debugging-pipe",
                                   absl::StrCat("--user-data-dir=", user_data_dir_)};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  argv.emplace_back("about:blank");
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);

  int commands[2];  // we write [1], the browser reads [0] as fd 3
  int answers[2];   // the browser writes [1] as fd 4, we read [0]
  if (pipe2(commands, O_CLOEXEC) != 0 || pipe2(answers, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  const int log = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (log < 0 || null < 0) return absl::InternalError("open failed");
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setpgid(0, 0);
    // Out of the way of 3 and 4 first (a pipe end may be 3 or 4 itself), then into place;
    // dup2 leaves the new descriptors open across exec.
    const int read_end = fcntl(commands[0], F_DUPFD_CLOEXEC, 10);
    const int write_end = fcntl(answers[1], F_DUPFD_CLOEXEC, 10);
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    dup2(read_end, 3);
    dup2(write_end, 4);
    execve(args[0], args.data(), environ);
    _exit(127);
  }
  setpgid(pid, pid);
  close(commands[0]);
  close(answers[1]);
  close(log);
  close(null);
  pid_ = pid;
  to_browser_ = commands[1];
  from_browser_ = answers[0];

  absl::StatusOr<Json> target = Call("Target.createTarget", {{"url", "about:blank"}}, true);
  if (!target.ok()) return target.status();
  absl::StatusOr<Json> attached =
      Call("Target.attachToTarget", {{"targetId", (*target)["targetId"]}, {"flatten", true}}, true);
  if (!attached.ok()) return attached.status();
  session_ = (*attached)["sessionId"].get<std::string>();
  // A headless page has no window focus of its own: without it, keys and :focus-visible do not
  // behave as for a user.
  return Call("Emulation.setFocusEmulationEnabled", {{"enabled", true}}).status();
}

absl::Status DevToolsBrowser::Send(const Json& message) {
  const std::string text = message.dump() + std::string(1, '\0');
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(to_browser_, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError("the browser went away");
    written += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<DevToolsBrowser::Json> DevToolsBrowser::Receive(absl::Time deadline) {
  while (true) {
    const size_t end = buffer_.find('\0');
    if (end != std::string::npos) {
      std::string text = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      return Json::parse(text);
    }
    const int64_t wait_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (wait_ms <= 0) return absl::DeadlineExceededError("no answer from the browser in time");
    pollfd p = {from_browser_, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(std::min<int64_t>(wait_ms, 1000)));
    if (ready < 0 && errno != EINTR) return absl::InternalError("poll failed");
    if (ready <= 0) continue;
    char chunk[65536];
    const ssize_t n = read(from_browser_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError("the browser closed the pipe");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

absl::StatusOr<DevToolsBrowser::Json> DevToolsBrowser::Call(const std::string& method,
                                                            const Json& params, bool browser,
                                                            absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("the browser does not run");
  const int id = ++next_id_;
  Json message = {{"id", id}, {"method", method}, {"params", params}};
  if (!browser) message["sessionId"] = session_;
  if (absl::Status s = Send(message); !s.ok()) return s;
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<Json> answer = Receive(deadline);
    if (!answer.ok()) return answer.status();
    if (!answer->contains("id") || (*answer)["id"] != id) continue;  // an event, or stale
    if (answer->contains("error")) {
      return absl::InternalError(absl::StrCat(method, ": ", (*answer)["error"].dump()));
    }
    return (*answer)["result"];
  }
}

absl::StatusOr<DevToolsBrowser::Json> DevToolsBrowser::Evaluate(const std::string& expression) {
  absl::StatusOr<Json> result =
      Call("Runtime.evaluate",
           {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
  if (!result.ok()) return result.status();
  if (result->contains("exceptionDetails")) {
    return absl::InternalError(
        absl::StrCat("exception in ", expression, ": ", (*result)["exceptionDetails"].dump()));
  }
  const Json& value = (*result)["result"];
  return value.contains("value") ? value["value"] : Json();
}

absl::Status DevToolsBrowser::WaitUntil(const std::string& expression, absl::Duration timeout,
                                        const std::string& describe) {
  const absl::Time give_up = absl::Now() + timeout;
  std::string last;
  while (true) {
    absl::StatusOr<Json> value = Evaluate(expression);
    if (value.ok() && value->is_boolean() && value->get<bool>()) return absl::OkStatus();
    last = value.ok() ? value->dump() : std::string(value.status().message());
    if (absl::Now() >= give_up) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  std::string seen;
  if (!describe.empty()) {
    absl::StatusOr<Json> d = Evaluate(describe);
    seen = d.ok() ? d->dump() : std::string(d.status().message());
  }
  return absl::DeadlineExceededError(
      absl::StrCat("not true in time: ", expression, " (last: ", last, "; ", seen, ")"));
}

absl::Status DevToolsBrowser::Navigate(const std::string& url) {
  absl::StatusOr<Json> result = Call("Page.navigate", {{"url", url}});
  if (!result.ok()) return result.status();
  if (result->contains("errorText")) {
    return absl::UnavailableError(absl::StrCat(url, ": ", (*result)["errorText"].dump()));
  }
  return WaitUntil("document.readyState === 'complete'", absl::Seconds(30));
}

absl::Status DevToolsBrowser::WaitForPath(const std::string& path, absl::Duration timeout) {
  return WaitUntil(absl::StrCat("location.pathname === ", Json(path).dump(),
                                " && document.readyState === 'complete'"),
                   timeout, "location.href");
}

absl::Status DevToolsBrowser::SetViewport(int width, int height, double scale) {
  return Call("Emulation.setDeviceMetricsOverride", {{"width", width},
                                                     {"height", height},
                                                     {"deviceScaleFactor", scale},
                                                     {"mobile", false}})
      .status();
}

absl::Status DevToolsBrowser::PressKey(const std::string& key) {
  // Tab and Enter as the keyboard sends them (key codes 9 and 13).
  const int code = key == "Tab" ? 9 : key == "Enter" ? 13 : 0;
  for (const char* type : {"rawKeyDown", "keyUp"}) {
    Json params = {{"type", type}, {"key", key}, {"code", key}, {"windowsVirtualKeyCode", code}};
    if (key == "Enter" && std::string(type) == "rawKeyDown") {
      if (absl::Status s = Call("Input.dispatchKeyEvent", params).status(); !s.ok()) return s;
      params["type"] = "char";
      params["text"] = "\r";
    }
    if (absl::Status s = Call("Input.dispatchKeyEvent", params).status(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status DevToolsBrowser::Screenshot(const std::string& path, bool full_page) {
  Json params = {{"format", "png"}};
  if (full_page) params["captureBeyondViewport"] = true;
  absl::StatusOr<Json> shot = Call("Page.captureScreenshot", params);
  if (!shot.ok()) return shot.status();
  std::string png;
  if (!absl::Base64Unescape((*shot)["data"].get<std::string>(), &png)) {
    return absl::InternalError("the screenshot is not base64");
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << png;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<PngSize> PngDimensions(const std::string& png) {
  static constexpr unsigned char kSignature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (png.size() < 24 || std::memcmp(png.data(), kSignature, sizeof(kSignature)) != 0 ||
      png.compare(12, 4, "IHDR") != 0) {
    return absl::InvalidArgumentError("not a PNG");
  }
  auto be32 = [&png](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(png[at + i]);
    return v;
  };
  return PngSize{be32(16), be32(20)};
}

}  // namespace wissel::testing
