#include "adapters/sip/sip_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glog/logging.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace wissel::adapters::sip {
namespace {

constexpr size_t kUdpBufferBytes = 65536;

struct ListenAddress {
  std::string host;
  std::string port;
};

absl::StatusOr<ListenAddress> SplitHostPort(absl::string_view address) {
  ListenAddress out;
  size_t colon;
  if (!address.empty() && address[0] == '[') {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat("bad address '", address, "'"));
    }
    out.host = std::string(address.substr(1, close - 1));
    colon = close + 1;
  } else {
    colon = address.rfind(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("address '", address, "' must be host:port"));
    }
    out.host = std::string(address.substr(0, colon));
  }
  out.port = std::string(address.substr(colon + 1));
  int port = 0;
  if (!absl::SimpleAtoi(out.port, &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port in '", address, "'"));
  }
  if (out.host.empty()) out.host = "0.0.0.0";
  return out;
}

int BoundPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return 0;
}

// Binds a socket of `type` to `address` (with `port_override` when not empty). Returns the fd.
absl::StatusOr<int> BindSocket(const ListenAddress& address, int type,
                               const std::string& port_override) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = type;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* result = nullptr;
  const std::string port = port_override.empty() ? address.port : port_override;
  if (const int rc = getaddrinfo(address.host.c_str(), port.c_str(), &hints, &result); rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot resolve '", address.host, "': ", gai_strerror(rc)));
  }
  absl::Status last = absl::UnavailableError("no address");
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    if (type == SOCK_STREAM) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (type == SOCK_DGRAM) {
      const int buffer = 4 << 20;
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof(buffer));
    }
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
        (type != SOCK_STREAM || listen(fd, 128) == 0)) {
      freeaddrinfo(result);
      return fd;
    }
    last = absl::UnavailableError(absl::StrCat("cannot bind ", address.host, ":", port, " (",
                                               type == SOCK_STREAM ? "tcp" : "udp",
                                               "): ", strerror(errno)));
    close(fd);
  }
  freeaddrinfo(result);
  return last;
}

// Length of the first complete message in `buffer` (headers + Content-Length body), 0 when
// more bytes are needed, nullopt when the stream is broken (no usable Content-Length, or
// larger than `max`).
std::optional<size_t> FrameLength(absl::string_view buffer, size_t max) {
  const size_t end = buffer.find("\r\n\r\n");
  if (end == absl::string_view::npos) {
    if (buffer.size() > max) return std::nullopt;
    return 0;
  }
  const size_t header_bytes = end + 4;
  size_t content_length = 0;
  size_t pos = buffer.find("\r\n");
  while (pos != absl::string_view::npos && pos < end) {
    const size_t line_start = pos + 2;
    const size_t line_end = buffer.find("\r\n", line_start);
    const absl::string_view line = buffer.substr(line_start, line_end - line_start);
    const size_t colon = line.find(':');
    if (colon != absl::string_view::npos) {
      const std::string name =
          absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)));
      if (name == "content-length" || name == "l") {
        if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(colon + 1)),
                              &content_length)) {
          return std::nullopt;
        }
      }
    }
    pos = line_end;
  }
  if (content_length > max || header_bytes + content_length > max) return std::nullopt;
  if (buffer.size() < header_bytes + content_length) return 0;
  return header_bytes + content_length;
}

}  // namespace

// A socket shared by the threads and the repliers that may outlive the server loop; closed
// when the last one lets go, so a late retransmission never writes to a reused descriptor.
struct SipServer::Socket {
  explicit Socket(int fd) : fd(fd) {}
  ~Socket() {
    if (fd >= 0) close(fd);
  }
  const int fd;
};

struct SipServer::TcpConnection {
  TcpConnection(int fd, std::optional<IpAddress> peer) : socket(fd), peer(peer) {}
  Socket socket;
  const std::optional<IpAddress> peer;  // the remote end, from accept
  absl::Mutex write_mu;
  bool broken ABSL_GUARDED_BY(write_mu) = false;
};

class SipServer::UdpReplier : public Replier {
 public:
  UdpReplier(std::shared_ptr<Socket> socket, const sockaddr_storage& peer, socklen_t peer_len)
      : socket_(std::move(socket)), peer_(peer), peer_len_(peer_len) {}
  void Send(absl::string_view message) override {
    if (sendto(socket_->fd, message.data(), message.size(), MSG_DONTWAIT,
               reinterpret_cast<const sockaddr*>(&peer_), peer_len_) < 0) {
      LOG_EVERY_N(WARNING, 100) << "udp send failed: " << strerror(errno);
    }
  }
  bool reliable() const override { return false; }
  std::optional<IpAddress> peer_address() const override {
    return IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&peer_), peer_len_);
  }

 private:
  std::shared_ptr<Socket> socket_;
  sockaddr_storage peer_;
  socklen_t peer_len_;
};

