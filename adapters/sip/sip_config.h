// SipConfig: what the phone adapter (wissel-sip) reads from its YAML file — the tenant, the
// dial plan (dialled numbers and IVR choices to topics) and the SIP URIs the PBX is redirected
// to for each routing outcome, and the peers (the PBX) it takes requests from. Where it listens
// and where the router is are flags, not config.
//
// The structs are plain values, safe to copy and to read from several threads once built.
// ParseSipConfig/LoadSipConfig never throw: every problem in the operator's file is an
// InvalidArgument "FILE:LINE:COL: key.path: reason". See config/example/sip.yaml.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "adapters/sip/peer_filter.h"

namespace wissel::adapters::sip {

// One number residents dial, e.g. the 14 + area code main number.
struct DialledNumberConfig {
  // As written in the file ("14 0123"); matched in its normalised form (digits only, see
  // NormalizeDialledNumber in dial_plan.h).
  std::string number;
  // Topic (onderwerp) for a call on this number without a known IVR choice.
  std::string topic;
  // IVR choice ("1", "2", "31") -> topic. The PBX puts the choice in the request-URI user part
  // after a '*' (sip:140123*2@pbx) or in the ivr_header.
  std::map<std::string, std::string> ivr;
};

struct SipConfig {
  // Tenant (gemeente) id as configured in the router. Required.
  std::string tenant;
  // At least one; normalised numbers are unique.
  std::vector<DialledNumberConfig> numbers;
  // Header that carries the IVR choice; wins over a '*' suffix in the request-URI.
  std::string ivr_header = "X-IVR-Choice";
  // Contact for OUTCOME_ASSIGNED when the handler has no address of its own: "{handler}" is
  // replaced by the (URI-escaped) handler id. Required.
  std::string handler_uri_template;
  // Ask the router for Handler.address (GetHandler, cached) and prefer it over the template.
  bool use_handler_address = true;
  // Waiting URI on the PBX for OUTCOME_QUEUED when the queue has none of its own. Required.
  std::string default_waiting_uri;
  // Queue name -> waiting URI.
  std::map<std::string, std::string> queue_waiting_uris;
  // Announcement URIs: closed (outside opening hours), digital alternative, callback made.
  // All three required.
  std::string closed_uri;
  std::string digital_uri;
  std::string callback_uri;
  // Source addresses requests are taken from: the PBX, as IPv4/IPv6 addresses and CIDR blocks
  // (`trusted_peers`). A request from anywhere else is answered 403 Forbidden and changes
  // nothing. Not empty unless allow_any_peer.
  PeerFilter trusted_peers;
  // Development only (`allow_any_peer: true`): take requests from any source. Allowed only when
  // every listen address is loopback (CheckPeerPolicy). P-Asserted-Identity is still believed
  // only from trusted_peers.
  bool allow_any_peer = false;
  // Take the caller's number from P-Asserted-Identity when present and the request came from
  // one of trusted_peers, else from From.
  bool trust_asserted_identity = true;
  // Retry-After (whole seconds) on 503 when the router cannot be reached. Default 5s.
  absl::Duration retry_after = absl::Seconds(5);
  // How long a Call-ID is remembered with its contact id, so that a late CANCEL can still
  // abandon the contact. Default 10m.
  absl::Duration call_memory = absl::Minutes(10);
};

// Parses and validates a YAML document; `filename` is used in error messages.
absl::StatusOr<SipConfig> ParseSipConfig(absl::string_view yaml, absl::string_view filename);

// Reads and parses a file. NotFound/PermissionDenied when it cannot be read.
absl::StatusOr<SipConfig> LoadSipConfig(const std::string& path);

// Whether `config` may serve on `listen_addresses` ("host:port" or "[v6]:port"; empty ones are
// transports that are off): with allow_any_peer, every address must be a loopback literal
// (127.0.0.0/8, ::1) or "localhost"; FailedPrecondition naming the first that is not.
absl::Status CheckPeerPolicy(const SipConfig& config,
                             absl::Span<const std::string> listen_addresses);

// OK when `uri` is a SIP, SIPS or tel URI that libosip2 parses.
absl::Status ValidateSipUri(absl::string_view uri);

}  // namespace wissel::adapters::sip
