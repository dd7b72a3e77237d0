// Raw HTTP over a loopback TCP socket, for tests that need to misbehave on the wire (stall,
// trickle, send broken chunks) and see exactly what the server answers and when it closes.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace wissel::adapters::testing {

class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  bool Send(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Reads until one whole response (headers and Content-Length body) has arrived, the server
  // closes, or `timeout` passes. Returns what arrived.
  std::string ReadResponse(absl::Duration timeout) {
    const absl::Time give_up = absl::Now() + timeout;
    while (absl::Now() < give_up && !closed_) {
      if (Complete()) break;
      if (!ReadSome(give_up)) break;
    }
    std::string out = buffer_;
    buffer_.clear();
    return out;
  }

  // Waits up to `timeout` for the server to close the connection; true when it did.
  bool WaitForClose(absl::Duration timeout) {
    const absl::Time give_up = absl::Now() + timeout;
    while (!closed_ && absl::Now() < give_up) {
      if (!ReadSome(give_up)) break;
    }
    return closed_;
  }

  bool closed() const { return closed_; }

 private:
  bool Complete() const {
    const size_t end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    size_t length = 0;
    for (absl::string_view line : absl::StrSplit(buffer_.substr(0, end), "\r\n")) {
      if (line.size() > 16 &&
          (line.substr(0, 16) == "Content-Length: " || line.substr(0, 16) == "content-length: ")) {
        if (!absl::SimpleAtoi(line.substr(16), &length)) return false;
      }
    }
    return buffer_.size() >= end + 4 + length;
  }

  bool ReadSome(absl::Time give_up) {
    pollfd p{fd_, POLLIN, 0};
    const int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(give_up - absl::Now()));
    if (wait_ms <= 0 || poll(&p, 1, wait_ms) <= 0) return false;
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

// The status code of a raw response ("HTTP/1.1 408 Request Timeout" -> 408), or 0.
inline int StatusOf(const std::string& response) {
  int status = 0;
  if (response.size() < 12 || !absl::SimpleAtoi(response.substr(9, 3), &status)) return 0;
  return status;
}

// The body of a raw response.
inline std::string BodyOf(const std::string& response) {
  const size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

}  // namespace wissel::adapters::testing
