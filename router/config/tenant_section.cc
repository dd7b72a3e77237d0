// One entry of `tenants:`: id, name, pseudonym secret, retention and channel names; the other
// sections of a tenant are read in their own files. Ends by validating the tenant and compiling
// its rules.
#include <glog/logging.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"
#include "router/config/config_parser.h"
#include "router/core/rules/rule_set.h"

namespace wissel::config {
namespace {

constexpr size_t kMinSecretBytes = 32;

bool IsValidTenantId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

core::PerChannel<std::string> DefaultChannelNames() {
  core::PerChannel<std::string> names;
  names[core::Channel::kPhone] = "Telefoon";
  names[core::Channel::kChat] = "Chat";
  names[core::Channel::kWebForm] = "Webformulier";
  names[core::Channel::kBalie] = "Balie";
  names[core::Channel::kEmail] = "E-mail";
  return names;
}

}  // namespace

absl::Status ConfigParser::ParseTenant(const YAML::Node& node, const std::string& path,
                                       TenantSettings* tenant) {
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries fields,
                          reader_.ReadMap(node, path,
                                          {"id",
                                           "name",
                                           "pseudonym_secret_env",
                                           "pseudonym_secret_file",
                                           "pseudonym_secret",
                                           "previous_pseudonym_secret_env",
                                           "previous_pseudonym_secret_file",
                                           "previous_pseudonym_secret",
                                           "attributes",
                                           "attribute_key_env",
                                           "attribute_key_file",
                                           "attribute_key",
                                           "contact_retention",
                                           "audit_retention",
                                           "event_retention",
                                           "channels",
                                           "handler_defaults",
                                           "queues",
                                           "topics",
                                           "handlers",
                                           "handlers_file",
                                           "dynamic_handlers",
                                           "calendar",
                                           "digital_first",
                                           "contact_person",
                                           "surveys",
                                           "aging_per_minute",
                                           "rules",
                                           "rules_file"}));
  core::TenantConfig& routing = tenant->routing;

  WISSEL_ASSIGN_OR_RETURN(const YAML::Node* id, reader_.Require(fields, node, path, "id"));
  WISSEL_ASSIGN_OR_RETURN(routing.id, reader_.ReadString(*id, base::JoinKeyPath(path, "id")));
  if (!IsValidTenantId(routing.id)) {
    return reader_.Error(*id, base::JoinKeyPath(path, "id"),
                         absl::StrCat("invalid tenant id '", routing.id,
                                      "'; use 1 to 63 characters from a-z, 0-9 and '-'"));
  }
  WISSEL_ASSIGN_OR_RETURN(const YAML::Node* name, reader_.Require(fields, node, path, "name"));
  WISSEL_ASSIGN_OR_RETURN(routing.name, reader_.ReadString(*name, base::JoinKeyPath(path, "name")));

  WISSEL_RETURN_IF_ERROR(ParseSecret(fields, node, path, tenant));
  WISSEL_RETURN_IF_ERROR(ParseAttributes(fields, path, tenant));
  if (const YAML::Node* n = fields.Find("contact_retention")) {
    WISSEL_ASSIGN_OR_RETURN(
        tenant->contact_retention,
        reader_.ReadPositiveDuration(*n, base::JoinKeyPath(path, "contact_retention")));
  }
  if (const YAML::Node* n = fields.Find("audit_retention")) {
    WISSEL_ASSIGN_OR_RETURN(
        tenant->audit_retention,
        reader_.ReadPositiveDuration(*n, base::JoinKeyPath(path, "audit_retention")));
  }
  if (const YAML::Node* n = fields.Find("event_retention")) {
    WISSEL_ASSIGN_OR_RETURN(
        tenant->event_retention,
        reader_.ReadPositiveDuration(*n, base::JoinKeyPath(path, "event_retention")));
  }

