#include "adapters/common/metered_router_client.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"

namespace wissel::adapters {
namespace {

using Clock = std::chrono::steady_clock;

// "UNAVAILABLE", as gRPC names the code (and as the router's own metrics label it).
std::string CodeName(const absl::Status& status) {
  return absl::AsciiStrToUpper(absl::StatusCodeToString(status.code()));
}

}  // namespace

absl::StatusOr<MeteredRouterClient::Families> MeteredRouterClient::AddFamilies(
    metrics::Registry* registry) {
  Families families;
  absl::StatusOr<metrics::CounterFamily*> calls =
      registry->AddCounter("wissel_router_calls_total",
                           "Calls to the router, by method and status code.", {"method", "code"});
  if (!calls.ok()) return calls.status();
  families.calls = *calls;
  absl::StatusOr<metrics::HistogramFamily*> durations = registry->AddHistogram(
      "wissel_router_call_duration_seconds",
      "Time of a call to the router, its answer or error (deadline included).", {"method"},
      metrics::LatencyBuckets());
  if (!durations.ok()) return durations.status();
  families.durations = *durations;
  return families;
}

void MeteredRouterClient::Record(absl::string_view method, const absl::Status& status,
                                 Clock::time_point start) {
  families_.durations->With({method}).Observe(
      std::chrono::duration<double>(Clock::now() - start).count());
  families_.calls->With({method, CodeName(status)}).Increment();
}

absl::StatusOr<v1::RouteContactResponse> MeteredRouterClient::RouteContact(
    const v1::RouteContactRequest& request) {
  const Clock::time_point start = Clock::now();
  absl::StatusOr<v1::RouteContactResponse> response = client_->RouteContact(request);
  Record("RouteContact", response.status(), start);
  return response;
}

absl::StatusOr<v1::ContactRecord> MeteredRouterClient::GetContact(
    const v1::GetContactRequest& request) {
  const Clock::time_point start = Clock::now();
  absl::StatusOr<v1::ContactRecord> response = client_->GetContact(request);
  Record("GetContact", response.status(), start);
  return response;
}

absl::StatusOr<v1::ContactRecord> MeteredRouterClient::CancelContact(
    const v1::CancelContactRequest& request) {
  const Clock::time_point start = Clock::now();
  absl::StatusOr<v1::ContactRecord> response = client_->CancelContact(request);
  Record("CancelContact", response.status(), start);
  return response;
}

absl::StatusOr<v1::ContactRecord> MeteredRouterClient::CompleteContact(
    const v1::CompleteContactRequest& request) {
  const Clock::time_point start = Clock::now();
  absl::StatusOr<v1::ContactRecord> response = client_->CompleteContact(request);
  Record("CompleteContact", response.status(), start);
  return response;
}

absl::StatusOr<v1::Handler> MeteredRouterClient::GetHandler(const v1::GetHandlerRequest& request) {
  const Clock::time_point start = Clock::now();
  absl::StatusOr<v1::Handler> response = client_->GetHandler(request);
  Record("GetHandler", response.status(), start);
  return response;
}

absl::Status MeteredRouterClient::CheckHealth() {
  const Clock::time_point start = Clock::now();
  absl::Status status = client_->CheckHealth();
  Record("Health/Check", status, start);
  return status;
}

}  // namespace wissel::adapters
