#include "adapters/sip/health_server.h"

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wissel::adapters::sip {

HealthServer::HealthServer(RoutingClient* client, const SipRedirector* redirector,
                           std::string listen)
    : client_(client), redirector_(redirector), listen_(std::move(listen)) {}

HealthServer::~HealthServer() { Stop(); }

absl::Status HealthServer::Start() {
  const size_t colon = listen_.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen_.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("health address '", listen_, "' must be host:port"));
  }
  std::string host = listen_.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";

  server_ = std::make_unique<httplib::Server>();
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& response) {
    if (redirector_->draining()) {
      response.status = 503;
      response.set_content(R"({"status":"draining"})", "application/json");
      return;
    }
    const absl::Status router = client_->CheckHealth();
    if (router.ok()) {
      response.status = 200;
      response.set_content(R"({"status":"ok","router":"SERVING"})", "application/json");
    } else {
      response.status = 503;
      response.set_content(R"({"status":"unavailable","router":"NOT_SERVING"})",
                           "application/json");
    }
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    const SipRedirectorStats s = redirector_->stats();
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
    response.set_content(text, "text/plain; version=0.0.4");
  });

  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ <= 0) return absl::UnavailableError(absl::StrCat("cannot bind ", listen_));
  } else {
    if (!server_->bind_to_port(host, port)) {
      return absl::UnavailableError(absl::StrCat("cannot bind ", listen_));
    }
    port_ = port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void HealthServer::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace wissel::adapters::sip
