// EventReader: reads a Server-Sent Events stream over HTTP on its own thread, for tests of the
// chat adapter's events endpoint (unit tests and end-to-end).
#pragma once

#include <httplib.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace wissel::adapters::testing {

// Reads the stream at `path` from the moment it is constructed until the server ends it or the
// reader is destroyed. Thread-safe.
class EventReader {
 public:
  EventReader(int port, const std::string& path) : client_("127.0.0.1", port) {
    client_.set_read_timeout(10, 0);
    thread_ = std::thread([this, path] {
      auto res = client_.Get(path, [this](const char* data, size_t size) {
        absl::MutexLock lock(&mu_);
        text_.append(data, size);
        return !stop_;
      });
      absl::MutexLock lock(&mu_);
      status_ = res ? res->status : -1;
      done_ = true;
    });
  }
  ~EventReader() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    client_.stop();
    thread_.join();
  }

  // Waits until an event named `name` has arrived (true) or `timeout` passed.
  bool WaitFor(const std::string& name, absl::Duration timeout = absl::Seconds(5)) {
    absl::MutexLock lock(&mu_);
    const std::string needle = absl::StrCat("event: ", name, "\n");
    auto arrived = [&] { return text_.find(needle) != std::string::npos || done_; };
    mu_.AwaitWithTimeout(absl::Condition(&arrived), timeout);
    return text_.find(needle) != std::string::npos;
  }
  bool WaitForEnd(absl::Duration timeout = absl::Seconds(5)) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&done_), timeout);
    return done_;
  }
  // Event names in order of arrival.
  std::vector<std::string> Names() {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> names;
    for (absl::string_view line : absl::StrSplit(text_, '\n')) {
      if (absl::ConsumePrefix(&line, "event: ")) names.emplace_back(line);
    }
    return names;
  }
  // The data of the last event named `name`.
  std::string Data(const std::string& name) {
    absl::MutexLock lock(&mu_);
    std::string data;
    bool take = false;
    for (absl::string_view line : absl::StrSplit(text_, '\n')) {
      if (take && absl::ConsumePrefix(&line, "data: ")) data = std::string(line);
      take = line == absl::StrCat("event: ", name);
    }
    return data;
  }
  std::string Text() {
    absl::MutexLock lock(&mu_);
    return text_;
  }
  int status() {
    absl::MutexLock lock(&mu_);
    return status_;
  }

 private:
  httplib::Client client_;
  std::thread thread_;
  absl::Mutex mu_;
  std::string text_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  int status_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace wissel::adapters::testing
