#include "adapters/common/adapter_process.h"

#include <glog/logging.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX sigwait, pthread_sigmask

#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "adapters/common/env_flags.h"
#include "base/duration_flag.h"
#include "base/program_flags.h"
#include "base/termination.h"

ABSL_FLAG(std::string, router, "127.0.0.1:7450",
          "gRPC target of the Wissel router (env WISSEL_ROUTER).");
ABSL_FLAG(wissel::base::DurationFlag, router_deadline, {absl::Seconds(2)},
          "Deadline of each call to the router (env WISSEL_ROUTER_DEADLINE).");

ABSL_FLAG(std::string, router_ca_file, "",
          "PEM file of the CA that issued the router's certificate (env WISSEL_ROUTER_CA_FILE).");
ABSL_FLAG(std::string, router_cert_file, "",
          "This adapter's certificate chain for mutual TLS (env WISSEL_ROUTER_CERT_FILE).");
ABSL_FLAG(std::string, router_key_file, "",
          "The private key of --router_cert_file (env WISSEL_ROUTER_KEY_FILE).");
ABSL_FLAG(std::string, router_token_file, "",
          "A file with an OAuth2 bearer token sent to the router, re-read when it changes "
          "(env WISSEL_ROUTER_TOKEN_FILE).");
ABSL_FLAG(std::string, router_server_name, "",
          "The name the router's certificate must carry, when not the --router host "
          "(env WISSEL_ROUTER_SERVER_NAME).");
ABSL_FLAG(bool, router_plaintext, false,
          "No TLS towards the router: only for a loopback --router, in development "
          "(env WISSEL_ROUTER_PLAINTEXT).");

ABSL_FLAG(std::string, metrics_listen, "",
          "host:port of the Prometheus endpoint (GET /metrics); empty: none "
          "(env WISSEL_METRICS_LISTEN).");
ABSL_FLAG(std::string, metrics_cert_file, "",
          "PEM certificate (then its intermediates) of the metrics endpoint, reloaded when the "
          "file changes (env WISSEL_METRICS_CERT_FILE).");
ABSL_FLAG(std::string, metrics_key_file, "",
          "PEM private key of --metrics_cert_file (env WISSEL_METRICS_KEY_FILE).");
ABSL_FLAG(std::string, metrics_token_file, "",
          "A file with the bearer token every scrape must present, re-read when it changes "
          "(env WISSEL_METRICS_TOKEN_FILE).");
ABSL_FLAG(std::string, metrics_token_env, "",
          "Instead: the name of an environment variable holding that token "
          "(env WISSEL_METRICS_TOKEN_ENV).");
ABSL_FLAG(bool, metrics_plaintext, false,
          "Serve the metrics over plain HTTP: only on a loopback --metrics_listen, in development "
          "(env WISSEL_METRICS_PLAINTEXT).");
ABSL_FLAG(bool, metrics_allow_anonymous, false,
          "Serve the metrics without a token: only on a loopback --metrics_listen, in "
          "development (env WISSEL_METRICS_ALLOW_ANONYMOUS).");

namespace wissel::adapters {

void InitAdapterProcess(int argc, char** argv, absl::string_view usage,
                        const FlagEnvironment& env) {
  base::BlockTerminationSignals();  // before any thread starts
  signal(SIGPIPE, SIG_IGN);
  FlagEnvironment all = {
      {"router", "WISSEL_ROUTER"},
      {"router_deadline", "WISSEL_ROUTER_DEADLINE"},
      {"router_ca_file", "WISSEL_ROUTER_CA_FILE"},
      {"router_cert_file", "WISSEL_ROUTER_CERT_FILE"},
      {"router_key_file", "WISSEL_ROUTER_KEY_FILE"},
      {"router_token_file", "WISSEL_ROUTER_TOKEN_FILE"},
      {"router_server_name", "WISSEL_ROUTER_SERVER_NAME"},
      {"router_plaintext", "WISSEL_ROUTER_PLAINTEXT"},
      {"metrics_listen", "WISSEL_METRICS_LISTEN"},
      {"metrics_cert_file", "WISSEL_METRICS_CERT_FILE"},
      {"metrics_key_file", "WISSEL_METRICS_KEY_FILE"},
      {"metrics_token_file", "WISSEL_METRICS_TOKEN_FILE"},
      {"metrics_token_env", "WISSEL_METRICS_TOKEN_ENV"},
      {"metrics_plaintext", "WISSEL_METRICS_PLAINTEXT"},
      {"metrics_allow_anonymous", "WISSEL_METRICS_ALLOW_ANONYMOUS"},
  };
  all.insert(all.end(), env.begin(), env.end());
  if (absl::Status s = ApplyEnvironment(all); !s.ok()) {
    std::cerr << argv[0] << ": " << s.message() << "\n";
    std::exit(2);
  }
  base::ParseProgramFlags(argc, argv, usage);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
}

absl::StatusOr<GrpcRouterClientOptions> RouterOptionsFromFlags() {
  GrpcRouterClientOptions options;
  options.target = absl::GetFlag(FLAGS_router);
  options.deadline = absl::GetFlag(FLAGS_router_deadline).value;
  if (options.target.empty()) return absl::InvalidArgumentError("--router is required");
  if (options.deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--router_deadline must be positive");
  }
  options.tls.plaintext = absl::GetFlag(FLAGS_router_plaintext);
  options.tls.ca_file = absl::GetFlag(FLAGS_router_ca_file);
  options.tls.certificate_file = absl::GetFlag(FLAGS_router_cert_file);
  options.tls.private_key_file = absl::GetFlag(FLAGS_router_key_file);
  options.tls.token_file = absl::GetFlag(FLAGS_router_token_file);
  options.tls.server_name = absl::GetFlag(FLAGS_router_server_name);
  if (absl::Status s = transport::ValidateClientTls(options.tls, options.target, "--router");
      !s.ok()) {
    return s;
  }
  return options;
}

absl::StatusOr<metrics::EndpointOptions> MetricsOptionsFromFlags() {
  metrics::EndpointOptions options;
  options.listen_address = absl::GetFlag(FLAGS_metrics_listen);
  options.certificate_file = absl::GetFlag(FLAGS_metrics_cert_file);
  options.private_key_file = absl::GetFlag(FLAGS_metrics_key_file);
  options.bearer_token_file = absl::GetFlag(FLAGS_metrics_token_file);
  options.bearer_token_env = absl::GetFlag(FLAGS_metrics_token_env);
  options.plaintext = absl::GetFlag(FLAGS_metrics_plaintext);
  options.allow_anonymous = absl::GetFlag(FLAGS_metrics_allow_anonymous);
  if (!options.enabled()) {
    const bool other = !options.certificate_file.empty() || !options.private_key_file.empty() ||
                       !options.bearer_token_file.empty() || !options.bearer_token_env.empty() ||
                       options.plaintext || options.allow_anonymous;
    if (other) {
      return absl::InvalidArgumentError(
          "--metrics_listen: is required with the other --metrics_ flags");
    }
    return options;
  }
  if (absl::Status s = metrics::ValidateEndpointOptions(options, metrics::FlagNames()); !s.ok()) {
    return s;
  }
  return options;
}

int WaitForTermination(absl::string_view name) {
  const int signal_number = base::WaitForTerminationSignal();
  LOG(INFO) << name << " got signal " << signal_number << "; finishing requests in flight";
  return signal_number;
}

}  // namespace wissel::adapters
