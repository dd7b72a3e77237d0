// A tenant's policies: `digital_first:` ("digitaal, tenzij"), `contact_person:` ("één
// contactpersoon") and `surveys:` (klanttevredenheidsonderzoek).
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

absl::StatusOr<double> ConfigParser::ReadShare(const YAML::Node& node, const std::string& path) {
  WISSEL_ASSIGN_OR_RETURN(const double share, reader_.ReadNumber(node, path));
  if (share < 0 || share > 1) {
    return reader_.Error(node, path, "must be a share between 0 and 1 (0.1 is one in ten)");
  }
  return share;
}

absl::Status ConfigParser::ParseSurveys(const YAML::Node& node, const std::string& path,
                                        core::TenantConfig::SurveyPolicy* policy) {
  WISSEL_ASSIGN_OR_RETURN(
      const base::YamlEntries fields,
      reader_.ReadMap(node, path, {"rate", "channels", "topics", "quiet_period"}));
  if (const YAML::Node* n = fields.Find("rate")) {
    WISSEL_ASSIGN_OR_RETURN(policy->rate, ReadShare(*n, base::JoinKeyPath(path, "rate")));
  }
  if (const YAML::Node* n = fields.Find("channels")) {
    const std::string channels_path = base::JoinKeyPath(path, "channels");
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries channels,
                            reader_.ReadMap(*n, channels_path, ChannelKeys()));
    for (core::Channel c : core::kAllChannels) {
      if (const YAML::Node* v = channels.Find(core::ChannelName(c))) {
        WISSEL_ASSIGN_OR_RETURN(
            policy->channel_rate[c],
            ReadShare(*v, base::JoinKeyPath(channels_path, core::ChannelName(c))));
      }
    }
  }
  if (const YAML::Node* n = fields.Find("topics")) {
    const std::string topics_path = base::JoinKeyPath(path, "topics");
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries topics, reader_.ReadAnyMap(*n, topics_path));
    for (const base::YamlEntry& e : topics.all()) {
      WISSEL_ASSIGN_OR_RETURN(const double share,
                              ReadShare(e.value, base::JoinKeyPath(topics_path, e.key)));
      policy->topic_rate.emplace_back(e.key, share);
    }
  }
  if (const YAML::Node* n = fields.Find("quiet_period")) {
    WISSEL_ASSIGN_OR_RETURN(policy->quiet_period, reader_.ReadPositiveDuration(
                                                      *n, base::JoinKeyPath(path, "quiet_period")));
  }
  return absl::OkStatus();
}

}  // namespace wissel::config
