// wisseld: the Wissel router daemon. Parses flags, loads the configuration, runs a
// service::Server until SIGTERM or SIGINT, then drains.
#include <glog/logging.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "router/config/router_config.h"
#include "router/service/server.h"
#include "router/service/system_clock.h"

ABSL_FLAG(std::string, config, "config/example/wissel.yaml", "Router configuration (YAML).");
ABSL_FLAG(std::string, listen, "", "Override listen_address from the configuration.");
ABSL_FLAG(std::string, redis_host, "", "Override redis.host from the configuration.");
ABSL_FLAG(int, redis_port, 0, "Override redis.port from the configuration.");
ABSL_FLAG(absl::Duration, startup_timeout, absl::Seconds(30),
          "How long to keep trying to reach Redis at start before giving up.");

namespace {

absl::Notification* g_stop = nullptr;

void OnSignal(int) {
  // Notify is async-signal-safe enough here: it only stores and wakes a futex.
  if (g_stop != nullptr && !g_stop->HasBeenNotified()) g_stop->Notify();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("wisseld --config=FILE [--listen=HOST:PORT]");
  absl::ParseCommandLine(argc, argv);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);

  absl::StatusOr<wissel::config::RouterConfig> config =
      wissel::config::LoadRouterConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) {
    std::cerr << "wisseld: " << config.status().message() << "\n";
    return 2;
  }
  if (!absl::GetFlag(FLAGS_listen).empty()) config->listen_address = absl::GetFlag(FLAGS_listen);
  if (!absl::GetFlag(FLAGS_redis_host).empty()) {
    config->redis.host = absl::GetFlag(FLAGS_redis_host);
  }
  if (absl::GetFlag(FLAGS_redis_port) != 0) config->redis.port = absl::GetFlag(FLAGS_redis_port);
  const absl::Duration drain_timeout = config->drain_timeout;

  wissel::service::SystemClock clock;
  std::unique_ptr<wissel::service::Server> server;
  const absl::Time give_up = absl::Now() + absl::GetFlag(FLAGS_startup_timeout);
  while (true) {
    server = std::make_unique<wissel::service::Server>(*config, &clock);
    absl::Status status = server->Start();
    if (status.ok()) break;
    if (status.code() != absl::StatusCode::kUnavailable || absl::Now() > give_up) {
      std::cerr << "wisseld: " << status.message() << "\n";
      return 1;
    }
    LOG(WARNING) << "waiting for the state store: " << status.message();
    absl::SleepFor(absl::Milliseconds(500));
  }
  std::cout << "wisseld: listening on port " << server->port() << std::endl;

  absl::Notification stop;
  g_stop = &stop;
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  stop.WaitForNotification();
  server->Shutdown(drain_timeout);
  return 0;
}
