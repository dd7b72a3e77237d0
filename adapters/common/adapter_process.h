// What every adapter's main() shares, whatever its protocol (HTTP, SIP, ...): the router flags
// with their environment variables, one reader for flags and environment, and one termination
// path. Linked only into the adapter binaries (flags live in binaries; the libraries take the
// option structs). HTTP adapters use adapter_main.h, which adds the HTTP flags on top.
//
// Flags (environment variable in brackets; a flag on the command line wins):
//   --router           [WISSEL_ROUTER]          gRPC target of the router
//   --router_deadline  [WISSEL_ROUTER_DEADLINE] deadline of each router call (2s)
//   --router_ca_file   [WISSEL_ROUTER_CA_FILE]  CA of the router's certificate (TLS is required)
//   --router_cert_file [WISSEL_ROUTER_CERT_FILE] this adapter's certificate (mutual TLS)
//   --router_key_file  [WISSEL_ROUTER_KEY_FILE]  its private key
//   --router_token_file [WISSEL_ROUTER_TOKEN_FILE] bearer token file, re-read when it changes
//   --router_server_name [WISSEL_ROUTER_SERVER_NAME] name in the router's certificate
//   --router_plaintext [WISSEL_ROUTER_PLAINTEXT] no TLS; loopback development only
// and the Prometheus endpoint (adapter_metrics.h; off without --metrics_listen):
//   --metrics_listen    [WISSEL_METRICS_LISTEN]    host:port of GET /metrics
//   --metrics_cert_file [WISSEL_METRICS_CERT_FILE] its PEM certificate (HTTPS is required)
//   --metrics_key_file  [WISSEL_METRICS_KEY_FILE]  its PEM private key (both reloaded on change)
//   --metrics_token_file [WISSEL_METRICS_TOKEN_FILE] the scrapers' bearer token, re-read on change
//   --metrics_token_env [WISSEL_METRICS_TOKEN_ENV] or: the environment variable holding it
//   --metrics_plaintext [WISSEL_METRICS_PLAINTEXT] plain HTTP; loopback development only
//   --metrics_allow_anonymous [WISSEL_METRICS_ALLOW_ANONYMOUS] no token; loopback only
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "adapters/common/grpc_router_client.h"
#include "metrics/endpoint_options.h"

namespace wissel::adapters {

// (flag name, environment variable) pairs, applied in order (a later pair wins).
using FlagEnvironment = std::vector<std::pair<std::string, std::string>>;

// Blocks SIGTERM/SIGINT for every thread (base/termination.h) and ignores SIGPIPE (a peer that
// goes away mid-answer must not kill the process); applies the environment to the router flags
// and to `env` (env_flags.h); parses the command line (base/program_flags.h: `--help` lists the
// program's flags and exits 0); logs to stderr. Exits with status 2 and a message on a bad
// environment value. Call first in main(), before any thread starts.
void InitAdapterProcess(int argc, char** argv, absl::string_view usage, const FlagEnvironment& env);

// The router client's options from the --router flags. InvalidArgument for an empty target, a
// deadline that is not positive, or TLS options that cannot work (transport::ValidateClientTls).
absl::StatusOr<GrpcRouterClientOptions> RouterOptionsFromFlags();

// The metrics endpoint's options from the --metrics flags, checked
// (metrics::ValidateEndpointOptions; errors name the flag). Disabled without --metrics_listen.
absl::StatusOr<metrics::EndpointOptions> MetricsOptionsFromFlags();

// Blocks until SIGTERM or SIGINT and logs "NAME got signal N; finishing requests in flight";
// returns the signal number. The caller then drains what it serves.
int WaitForTermination(absl::string_view name);

}  // namespace wissel::adapters
