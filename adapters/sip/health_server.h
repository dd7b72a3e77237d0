// HealthServer: the HTTP side of wissel-sip for operators and orchestrators.
//
//   GET /healthz   200 {"status":"ok","router":"SERVING"} when the router's gRPC health check
//                  says SERVING and the adapter is not draining; else 503 with the reason.
//   GET /metrics   Prometheus text: the redirector's counters.
//
// Runs cpp-httplib's server on its own threads. Start/Stop from one controlling thread.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "adapters/sip/routing_client.h"
#include "adapters/sip/sip_redirector.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace wissel::adapters::sip {

class HealthServer {
 public:
  // `client` and `redirector` must outlive the server. `listen` is "host:port"; port 0 picks a
  // free one.
  HealthServer(RoutingClient* client, const SipRedirector* redirector, std::string listen);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  // Binds and starts serving. InvalidArgument for a bad address, Unavailable when it cannot
  // bind.
  absl::Status Start();
  int port() const { return port_; }
  // Idempotent.
  void Stop();

 private:
  RoutingClient* const client_;
  const SipRedirector* const redirector_;
  const std::string listen_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace wissel::adapters::sip