  routing.channel_names = DefaultChannelNames();
  if (const YAML::Node* n = fields.Find("channels")) {
    WISSEL_RETURN_IF_ERROR(ParseChannelNames(*n, base::JoinKeyPath(path, "channels"), &routing));
  }
  if (const YAML::Node* n = fields.Find("dynamic_handlers")) {
    WISSEL_ASSIGN_OR_RETURN(routing.dynamic_handlers,
                            reader_.ReadBool(*n, base::JoinKeyPath(path, "dynamic_handlers")));
  }
  if (const YAML::Node* n = fields.Find("handler_defaults")) {
    WISSEL_RETURN_IF_ERROR(ParseHandlerDefaults(*n, base::JoinKeyPath(path, "handler_defaults"),
                                                &routing.handler_defaults));
  }
  if (const YAML::Node* n = fields.Find("queues")) {
    const std::string queues_path = base::JoinKeyPath(path, "queues");
    WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(*n, queues_path));
    size_t i = 0;
    for (const YAML::Node& item : *n) {
      core::QueueConfig queue;
      WISSEL_RETURN_IF_ERROR(ParseQueue(item, base::IndexPath(queues_path, i++), &queue));
      routing.queues.push_back(std::move(queue));
    }
  }
  if (const YAML::Node* n = fields.Find("topics")) {
    const std::string topics_path = base::JoinKeyPath(path, "topics");
    WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(*n, topics_path));
    size_t i = 0;
    for (const YAML::Node& item : *n) {
      core::TopicConfig topic;
      WISSEL_RETURN_IF_ERROR(ParseTopic(item, base::IndexPath(topics_path, i++), &topic));
      routing.topics.push_back(std::move(topic));
    }
  }
  WISSEL_RETURN_IF_ERROR(ParseRoster(fields, path, &routing));
  if (const YAML::Node* n = fields.Find("calendar")) {
    WISSEL_RETURN_IF_ERROR(
        ParseCalendar(*n, base::JoinKeyPath(path, "calendar"), &routing.calendar));
  }
  if (const YAML::Node* n = fields.Find("digital_first")) {
    WISSEL_RETURN_IF_ERROR(
        ParseDigitalFirst(*n, base::JoinKeyPath(path, "digital_first"), &routing.digital_first));
  }
  if (const YAML::Node* n = fields.Find("contact_person")) {
    WISSEL_RETURN_IF_ERROR(
        ParseContactPerson(*n, base::JoinKeyPath(path, "contact_person"), &routing.contact_person));
  }
  if (const YAML::Node* n = fields.Find("surveys")) {
    WISSEL_RETURN_IF_ERROR(ParseSurveys(*n, base::JoinKeyPath(path, "surveys"), &routing.surveys));
  }
  if (const YAML::Node* n = fields.Find("aging_per_minute")) {
    WISSEL_ASSIGN_OR_RETURN(routing.aging_per_minute,
                            reader_.ReadNumber(*n, base::JoinKeyPath(path, "aging_per_minute")));
  }
  WISSEL_RETURN_IF_ERROR(ParseRulesOrFile(fields, path, &routing.rules));

  if (absl::Status s = routing.Validate(); !s.ok()) {
    // Validate reports "PATH: reason" with PATH relative to the tenant; point at that node.
    const absl::string_view message = s.message();
    const size_t separator = message.find(": ");
    if (separator == absl::string_view::npos) return reader_.ErrorAtPath(path, node, message);
    return reader_.ErrorAtPath(base::JoinKeyPath(path, message.substr(0, separator)), node,
                               message.substr(separator + 2));
  }
  // Compiled only to refuse broken rules here; the router compiles its own copy against the
  // TenantConfig it keeps (a RuleSet points into the config it was compiled from).
  absl::StatusOr<core::rules::RuleSet> rules = core::rules::RuleSet::Compile(routing);
  if (!rules.ok()) return rules.status();
  warnings_.insert(warnings_.end(), rules->warnings().begin(), rules->warnings().end());
  return absl::OkStatus();
}

