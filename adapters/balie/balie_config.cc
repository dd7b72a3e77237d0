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

namespace wissel::adapters::balie {
namespace {

class Reader {
 public:
  explicit Reader(absl::string_view filename) : filename_(filename) {}

  absl::Status Error(const YAML::Node& node, absl::string_view path, absl::string_view reason) {
    const YAML::Mark mark = node.Mark();
    return absl::InvalidArgumentError(absl::StrCat(filename_, ":", mark.line + 1, ":",
                                                   mark.column + 1, ": ", path, ": ", reason));
  }

  absl::Status OnlyKeys(const YAML::Node& map, absl::string_view path,
                        std::initializer_list<absl::string_view> known) {
    for (const auto& entry : map) {
      const std::string key = entry.first.as<std::string>();
      bool ok = false;
      for (absl::string_view k : known) ok = ok || k == key;
      if (!ok) return Error(entry.first, Join(path, key), "unknown key");
    }
    return absl::OkStatus();
  }

  absl::Status String(const YAML::Node& map, absl::string_view key, absl::string_view path,
                      bool required, std::string* out) {
    const YAML::Node node = map[std::string(key)];
    if (!node.IsDefined() || node.IsNull()) {
      return required ? Error(map, Join(path, key), "is required") : absl::OkStatus();
    }
    if (!node.IsScalar()) return Error(node, Join(path, key), "must be a string");
    *out = node.as<std::string>();
    return absl::OkStatus();
  }

  absl::Status Identifier(const YAML::Node& map, absl::string_view key, absl::string_view path,
                          std::string* out) {
    if (absl::Status s = String(map, key, path, true, out); !s.ok()) return s;
    if (absl::Status s = ValidateIdentifier("x", *out, 64); !s.ok()) {
      return Error(map[std::string(key)], Join(path, key), "must be 1..64 of [A-Za-z0-9._:@-]");
    }
    return absl::OkStatus();
  }

  absl::Status StringList(const YAML::Node& map, absl::string_view key, absl::string_view path,
                          bool required, std::vector<std::string>* out) {
    const YAML::Node node = map[std::string(key)];
    const std::string full = Join(path, key);
    if (!node.IsDefined() || node.IsNull()) {
      return required ? Error(map, full, "is required") : absl::OkStatus();
    }
    if (!node.IsSequence() || (required && node.size() == 0)) {
      return Error(node, full, "must be a non-empty list");
    }
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string item_path = absl::StrCat(full, "[", i, "]");
      if (!node[i].IsScalar()) return Error(node[i], item_path, "must be a string");
      std::string value = node[i].as<std::string>();
      if (!ValidateIdentifier("x", value).ok()) {
        return Error(node[i], item_path, "must be 1..128 of [A-Za-z0-9._:@-]");
      }
      out->push_back(std::move(value));
    }
    return absl::OkStatus();
  }

  static std::string Join(absl::string_view path, absl::string_view key) {
    return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
  }

