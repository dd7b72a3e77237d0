#include "adapters/common/adapter_metrics.h"

#include <utility>

namespace wissel::adapters {

absl::string_view HttpMethodLabel(absl::string_view method) {
  for (absl::string_view known :
       {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"}) {
    if (method == known) return known;
  }
  return "other";
}

absl::string_view HttpStatusClass(int status) {
  switch (status / 100) {
    case 1:
      return "1xx";
    case 2:
      return "2xx";
    case 3:
      return "3xx";
    case 4:
      return "4xx";
    case 5:
      return "5xx";
    default:
      return "other";
  }
}

absl::StatusOr<std::unique_ptr<AdapterMetrics>> AdapterMetrics::Create(
    const metrics::EndpointOptions& options) {
  if (!options.enabled()) return nullptr;
  std::unique_ptr<AdapterMetrics> m(new AdapterMetrics());
  absl::StatusOr<metrics::CounterFamily*> requests = m->registry_.AddCounter(
      "wissel_http_requests_total",
      "HTTP requests answered, by route (its pattern; 'unrouted' for none), method and status "
      "class.",
      {"route", "method", "status"});
  if (!requests.ok()) return requests.status();
  m->requests_ = *requests;
  absl::StatusOr<MeteredRouterClient::Families> router_calls =
      MeteredRouterClient::AddFamilies(&m->registry_);
  if (!router_calls.ok()) return router_calls.status();
  m->router_calls_ = *router_calls;
  absl::StatusOr<std::unique_ptr<metrics::Endpoint>> endpoint =
      metrics::Endpoint::Create(options, metrics::FlagNames(), &m->registry_);
  if (!endpoint.ok()) return endpoint.status();
  m->endpoint_ = *std::move(endpoint);
  return m;
}

void AdapterMetrics::Observe(HttpServer* server) {
  server->SetRequestObserver(
      [requests = requests_](absl::string_view route, absl::string_view method, int status) {
        requests->With({route, HttpMethodLabel(method), HttpStatusClass(status)}).Increment();
      });
}

RouterClient* AdapterMetrics::Meter(RouterClient* client) {
  metered_.push_back(std::make_unique<MeteredRouterClient>(client, router_calls_));
  return metered_.back().get();
}

}  // namespace wissel::adapters