class SipServer::TcpReplier : public Replier {
 public:
  explicit TcpReplier(std::shared_ptr<TcpConnection> connection)
      : connection_(std::move(connection)) {}
  void Send(absl::string_view message) override {
    absl::MutexLock lock(&connection_->write_mu);
    if (connection_->broken) return;
    size_t sent = 0;
    while (sent < message.size()) {
      const ssize_t n = send(connection_->socket.fd, message.data() + sent, message.size() - sent,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        pollfd p{connection_->socket.fd, POLLOUT, 0};
        if (poll(&p, 1, 1000) > 0) continue;  // a peer that does not read for 1 s is dropped
      }
      connection_->broken = true;
      shutdown(connection_->socket.fd, SHUT_RDWR);
      return;
    }
  }
  bool reliable() const override { return true; }
  std::optional<IpAddress> peer_address() const override { return connection_->peer; }

 private:
  std::shared_ptr<TcpConnection> connection_;
};

SipServer::SipServer(SipRedirector* redirector, SipServerOptions options)
    : redirector_(redirector), options_(std::move(options)) {}

SipServer::~SipServer() { Stop(); }

absl::Status SipServer::Start() {
  if (started_) return absl::FailedPreconditionError("already started");
  std::optional<ListenAddress> udp_address;
  std::optional<ListenAddress> tcp_address;
  if (!options_.udp_listen.empty()) {
    WISSEL_ASSIGN_OR_RETURN(udp_address, SplitHostPort(options_.udp_listen));
  }
  if (!options_.tcp_listen.empty()) {
    WISSEL_ASSIGN_OR_RETURN(tcp_address, SplitHostPort(options_.tcp_listen));
  }
  if (!udp_address && !tcp_address) return absl::InvalidArgumentError("no transport to listen on");
  const bool same_free_port = udp_address && tcp_address &&
                              udp_address->host == tcp_address->host && udp_address->port == "0" &&
                              tcp_address->port == "0";
  int udp_fd = -1;
  int tcp_fd = -1;
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (udp_address) {
      WISSEL_ASSIGN_OR_RETURN(udp_fd, BindSocket(*udp_address, SOCK_DGRAM, ""));
    }
    if (tcp_address) {
      const std::string port = same_free_port ? absl::StrCat(BoundPort(udp_fd)) : "";
      absl::StatusOr<int> fd = BindSocket(*tcp_address, SOCK_STREAM, port);
      if (!fd.ok()) {
        if (udp_fd >= 0) close(udp_fd);
        udp_fd = -1;
        if (same_free_port) continue;  // that port is taken for TCP: try another pair
        return fd.status();
      }
      tcp_fd = *fd;
    }
    break;
  }
  if ((udp_address && udp_fd < 0) || (tcp_address && tcp_fd < 0)) {
    return absl::UnavailableError("cannot bind the SIP ports");
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) return absl::InternalError("eventfd failed");
  pool_ = std::make_unique<WorkerPool>(options_.workers, options_.queue_capacity);
  if (udp_fd >= 0) {
    udp_ = std::make_shared<Socket>(udp_fd);
    udp_port_ = BoundPort(udp_fd);
    udp_thread_ = std::thread([this] { UdpLoop(); });
  }
  if (tcp_fd >= 0) {
    tcp_fd_ = tcp_fd;
    tcp_port_ = BoundPort(tcp_fd);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  timer_thread_ = std::thread([this] { TimerLoop(); });
  started_ = true;
  return absl::OkStatus();
}

void SipServer::Dispatch(std::string message, const std::shared_ptr<Replier>& replier) {
  auto shared = std::make_shared<std::string>(std::move(message));
  const bool queued =
      pool_->TrySubmit([this, shared, replier] { redirector_->Handle(*shared, replier); });
  if (!queued) {
    LOG_EVERY_N(WARNING, 100) << "worker queue full: answering 503";
    redirector_->Reject(*shared, *replier);
  }
}

