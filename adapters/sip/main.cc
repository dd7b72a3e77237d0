// wissel-sip: the phone adapter. A SIP redirect server in front of the municipality's PBX:
// flags and environment through the adapters' common reader (adapters/common/adapter_process.h),
// loads the dial plan, and runs the SIP transports and the health endpoint (the adapters'
// common HttpServer) until SIGTERM or SIGINT, then drains.
#include <glog/logging.h>

#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "adapters/common/adapter_metrics.h"
#include "adapters/common/adapter_process.h"
#include "adapters/common/grpc_router_client.h"
#include "adapters/common/http_server.h"
#include "adapters/sip/health_routes.h"
#include "adapters/sip/sip_config.h"
#include "adapters/sip/sip_metrics.h"
#include "adapters/sip/sip_redirector.h"
#include "adapters/sip/sip_server.h"
#include "base/duration_flag.h"

ABSL_FLAG(std::string, config, "config/example/sip.yaml",
          "Dial plan and redirect URIs (YAML). Env WISSEL_SIP_CONFIG.");
ABSL_FLAG(std::string, udp_listen, "127.0.0.1:5060",
          "SIP over UDP, host:port (port 0: any free port; empty: off). Env "
          "WISSEL_SIP_UDP_LISTEN.");
ABSL_FLAG(std::string, tcp_listen, "127.0.0.1:5060",
          "SIP over TCP, host:port (port 0: any free port; empty: off). Env "
          "WISSEL_SIP_TCP_LISTEN.");
ABSL_FLAG(std::string, health_listen, "127.0.0.1:8060",
          "HTTP /healthz and /livez, host:port. Env WISSEL_SIP_HEALTH_LISTEN. (The metrics are "
          "served on --metrics_listen, with TLS and a token.)");
ABSL_FLAG(int, workers, 16, "Worker threads that wait on the router. Env WISSEL_SIP_WORKERS.");
ABSL_FLAG(wissel::base::DurationFlag, drain_timeout, {absl::Seconds(5)},
          "On SIGTERM: how long calls in progress may finish. Env WISSEL_SIP_DRAIN_TIMEOUT.");

namespace {

// Threads of the health endpoint: probes and scrapes only.
constexpr int kHealthThreads = 4;

}  // namespace

