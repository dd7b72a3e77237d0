// SipServer: the transports of wissel-sip — a UDP socket and a TCP listener (RFC 3261 §18)
// in front of a SipRedirector. Socket threads only read and frame messages; a bounded
// WorkerPool runs the redirector (which may wait on the router), so a slow router never stops
// the sockets from being read. When the pool is full the message is answered 503 at once.
// A timer thread drives the redirector's retransmissions and expiry.
//
// Threads: one for UDP, one accepting TCP, one per TCP connection (bounded), one timer, and
// the workers. Start/Drain/Stop are called from one controlling thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "adapters/sip/sip_redirector.h"
#include "adapters/sip/worker_pool.h"

namespace wissel::adapters::sip {

struct SipServerOptions {
  // "host:port" ("[::1]:port" for IPv6); port 0 picks a free port; empty turns the transport
  // off. When both are on the same host with port 0, they get the same port if possible.
  std::string udp_listen = "127.0.0.1:5060";
  std::string tcp_listen = "127.0.0.1:5060";
  // Threads that run the redirector (each waits on at most one router call at a time).
  int workers = 16;
  // Messages queued for the workers before new ones are answered 503.
  size_t queue_capacity = 4096;
  // Simultaneous TCP connections; more are closed at once.
  size_t max_tcp_connections = 256;
  // Largest message framed on TCP (headers plus body); a connection that sends more is closed.
  size_t max_tcp_message_bytes = size_t{64} * 1024;
  // A TCP connection without traffic for this long is closed.
  absl::Duration tcp_idle_timeout = absl::Minutes(15);
  // How often the redirector's timers run.
  absl::Duration tick = absl::Milliseconds(50);
};

class SipServer {
 public:
  // `redirector` must outlive the server.
  SipServer(SipRedirector* redirector, SipServerOptions options);
  ~SipServer();
  SipServer(const SipServer&) = delete;
  SipServer& operator=(const SipServer&) = delete;

  // Binds the sockets and starts the threads. InvalidArgument for a bad address,
  // Unavailable when a port cannot be bound.
  absl::Status Start();

  // Bound ports (0 when the transport is off).
  int udp_port() const { return udp_port_; }
  int tcp_port() const { return tcp_port_; }

  // New INVITEs are answered 503 from now on; waits up to `timeout` for the messages in
  // progress. True when everything in progress finished.
  bool Drain(absl::Duration timeout);

  // Stops every thread and closes the listening sockets. Idempotent.
  void Stop();

  // Messages in progress (queued or running in the workers).
  size_t busy() const { return pool_ ? pool_->busy() : 0; }

 private:
  struct Socket;
  struct TcpConnection;
  class UdpReplier;
  class TcpReplier;

  void UdpLoop();
  void AcceptLoop();
  void ConnectionLoop(const std::shared_ptr<TcpConnection>& connection);
  void TimerLoop();
  void Dispatch(std::string message, const std::shared_ptr<Replier>& replier);

  SipRedirector* const redirector_;
  const SipServerOptions options_;
  std::unique_ptr<WorkerPool> pool_;
  std::shared_ptr<Socket> udp_;
  int tcp_fd_ = -1;
  int stop_fd_ = -1;
  int udp_port_ = 0;
  int tcp_port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  std::thread udp_thread_;
  std::thread accept_thread_;
  std::thread timer_thread_;

  // Live TCP connection threads; shared with those (detached) threads so that it outlives the
  // last of them.
  struct ConnectionCount {
    absl::Mutex mu;
    size_t live ABSL_GUARDED_BY(mu) = 0;
  };
  std::shared_ptr<ConnectionCount> connections_ = std::make_shared<ConnectionCount>();
};

}  // namespace wissel::adapters::sip
