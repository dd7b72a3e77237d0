#include "adapters/balie/balie_config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "adapters/common/text.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"

namespace wissel::adapters::balie {
namespace {

// Reads on top of the shared reader (base/yaml_reader.h), worded as this file's errors always
// were ("is required", "must be ...").

absl::Status ReadIdentifier(base::YamlReader& yaml, const base::YamlEntries& fields,
                            const YAML::Node& map, absl::string_view key, absl::string_view path,
                            std::string* out) {
  WISSEL_RETURN_IF_ERROR(yaml.ReadTextValue(fields, map, path, key, true, out));
  if (!ValidateIdentifier("x", *out, 64).ok()) {
    return yaml.Error(*fields.Find(key), base::JoinKeyPath(path, key),
                      "must be 1..64 of [A-Za-z0-9._:@-]");
  }
  return absl::OkStatus();
}

absl::Status ReadIdentifierList(base::YamlReader& yaml, const base::YamlEntries& fields,
                                const YAML::Node& map, absl::string_view key,
                                absl::string_view path, bool required,
                                std::vector<std::string>* out) {
  const std::string full = base::JoinKeyPath(path, key);
  const YAML::Node* node = fields.FindNonNull(key);
  if (node == nullptr) {
    if (!required) return absl::OkStatus();
    return yaml.RequireValue(fields, map, path, key).status();
  }
  if (!node->IsSequence() || (required && node->size() == 0)) {
    return yaml.Error(*node, full, "must be a non-empty list");
  }
  for (size_t i = 0; i < node->size(); ++i) {
    const YAML::Node item = (*node)[i];
    const std::string item_path = base::IndexPath(full, i);
    WISSEL_ASSIGN_OR_RETURN(std::string value, yaml.ReadText(item, item_path));
    if (!ValidateIdentifier("x", value).ok()) {
      return yaml.Error(item, item_path, "must be 1..128 of [A-Za-z0-9._:@-]");
    }
    out->push_back(std::move(value));
  }
  return absl::OkStatus();
}

// The list under `key`: present, a list, and not empty.
absl::StatusOr<YAML::Node> NonEmptyList(base::YamlReader& r, const base::YamlEntries& fields,
                                        const YAML::Node& root, absl::string_view key) {
  const YAML::Node* list = fields.Find(key);
  if (list == nullptr || !list->IsSequence() || list->size() == 0) {
    return r.Error(list != nullptr ? *list : root, key, "is required: a non-empty list");
  }
  return *list;
}

absl::Status ParseGroups(base::YamlReader& r, const base::YamlEntries& fields,
                         const YAML::Node& root, BalieConfig* config) {
  WISSEL_ASSIGN_OR_RETURN(const YAML::Node groups, NonEmptyList(r, fields, root, "topic_groups"));
  std::set<char> letters;
  std::set<std::string> topics;
  for (size_t i = 0; i < groups.size(); ++i) {
    const YAML::Node g = groups[i];
    const std::string path = base::IndexPath("topic_groups", i);
    if (!g.IsMap()) return r.Error(g, path, "must be a map with letter, name and topics");
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries keys,
                            r.ReadMap(g, path, {"letter", "name", "topics"}));
    TopicGroup group;
    std::string letter;
    WISSEL_RETURN_IF_ERROR(r.ReadTextValue(keys, g, path, "letter", true, &letter));
    if (letter.size() != 1 || letter[0] < 'A' || letter[0] > 'Z') {
      return r.Error(g["letter"], path + ".letter", "must be one upper-case letter A..Z");
    }
    group.letter = letter[0];
    if (!letters.insert(group.letter).second) {
      return r.Error(g["letter"], path + ".letter", "is used by another group");
    }
    WISSEL_RETURN_IF_ERROR(r.ReadTextValue(keys, g, path, "name", true, &group.name));
    WISSEL_RETURN_IF_ERROR(ReadIdentifierList(r, keys, g, "topics", path, true, &group.topics));
    for (size_t t = 0; t < group.topics.size(); ++t) {
      if (!topics.insert(group.topics[t]).second) {
        return r.Error(g["topics"][t], absl::StrCat(path, ".topics[", t, "]"),
                       "is already in another group");
      }
    }
    config->groups.push_back(std::move(group));
  }
  return absl::OkStatus();
}

absl::Status ParseAppointments(base::YamlReader& r, const base::YamlEntries& fields,
                               BalieConfig* config) {
  const YAML::Node* list = fields.FindNonNull("appointment_codes");
  if (list == nullptr) return absl::OkStatus();
  if (!list->IsSequence()) return r.Error(*list, "appointment_codes", "must be a list");
  std::set<std::string> prefixes;
  for (size_t i = 0; i < list->size(); ++i) {
    const YAML::Node a = (*list)[i];
    const std::string path = base::IndexPath("appointment_codes", i);
    if (!a.IsMap()) return r.Error(a, path, "must be a map with prefix and topic");
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries keys, r.ReadMap(a, path, {"prefix", "topic"}));
    AppointmentPrefix entry;
    WISSEL_RETURN_IF_ERROR(r.ReadTextValue(keys, a, path, "prefix", true, &entry.prefix));
    bool ok = !entry.prefix.empty() && entry.prefix.size() <= 16;
    for (char c : entry.prefix) {
      ok = ok && (absl::ascii_isupper(c) || absl::ascii_isdigit(c) || c == '-');
    }
    if (!ok) return r.Error(a["prefix"], path + ".prefix", "must be 1..16 of [A-Z0-9-]");
    if (!prefixes.insert(entry.prefix).second) {
      return r.Error(a["prefix"], path + ".prefix", "is listed twice");
    }
    WISSEL_RETURN_IF_ERROR(r.ReadTextValue(keys, a, path, "topic", true, &entry.topic));
    if (config->GroupOfTopic(entry.topic) == nullptr) {
      return r.Error(a["topic"], path + ".topic", "is in no topic group");
    }
    config->appointments.push_back(std::move(entry));
  }
  return absl::OkStatus();
}

