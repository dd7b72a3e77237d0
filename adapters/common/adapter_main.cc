#include "adapters/common/adapter_main.h"

#include <glog/logging.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

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
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate (then its intermediates) to serve HTTPS with; reloaded when the file "
          "changes (env WISSEL_TLS_CERT_FILE).");
ABSL_FLAG(std::string, tls_key_file, "",
          "PEM private key of --tls_cert_file; reloaded when the file changes "
          "(env WISSEL_TLS_KEY_FILE).");
ABSL_FLAG(bool, plaintext, false,
          "Serve plain HTTP instead of HTTPS; only on a loopback listen address "
          "(env WISSEL_PLAINTEXT).");
ABSL_FLAG(std::vector<std::string>, allowed_origins, {},
          "Web origins whose pages may call this adapter, comma-separated, e.g. "
          "https://www.wisseloord.nl (env WISSEL_ALLOWED_ORIGINS). Default none.");
ABSL_FLAG(double, rate_limit_per_minute, 30,
          "Creating calls (chat open, form submission, check-in) per minute per client address; "
          "0 switches the limit off (env WISSEL_RATE_LIMIT_PER_MINUTE).");
ABSL_FLAG(int, rate_limit_burst, 10,
          "Creating calls a client address may make at once before the per-minute rate applies "
          "(env WISSEL_RATE_LIMIT_BURST).");

namespace wissel::adapters {
namespace {

// HTTPS from the TLS files, or plain HTTP when asked for explicitly and only on loopback.
absl::Status TransportFromFlags(HttpServerOptions* http) {
  const std::string cert = absl::GetFlag(FLAGS_tls_cert_file);
  const std::string key = absl::GetFlag(FLAGS_tls_key_file);
  if (absl::GetFlag(FLAGS_plaintext)) {
    if (!cert.empty() || !key.empty()) {
      return absl::InvalidArgumentError(
          "--plaintext and --tls_cert_file/--tls_key_file exclude each other");
    }
    if (!IsLoopbackHost(http->host)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--plaintext serves plain HTTP, which is allowed only on a loopback listen address "
          "(127.0.0.1, ::1, localhost), not on ",
          http->host, "; serve HTTPS with --tls_cert_file and --tls_key_file"));
    }
    return absl::OkStatus();
  }
  if (cert.empty() || key.empty()) {
    return absl::InvalidArgumentError(
        "HTTPS needs --tls_cert_file and --tls_key_file (env WISSEL_TLS_CERT_FILE, "
        "WISSEL_TLS_KEY_FILE); plain HTTP only with --plaintext on a loopback listen address");
  }
  base::TlsServerOptions tls;
  tls.cert_file = cert;
  tls.key_file = key;
  WISSEL_ASSIGN_OR_RETURN(http->tls, base::TlsServerContext::Create(std::move(tls)));
  return absl::OkStatus();
}

}  // namespace

void InitAdapter(int argc, char** argv, absl::string_view usage, const FlagEnvironment& extra_env) {
  FlagEnvironment env = {
      {"listen", "WISSEL_LISTEN"},
      {"max_body_bytes", "WISSEL_MAX_BODY_BYTES"},
      {"read_timeout", "WISSEL_READ_TIMEOUT"},
      {"write_timeout", "WISSEL_WRITE_TIMEOUT"},
      {"http_threads", "WISSEL_HTTP_THREADS"},
      {"max_streams", "WISSEL_MAX_STREAMS"},
      {"retry_after", "WISSEL_RETRY_AFTER"},
      {"tls_cert_file", "WISSEL_TLS_CERT_FILE"},
      {"tls_key_file", "WISSEL_TLS_KEY_FILE"},
      {"plaintext", "WISSEL_PLAINTEXT"},
      {"allowed_origins", "WISSEL_ALLOWED_ORIGINS"},
      {"rate_limit_per_minute", "WISSEL_RATE_LIMIT_PER_MINUTE"},
      {"rate_limit_burst", "WISSEL_RATE_LIMIT_BURST"},
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
  WISSEL_RETURN_IF_ERROR(TransportFromFlags(&config.http));
  WISSEL_ASSIGN_OR_RETURN(config.http.cors,
                          CorsPolicy::Create(absl::GetFlag(FLAGS_allowed_origins)));
  config.http.rate_limit.per_minute = absl::GetFlag(FLAGS_rate_limit_per_minute);
  config.http.rate_limit.burst = absl::GetFlag(FLAGS_rate_limit_burst);
  WISSEL_RETURN_IF_ERROR(ValidateRateLimiterOptions(config.http.rate_limit));
  WISSEL_ASSIGN_OR_RETURN(config.router, RouterOptionsFromFlags());
  WISSEL_ASSIGN_OR_RETURN(config.metrics, MetricsOptionsFromFlags());
  return config;
}

int ServeUntilTerminated(absl::string_view name, HttpServer* server, AdapterMetrics* metrics) {
  if (metrics != nullptr) {
    if (absl::Status s = metrics->Start(); !s.ok()) {
      std::cerr << name << ": " << s.message() << "\n";
      return 1;
    }
    std::cout << name << ": metrics on port " << metrics->port() << std::endl;
  }
  if (absl::Status s = server->Start(); !s.ok()) {
    std::cerr << name << ": " << s.message() << "\n";
    return 1;
  }
  std::cout << name << ": listening on port " << server->port() << std::endl;
  LOG(INFO) << name << " serving " << (server->tls() ? "HTTPS" : "plain HTTP") << " on "
            << server->options().host << ":" << server->port();
  WaitForTermination(name);
  server->Shutdown();
  if (metrics != nullptr) metrics->Shutdown();
  LOG(INFO) << name << " stopped";
  return 0;
}

}  // namespace wissel::adapters