absl::StatusOr<const YAML::Node*> ConfigParser::ReadSecret(const base::YamlEntries& fields,
                                                           const std::string& path,
                                                           const SecretKeys& keys,
                                                           std::string* secret, std::string* source,
                                                           std::string* key_path_out) {
  const absl::string_view all[] = {keys.env, keys.file, keys.literal};
  const YAML::Node* node = nullptr;
  absl::string_view key;
  for (absl::string_view k : all) {
    const YAML::Node* n = fields.Find(k);
    if (n == nullptr) continue;
    if (node != nullptr) {
      return reader_.Error(
          *n, base::JoinKeyPath(path, k),
          absl::StrCat("conflicts with ", key, "; give exactly one of ", absl::StrJoin(all, ", ")));
    }
    node = n;
    key = k;
  }
  if (node == nullptr) return nullptr;
  const std::string key_path = base::JoinKeyPath(path, key);
  *key_path_out = key_path;
  secret->clear();
  if (key == keys.literal) {
    WISSEL_ASSIGN_OR_RETURN(*secret, reader_.ReadString(*node, key_path));
    *source = "literal";
    const std::string message = absl::StrCat("holds the secret in the file; use ", keys.env, " or ",
                                             keys.file, " outside development");
    LOG(WARNING) << reader_.current_name() << ": " << key_path << " " << message;
    WISSEL_RETURN_IF_ERROR(Warning(*node, key_path, message));
    return node;
  }
  WISSEL_ASSIGN_OR_RETURN(
      std::optional<std::string> read,
      ReadSecret(*node, key_path, key == keys.env ? SecretFrom::kEnv : SecretFrom::kFile, source));
  // Empty when the options let an unavailable secret pass (ReadSecret recorded a warning).
  if (read.has_value()) *secret = *std::move(read);
  return node;
}

absl::Status ConfigParser::ParseSecret(const base::YamlEntries& fields,
                                       const YAML::Node& tenant_node, const std::string& path,
                                       TenantSettings* tenant) {
  std::string key_path;
  WISSEL_ASSIGN_OR_RETURN(
      const YAML::Node* node,
      ReadSecret(fields, path,
                 {"pseudonym_secret_env", "pseudonym_secret_file", "pseudonym_secret"},
                 &tenant->pseudonym_secret, &tenant->pseudonym_secret_source, &key_path));
  if (node == nullptr) {
    return reader_.Error(tenant_node, path,
                         "missing pseudonym secret; set pseudonym_secret_env (recommended), "
                         "pseudonym_secret_file or pseudonym_secret");
  }
  // Empty only when the options let an unavailable secret pass (a warning is recorded).
  if (!tenant->pseudonym_secret.empty() && tenant->pseudonym_secret.size() < kMinSecretBytes) {
    return reader_.Error(*node, key_path,
                         absl::StrCat("pseudonym secret is ", tenant->pseudonym_secret.size(),
                                      " bytes; at least ", kMinSecretBytes, " are required"));
  }
  // The rotation window (docs/security.md, "Rotation"): the secret being replaced, still matched.
  std::string previous_path;
  WISSEL_ASSIGN_OR_RETURN(
      const YAML::Node* previous,
      ReadSecret(fields, path,
                 {"previous_pseudonym_secret_env", "previous_pseudonym_secret_file",
                  "previous_pseudonym_secret"},
                 &tenant->previous_pseudonym_secret, &tenant->previous_pseudonym_secret_source,
                 &previous_path));
  if (previous == nullptr || tenant->previous_pseudonym_secret.empty()) return absl::OkStatus();
  if (tenant->previous_pseudonym_secret.size() < kMinSecretBytes) {
    return reader_.Error(
        *previous, previous_path,
        absl::StrCat("pseudonym secret is ", tenant->previous_pseudonym_secret.size(),
                     " bytes; at least ", kMinSecretBytes, " are required"));
  }
  if (tenant->previous_pseudonym_secret == tenant->pseudonym_secret) {
    return reader_.Error(*previous, previous_path,
                         "is the same as the current pseudonym secret; a rotation needs a new one");
  }
  return absl::OkStatus();
}

absl::Status ConfigParser::ParseChannelNames(const YAML::Node& node, const std::string& path,
                                             core::TenantConfig* routing) {
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries fields,
                          reader_.ReadMap(node, path, ChannelKeys()));
  for (core::Channel c : core::kAllChannels) {
    if (const YAML::Node* n = fields.Find(core::ChannelName(c))) {
      WISSEL_ASSIGN_OR_RETURN(
          routing->channel_names[c],
          reader_.ReadString(*n, base::JoinKeyPath(path, core::ChannelName(c))));
    }
  }
  return absl::OkStatus();
}

}  // namespace wissel::config
