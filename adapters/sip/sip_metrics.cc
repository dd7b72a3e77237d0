#include "adapters/sip/sip_metrics.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace wissel::adapters::sip {

absl::string_view SipMethodLabel(absl::string_view method) {
  for (absl::string_view known :
       {"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE", "NOTIFY",
        "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE"}) {
    if (method == known) return known;
  }
  return "other";
}

absl::StatusOr<std::function<void(absl::string_view method, int code)>> AddSipResponseCounter(
    metrics::Registry* registry) {
  absl::StatusOr<metrics::CounterFamily*> responses = registry->AddCounter(
      "wissel_sip_responses_total",
      "SIP responses sent (retransmissions not counted), by request method and status code.",
      {"method", "code"});
  if (!responses.ok()) return responses.status();
  return [family = *responses](absl::string_view method, int code) {
    family->With({SipMethodLabel(method), absl::StrCat(code)}).Increment();
  };
}

absl::Status AddSipRedirectorCounters(metrics::Registry* registry,
                                      const SipRedirector* redirector) {
  const std::pair<const char*, const char*> kCounters[] = {
      {"requests", "SIP requests handled."},
      {"invites", "New INVITE transactions."},
      {"redirects", "302 responses for a routing decision."},
      {"retransmissions", "Retransmitted INVITEs answered from the table."},
      {"cancels", "CANCELs that matched a call."},
      {"router_errors", "RouteContact failures (503/500 sent)."},
      {"bad_requests", "Malformed requests answered 4xx."},
      {"dropped", "Unparseable messages and stray responses dropped."},
      {"rejected", "Requests answered 503 for overload or draining."},
      {"final_retransmits", "Final responses retransmitted over UDP."},
      {"forbidden", "Messages from sources outside trusted_peers (403 or dropped)."},
  };
  for (const auto& [name, help] : kCounters) {
    const std::string field = name;
    absl::Status added = registry->AddCallback(
        absl::StrCat("wissel_sip_", name, "_total"), help, metrics::MetricType::kCounter, {},
        [redirector, field](const metrics::Registry::Emit& emit) {
          const SipRedirectorStats s = redirector->stats();
          const std::pair<const char*, uint64_t> values[] = {
              {"requests", s.requests},         {"invites", s.invites},
              {"redirects", s.redirects},       {"retransmissions", s.retransmissions},
              {"cancels", s.cancels},           {"router_errors", s.router_errors},
              {"bad_requests", s.bad_requests}, {"dropped", s.dropped},
              {"rejected", s.rejected},         {"final_retransmits", s.final_retransmits},
              {"forbidden", s.forbidden},
          };
          for (const auto& [n, v] : values) {
            if (field == n) emit({}, static_cast<double>(v));
          }
        });
    if (!added.ok()) return added;
  }
  return absl::OkStatus();
}

}  // namespace wissel::adapters::sip