void SipServer::UdpLoop() {
  std::string buffer(kUdpBufferBytes, '\0');
  while (true) {
    pollfd fds[2] = {{udp_->fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      LOG(ERROR) << "udp poll: " << strerror(errno);
      return;
    }
    if (fds[1].revents != 0) return;
    while (true) {
      sockaddr_storage peer{};
      socklen_t peer_len = sizeof(peer);
      const ssize_t n = recvfrom(udp_->fd, buffer.data(), buffer.size(), MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&peer), &peer_len);
      if (n < 0) break;  // EAGAIN: wait again
      Dispatch(std::string(buffer.data(), static_cast<size_t>(n)),
               std::make_shared<UdpReplier>(udp_, peer, peer_len));
    }
  }
}

void SipServer::AcceptLoop() {
  while (true) {
    pollfd fds[2] = {{tcp_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      LOG(ERROR) << "tcp poll: " << strerror(errno);
      return;
    }
    if (fds[1].revents != 0) return;
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof(peer);
    const int fd = accept4(tcp_fd_, reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC);
    if (fd < 0) continue;
    {
      absl::MutexLock lock(&connections_->mu);
      if (connections_->live >= options_.max_tcp_connections) {
        LOG_EVERY_N(WARNING, 100) << "too many TCP connections; closing a new one";
        close(fd);
        continue;
      }
      ++connections_->live;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto connection = std::make_shared<TcpConnection>(
        fd, IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&peer), peer_len));
    std::thread([this, connection, count = connections_] {
      ConnectionLoop(connection);
      absl::MutexLock lock(&count->mu);
      --count->live;
    }).detach();
  }
}

void SipServer::ConnectionLoop(const std::shared_ptr<TcpConnection>& connection) {
  const int fd = connection->socket.fd;
  auto replier = std::make_shared<TcpReplier>(connection);
  std::string buffer;
  char chunk[16384];
  const int idle_ms = static_cast<int>(absl::ToInt64Milliseconds(options_.tcp_idle_timeout));
  while (true) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    const int ready = poll(fds, 2, idle_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0 || fds[1].revents != 0) break;
    const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
    bool broken = false;
    while (true) {
      // RFC 5626 keep-alive: a CRLFCRLF ping is answered with a CRLF pong; lone CRLFs between
      // messages are skipped.
      size_t skip = 0;
      while (skip + 1 < buffer.size() && buffer[skip] == '\r' && buffer[skip + 1] == '\n') {
        skip += 2;
      }
      if (skip >= 4) replier->Send("\r\n");
      buffer.erase(0, skip);
      if (buffer.empty()) break;
      const std::optional<size_t> length = FrameLength(buffer, options_.max_tcp_message_bytes);
      if (!length.has_value()) {
        broken = true;
        break;
      }
      if (*length == 0) break;
      Dispatch(buffer.substr(0, *length), replier);
      buffer.erase(0, *length);
    }
    if (broken) {
      LOG_EVERY_N(WARNING, 100) << "closing a TCP connection with an unframeable message";
      break;
    }
  }
  absl::MutexLock lock(&connection->write_mu);
  connection->broken = true;
  shutdown(fd, SHUT_RDWR);
}

void SipServer::TimerLoop() {
  const int tick_ms = static_cast<int>(absl::ToInt64Milliseconds(options_.tick));
  while (true) {
    pollfd p{stop_fd_, POLLIN, 0};
    const int ready = poll(&p, 1, tick_ms < 1 ? 1 : tick_ms);
    if (ready > 0) return;
    redirector_->Tick();
  }
}

bool SipServer::Drain(absl::Duration timeout) {
  redirector_->SetDraining(true);
  return pool_ == nullptr || pool_->WaitIdle(timeout);
}

void SipServer::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  const uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof(one)) < 0) LOG(ERROR) << "cannot signal stop";
  if (udp_thread_.joinable()) udp_thread_.join();
  if (accept_thread_.joinable()) accept_thread_.join();
  if (timer_thread_.joinable()) timer_thread_.join();
  {
    ConnectionCount& count = *connections_;
    absl::MutexLock lock(&count.mu);
    auto none = [&count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(count.mu) { return count.live == 0; };
    count.mu.Await(absl::Condition(&none));
  }
  pool_.reset();  // runs what is still queued, then joins the workers
  if (tcp_fd_ >= 0) close(tcp_fd_);
  tcp_fd_ = -1;
  udp_.reset();
  close(stop_fd_);
  stop_fd_ = -1;
}

}  // namespace wissel::adapters::sip
