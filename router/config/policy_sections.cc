// A tenant's policies: `digital_first:` ("digitaal, tenzij") and `contact_person:` ("één
// contactpersoon").
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"
#include "router/config/config_parser.h"

namespace wissel::config {

absl::Status ConfigParser::ParseDigitalFirst(const YAML::Node& node, const std::string& path,
                                             core::TenantConfig::DigitalFirstPolicy* policy) {
  WISSEL_ASSIGN_OR_RETURN(
      const base::YamlEntries fields,
      reader_.ReadMap(node, path, {"tenzij_priority_boost", "digital_first_above_wait"}));
  if (const YAML::Node* n = fields.Find("tenzij_priority_boost")) {
    WISSEL_ASSIGN_OR_RETURN(policy->tenzij_priority_boost,
                            reader_.ReadInt(*n, base::JoinKeyPath(path, "tenzij_priority_boost")));
  }
  if (const YAML::Node* n = fields.Find("digital_first_above_wait")) {
    WISSEL_ASSIGN_OR_RETURN(
        policy->digital_first_above_wait,
        reader_.ReadDuration(*n, base::JoinKeyPath(path, "digital_first_above_wait")));
  }
  return absl::OkStatus();
}

absl::Status ConfigParser::ParseContactPerson(const YAML::Node& node, const std::string& path,
                                              core::TenantConfig::ContactPersonPolicy* policy) {
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries fields,
                          reader_.ReadMap(node, path, {"wait_for_contact_person", "mapping_ttl"}));
  if (const YAML::Node* n = fields.Find("wait_for_contact_person")) {
    WISSEL_ASSIGN_OR_RETURN(
        policy->wait_for_contact_person,
        reader_.ReadDuration(*n, base::JoinKeyPath(path, "wait_for_contact_person")));
  }
  if (const YAML::Node* n = fields.Find("mapping_ttl")) {
    WISSEL_ASSIGN_OR_RETURN(policy->mapping_ttl,
                            reader_.ReadDuration(*n, base::JoinKeyPath(path, "mapping_ttl")));
  }
  return absl::OkStatus();
}

}  // namespace wissel::config
