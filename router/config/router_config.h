// RouterConfig: everything the router daemon reads from its YAML file at start and on reload —
// where it listens, where Redis is, and per tenant (gemeente) the routing configuration, the
// pseudonym secret and the retention period.
//
// The structs are plain values, safe to copy and to read from several threads once built.
// ParseRouterConfig/LoadRouterConfig are thread-safe apart from reading the process environment
// (for pseudonym_secret_env), which must not be modified concurrently. They never throw: every
// problem in the operator's file is an InvalidArgument that names the file, line, column and
// key path, so that a broken file can be rejected while the running configuration stays in
// force. See config/example/wissel.yaml for an annotated example of the schema.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "metrics/endpoint_options.h"
#include "router/access/access_policy.h"
#include "router/core/tenant_config.h"
#include "router/security/oidc_options.h"
#include "router/transport/tls_options.h"

namespace wissel::config {

struct HostPort {
  std::string host;
  int port = 0;  // 1..65535
};

// Redis found through Redis Sentinel (redis.sentinel in the file).
struct SentinelConfig {
  // The name the sentinels monitor the master under (`sentinel monitor NAME ...`).
  std::string master_name;
  // The sentinels, asked in turn; at least one.
  std::vector<HostPort> addresses;
  // Credentials for the sentinels themselves (redis.sentinel.username, .password_env or
  // .password_file), sent with AUTH on every connection to a sentinel. Empty password: the
  // sentinels need none. Empty username with a password: `AUTH password` (the default user).
  std::string username;
  // Never log it.
  std::string password;
  // Where the password came from, safe to log: "env:NAME" or "file:PATH"; empty without one.
  std::string password_source;
};

struct RedisConfig {
  // Used unless `sentinel` is set (the file may give one or the other).
  std::string host = "127.0.0.1";
  int port = 6379;  // 1..65535
  // Set when the master is found through Sentinel; `sentinel.addresses` empty otherwise.
  SentinelConfig sentinel;
  // Time allowed to establish the TCP connection.
  absl::Duration connect_timeout = absl::Seconds(2);
  // Time allowed for one command (or one pipelined batch) to be answered.
  absl::Duration command_timeout = absl::Seconds(2);
  // Stricter durability: a batch is acknowledged to callers only when this many replicas have
  // it (Redis WAIT); 0 = asynchronous replication (the default). 0..16.
  int min_replica_acks = 0;
  // How long a batch waits for those replicas before the calls fail with UNAVAILABLE. Positive
  // and below command_timeout. Default 500 ms.
  absl::Duration replica_ack_timeout = absl::Milliseconds(500);
  // Redis ACL user (redis.username), sent with AUTH on every connection; empty: the default
  // user (`AUTH password`, as with requirepass). See config/redis/wissel.acl.example.
  std::string username;
  // From redis.password_env or redis.password_file, never from the file itself; empty: no AUTH.
  // Never log it.
  std::string password;
  // Where the password came from, safe to log: "env:NAME" or "file:PATH"; empty without one.
  std::string password_source;

