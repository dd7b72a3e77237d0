// What a gRPC listener or client needs to know about TLS: the certificate and key files, the CA
// that vouches for the other side, and whether the other side must present a certificate
// (mutual TLS). Plain values, read from the router's configuration or from command-line flags.
//
// Plaintext exists for development on one machine only: it is accepted only when explicitly
// asked for and only for a loopback address, so a misconfigured deployment fails to start
// instead of exposing residents' data on the network.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace wissel::transport {

struct ServerTls {
  // Explicitly no TLS. Only with a loopback listen address (IsLoopbackAddress).
  bool plaintext = false;
  // PEM files: the server's certificate chain and its private key. Required unless plaintext.
  std::string certificate_file;
  std::string private_key_file;
  // PEM bundle of the CA(s) that issue client certificates. When set, a client certificate is
  // verified against it and its subject alternative names identify the caller; when empty, no
  // client certificate is asked for.
  std::string client_ca_file;
  // Refuse callers without a valid client certificate at the handshake. Needs client_ca_file.
  bool require_client_certificate = false;
  // How often the files are checked for a new certificate, key or CA (no restart needed).
  absl::Duration refresh_interval = absl::Seconds(10);
};

struct ClientTls {
  // Explicitly no TLS. Only towards a loopback target.
  bool plaintext = false;
  // PEM bundle of the CA(s) that issued the server's certificate. Required unless plaintext.
  std::string ca_file;
  // This client's own certificate chain and key (mutual TLS), both or neither.
  std::string certificate_file;
  std::string private_key_file;
  // A file holding an OAuth2 bearer token (JWT) sent with every call; re-read when it changes,
  // so a sidecar can renew it. Optional.
  std::string token_file;
  // The name the server's certificate must carry, when it differs from the target's host (for
  // example an IP address target and a DNS name in the certificate).
  std::string server_name;
  absl::Duration refresh_interval = absl::Seconds(10);
};

// Whether a gRPC address is on this machine only: "unix:...", "localhost:P", "127.x.y.z:P",
// "[::1]:P" (and "ipv4:"/"ipv6:"/"dns:" prefixed forms of those). A wildcard (0.0.0.0, [::]) is
// not loopback.
bool IsLoopbackAddress(absl::string_view address);

// InvalidArgument naming the field ("tls.certificate_file", ...) when the options cannot work:
// plaintext for a non-loopback address, a missing or unreadable file, a certificate that does
// not match its key, a client certificate requirement without a CA. `prefix` is put before the
// field names ("tls" for the router's file, "--router" for flags).
absl::Status ValidateServerTls(const ServerTls& tls, absl::string_view listen_address,
                               absl::string_view prefix = "tls");
absl::Status ValidateClientTls(const ClientTls& tls, absl::string_view target,
                               absl::string_view prefix);

}  // namespace wissel::transport
