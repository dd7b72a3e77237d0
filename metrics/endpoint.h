// Endpoint: the Prometheus scrape endpoint of a Wissel process — GET /metrics with the
// Registry's text exposition — on its own listener, apart from the API and the health checks.
//
// HTTPS by default (base/tls_server_context.h: the certificate is reloaded when its files
// change), and every request must carry the bearer token (scrape_token.h); plain HTTP and
// anonymous scrapes only as endpoint_options.h allows. A request without a valid token gets 401
// with "WWW-Authenticate: Bearer" before anything else is looked at, whatever its path; with a
// token, GET /metrics answers 200 and any other request 404 (405 for another method).
//
// Served by cpp-httplib (Debian libcpp-httplib, as the adapters' HTTP front) on two worker
// threads: scrapes are rare, and a busy scraper cannot take threads from the API.
// Thread-safe; the Registry must outlive the endpoint.
#pragma once

#include <memory>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/tls_server_context.h"
#include "metrics/endpoint_options.h"
#include "metrics/registry.h"
#include "metrics/scrape_token.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace wissel::metrics {

class Endpoint {
 public:
  // Checks the options (ValidateEndpointOptions, errors named by `names`), loads the
  // certificate and the token. InvalidArgument naming the option for what is wrong.
  static absl::StatusOr<std::unique_ptr<Endpoint>> Create(const EndpointOptions& options,
                                                          const EndpointOptionNames& names,
                                                          const Registry* registry);
  ~Endpoint();  // Shutdown()
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  // Binds and serves on a background thread. Unavailable when the address is taken.
  absl::Status Start();
  // The bound port (after Start()).
  int port() const { return port_; }
  bool tls() const { return tls_ != nullptr; }
  // Stops accepting and waits for scrapes in flight. Idempotent.
  void Shutdown();

 private:
  Endpoint(HostPort address, std::shared_ptr<base::TlsServerContext> tls,
           std::unique_ptr<ScrapeToken> token, const Registry* registry);

  const HostPort address_;
  const std::shared_ptr<base::TlsServerContext> tls_;
  const std::unique_ptr<ScrapeToken> token_;  // null: anonymous scrapes (loopback only)
  const Registry* const registry_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  bool started_ = false;
  bool shut_down_ = false;
};

}  // namespace wissel::metrics
