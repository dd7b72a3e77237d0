// What a metrics endpoint (endpoint.h) listens on and whom it serves, as plain values read from
// wisseld's configuration file (`metrics:`) or an adapter's flags, and their checks.
//
// Secure by default: HTTPS with a certificate, and a bearer token every scrape must present.
// Plain HTTP and anonymous scrapes exist for development on one machine only: each must be asked
// for explicitly and is accepted only on a loopback listen address.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wissel::metrics {

struct EndpointOptions {
  // host:port to serve GET /metrics on ("0.0.0.0:9464", "[::]:9464"; port 0: any free port).
  // Empty: no endpoint.
  std::string listen_address;
  // HTTPS: the PEM certificate chain and private key, reloaded when the files change.
  std::string certificate_file;
  std::string private_key_file;
  // Plain HTTP instead of HTTPS; only on a loopback listen address.
  bool plaintext = false;
  // The bearer token scrapers present ("Authorization: Bearer ..."), read from this file (and
  // re-read when it changes) ...
  std::string bearer_token_file;
  // ... or from the environment variable of this name. 16 to 4096 characters of RFC 6750
  // token68 syntax.
  std::string bearer_token_env;
  // Scrapes without a token; only on a loopback listen address.
  bool allow_anonymous = false;

  bool enabled() const { return !listen_address.empty(); }
};

// How the options are called where they come from, so an error names what the operator wrote.
struct EndpointOptionNames {
  std::string listen_address;
  std::string certificate_file;
  std::string private_key_file;
  std::string plaintext;
  std::string bearer_token_file;
  std::string bearer_token_env;
  std::string allow_anonymous;
};

// wisseld's configuration file (router/config).
EndpointOptionNames ConfigFileNames();
// The adapters' flags (adapters/common/adapter_process.h).
EndpointOptionNames FlagNames();

// A listen address split into host (brackets of an IPv6 address removed; "0.0.0.0" for an
// empty host) and port.
struct HostPort {
  std::string host;
  int port = 0;
};
// InvalidArgument when `address` is not host:port with a port in 0..65535.
absl::StatusOr<HostPort> ParseHostPort(absl::string_view address);

// InvalidArgument naming the option (by `names`) when the options cannot work or are not
// secure: no certificate and key without plaintext, plaintext together with files, plaintext
// or anonymous scrapes on an address other machines can reach, no token source (or two)
// without allow_anonymous, a token source together with allow_anonymous. Files are read by
// Endpoint::Create, not here. OK for disabled options.
absl::Status ValidateEndpointOptions(const EndpointOptions& options,
                                     const EndpointOptionNames& names);

}  // namespace wissel::metrics
