// BalieConfig: what the balie adapter (wissel-balie) reads from its YAML file — the tenant, the
// topic groups that give tickets their letter (A = burgerzaken, ...), the appointment code
// prefixes that stand for a topic, and the counter desks that sign in as handlers. Where the
// adapter listens and where the router is are flags, not config.
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
