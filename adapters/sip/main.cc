// wissel-sip: the phone adapter. A SIP redirect server in front of the municipality's PBX:
// parses flags (each with an environment fallback), loads the dial plan, and runs the SIP
// transports and the health endpoint until SIGTERM or SIGINT, then drains.
#include <glog/logging.h>
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "adapters/sip/grpc_routing_client.h"
#include "adapters/sip/health_server.h"
#include "adapters/sip/sip_config.h"
#include "adapters/sip/sip_redirector.h"
#include "adapters/sip/sip_server.h"

namespace {

std::string Env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? value : fallback;
}

int EnvInt(const char* name, int fallback) {
  int value = 0;
  return absl::SimpleAtoi(Env(name, ""), &value) ? value : fallback;
}

absl::Duration EnvDuration(const char* name, absl::Duration fallback) {
  absl::Duration value;
  return absl::ParseDuration(Env(name, ""), &value) ? value : fallback;
}

}  // namespace

ABSL_FLAG(std::string, config, Env("WISSEL_SIP_CONFIG", "config/example/sip.yaml"),
          "Dial plan and redirect URIs (YAML). Env WISSEL_SIP_CONFIG.");
ABSL_FLAG(std::string, router, Env("WISSEL_ROUTER", "127.0.0.1:7450"),
          "wisseld gRPC address host:port. Env WISSEL_ROUTER.");
ABSL_FLAG(
    std::string, udp_listen, Env("WISSEL_SIP_UDP_LISTEN", "127.0.0.1:5060"),
    "SIP over UDP, host:port (port 0: any free port; empty: off). Env WISSEL_SIP_UDP_LISTEN.");
ABSL_FLAG(
    std::string, tcp_listen, Env("WISSEL_SIP_TCP_LISTEN", "127.0.0.1:5060"),
    "SIP over TCP, host:port (port 0: any free port; empty: off). Env WISSEL_SIP_TCP_LISTEN.");
ABSL_FLAG(std::string, health_listen, Env("WISSEL_SIP_HEALTH_LISTEN", "127.0.0.1:8060"),
          "HTTP /healthz and /metrics, host:port. Env WISSEL_SIP_HEALTH_LISTEN.");
ABSL_FLAG(absl::Duration, router_deadline,
          EnvDuration("WISSEL_SIP_ROUTER_DEADLINE", absl::Seconds(2)),
          "Deadline of each router call; past it the call is answered 503. Env "
          "WISSEL_SIP_ROUTER_DEADLINE.");
ABSL_FLAG(int, workers, EnvInt("WISSEL_SIP_WORKERS", 16),
          "Worker threads that wait on the router. Env WISSEL_SIP_WORKERS.");
ABSL_FLAG(absl::Duration, drain_timeout, EnvDuration("WISSEL_SIP_DRAIN_TIMEOUT", absl::Seconds(5)),
          "On SIGTERM: how long calls in progress may finish. Env WISSEL_SIP_DRAIN_TIMEOUT.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "wissel-sip --config=sip.yaml --router=HOST:PORT [--udp_listen=HOST:PORT] "
      "[--tcp_listen=HOST:PORT] [--health_listen=HOST:PORT]");
  absl::ParseCommandLine(argc, argv);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);

  // Every thread started from here on inherits the blocked signals; main waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  absl::StatusOr<wissel::adapters::sip::SipConfig> config =
      wissel::adapters::sip::LoadSipConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) {
    std::cerr << "wissel-sip: " << config.status().message() << "\n";
    return 2;
  }

  wissel::adapters::sip::GrpcRoutingClient client({
      .target = absl::GetFlag(FLAGS_router),
      .deadline = absl::GetFlag(FLAGS_router_deadline),
  });
  wissel::adapters::sip::SipRedirector redirector(*std::move(config), &client);
  wissel::adapters::sip::SipServer server(&redirector,
                                          {
                                              .udp_listen = absl::GetFlag(FLAGS_udp_listen),
                                              .tcp_listen = absl::GetFlag(FLAGS_tcp_listen),
                                              .workers = absl::GetFlag(FLAGS_workers),
                                          });
  if (absl::Status started = server.Start(); !started.ok()) {
    std::cerr << "wissel-sip: " << started.message() << "\n";
    return 1;
  }
  wissel::adapters::sip::HealthServer health(&client, &redirector,
                                             absl::GetFlag(FLAGS_health_listen));
  if (absl::Status started = health.Start(); !started.ok()) {
    std::cerr << "wissel-sip: " << started.message() << "\n";
    server.Stop();
    return 1;
  }
  std::cout << "wissel-sip: listening udp=" << server.udp_port() << " tcp=" << server.tcp_port()
            << " health=" << health.port() << " router=" << absl::GetFlag(FLAGS_router)
            << std::endl;
  LOG(INFO) << "wissel-sip listening: udp " << server.udp_port() << ", tcp " << server.tcp_port()
            << ", health " << health.port();

  int received = 0;
  sigwait(&signals, &received);
  LOG(INFO) << "signal " << received << ": draining";
  const bool drained = server.Drain(absl::GetFlag(FLAGS_drain_timeout));
  if (!drained) LOG(WARNING) << "drain timeout: stopping with calls in progress";
  health.Stop();
  server.Stop();
  LOG(INFO) << "stopped";
  return 0;
}