  bool uses_sentinel() const { return !sentinel.addresses.empty(); }
};

// One contact attribute a tenant accepts (`attributes:` in the tenant). Attributes not listed
// are refused with INVALID_ARGUMENT: nothing free-form reaches the store unless an operator
// allowed it by name.
struct AttributeSpec {
  // [a-z0-9_.]{1,40}, unique in the tenant ('.' for adapter namespaces: sip.dialled_number).
  std::string name;
  // Longest value accepted, in bytes: 1..4096.
  size_t max_length = 0;
  // Personal data (a name, an address, a free note): stored only encrypted with the tenant's
  // attribute key, never shown to the routing rules.
  bool personal = false;
};

struct TenantSettings {
  // The routing part, handed to the core. Validated: routing.Validate() is OK.
  core::TenantConfig routing;
  // HMAC key for pseudonyms (of BSNs and other personal identifiers); at least 32 bytes. Never
  // log it.
  std::string pseudonym_secret;
  // Where the secret came from, safe to log: "env:NAME", "file:PATH" or "literal".
  std::string pseudonym_secret_source;
  // During a rotation, the secret being replaced (`previous_pseudonym_secret*`): pseudonyms made
  // with it still match, and a contact-person mapping found under it is re-keyed to the current
  // secret. Empty outside a rotation. Never log it.
  std::string previous_pseudonym_secret;
  std::string previous_pseudonym_secret_source;
  // The contact attributes this tenant accepts; empty: none (the secure default).
  std::vector<AttributeSpec> attributes;
  // AES-256 key for personal attributes: 32 raw bytes (written as 64 hex digits in the
  // environment variable or file). Required when an attribute is personal. Never log it.
  std::string attribute_key;
  // Where the key came from, safe to log; empty when no key is configured.
  std::string attribute_key_source;
  // How long contact and session state is kept (the TTL of the tenant's Redis keys).
  absl::Duration contact_retention = absl::Hours(24 * 30);
  // How long the tenant's audit log keeps its entries (`audit_retention`; trimming by the
  // Redis server's clock). Default 365 days.
  absl::Duration audit_retention = absl::Hours(24 * 365);
  // How long the tenant's event stream (WatchEvents) keeps its events (`event_retention`;
  // trimming by the Redis server's clock): what a wallboard or a reporting job can still resume
  // from after a disconnection. Default 8 days, so a report over last week can be made from it.
  absl::Duration event_retention = absl::Hours(24 * 8);
};

// How a configuration is loaded.
struct LoadOptions {
  // When false, a pseudonym secret that cannot be obtained here (environment variable unset or
  // empty, secret file unreadable) is reported in RouterConfig::warnings instead of refusing the
  // file, and the tenant's pseudonym_secret stays empty: for `wisselctl config check` on a
  // machine without the production secrets. A secret that is present but too short is an error
  // either way. Default true: the daemon needs every secret.
  bool require_secrets = true;
};

struct RouterConfig {
  // gRPC listen address, "host:port" (port 0 picks a free port) or "unix:/path".
  std::string listen_address = "127.0.0.1:7450";
  // TLS of the listener (required: certificate and key, or plaintext for loopback development).
  // Files are watched and reloaded; they apply without a restart.
  transport::ServerTls tls;
  // CA bundle that issued the other routers' certificates (forwarding between routers); the
  // client CA when empty. This router presents tls.certificate_file to them.
  std::string peer_ca_file;
  // Who may do what (router/access/access_policy.h).
  access::AccessConfig access;
  // The identity provider whose bearer tokens (JWT) identify callers (access.oidc); none: calls
  // with a token are refused.
  std::optional<security::OidcOptions> oidc;
  RedisConfig redis;
  // On SIGTERM: how long in-flight calls may take before the server is stopped hard.
  absl::Duration drain_timeout = absl::Seconds(10);
  // The Prometheus endpoint (`metrics:`); off unless metrics.listen_address is set. Without
  // metrics.tls it serves HTTPS with tls.certificate_file and tls.private_key_file. Checked by
  // metrics::ValidateEndpointOptions at load; the files are read when the router starts.
  metrics::EndpointOptions metrics;
  // At least one; ids unique and matching [a-z0-9-]{1,63} (they become Redis hash tags).
  std::vector<TenantSettings> tenants;

  // Findings that do not refuse the file, in file order, each "FILE:LINE:COL: ...": rules
  // that look wrong (core::rules::RuleSet::warnings), secrets not checked (LoadOptions), a
  // secret written literally in the file. The daemon logs them; `wisselctl config check`
  // prints them.
  std::vector<std::string> warnings;

  // SHA-256 (64 lower-case hex digits) of the main file as LoadRouterConfig read it, for the
  // audit log of reloads; empty when parsed from a string (ParseRouterConfig).
  std::string source_sha256;

  // The tenant with this id, or nullptr. Linear in the number of tenants.
  const TenantSettings* FindTenant(absl::string_view id) const;
};

// Parses and validates a YAML document: the schema, then core::TenantConfig::Validate() and
// core::rules::RuleSet::Compile() for every tenant, so a file whose rules do not compile is
// refused as a whole. `filename` is used in error messages and to resolve relative
// pseudonym_secret_file, handlers_file and rules_file paths (against the file's directory);
// those files are read here, as is the time zone database (absl::LoadTimeZone) — the core does
// no I/O. Errors: InvalidArgument "FILE:LINE:COL: KEY.PATH: reason" (1-based line and column),
// e.g. "wissel.yaml:41:14: tenants[0].topics[3].queue: unknown queue 'wmo2'", where FILE is the
// file the problem is in (a handlers_file or rules_file too). Rule errors read
// "FILE:LINE:COL: rule 'NAME': reason", one line per problem. Unknown keys, wrong types, bad
// durations, missing required keys, an unset secret environment variable (unless
// `options.require_secrets` is false), an unknown time zone and malformed YAML are all errors;
// nothing is silently ignored.
//
// Positions inside a rule's `when` are exact for single-line conditions (plain or quoted
// without escapes) and for literal block scalars (`when: |`); for folded (`>`) or multi-line
// plain or quoted conditions the line is that of the condition's start plus the newlines
// before the problem, which may be off. Write long conditions with `|`.
absl::StatusOr<RouterConfig> ParseRouterConfig(absl::string_view yaml, absl::string_view filename,
                                               const LoadOptions& options = {});

// Reads the file at `path` and parses it as ParseRouterConfig does. Errors: NotFound if the file
// does not exist, PermissionDenied or another errno-derived code if it cannot be read,
// otherwise ParseRouterConfig's errors.
absl::StatusOr<RouterConfig> LoadRouterConfig(absl::string_view path,
                                              const LoadOptions& options = {});

}  // namespace wissel::config
