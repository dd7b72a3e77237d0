// wisseld: the Wissel router daemon. Parses flags, loads the configuration, runs a
// service::Server until SIGTERM or SIGINT, then drains. SIGHUP reloads the configuration, and so
// does a change of its files when --config_watch_interval is set (config_watcher.h).
#include <glog/logging.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "base/duration_flag.h"
#include "base/program_flags.h"
#include "base/termination.h"
#include "router/config/router_config.h"
#include "router/daemon/config_watcher.h"
#include "router/engine/system_clock.h"
#include "router/service/server.h"

ABSL_FLAG(std::string, config, "config/example/wissel.yaml", "Router configuration (YAML).");
ABSL_FLAG(std::string, listen, "", "Override listen_address from the configuration.");
ABSL_FLAG(std::string, metrics_listen, "",
          "Override metrics.listen_address from the configuration: host:port of the Prometheus "
          "endpoint (HTTPS and a bearer token, see the metrics section).");
ABSL_FLAG(std::string, redis_host, "", "Override redis.host from the configuration.");
ABSL_FLAG(int, redis_port, 0, "Override redis.port from the configuration.");
ABSL_FLAG(std::string, advertise_address, "",
          "host:port at which other routers on the same Redis reach this one (default: the "
          "listen address, with the host name for a wildcard host).");
ABSL_FLAG(wissel::base::DurationFlag, lease_ttl, {absl::Seconds(3)},
          "How long a tenant's lease lasts unrenewed: how soon another router takes over the "
          "tenants of a router that died.");
ABSL_FLAG(wissel::base::DurationFlag, startup_timeout, {absl::Seconds(30)},
          "How long to keep trying to reach Redis at start before giving up.");
ABSL_FLAG(wissel::base::DurationFlag, config_watch_interval, {absl::ZeroDuration()},
          "How often to check the configuration file and the files beside it for a change, "
          "which is then reloaded as on SIGHUP (e.g. a Kubernetes ConfigMap volume); 0s: never.");

namespace {

// Taken with sigwait by main(): SIGTERM and SIGINT drain and stop, SIGHUP reloads.
constexpr std::initializer_list<int> kSignals = {SIGTERM, SIGINT, SIGHUP};

// The command line wins over the file, at start and at every reload.
void ApplyOverrides(wissel::config::RouterConfig& config) {
  if (!absl::GetFlag(FLAGS_listen).empty()) config.listen_address = absl::GetFlag(FLAGS_listen);
  if (const std::string metrics = absl::GetFlag(FLAGS_metrics_listen); !metrics.empty()) {
    if (!config.metrics.enabled() && !config.tls.plaintext) {
      // No metrics section: the router's certificate, as the section's default.
      config.metrics.certificate_file = config.tls.certificate_file;
      config.metrics.private_key_file = config.tls.private_key_file;
    }
    config.metrics.listen_address = metrics;
  }
  const bool direct =
      !absl::GetFlag(FLAGS_redis_host).empty() || absl::GetFlag(FLAGS_redis_port) != 0;
  if (!absl::GetFlag(FLAGS_redis_host).empty()) config.redis.host = absl::GetFlag(FLAGS_redis_host);
  if (absl::GetFlag(FLAGS_redis_port) != 0) config.redis.port = absl::GetFlag(FLAGS_redis_port);
  if (direct && config.redis.uses_sentinel()) {
    // A direct address on the command line (e.g. to reach one server while debugging) replaces
    // the file's sentinels rather than being silently ignored.
    LOG(WARNING) << "--redis_host/--redis_port given: redis.sentinel from the file is not used";
    config.redis.sentinel = {};
  }
}

}  // namespace

int main(int argc, char** argv) {
  wissel::base::ParseProgramFlags(argc, argv, "wisseld --config=FILE [--listen=HOST:PORT]");
  // The lock graph is for tests; in the daemon it costs every Mutex acquisition a lookup.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Signals are taken synchronously by this thread (sigwait); every thread started from here on
  // (gRPC's, the routing thread) inherits the blocked mask.
  wissel::base::BlockSignals(kSignals);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);

  // Before the first load, so that a change while the daemon starts is reloaded afterwards.
  std::unique_ptr<wissel::daemon::ConfigWatcher> watcher;
  const absl::Duration watch_interval = absl::GetFlag(FLAGS_config_watch_interval).value;
  if (watch_interval > absl::ZeroDuration()) {
    watcher = std::make_unique<wissel::daemon::ConfigWatcher>(absl::GetFlag(FLAGS_config),
                                                              watch_interval);
    watcher->Start();
  }
  absl::StatusOr<wissel::config::RouterConfig> config =
      wissel::config::LoadRouterConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) {
    std::cerr << "wisseld: " << config.status().message() << "\n";
    return 2;
  }
  ApplyOverrides(*config);
  for (const std::string& warning : config->warnings) LOG(WARNING) << "config: " << warning;
  const absl::Duration drain_timeout = config->drain_timeout;

  wissel::engine::SystemClock clock;
  std::unique_ptr<wissel::service::Server> server;
  const absl::Time give_up = absl::Now() + absl::GetFlag(FLAGS_startup_timeout).value;
  while (true) {
    wissel::service::ClusterOptions cluster;
    cluster.advertise_address = absl::GetFlag(FLAGS_advertise_address);
    cluster.lease_ttl = absl::GetFlag(FLAGS_lease_ttl).value;
    cluster.lease_renew_interval = cluster.lease_ttl / 3;
    server = std::make_unique<wissel::service::Server>(*config, &clock, cluster);
    absl::Status status = server->Start();
    if (status.ok()) break;
    if (status.code() != absl::StatusCode::kUnavailable || absl::Now() > give_up) {
      std::cerr << "wisseld: " << status.message() << "\n";
      return 1;
    }
    LOG(WARNING) << "waiting for the state store: " << status.message();
    absl::SleepFor(absl::Milliseconds(500));
  }
  if (server->metrics_port() != 0) {
    std::cout << "wisseld: metrics on port " << server->metrics_port() << std::endl;
  }
  std::cout << "wisseld: listening on port " << server->port() << std::endl;

  // SIGHUP reloads the configuration file; a file that does not load or apply is refused with
  // its file, line and reason, and the running configuration stays in force.
  const std::string config_path = absl::GetFlag(FLAGS_config);
  while (true) {
    if (wissel::base::WaitForSignal(kSignals) != SIGHUP) break;
    LOG(INFO) << "SIGHUP: reloading " << config_path;
    absl::StatusOr<wissel::config::RouterConfig> next =
        wissel::config::LoadRouterConfig(config_path);
    if (next.ok()) {
      ApplyOverrides(*next);
      for (const std::string& warning : next->warnings) LOG(WARNING) << "config: " << warning;
    }
    absl::Status applied = next.ok() ? server->Reload(*std::move(next)) : next.status();
    if (!applied.ok()) {
      LOG(ERROR) << "reload refused, the running configuration stays in force: "
                 << applied.message();
    }
  }
  if (watcher) watcher->Stop();
  server->Shutdown(drain_timeout);
  return 0;
}
