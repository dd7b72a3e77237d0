// A tenant's handlers: `handler_defaults:`, and the roster in `handlers:` or a `handlers_file:`
// shared by several tenants.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"
#include "router/config/config_parser.h"

namespace wissel::config {

absl::Status ConfigParser::ParseHandlerDefaults(const YAML::Node& node, const std::string& path,
                                                core::HandlerDefaults* defaults) {
  WISSEL_ASSIGN_OR_RETURN(
      const base::YamlEntries fields,
      reader_.ReadMap(node, path, {"capacity", "offer_timeout", "max_wrap_up", "blocks"}));
  if (const YAML::Node* n = fields.Find("capacity")) {
    const std::string capacity_path = base::JoinKeyPath(path, "capacity");
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries capacity,
                            reader_.ReadMap(*n, capacity_path, ChannelKeys()));
    for (core::Channel c : core::kAllChannels) {
      if (const YAML::Node* v = capacity.Find(core::ChannelName(c))) {
        WISSEL_ASSIGN_OR_RETURN(
            defaults->capacity[c],
            reader_.ReadInt(*v, base::JoinKeyPath(capacity_path, core::ChannelName(c))));
      }
    }
  }
  if (const YAML::Node* n = fields.Find("offer_timeout")) {
    WISSEL_ASSIGN_OR_RETURN(defaults->offer_timeout,
                            reader_.ReadDuration(*n, base::JoinKeyPath(path, "offer_timeout")));
  }
  if (const YAML::Node* n = fields.Find("max_wrap_up")) {
    WISSEL_ASSIGN_OR_RETURN(defaults->max_wrap_up,
                            reader_.ReadDuration(*n, base::JoinKeyPath(path, "max_wrap_up")));
  }
  if (const YAML::Node* n = fields.Find("blocks")) {
    // Channels listed replace their default; channels left out keep it.
    const std::string blocks_path = base::JoinKeyPath(path, "blocks");
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries blocks,
                            reader_.ReadMap(*n, blocks_path, ChannelKeys()));
    for (core::Channel c : core::kAllChannels) {
      const YAML::Node* v = blocks.Find(core::ChannelName(c));
      if (v == nullptr) continue;
      const std::string channel_path = base::JoinKeyPath(blocks_path, core::ChannelName(c));
      WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(*v, channel_path));
      defaults->blocks[c].clear();
      size_t i = 0;
      for (const YAML::Node& item : *v) {
        WISSEL_ASSIGN_OR_RETURN(const core::Channel blocked,
                                ReadChannel(item, base::IndexPath(channel_path, i++)));
        defaults->blocks[c].push_back(blocked);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ConfigParser::ParseRoster(const base::YamlEntries& fields, const std::string& path,
                                       core::TenantConfig* routing) {
  const YAML::Node* inline_list = fields.Find("handlers");
  const YAML::Node* file_node = fields.Find("handlers_file");
  const std::string handlers_path = base::JoinKeyPath(path, "handlers");
  if (inline_list != nullptr && file_node != nullptr) {
    return reader_.Error(
        *file_node, base::JoinKeyPath(path, "handlers_file"),
        "conflicts with handlers; give the roster in the tenant or in a file, not both");
  }
  if (inline_list != nullptr) return ParseHandlerList(*inline_list, handlers_path, routing);
  if (file_node == nullptr) return absl::OkStatus();

  const std::string file_path = base::JoinKeyPath(path, "handlers_file");
  WISSEL_ASSIGN_OR_RETURN(const std::string value, reader_.ReadString(*file_node, file_path));
  WISSEL_ASSIGN_OR_RETURN(HandlersFile * file, LoadHandlersFile(*file_node, file_path, value));
  const YAML::Node* roster = file->entries.Find(routing->id);
  if (roster == nullptr) {
    return reader_.Error(
        *file_node, file_path,
        absl::StrCat("'", reader_.file_name(file->file), "' has no roster for tenant '",
                     routing->id, "' (expected handlers: {", routing->id, ": [...]})"));
  }
  file->used.insert(routing->id);
  base::YamlReader::FileScope scope(&reader_, file->file);
  return ParseHandlerList(*roster, handlers_path, routing);
}

absl::StatusOr<ConfigParser::HandlersFile*> ConfigParser::LoadHandlersFile(
    const YAML::Node& node, const std::string& path, const std::string& value) {
  const std::string resolved = Resolve(value);
  if (auto it = handlers_files_.find(resolved); it != handlers_files_.end()) {
    return it->second.get();
  }
  WISSEL_ASSIGN_OR_RETURN(const size_t file, LoadSubFile(node, path, resolved));
  base::YamlReader::FileScope scope(&reader_, file);
  auto handlers = std::make_unique<HandlersFile>();
  handlers->file = file;
  WISSEL_ASSIGN_OR_RETURN(YAML::Node root, LoadYaml());
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries top, reader_.ReadMap(root, "", {"handlers"}));
  const YAML::Node* rosters = top.Find("handlers");
  if (rosters == nullptr) return reader_.Error(root, "", "missing required key 'handlers'");
  handlers->rosters = *rosters;
  WISSEL_ASSIGN_OR_RETURN(handlers->entries, reader_.ReadAnyMap(*rosters, "handlers"));
  HandlersFile* result = handlers.get();
  handlers_files_.emplace(resolved, std::move(handlers));
  handlers_file_order_.push_back(resolved);
  return result;
}

absl::Status ConfigParser::CheckHandlersFilesFullyUsed() {
  for (const std::string& resolved : handlers_file_order_) {
    const HandlersFile& file = *handlers_files_.at(resolved);
    base::YamlReader::FileScope scope(&reader_, file.file);
    for (const base::YamlEntry& e : file.entries.all()) {
      if (!file.used.contains(e.key)) {
        return reader_.Error(
            e.key_node, base::JoinKeyPath("handlers", e.key),
            absl::StrCat("no tenant '", e.key, "' reads its roster from this file"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ConfigParser::ParseHandlerList(const YAML::Node& node, const std::string& path,
                                            core::TenantConfig* routing) {
  WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(node, path));
  size_t i = 0;
  for (const YAML::Node& item : node) {
    const std::string item_path = base::IndexPath(path, i++);
    reader_.Record(item_path, item);
    WISSEL_ASSIGN_OR_RETURN(
        const base::YamlEntries fields,
        reader_.ReadMap(item, item_path,
                        {"id", "name", "skills", "teams", "active", "deputy", "address"}));
    core::HandlerProfile handler;
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* id, reader_.Require(fields, item, item_path, "id"));
    WISSEL_ASSIGN_OR_RETURN(handler.id,
                            reader_.ReadString(*id, base::JoinKeyPath(item_path, "id")));
    if (const YAML::Node* n = fields.Find("name")) {
      WISSEL_ASSIGN_OR_RETURN(handler.name,
                              reader_.ReadString(*n, base::JoinKeyPath(item_path, "name")));
    }
    if (const YAML::Node* n = fields.Find("skills")) {
      const std::string skills_path = base::JoinKeyPath(item_path, "skills");
      WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries skills, reader_.ReadAnyMap(*n, skills_path));
      for (const base::YamlEntry& e : skills.all()) {
        WISSEL_ASSIGN_OR_RETURN(handler.skills[e.key],
                                reader_.ReadInt(e.value, base::JoinKeyPath(skills_path, e.key)));
      }
    }
    if (const YAML::Node* n = fields.Find("teams")) {
      WISSEL_ASSIGN_OR_RETURN(handler.teams,
                              reader_.ReadStringList(*n, base::JoinKeyPath(item_path, "teams")));
    }
    if (const YAML::Node* n = fields.Find("active")) {
      WISSEL_ASSIGN_OR_RETURN(handler.active,
                              reader_.ReadBool(*n, base::JoinKeyPath(item_path, "active")));
    }
    if (const YAML::Node* n = fields.Find("address")) {
      WISSEL_ASSIGN_OR_RETURN(handler.address,
                              reader_.ReadString(*n, base::JoinKeyPath(item_path, "address")));
    }
    if (const YAML::Node* n = fields.Find("deputy")) {
      WISSEL_ASSIGN_OR_RETURN(handler.deputy,
                              reader_.ReadString(*n, base::JoinKeyPath(item_path, "deputy")));
    }
    routing->handlers.push_back(std::move(handler));
  }
  return absl::OkStatus();
}

}  // namespace wissel::config
