#include "adapters/sip/health_routes.h"

#include <httplib.h>

#include "absl/strings/str_cat.h"

namespace wissel::adapters::sip {

void AddHealthRoutes(HttpServer* server, RouterClient* client, const SipRedirector* redirector) {
  api::Health serving;
  serving.set_status("ok");
  serving.set_router("SERVING");
  server->SetHealthCheck(
      [client, redirector]() -> absl::Status {
        if (redirector->draining()) return absl::UnavailableError("draining");
        return client->CheckHealth();
      },
      serving);
  server->Get("/metrics", [redirector](const httplib::Request&, httplib::Response& response) {
    response.set_content(MetricsText(redirector->stats()), "text/plain; version=0.0.4");
  });
}

std::string MetricsText(const SipRedirectorStats& s) {
  std::string text;
  auto counter = [&text](absl::string_view name, absl::string_view help, uint64_t value) {
    absl::StrAppend(&text, "# HELP wissel_sip_", name, " ", help, "\n# TYPE wissel_sip_", name,
                    " counter\nwissel_sip_", name, " ", value, "\n");
  };
  counter("requests_total", "SIP requests handled.", s.requests);
  counter("invites_total", "New INVITE transactions.", s.invites);
  counter("redirects_total", "302 responses for a routing decision.", s.redirects);
  counter("retransmissions_total", "Retransmitted INVITEs answered from the table.",
          s.retransmissions);
  counter("cancels_total", "CANCELs that matched a call.", s.cancels);
  counter("router_errors_total", "RouteContact failures (503/500 sent).", s.router_errors);
  counter("bad_requests_total", "Malformed requests answered 4xx.", s.bad_requests);
  counter("dropped_total", "Unparseable messages and stray responses dropped.", s.dropped);
  counter("rejected_total", "Requests answered 503 for overload or draining.", s.rejected);
  counter("final_retransmits_total", "Final responses retransmitted over UDP.",
          s.final_retransmits);
  counter("forbidden_total", "Messages from sources outside trusted_peers (403 or dropped).",
          s.forbidden);
  return text;
}

}  // namespace wissel::adapters::sip
