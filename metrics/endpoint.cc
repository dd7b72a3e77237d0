#include "metrics/endpoint.h"

#include <glog/logging.h>
#include <httplib.h>

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace wissel::metrics {
namespace {

// Worker threads of the listener: Prometheus scrapes one target at a time.
constexpr int kThreads = 2;
// A scrape's request must arrive, and its answer be taken, within this time.
constexpr std::chrono::seconds kTimeout(5);

// The text exposition format's media type.
constexpr char kExpositionType[] = "text/plain; version=0.0.4; charset=utf-8";

std::unique_ptr<httplib::Server> MakeServer(const std::shared_ptr<base::TlsServerContext>& tls) {
  if (tls == nullptr) return std::make_unique<httplib::Server>();
  // cpp-httplib calls the setup at once, on the SSL_CTX it then serves with; the endpoint keeps
  // `tls` for as long as the server lives.
  return std::make_unique<httplib::SSLServer>([tls](SSL_CTX& ctx) {
    const absl::Status s = tls->Configure(&ctx);
    if (!s.ok()) LOG(ERROR) << "metrics: TLS setup failed: " << s.message();
    return s.ok();
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<Endpoint>> Endpoint::Create(const EndpointOptions& options,
                                                           const EndpointOptionNames& names,
                                                           const Registry* registry) {
  if (!options.enabled()) {
    return absl::InvalidArgumentError(absl::StrCat(names.listen_address, ": is empty"));
  }
  if (absl::Status s = ValidateEndpointOptions(options, names); !s.ok()) return s;
  absl::StatusOr<HostPort> address = ParseHostPort(options.listen_address);
  if (!address.ok()) return address.status();
  std::shared_ptr<base::TlsServerContext> tls;
  if (!options.plaintext) {
    base::TlsServerOptions tls_options;
    tls_options.cert_file = options.certificate_file;
    tls_options.key_file = options.private_key_file;
    absl::StatusOr<std::shared_ptr<base::TlsServerContext>> loaded =
        base::TlsServerContext::Create(std::move(tls_options));
    if (!loaded.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(names.certificate_file, ": ", loaded.status().message()));
    }
    tls = *std::move(loaded);
  }
  std::unique_ptr<ScrapeToken> token;
  if (!options.allow_anonymous) {
    absl::StatusOr<std::unique_ptr<ScrapeToken>> loaded =
        options.bearer_token_file.empty()
            ? ScrapeToken::FromEnvironment(options.bearer_token_env, names.bearer_token_env)
            : ScrapeToken::FromFile(options.bearer_token_file, names.bearer_token_file);
    if (!loaded.ok()) return loaded.status();
    token = *std::move(loaded);
  }
  return std::unique_ptr<Endpoint>(
      new Endpoint(*std::move(address), std::move(tls), std::move(token), registry));
}

Endpoint::Endpoint(HostPort address, std::shared_ptr<base::TlsServerContext> tls,
                   std::unique_ptr<ScrapeToken> token, const Registry* registry)
    : address_(std::move(address)),
      tls_(std::move(tls)),
      token_(std::move(token)),
      registry_(registry),
      server_(MakeServer(tls_)) {
  server_->new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  server_->set_read_timeout(kTimeout);
  server_->set_write_timeout(kTimeout);
  server_->set_keep_alive_timeout(kTimeout.count());
  server_->set_payload_max_length(0);
  // Authentication before routing: without the token nothing, not even which paths exist, is
  // answered.
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (token_ == nullptr || token_->Matches(req.get_header_value("Authorization"))) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.status = 401;
    res.set_header("WWW-Authenticate",
                   req.has_header("Authorization")
                       ? R"(Bearer realm="wissel-metrics", error="invalid_token")"
                       : R"(Bearer realm="wissel-metrics")");
    res.set_content("a valid bearer token is required\n", "text/plain; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry_->Serialize(), kExpositionType);
  });
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content(
          absl::StrCat(res.status == 404 ? "only GET /metrics is served" : "error", "\n"),
          "text/plain; charset=utf-8");
    }
  });
}

Endpoint::~Endpoint() { Shutdown(); }

absl::Status Endpoint::Start() {
  if (!server_->is_valid()) {
    return absl::InternalError("metrics: the HTTPS server could not be set up (see the log)");
  }
  port_ = address_.port == 0
              ? server_->bind_to_any_port(address_.host)
              : (server_->bind_to_port(address_.host, address_.port) ? address_.port : -1);
  if (port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("metrics: cannot listen on ", address_.host, ":", address_.port));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // cpp-httplib's stop() does nothing until the listener runs: wait for it, so that a Shutdown()
  // right after Start() is not lost.
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (!server_->is_running() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(1));
  started_ = true;
  if (!server_->is_running()) {
    Shutdown();
    return absl::InternalError("metrics: the listener did not start");
  }
  LOG(INFO) << "metrics: serving " << (tls_ != nullptr ? "HTTPS" : "plain HTTP") << " on "
            << address_.host << ":" << port_
            << (token_ != nullptr ? " (bearer token required)" : " (anonymous, loopback)");
  return absl::OkStatus();
}

void Endpoint::Shutdown() {
  if (shut_down_ || !started_) return;
  shut_down_ = true;
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace wissel::metrics
