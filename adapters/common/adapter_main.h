// What every HTTP adapter's main() shares: the HTTP flags with their environment variables on
// top of the router flags of adapter_process.h, and serving until SIGTERM. Linked only into the
// HTTP adapter binaries (flags live in binaries; the libraries take the option structs).
//
// Flags (environment variable in brackets; a flag on the command line wins), besides --router
// and --router_deadline:
//   --listen           [WISSEL_LISTEN]          host:port to serve HTTP on
//   --max_body_bytes   [WISSEL_MAX_BODY_BYTES]  largest request body (65536)
//   --read_timeout     [WISSEL_READ_TIMEOUT]    time for a request to arrive (5s)
//   --write_timeout    [WISSEL_WRITE_TIMEOUT]   time for a write to a slow client (5s)
//   --http_threads     [WISSEL_HTTP_THREADS]    worker threads (32)
//   --max_streams      [WISSEL_MAX_STREAMS]     event streams open at once (16)
//   --retry_after      [WISSEL_RETRY_AFTER]     Retry-After of 503 answers (2s)
//   --tls_cert_file    [WISSEL_TLS_CERT_FILE]   PEM certificate (+ chain) to serve HTTPS with
//   --tls_key_file     [WISSEL_TLS_KEY_FILE]    its PEM private key (both reloaded on change)
//   --plaintext        [WISSEL_PLAINTEXT]       plain HTTP instead, only on a loopback address
//   --allowed_origins  [WISSEL_ALLOWED_ORIGINS] web origins that may call from a browser
//   --rate_limit_per_minute [WISSEL_RATE_LIMIT_PER_MINUTE]  per client address (30; 0 off)
//   --rate_limit_burst [WISSEL_RATE_LIMIT_BURST] calls at once before the rate applies (10)
// and the --metrics_* flags of adapter_process.h.
//
// HTTPS is the default and needs the two files; an adapter given neither them nor --plaintext,
// or --plaintext with a listen address other machines can reach, refuses to start (exit 2).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "adapters/common/adapter_metrics.h"
#include "adapters/common/adapter_process.h"
#include "adapters/common/grpc_router_client.h"
#include "adapters/common/http_server.h"

namespace wissel::adapters {

struct AdapterConfig {
  HttpServerOptions http;
  GrpcRouterClientOptions router;
  // The --metrics flags (adapter_process.h); disabled without --metrics_listen.
  metrics::EndpointOptions metrics;
};

// InitAdapterProcess (adapter_process.h) with the HTTP flags' environment variables and
// `extra_env` (flag name, variable). Exits with status 2 and a message on a bad value.
void InitAdapter(int argc, char** argv, absl::string_view usage, const FlagEnvironment& extra_env);

// The common options from the flags; `default_listen` when --listen is empty. Loads the TLS
// certificate and key. InvalidArgument for a bad value, for neither TLS files nor --plaintext,
// and for --plaintext on an address that is not loopback.
absl::StatusOr<AdapterConfig> AdapterConfigFromFlags(absl::string_view default_listen);

// Starts `metrics` (when not null; it prints "NAME: metrics on port N") and `server`, prints
// "NAME: listening on port N" on stdout (tests and scripts wait for that line), waits for SIGTERM
// or SIGINT (WaitForTermination), then shuts the server down gracefully, and the metrics last.
// Returns the exit code: 0 after a clean shutdown, 1 when a server could not start.
int ServeUntilTerminated(absl::string_view name, HttpServer* server,
                         AdapterMetrics* metrics = nullptr);

}  // namespace wissel::adapters
