// BalieConfig: what the balie adapter (wissel-balie) reads from its YAML file — the tenant, the
// topic groups that give tickets their letter (A = burgerzaken, ...), the appointment code
// prefixes that stand for a topic, and the counter desks that sign in as handlers. Where the
// adapter listens and where the router is are flags, not config. The desks' and the kiosk's
// credentials are named here (an environment variable or a file), never written in the file;
// balie_credentials.h reads them.
//
// The structs are plain values, safe to copy and to read from several threads once built.
// ParseBalieConfig/LoadBalieConfig never throw: every problem in the operator's file is an
// InvalidArgument "FILE:LINE:COL: key.path: reason". See config/example/balie.yaml.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wissel::adapters::balie {

// Topics whose tickets share a letter and a number sequence, e.g. A = burgerzaken.
struct TopicGroup {
  // One upper-case letter A..Z, unique.
  char letter = 'A';
  // Shown on the kiosk, e.g. "Burgerzaken".
  std::string name;
  // Topic codes from the router's catalogue; each topic in at most one group.
  std::vector<std::string> topics;
};

// Appointment codes that start with `prefix` (e.g. "PAS-") are visits for `topic`.
struct AppointmentPrefix {
  std::string prefix;
  std::string topic;
};

// Where a secret comes from: exactly one of an environment variable and a file.
struct SecretSource {
  // Name of an environment variable ([A-Z_][A-Z0-9_]*), e.g. "WISSEL_BALIE_DESK_1_TOKEN".
  std::string env;
  // Absolute path of a file holding the secret (trailing white space is ignored), e.g. a
  // Kubernetes secret mounted at /run/secrets/desk-1.
  std::string file;
};

// A counter desk: one handler on the router's handler API.
struct DeskConfig {
  // Handler id and path segment, e.g. "desk-3": 1..64 of [A-Za-z0-9._-].
  std::string id;
  // Shown on the waiting-room display, e.g. "Balie 3".
  std::string name;
  // Skills the desk signs in with (queue skills, e.g. "balie-burgerzaken").
  std::vector<std::string> skills;
  // Teams (queue names) the desk belongs to.
  std::vector<std::string> teams;
  // The desk's bearer token (token_env or token_file): its next, done and state calls need it.
  SecretSource token;
};

struct BalieConfig {
  // Tenant (gemeente) id as configured in the router. Required.
  std::string tenant;
  // Title of the waiting-room display. Default "Welkom".
  std::string display_title = "Welkom";
  // IANA time zone of the town hall: ticket numbers restart every local day. Default
  // Europe/Amsterdam.
  std::string time_zone = "Europe/Amsterdam";
  // At least one.
  std::vector<TopicGroup> groups;
  std::vector<AppointmentPrefix> appointments;
  // At least one; ids and names unique.
  std::vector<DeskConfig> desks;
  // The kiosks' bearer token (kiosk: {token_env | token_file}): check-ins need it.
  SecretSource kiosk_token;

  // The group of `topic`, or nullptr when no group lists it.
  const TopicGroup* GroupOfTopic(absl::string_view topic) const;
  // The topic of an appointment code: the longest matching prefix; nullptr when none matches.
  const AppointmentPrefix* AppointmentFor(absl::string_view code) const;
  const DeskConfig* FindDesk(absl::string_view id) const;
};

// Parses the YAML text `yaml`; `filename` only labels errors.
absl::StatusOr<BalieConfig> ParseBalieConfig(absl::string_view yaml, absl::string_view filename);
// Reads and parses the file at `path`. NotFound when it cannot be read.
absl::StatusOr<BalieConfig> LoadBalieConfig(const std::string& path);

}  // namespace wissel::adapters::balie
