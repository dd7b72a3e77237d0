// AdapterMetrics: the Prometheus metrics every channel adapter exports and their scrape
// endpoint (metrics/endpoint.h: its own listener, HTTPS and a bearer token), configured by the
// --metrics_* flags (adapter_process.h). Each adapter adds its own families to registry();
// the common ones are
//   wissel_http_requests_total{route, method, status}   requests answered by an HttpServer,
//                                                        status as its class ("2xx", "5xx")
//   wissel_router_calls_total{method, code}             calls to the router
//   wissel_router_call_duration_seconds{method}         (metered_router_client.h)
//
// Thread-safe once set up; set up (Observe, Meter) before the servers start.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/common/http_server.h"
#include "adapters/common/metered_router_client.h"
#include "adapters/common/router_client.h"
#include "metrics/endpoint.h"
#include "metrics/endpoint_options.h"
#include "metrics/registry.h"

namespace wissel::adapters {

// "GET", "POST", ... for the methods HTTP defines, else "other": the method label is bounded.
absl::string_view HttpMethodLabel(absl::string_view method);
// "2xx" for 200..299 and so on; "other" outside 100..599.
absl::string_view HttpStatusClass(int status);

class AdapterMetrics {
 public:
  // The registry and its endpoint for `options` (from MetricsOptionsFromFlags), loading the
  // certificate and the token; nullptr when the options are disabled (no --metrics_listen).
  // InvalidArgument naming the flag for what is wrong.
  static absl::StatusOr<std::unique_ptr<AdapterMetrics>> Create(
      const metrics::EndpointOptions& options);

  metrics::Registry* registry() { return &registry_; }

  // Counts every answer of `server` (wissel_http_requests_total). Before server->Start().
  void Observe(HttpServer* server);

  // A RouterClient that passes every call on to `client` and times and counts it; owned by
  // this object. `client` must outlive it.
  RouterClient* Meter(RouterClient* client);

  // Starts the endpoint; Unavailable when its address is taken.
  absl::Status Start() { return endpoint_->Start(); }
  int port() const { return endpoint_->port(); }
  void Shutdown() { endpoint_->Shutdown(); }

 private:
  AdapterMetrics() = default;

  metrics::Registry registry_;
  metrics::CounterFamily* requests_ = nullptr;
  MeteredRouterClient::Families router_calls_;
  std::vector<std::unique_ptr<MeteredRouterClient>> metered_;
  std::unique_ptr<metrics::Endpoint> endpoint_;
};

}  // namespace wissel::adapters