// token_env or token_file (exactly one) of the map at `path`, into `out`. A literal "token" is
// refused: secrets do not belong in a configuration file.
absl::Status ReadSecretSource(base::YamlReader& r, const base::YamlEntries& keys,
                              const YAML::Node& map, absl::string_view path, SecretSource* out) {
  if (const YAML::Node* literal = keys.Find("token")) {
    return r.Error(*literal, base::JoinKeyPath(path, "token"),
                   "a token is never written in this file: name it with token_env (an "
                   "environment variable) or token_file (a file)");
  }
  WISSEL_RETURN_IF_ERROR(r.ReadTextValue(keys, map, path, "token_env", false, &out->env));
  WISSEL_RETURN_IF_ERROR(r.ReadTextValue(keys, map, path, "token_file", false, &out->file));
  if (out->env.empty() == out->file.empty()) {
    return r.Error(map, path, "needs exactly one of token_env and token_file");
  }
  if (!out->env.empty()) {
    bool ok = out->env.size() <= 128 && !absl::ascii_isdigit(out->env[0]);
    for (char c : out->env) {
      ok = ok && (absl::ascii_isupper(c) || absl::ascii_isdigit(c) || c == '_');
    }
    if (!ok) {
      return r.Error(*keys.Find("token_env"), base::JoinKeyPath(path, "token_env"),
                     "must be an environment variable name of [A-Z0-9_]");
    }
  }
  if (!out->file.empty() && out->file[0] != '/') {
    return r.Error(*keys.Find("token_file"), base::JoinKeyPath(path, "token_file"),
                   "must be an absolute path");
  }
  return absl::OkStatus();
}

absl::Status ParseKiosk(base::YamlReader& r, const base::YamlEntries& fields,
                        const YAML::Node& root, BalieConfig* config) {
  const YAML::Node* kiosk = fields.FindNonNull("kiosk");
  if (kiosk == nullptr) {
    return r.Error(root, "kiosk",
                   "is required: the kiosks' credential, {token_env: VAR} or {token_file: PATH}");
  }
  if (!kiosk->IsMap()) {
    return r.Error(*kiosk, "kiosk", "must be a map with token_env or token_file");
  }
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries keys,
                          r.ReadMap(*kiosk, "kiosk", {"token_env", "token_file", "token"}));
  return ReadSecretSource(r, keys, *kiosk, "kiosk", &config->kiosk_token);
}