int main(int argc, char** argv) {
  namespace adapters = wissel::adapters;
  adapters::InitAdapterProcess(
      argc, argv,
      "wissel-sip --config=sip.yaml --router=HOST:PORT [--udp_listen=HOST:PORT] "
      "[--tcp_listen=HOST:PORT] [--health_listen=HOST:PORT]",
      {{"config", "WISSEL_SIP_CONFIG"},
       {"udp_listen", "WISSEL_SIP_UDP_LISTEN"},
       {"tcp_listen", "WISSEL_SIP_TCP_LISTEN"},
       {"health_listen", "WISSEL_SIP_HEALTH_LISTEN"},
       // The SIP adapter's own name for the router deadline (WISSEL_ROUTER_DEADLINE works too).
       {"router_deadline", "WISSEL_SIP_ROUTER_DEADLINE"},
       {"workers", "WISSEL_SIP_WORKERS"},
       {"drain_timeout", "WISSEL_SIP_DRAIN_TIMEOUT"}});

  absl::StatusOr<adapters::sip::SipConfig> config =
      adapters::sip::LoadSipConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) {
    std::cerr << "wissel-sip: " << config.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<adapters::GrpcRouterClientOptions> router = adapters::RouterOptionsFromFlags();
  absl::StatusOr<wissel::metrics::EndpointOptions> metrics_options =
      adapters::MetricsOptionsFromFlags();
  if (!metrics_options.ok()) {
    std::cerr << "wissel-sip: " << metrics_options.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<adapters::AdapterMetrics>> metrics =
      adapters::AdapterMetrics::Create(*metrics_options);
  if (!metrics.ok()) {
    std::cerr << "wissel-sip: " << metrics.status().message() << "\n";
    return 2;
  }
  adapters::HttpServerOptions health_options;
  health_options.threads = kHealthThreads;
  health_options.max_streams = 0;
  absl::Status health_address =
      adapters::ParseListenAddress(absl::GetFlag(FLAGS_health_listen), &health_options);
  if (!router.ok() || !health_address.ok()) {
    std::cerr << "wissel-sip: " << (router.ok() ? health_address : router.status()).message()
              << "\n";
    return 2;
  }

  if (absl::Status allowed = adapters::sip::CheckPeerPolicy(
          *config, {absl::GetFlag(FLAGS_udp_listen), absl::GetFlag(FLAGS_tcp_listen)});
      !allowed.ok()) {
    std::cerr << "wissel-sip: " << allowed.message() << "\n";
    return 2;
  }
  if (config->allow_any_peer) {
    LOG(WARNING) << "allow_any_peer: taking SIP from any source on loopback (development only)";
  }

  adapters::GrpcRouterClient grpc_client(*router);
  adapters::RouterClient* client =
      *metrics != nullptr ? (*metrics)->Meter(&grpc_client) : &grpc_client;
  adapters::sip::SipRedirectorOptions redirector_options;
  if (*metrics != nullptr) {
    absl::StatusOr<std::function<void(absl::string_view, int)>> counter =
        adapters::sip::AddSipResponseCounter((*metrics)->registry());
    if (!counter.ok()) {
      std::cerr << "wissel-sip: " << counter.status().message() << "\n";
      return 1;
    }
    redirector_options.on_response = *std::move(counter);
  }
  adapters::sip::SipRedirector redirector(*std::move(config), client, redirector_options);
  if (*metrics != nullptr) {
    if (absl::Status s =
            adapters::sip::AddSipRedirectorCounters((*metrics)->registry(), &redirector);
        !s.ok()) {
      std::cerr << "wissel-sip: " << s.message() << "\n";
      return 1;
    }
  }
  adapters::sip::SipServer server(&redirector, {
                                                   .udp_listen = absl::GetFlag(FLAGS_udp_listen),
                                                   .tcp_listen = absl::GetFlag(FLAGS_tcp_listen),
                                                   .workers = absl::GetFlag(FLAGS_workers),
                                               });
  if (absl::Status started = server.Start(); !started.ok()) {
    std::cerr << "wissel-sip: " << started.message() << "\n";
    return 1;
  }
  adapters::HttpServer health(health_options);
  adapters::sip::AddHealthRoutes(&health, client, &redirector);
  if (*metrics != nullptr) (*metrics)->Observe(&health);
  if (absl::Status started = health.Start(); !started.ok()) {
    std::cerr << "wissel-sip: " << started.message() << "\n";
    server.Stop();
    return 1;
  }
  if (*metrics != nullptr) {
    if (absl::Status started = (*metrics)->Start(); !started.ok()) {
      std::cerr << "wissel-sip: " << started.message() << "\n";
      health.Shutdown();
      server.Stop();
      return 1;
    }
    std::cout << "wissel-sip: metrics on port " << (*metrics)->port() << std::endl;
  }
  std::cout << "wissel-sip: listening udp=" << server.udp_port() << " tcp=" << server.tcp_port()
            << " health=" << health.port() << " router=" << router->target << std::endl;
  LOG(INFO) << "wissel-sip listening: udp " << server.udp_port() << ", tcp " << server.tcp_port()
            << ", health " << health.port();

  adapters::WaitForTermination("wissel-sip");
  const bool drained = server.Drain(absl::GetFlag(FLAGS_drain_timeout).value);
  if (!drained) LOG(WARNING) << "drain timeout: stopping with calls in progress";
  health.Shutdown();
  server.Stop();
  if (*metrics != nullptr) (*metrics)->Shutdown();
  LOG(INFO) << "stopped";
  return 0;
}
