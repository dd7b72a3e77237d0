#include "adapters/common/adapter_main.h"

#include <glog/logging.h>

#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/duration_flag.h"
#include "base/status_macros.h"

ABSL_FLAG(std::string, listen, "", "host:port to serve HTTP on (env WISSEL_LISTEN).");
ABSL_FLAG(int64_t, max_body_bytes, int64_t{64} * 1024,
          "Largest request body accepted; larger get 413 (env WISSEL_MAX_BODY_BYTES).");
ABSL_FLAG(wissel::base::DurationFlag, read_timeout, {absl::Seconds(5)},
          "Time for a request and its body to arrive; a slower body gets 408 "
          "(env WISSEL_READ_TIMEOUT).");
ABSL_FLAG(wissel::base::DurationFlag, write_timeout, {absl::Seconds(5)},
          "Time a write to a client that does not read may take (env WISSEL_WRITE_TIMEOUT).");
ABSL_FLAG(int, http_threads, 32,
          "HTTP worker threads, one per connection in flight (env WISSEL_HTTP_THREADS).");
ABSL_FLAG(int, max_streams, 16,
          "Event streams open at once; more get 503 (env WISSEL_MAX_STREAMS).");
ABSL_FLAG(wissel::base::DurationFlag, retry_after, {absl::Seconds(2)},
          "Retry-After of 503 answers (env WISSEL_RETRY_AFTER).");

namespace wissel::adapters {

void InitAdapter(int argc, char** argv, absl::string_view usage, const FlagEnvironment& extra_env) {
  FlagEnvironment env = {
      {"listen", "WISSEL_LISTEN"},
      {"max_body_bytes", "WISSEL_MAX_BODY_BYTES"},
      {"read_timeout", "WISSEL_READ_TIMEOUT"},
      {"write_timeout", "WISSEL_WRITE_TIMEOUT"},
      {"http_threads", "WISSEL_HTTP_THREADS"},
      {"max_streams", "WISSEL_MAX_STREAMS"},
      {"retry_after", "WISSEL_RETRY_AFTER"},
  };
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  InitAdapterProcess(argc, argv, usage, env);
}

absl::StatusOr<AdapterConfig> AdapterConfigFromFlags(absl::string_view default_listen) {
  AdapterConfig config;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  WISSEL_RETURN_IF_ERROR(
      ParseListenAddress(listen.empty() ? default_listen : listen, &config.http));
  const int64_t max_body = absl::GetFlag(FLAGS_max_body_bytes);
  if (max_body <= 0) return absl::InvalidArgumentError("--max_body_bytes must be positive");
  config.http.max_body_bytes = static_cast<size_t>(max_body);
  config.http.read_timeout = absl::GetFlag(FLAGS_read_timeout).value;
  config.http.write_timeout = absl::GetFlag(FLAGS_write_timeout).value;
  config.http.keep_alive_timeout = config.http.read_timeout;
  config.http.threads = absl::GetFlag(FLAGS_http_threads);
  config.http.max_streams = absl::GetFlag(FLAGS_max_streams);
  config.http.retry_after = absl::GetFlag(FLAGS_retry_after).value;
  if (config.http.read_timeout < absl::Seconds(1) || config.http.write_timeout < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--read_timeout and --write_timeout must be at least 1s");
  }
  if (config.http.threads < 2 || config.http.max_streams < 0 ||
      config.http.max_streams >= config.http.threads) {
    return absl::InvalidArgumentError(
        "--http_threads must be at least 2 and --max_streams below --http_threads");
  }
  WISSEL_ASSIGN_OR_RETURN(config.router, RouterOptionsFromFlags());
  return config;
}

int ServeUntilTerminated(absl::string_view name, HttpServer* server) {
  if (absl::Status s = server->Start(); !s.ok()) {
    std::cerr << name << ": " << s.message() << "\n";
    return 1;
  }
  std::cout << name << ": listening on port " << server->port() << std::endl;
  LOG(INFO) << name << " serving HTTP on " << server->options().host << ":" << server->port();
  WaitForTermination(name);
  server->Shutdown();
  LOG(INFO) << name << " stopped";
  return 0;
}

}  // namespace wissel::adapters