absl::Status ParseDesks(base::YamlReader& r, const base::YamlEntries& fields,
                        const YAML::Node& root, BalieConfig* config) {
  WISSEL_ASSIGN_OR_RETURN(const YAML::Node desks, NonEmptyList(r, fields, root, "desks"));
  std::set<std::string> ids;
  std::set<std::string> names;
  for (size_t i = 0; i < desks.size(); ++i) {
    const YAML::Node d = desks[i];
    const std::string path = base::IndexPath("desks", i);
    if (!d.IsMap()) return r.Error(d, path, "must be a map with id, name and skills");
    WISSEL_ASSIGN_OR_RETURN(
        const base::YamlEntries keys,
        r.ReadMap(d, path, {"id", "name", "skills", "teams", "token_env", "token_file", "token"}));
    DeskConfig desk;
    WISSEL_RETURN_IF_ERROR(ReadIdentifier(r, keys, d, "id", path, &desk.id));
    for (char c : desk.id) {
      if (c == ':' || c == '@') return r.Error(d["id"], path + ".id", "must be of [A-Za-z0-9._-]");
    }
    if (!ids.insert(desk.id).second) return r.Error(d["id"], path + ".id", "is used twice");
    WISSEL_RETURN_IF_ERROR(r.ReadTextValue(keys, d, path, "name", true, &desk.name));
    if (!ValidateText("x", desk.name, 64).ok() || desk.name.empty()) {
      return r.Error(d["name"], path + ".name", "must be printable, 1..64 bytes");
    }
    if (!names.insert(desk.name).second) {
      return r.Error(d["name"], path + ".name", "is used twice");
    }
    WISSEL_RETURN_IF_ERROR(ReadIdentifierList(r, keys, d, "skills", path, false, &desk.skills));
    WISSEL_RETURN_IF_ERROR(ReadIdentifierList(r, keys, d, "teams", path, false, &desk.teams));
    if (desk.skills.empty() && desk.teams.empty()) {
      return r.Error(d, path, "needs skills or teams, or it is never offered anyone");
    }
    WISSEL_RETURN_IF_ERROR(ReadSecretSource(r, keys, d, path, &desk.token));
    config->desks.push_back(std::move(desk));
  }
  return absl::OkStatus();
}

absl::Status Parse(base::YamlReader& r, const YAML::Node& root, BalieConfig* config) {
  if (!root.IsMap()) return r.Error(root, "(top)", "must be a map");
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries fields,
                          r.ReadMap(root, "",
                                    {"tenant", "display_title", "time_zone", "topic_groups",
                                     "appointment_codes", "desks", "kiosk"}));
  WISSEL_RETURN_IF_ERROR(r.ReadTextValue(fields, root, "", "tenant", true, &config->tenant));
  if (!ValidateTenant("tenant", config->tenant).ok()) {
    return r.Error(root["tenant"], "tenant", "must be 1..63 of [a-z0-9-]");
  }
  WISSEL_RETURN_IF_ERROR(
      r.ReadTextValue(fields, root, "", "display_title", false, &config->display_title));
  if (!ValidateText("x", config->display_title, 80).ok()) {
    return r.Error(root["display_title"], "display_title", "must be printable, up to 80 bytes");
  }
  WISSEL_RETURN_IF_ERROR(r.ReadTextValue(fields, root, "", "time_zone", false, &config->time_zone));
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(config->time_zone, &zone)) {
    return r.Error(root["time_zone"], "time_zone", "is not a known IANA time zone");
  }
  WISSEL_RETURN_IF_ERROR(ParseGroups(r, fields, root, config));
  WISSEL_RETURN_IF_ERROR(ParseAppointments(r, fields, config));
  WISSEL_RETURN_IF_ERROR(ParseDesks(r, fields, root, config));
  return ParseKiosk(r, fields, root, config);
}

}  // namespace

const TopicGroup* BalieConfig::GroupOfTopic(absl::string_view topic) const {
  for (const TopicGroup& g : groups) {
    for (const std::string& t : g.topics) {
      if (t == topic) return &g;
    }
  }
  return nullptr;
}

const AppointmentPrefix* BalieConfig::AppointmentFor(absl::string_view code) const {
  const AppointmentPrefix* best = nullptr;
  for (const AppointmentPrefix& a : appointments) {
    if (absl::StartsWith(code, a.prefix) &&
        (best == nullptr || a.prefix.size() > best->prefix.size())) {
      best = &a;
    }
  }
  return best;
}

const DeskConfig* BalieConfig::FindDesk(absl::string_view id) const {
  for (const DeskConfig& d : desks) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

absl::StatusOr<BalieConfig> ParseBalieConfig(absl::string_view yaml, absl::string_view filename) {
  base::YamlReader r(filename, yaml);
  BalieConfig config;
  try {
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node root, r.LoadDocument());
    WISSEL_RETURN_IF_ERROR(Parse(r, root, &config));
  } catch (const YAML::Exception& e) {
    return r.ErrorAt(e.mark, "", e.msg);
  }
  return config;
}

absl::StatusOr<BalieConfig> LoadBalieConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseBalieConfig(ss.str(), path);
}

}  // namespace wissel::adapters::balie