 private:
  std::string filename_;
};

absl::Status ParseGroups(Reader& r, const YAML::Node& root, BalieConfig* config) {
  const YAML::Node groups = root["topic_groups"];
  if (!groups.IsDefined() || !groups.IsSequence() || groups.size() == 0) {
    return r.Error(groups.IsDefined() ? groups : root, "topic_groups",
                   "is required: a non-empty list");
  }
  std::set<char> letters;
  std::set<std::string> topics;
  for (size_t i = 0; i < groups.size(); ++i) {
    const YAML::Node g = groups[i];
    const std::string path = absl::StrCat("topic_groups[", i, "]");
    if (!g.IsMap()) return r.Error(g, path, "must be a map with letter, name and topics");
    if (absl::Status s = r.OnlyKeys(g, path, {"letter", "name", "topics"}); !s.ok()) return s;
    TopicGroup group;
    std::string letter;
    if (absl::Status s = r.String(g, "letter", path, true, &letter); !s.ok()) return s;
    if (letter.size() != 1 || letter[0] < 'A' || letter[0] > 'Z') {
      return r.Error(g["letter"], path + ".letter", "must be one upper-case letter A..Z");
    }
    group.letter = letter[0];
    if (!letters.insert(group.letter).second) {
      return r.Error(g["letter"], path + ".letter", "is used by another group");
    }
    if (absl::Status s = r.String(g, "name", path, true, &group.name); !s.ok()) return s;
    if (absl::Status s = r.StringList(g, "topics", path, true, &group.topics); !s.ok()) return s;
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

absl::Status ParseAppointments(Reader& r, const YAML::Node& root, BalieConfig* config) {
  const YAML::Node list = root["appointment_codes"];
  if (!list.IsDefined() || list.IsNull()) return absl::OkStatus();
  if (!list.IsSequence()) return r.Error(list, "appointment_codes", "must be a list");
  std::set<std::string> prefixes;
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node a = list[i];
    const std::string path = absl::StrCat("appointment_codes[", i, "]");
    if (!a.IsMap()) return r.Error(a, path, "must be a map with prefix and topic");
    if (absl::Status s = r.OnlyKeys(a, path, {"prefix", "topic"}); !s.ok()) return s;
    AppointmentPrefix entry;
    if (absl::Status s = r.String(a, "prefix", path, true, &entry.prefix); !s.ok()) return s;
    bool ok = !entry.prefix.empty() && entry.prefix.size() <= 16;
    for (char c : entry.prefix)
      ok = ok && (absl::ascii_isupper(c) || absl::ascii_isdigit(c) || c == '-');
    if (!ok) return r.Error(a["prefix"], path + ".prefix", "must be 1..16 of [A-Z0-9-]");
    if (!prefixes.insert(entry.prefix).second) {
      return r.Error(a["prefix"], path + ".prefix", "is listed twice");
    }
    if (absl::Status s = r.String(a, "topic", path, true, &entry.topic); !s.ok()) return s;
    if (config->GroupOfTopic(entry.topic) == nullptr) {
      return r.Error(a["topic"], path + ".topic", "is in no topic group");
    }
    config->appointments.push_back(std::move(entry));
  }
  return absl::OkStatus();
}

absl::Status ParseDesks(Reader& r, const YAML::Node& root, BalieConfig* config) {
  const YAML::Node desks = root["desks"];
  if (!desks.IsDefined() || !desks.IsSequence() || desks.size() == 0) {
    return r.Error(desks.IsDefined() ? desks : root, "desks", "is required: a non-empty list");
  }
  std::set<std::string> ids;
  std::set<std::string> names;
  for (size_t i = 0; i < desks.size(); ++i) {
    const YAML::Node d = desks[i];
    const std::string path = absl::StrCat("desks[", i, "]");
    if (!d.IsMap()) return r.Error(d, path, "must be a map with id, name and skills");
    if (absl::Status s = r.OnlyKeys(d, path, {"id", "name", "skills", "teams"}); !s.ok()) return s;
    DeskConfig desk;
    if (absl::Status s = r.Identifier(d, "id", path, &desk.id); !s.ok()) return s;
    for (char c : desk.id) {
      if (c == ':' || c == '@') return r.Error(d["id"], path + ".id", "must be of [A-Za-z0-9._-]");
    }
    if (!ids.insert(desk.id).second) return r.Error(d["id"], path + ".id", "is used twice");
    if (absl::Status s = r.String(d, "name", path, true, &desk.name); !s.ok()) return s;
    if (!ValidateText("x", desk.name, 64).ok() || desk.name.empty()) {
      return r.Error(d["name"], path + ".name", "must be printable, 1..64 bytes");
    }
    if (!names.insert(desk.name).second) {
      return r.Error(d["name"], path + ".name", "is used twice");
    }
    if (absl::Status s = r.StringList(d, "skills", path, false, &desk.skills); !s.ok()) return s;
    if (absl::Status s = r.StringList(d, "teams", path, false, &desk.teams); !s.ok()) return s;
    if (desk.skills.empty() && desk.teams.empty()) {
      return r.Error(d, path, "needs skills or teams, or it is never offered anyone");
    }
    config->desks.push_back(std::move(desk));
  }
  return absl::OkStatus();
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
  Reader r(filename);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(filename, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  try {
    if (!root.IsMap()) return r.Error(root, "(top)", "must be a map");
    if (absl::Status s = r.OnlyKeys(
            root, "",
            {"tenant", "display_title", "time_zone", "topic_groups", "appointment_codes", "desks"});
        !s.ok()) {
      return s;
    }
    BalieConfig config;
    if (absl::Status s = r.String(root, "tenant", "", true, &config.tenant); !s.ok()) return s;
    if (!ValidateTenant("tenant", config.tenant).ok()) {
      return r.Error(root["tenant"], "tenant", "must be 1..63 of [a-z0-9-]");
    }
    if (absl::Status s = r.String(root, "display_title", "", false, &config.display_title);
        !s.ok()) {
      return s;
    }
    if (!ValidateText("x", config.display_title, 80).ok()) {
      return r.Error(root["display_title"], "display_title", "must be printable, up to 80 bytes");
    }
    if (absl::Status s = r.String(root, "time_zone", "", false, &config.time_zone); !s.ok()) {
      return s;
    }
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(config.time_zone, &zone)) {
      return r.Error(root["time_zone"], "time_zone", "is not a known IANA time zone");
    }
    if (absl::Status s = ParseGroups(r, root, &config); !s.ok()) return s;
    if (absl::Status s = ParseAppointments(r, root, &config); !s.ok()) return s;
    if (absl::Status s = ParseDesks(r, root, &config); !s.ok()) return s;
    return config;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(filename, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
}

absl::StatusOr<BalieConfig> LoadBalieConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseBalieConfig(ss.str(), path);
}

}  // namespace wissel::adapters::balie
