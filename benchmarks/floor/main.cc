// wissel-floor: the "one gRPC call + one Redis round trip" baseline server (see
// floor_server.h). Runs until SIGTERM or SIGINT.
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "base/program_flags.h"
#include "base/termination.h"
#include "benchmarks/floor/floor_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "gRPC listen address host:port (0: any port).");
ABSL_FLAG(std::string, redis_host, "127.0.0.1", "Redis host.");
ABSL_FLAG(int, redis_port, 6379, "Redis port.");
ABSL_FLAG(bool, noop, false, "Reply without Redis: the floor of the gRPC layer alone.");
ABSL_FLAG(bool, contact_record, false,
          "Write the router's own record of a queued contact per call (its create script and "
          "hash) instead of the small script: the same Redis work, one round trip per call.");

int main(int argc, char** argv) {
  wissel::base::ParseProgramFlags(
      argc, argv,
      "wissel-floor [--listen=HOST:PORT] [--redis_port=PORT] [--noop]: serves RouteContact with "
      "one Redis EVALSHA per call (or none with --noop), as a baseline for wisseld.");
  // Block the stop signals before gRPC starts threads, then wait for them here.
  wissel::base::BlockTerminationSignals();

  wissel::floor::FloorConfig config;
  config.listen_address = absl::GetFlag(FLAGS_listen);
  config.redis_host = absl::GetFlag(FLAGS_redis_host);
  config.redis_port = absl::GetFlag(FLAGS_redis_port);
  config.noop = absl::GetFlag(FLAGS_noop);
  config.contact_record = absl::GetFlag(FLAGS_contact_record);
  wissel::floor::FloorServer server(config);
  if (absl::Status s = server.Start(); !s.ok()) {
    std::cerr << "wissel-floor: " << s.message() << "\n";
    return 1;
  }
  std::cout << "wissel-floor: listening on port " << server.port()
            << (config.noop             ? " (no-op)"
                : config.contact_record ? " (contact record)"
                                        : "")
            << std::endl;
  wissel::base::WaitForTerminationSignal();
  server.Shutdown();
  return 0;
}
