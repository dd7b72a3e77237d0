// A tenant's product catalogue: `queues:` (with escalation steps) and `topics:` (onderwerpen,
// with digital alternative, skills and service norms).
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"
#include "router/config/config_parser.h"

namespace wissel::config {
namespace {

constexpr base::EnumName<core::Strategy> kStrategies[] = {
    {"longest_idle", core::Strategy::kLongestIdle},
    {"least_occupied", core::Strategy::kLeastOccupied},
    {"best_proficiency", core::Strategy::kBestProficiency},
    {"round_robin", core::Strategy::kRoundRobin},
};

constexpr base::EnumName<core::ServicePhase> kPhases[] = {
    {"none", core::ServicePhase::kNone},
    {"eigen_kracht", core::ServicePhase::kEigenKracht},
    {"preventie", core::ServicePhase::kPreventie},
    {"maatwerk", core::ServicePhase::kMaatwerk},
};

}  // namespace

absl::Status ConfigParser::ParseQueue(const YAML::Node& node, const std::string& path,
                                      core::QueueConfig* queue) {
  reader_.Record(path, node);
  WISSEL_ASSIGN_OR_RETURN(
      const base::YamlEntries fields,
      reader_.ReadMap(node, path,
                      {"name", "skill", "default_handle_time", "min_proficiency", "sla_target",
                       "strategy", "escalation", "authorised_for_confidential"}));
  WISSEL_ASSIGN_OR_RETURN(const YAML::Node* name, reader_.Require(fields, node, path, "name"));
  WISSEL_ASSIGN_OR_RETURN(queue->name, reader_.ReadString(*name, base::JoinKeyPath(path, "name")));
  queue->skill = queue->name;
  if (const YAML::Node* n = fields.Find("skill")) {
    WISSEL_ASSIGN_OR_RETURN(queue->skill, reader_.ReadString(*n, base::JoinKeyPath(path, "skill")));
  }
  if (const YAML::Node* n = fields.Find("default_handle_time")) {
    WISSEL_ASSIGN_OR_RETURN(
        queue->default_handle_time,
        reader_.ReadDuration(*n, base::JoinKeyPath(path, "default_handle_time")));
  }
  if (const YAML::Node* n = fields.Find("min_proficiency")) {
    WISSEL_ASSIGN_OR_RETURN(queue->min_proficiency,
                            reader_.ReadInt(*n, base::JoinKeyPath(path, "min_proficiency")));
  }
  if (const YAML::Node* n = fields.Find("sla_target")) {
    WISSEL_ASSIGN_OR_RETURN(queue->sla_target,
                            reader_.ReadDuration(*n, base::JoinKeyPath(path, "sla_target")));
  }
  if (const YAML::Node* n = fields.Find("strategy")) {
    WISSEL_ASSIGN_OR_RETURN(queue->strategy,
                            reader_.ReadEnum(*n, base::JoinKeyPath(path, "strategy"),
                                             absl::MakeSpan(kStrategies), "strategy"));
  }
  if (const YAML::Node* n = fields.Find("authorised_for_confidential")) {
    WISSEL_ASSIGN_OR_RETURN(
        queue->authorised_for_confidential,
        reader_.ReadBool(*n, base::JoinKeyPath(path, "authorised_for_confidential")));
  }
  if (const YAML::Node* n = fields.Find("escalation")) {
    const std::string escalation_path = base::JoinKeyPath(path, "escalation");
    WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(*n, escalation_path));
    size_t i = 0;
    for (const YAML::Node& item : *n) {
      const std::string step_path = base::IndexPath(escalation_path, i++);
      reader_.Record(step_path, item);
      WISSEL_ASSIGN_OR_RETURN(
          const base::YamlEntries step_fields,
          reader_.ReadMap(item, step_path,
                          {"after", "min_proficiency", "overflow", "offer_callback"}));
      core::EscalationStep step;
      WISSEL_ASSIGN_OR_RETURN(const YAML::Node* after,
                              reader_.Require(step_fields, item, step_path, "after"));
      WISSEL_ASSIGN_OR_RETURN(step.after,
                              reader_.ReadDuration(*after, base::JoinKeyPath(step_path, "after")));
      if (const YAML::Node* v = step_fields.Find("min_proficiency")) {
        WISSEL_ASSIGN_OR_RETURN(
            step.min_proficiency,
            reader_.ReadInt(*v, base::JoinKeyPath(step_path, "min_proficiency")));
      }
      if (const YAML::Node* v = step_fields.Find("overflow")) {
        WISSEL_ASSIGN_OR_RETURN(step.overflow_queue,
                                reader_.ReadString(*v, base::JoinKeyPath(step_path, "overflow")));
      }
      if (const YAML::Node* v = step_fields.Find("offer_callback")) {
        WISSEL_ASSIGN_OR_RETURN(
            step.offer_callback,
            reader_.ReadBool(*v, base::JoinKeyPath(step_path, "offer_callback")));
      }
      queue->escalation.push_back(std::move(step));
    }
  }
  return absl::OkStatus();
}

