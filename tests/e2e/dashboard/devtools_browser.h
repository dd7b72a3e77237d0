// DevToolsBrowser: headless Chromium driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: the browser reads commands from fd 3 and writes answers to fd 4,
// each a JSON text ended by a NUL byte), for end-to-end tests of web pages that need more than
// one load: type into a form and submit it, wait for what a page's script draws, press keys,
// emulate a narrow window (high zoom), take screenshots.
//
// The browser runs in a process group of its own with a fresh profile; the destructor closes it
// and kills the group by its id. Every wait is bounded. Not thread-safe: one test thread owns it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace wissel::testing {

class DevToolsBrowser {
 public:
  using Json = nlohmann::json;

  // `chromium` is the program; `user_data_dir` a new, empty folder for its profile; `log` the
  // file its stderr goes to; `extra_args` are added to the command line.
  DevToolsBrowser(std::string chromium, std::string user_data_dir, std::string log,
                  std::vector<std::string> extra_args = {});
  ~DevToolsBrowser();
  DevToolsBrowser(const DevToolsBrowser&) = delete;
  DevToolsBrowser& operator=(const DevToolsBrowser&) = delete;

  // Starts the browser and opens a page (a tab) to drive.
  absl::Status Start();

  // One DevTools command on the page's session (or the browser's, with `browser`): its result,
  // or the protocol's error.
  absl::StatusOr<Json> Call(const std::string& method, const Json& params = Json::object(),
                            bool browser = false, absl::Duration timeout = absl::Seconds(30));

  // Loads `url` and waits until the document has loaded (readyState "complete").
  absl::Status Navigate(const std::string& url);
  // The value of a JavaScript expression in the page (promises awaited); an exception in it is
  // an error.
  absl::StatusOr<Json> Evaluate(const std::string& expression);
  // Waits until `expression` is true in the page; DeadlineExceeded (with the last value and
  // `describe`'s value, if given) after `timeout`.
  absl::Status WaitUntil(const std::string& expression, absl::Duration timeout,
                         const std::string& describe = "");
  // Waits until the page's URL path is `path` and the document has loaded.
  absl::Status WaitForPath(const std::string& path, absl::Duration timeout);
  // The window as `width` x `height` CSS pixels at `scale` device pixels per CSS pixel (a
  // 1280 px wide screen at 400 % zoom: 320 x 200 at scale 4).
  absl::Status SetViewport(int width, int height, double scale);
  // Presses a key (e.g. "Tab", "Enter") as a user would.
  absl::Status PressKey(const std::string& key);
  // A PNG of the page (the whole page with `full_page`), written to `path`.
  absl::Status Screenshot(const std::string& path, bool full_page);

 private:
  absl::Status Send(const Json& message);
  absl::StatusOr<Json> Receive(absl::Time deadline);

  const std::string chromium_;
  const std::string user_data_dir_;
  const std::string log_;
  const std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int to_browser_ = -1;
  int from_browser_ = -1;
  std::string buffer_;
  int next_id_ = 0;
  std::string session_;
};

// Width and height of a PNG from its header; InvalidArgument when `png` is not a PNG.
struct PngSize {
  uint32_t width = 0;
  uint32_t height = 0;
};
absl::StatusOr<PngSize> PngDimensions(const std::string& png);

}  // namespace wissel::testing
