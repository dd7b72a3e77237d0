// MeteredRouterClient: a RouterClient that times and counts every call it passes on to another
// one (the GrpcRouterClient), for the adapter's metrics: wissel_router_calls_total{method, code}
// and wissel_router_call_duration_seconds{method}. The method label is the RPC's name
// ("RouteContact", "Health/Check"), the code the canonical status code ("OK", "UNAVAILABLE").
//
// Thread-safe as the client it wraps; that client must outlive this one.
#pragma once

#include <chrono>

#include "absl/status/statusor.h"
#include "adapters/common/router_client.h"
#include "metrics/registry.h"

namespace wissel::adapters {

class MeteredRouterClient : public RouterClient {
 public:
  // The two families, added once per registry.
  struct Families {
    metrics::CounterFamily* calls = nullptr;
    metrics::HistogramFamily* durations = nullptr;
  };
  // Adds the families to `registry`. InvalidArgument or AlreadyExists when they cannot be added.
  static absl::StatusOr<Families> AddFamilies(metrics::Registry* registry);

  // `client` and the registry of `families` must outlive this object.
  MeteredRouterClient(RouterClient* client, Families families)
      : client_(client), families_(families) {}

  absl::StatusOr<v1::RouteContactResponse> RouteContact(
      const v1::RouteContactRequest& request) override;
  absl::StatusOr<v1::ContactRecord> GetContact(const v1::GetContactRequest& request) override;
  absl::StatusOr<v1::ContactRecord> CancelContact(const v1::CancelContactRequest& request) override;
  absl::StatusOr<v1::ContactRecord> CompleteContact(
      const v1::CompleteContactRequest& request) override;
  absl::StatusOr<v1::Handler> GetHandler(const v1::GetHandlerRequest& request) override;
  absl::Status CheckHealth() override;

 private:
  void Record(absl::string_view method, const absl::Status& status,
              std::chrono::steady_clock::time_point start);

  RouterClient* const client_;
  const Families families_;
};

}  // namespace wissel::adapters