absl::Status ConfigParser::ParseTopic(const YAML::Node& node, const std::string& path,
                                      core::TopicConfig* topic) {
  reader_.Record(path, node);
  WISSEL_ASSIGN_OR_RETURN(
      const base::YamlEntries fields,
      reader_.ReadMap(
          node, path,
          {"code", "name", "domain", "queue", "default_priority", "phase", "digital_alternative",
           "person_after_digital_offer", "skills", "norms", "confidential"}));
  const std::pair<absl::string_view, std::string*> required[] = {
      {"code", &topic->code},
      {"name", &topic->name},
      {"domain", &topic->domain},
      {"queue", &topic->queue},
  };
  for (const auto& [key, field] : required) {
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* n, reader_.Require(fields, node, path, key));
    WISSEL_ASSIGN_OR_RETURN(*field, reader_.ReadString(*n, base::JoinKeyPath(path, key)));
  }
  if (const YAML::Node* n = fields.Find("default_priority")) {
    WISSEL_ASSIGN_OR_RETURN(topic->default_priority,
                            reader_.ReadInt(*n, base::JoinKeyPath(path, "default_priority")));
  }
  if (const YAML::Node* n = fields.Find("phase")) {
    WISSEL_ASSIGN_OR_RETURN(topic->phase, reader_.ReadEnum(*n, base::JoinKeyPath(path, "phase"),
                                                           absl::MakeSpan(kPhases), "phase"));
  }
  if (const YAML::Node* n = fields.Find("digital_alternative")) {
    const std::string alt_path = base::JoinKeyPath(path, "digital_alternative");
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries alt,
                            reader_.ReadMap(*n, alt_path, {"url", "message"}));
    core::DigitalAlternative alternative;
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* url, reader_.Require(alt, *n, alt_path, "url"));
    WISSEL_ASSIGN_OR_RETURN(alternative.url,
                            reader_.ReadString(*url, base::JoinKeyPath(alt_path, "url")));
    if (const YAML::Node* v = alt.Find("message")) {
      WISSEL_ASSIGN_OR_RETURN(alternative.message,
                              reader_.ReadString(*v, base::JoinKeyPath(alt_path, "message")));
    }
    topic->digital_alternative = std::move(alternative);
  }
  if (const YAML::Node* n = fields.Find("person_after_digital_offer")) {
    WISSEL_ASSIGN_OR_RETURN(
        topic->person_after_digital_offer,
        reader_.ReadBool(*n, base::JoinKeyPath(path, "person_after_digital_offer")));
  }
  if (const YAML::Node* n = fields.Find("skills")) {
    // skill: minimum proficiency, like the roster's skills.
    const std::string skills_path = base::JoinKeyPath(path, "skills");
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries skills, reader_.ReadAnyMap(*n, skills_path));
    for (const base::YamlEntry& e : skills.all()) {
      core::SkillRequirement requirement;
      requirement.skill = e.key;
      WISSEL_ASSIGN_OR_RETURN(requirement.min_proficiency,
                              reader_.ReadInt(e.value, base::JoinKeyPath(skills_path, e.key)));
      topic->skills.push_back(std::move(requirement));
    }
  }
  if (const YAML::Node* n = fields.Find("norms")) {
    const std::string norms_path = base::JoinKeyPath(path, "norms");
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries norms,
                            reader_.ReadMap(*n, norms_path, ChannelKeys()));
    for (core::Channel c : core::kAllChannels) {
      const YAML::Node* v = norms.Find(core::ChannelName(c));
      if (v == nullptr) continue;
      const std::string channel_path = base::JoinKeyPath(norms_path, core::ChannelName(c));
      WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries norm,
                              reader_.ReadMap(*v, channel_path, {"answer_within", "working_days"}));
      if (norm.all().empty()) {
        return reader_.Error(*v, channel_path, "give answer_within or working_days");
      }
      if (const YAML::Node* w = norm.Find("answer_within")) {
        WISSEL_ASSIGN_OR_RETURN(
            topic->norms[c].answer_within,
            reader_.ReadDuration(*w, base::JoinKeyPath(channel_path, "answer_within")));
      }
      if (const YAML::Node* w = norm.Find("working_days")) {
        WISSEL_ASSIGN_OR_RETURN(
            topic->norms[c].working_days,
            reader_.ReadInt(*w, base::JoinKeyPath(channel_path, "working_days")));
      }
    }
  }
  if (const YAML::Node* n = fields.Find("confidential")) {
    WISSEL_ASSIGN_OR_RETURN(topic->confidential,
                            reader_.ReadBool(*n, base::JoinKeyPath(path, "confidential")));
  }
  return absl::OkStatus();
}

}  // namespace wissel::config
