#include "metrics/endpoint_options.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "router/transport/tls_options.h"

namespace wissel::metrics {

EndpointOptionNames ConfigFileNames() {
  return {
      .listen_address = "metrics.listen_address",
      .certificate_file = "metrics.tls.certificate_file",
      .private_key_file = "metrics.tls.private_key_file",
      .plaintext = "metrics.tls.plaintext",
      .bearer_token_file = "metrics.bearer_token_file",
      .bearer_token_env = "metrics.bearer_token_env",
      .allow_anonymous = "metrics.allow_anonymous",
  };
}

EndpointOptionNames FlagNames() {
  return {
      .listen_address = "--metrics_listen",
      .certificate_file = "--metrics_cert_file",
      .private_key_file = "--metrics_key_file",
      .plaintext = "--metrics_plaintext",
      .bearer_token_file = "--metrics_token_file",
      .bearer_token_env = "--metrics_token_env",
      .allow_anonymous = "--metrics_allow_anonymous",
  };
}

absl::StatusOr<HostPort> ParseHostPort(absl::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("'", address, "' is not host:port"));
  }
  absl::string_view host = address.substr(0, colon);
  HostPort out;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &out.port) || out.port < 0 || out.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("'", address, "' has no port (0..65535)"));
  }
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  out.host = host.empty() ? "0.0.0.0" : std::string(host);
  return out;
}

absl::Status ValidateEndpointOptions(const EndpointOptions& options,
                                     const EndpointOptionNames& names) {
  if (!options.enabled()) return absl::OkStatus();
  absl::StatusOr<HostPort> address = ParseHostPort(options.listen_address);
  if (!address.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(names.listen_address, ": ", address.status().message()));
  }
  const bool loopback = transport::IsLoopbackAddress(options.listen_address);
  const bool has_files = !options.certificate_file.empty() || !options.private_key_file.empty();
  if (options.plaintext) {
    if (has_files) {
      return absl::InvalidArgumentError(absl::StrCat(
          names.plaintext, ": excludes ", names.certificate_file, " and ", names.private_key_file));
    }
    if (!loopback) {
      return absl::InvalidArgumentError(absl::StrCat(
          names.plaintext, ": plain HTTP is allowed only on a loopback listen address, not '",
          options.listen_address, "'; give ", names.certificate_file, " and ",
          names.private_key_file));
    }
  } else if (options.certificate_file.empty() || options.private_key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        options.certificate_file.empty() ? names.certificate_file : names.private_key_file,
        ": is required (the metrics endpoint serves HTTPS unless ", names.plaintext,
        " is set on a loopback address)"));
  }
  const bool has_file = !options.bearer_token_file.empty();
  const bool has_env = !options.bearer_token_env.empty();
  if (options.allow_anonymous) {
    if (has_file || has_env) {
      return absl::InvalidArgumentError(absl::StrCat(names.allow_anonymous, ": excludes ",
                                                     names.bearer_token_file, " and ",
                                                     names.bearer_token_env));
    }
    if (!loopback) {
      return absl::InvalidArgumentError(
          absl::StrCat(names.allow_anonymous,
                       ": scrapes without a token are allowed only on a loopback "
                       "listen address, not '",
                       options.listen_address, "'; give ", names.bearer_token_file));
    }
    return absl::OkStatus();
  }
  if (has_file && has_env) {
    return absl::InvalidArgumentError(absl::StrCat(names.bearer_token_file, " and ",
                                                   names.bearer_token_env,
                                                   ": give one of the two, not both"));
  }
  if (!has_file && !has_env) {
    return absl::InvalidArgumentError(
        absl::StrCat(names.bearer_token_file, ": is required (or ", names.bearer_token_env,
                     "): every scrape authenticates with a bearer token unless ",
                     names.allow_anonymous, " is set on a loopback address"));
  }
  return absl::OkStatus();
}

}  // namespace wissel::metrics
