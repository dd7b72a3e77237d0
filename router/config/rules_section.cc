// A tenant's routing rules: `rules:` in the tenant or a `rules_file:`, each rule's condition
// with its exact position (for the rule compiler's messages) and its actions.
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"
#include "router/config/config_parser.h"

namespace wissel::config {

absl::Status ConfigParser::ParseRulesOrFile(const base::YamlEntries& fields,
                                            const std::string& path,
                                            std::vector<core::RuleSpec>* rules) {
  const YAML::Node* inline_list = fields.Find("rules");
  const YAML::Node* file_node = fields.Find("rules_file");
  const std::string rules_path = base::JoinKeyPath(path, "rules");
  if (inline_list != nullptr && file_node != nullptr) {
    return reader_.Error(
        *file_node, base::JoinKeyPath(path, "rules_file"),
        "conflicts with rules; give the rules in the tenant or in a file, not both");
  }
  if (inline_list != nullptr) return ParseRules(*inline_list, rules_path, rules);
  if (file_node == nullptr) return absl::OkStatus();

  const std::string file_path = base::JoinKeyPath(path, "rules_file");
  WISSEL_ASSIGN_OR_RETURN(const std::string value, reader_.ReadString(*file_node, file_path));
  WISSEL_ASSIGN_OR_RETURN(const size_t file, LoadSubFile(*file_node, file_path, Resolve(value)));
  base::YamlReader::FileScope scope(&reader_, file);
  WISSEL_ASSIGN_OR_RETURN(YAML::Node root, LoadYaml());
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries top, reader_.ReadMap(root, "", {"rules"}));
  const YAML::Node* list = top.Find("rules");
  if (list == nullptr) return reader_.Error(root, "", "missing required key 'rules'");
  return ParseRules(*list, rules_path, rules);
}

absl::Status ConfigParser::ParseRules(const YAML::Node& node, const std::string& path,
                                      std::vector<core::RuleSpec>* rules) {
  WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(node, path));
  size_t i = 0;
  for (const YAML::Node& item : node) {
    const std::string rule_path = base::IndexPath(path, i++);
    reader_.Record(rule_path, item);
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries fields,
                            reader_.ReadMap(item, rule_path, {"name", "when", "then", "continue"}));
    core::RuleSpec rule;
    rule.location = Location(item.Mark());
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* name,
                            reader_.Require(fields, item, rule_path, "name"));
    WISSEL_ASSIGN_OR_RETURN(rule.name,
                            reader_.ReadString(*name, base::JoinKeyPath(rule_path, "name")));
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* when,
                            reader_.Require(fields, item, rule_path, "when"));
    WISSEL_ASSIGN_OR_RETURN(rule.when,
                            reader_.ReadString(*when, base::JoinKeyPath(rule_path, "when")));
    rule.when_location = ScalarContentLocation(*when);
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* then,
                            reader_.Require(fields, item, rule_path, "then"));
    WISSEL_RETURN_IF_ERROR(ParseActions(*then, base::JoinKeyPath(rule_path, "then"), &rule.then));
    if (const YAML::Node* n = fields.Find("continue")) {
      WISSEL_ASSIGN_OR_RETURN(rule.continue_matching,
                              reader_.ReadBool(*n, base::JoinKeyPath(rule_path, "continue")));
    }
    rules->push_back(std::move(rule));
  }
  return absl::OkStatus();
}

absl::Status ConfigParser::ParseActions(const YAML::Node& node, const std::string& path,
                                        std::vector<core::ActionSpec>* actions) {
  using Kind = core::ActionSpec::Kind;
  static const std::vector<absl::string_view> kActionKeys = {
      "route_to",       "require_skill", "set_priority",      "raise_priority",
      "prefer_handler", "offer_digital", "schedule_callback", "close"};
  if (!node.IsSequence()) {
    return reader_.Error(node, path,
                         absl::StrCat("expected a list of actions such as [{route_to: wmo}], got ",
                                      base::YamlReader::Describe(node)));
  }
  size_t i = 0;
  for (const YAML::Node& item : node) {
    const std::string item_path = base::IndexPath(path, i++);
    reader_.Record(item_path, item);
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries fields,
                            reader_.ReadMap(item, item_path, kActionKeys));
    if (fields.all().size() != 1) {
      const YAML::Node& at = fields.all().size() > 1 ? fields.all()[1].key_node : item;
      return reader_.Error(at, item_path,
                           "each action is a map with exactly one key, e.g. {route_to: wmo}; put "
                           "every action in its own list item");
    }
    const base::YamlEntry& entry = fields.all()[0];
    const std::string key_path = base::JoinKeyPath(item_path, entry.key);
    const YAML::Node& value = entry.value;
    core::ActionSpec action;
    action.location = Location(value.IsNull() ? entry.key_node.Mark() : value.Mark());
    if (entry.key == "route_to") {
      action.kind = Kind::kRouteTo;
      WISSEL_ASSIGN_OR_RETURN(action.target, reader_.ReadString(value, key_path));
    } else if (entry.key == "require_skill") {
      action.kind = Kind::kRequireSkill;
      action.value = 1;
      if (value.IsScalar()) {
        WISSEL_ASSIGN_OR_RETURN(action.target, reader_.ReadString(value, key_path));
      } else {
        WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries skill,
                                reader_.ReadMap(value, key_path, {"skill", "min_proficiency"}));
        WISSEL_ASSIGN_OR_RETURN(const YAML::Node* s,
                                reader_.Require(skill, value, key_path, "skill"));
        WISSEL_ASSIGN_OR_RETURN(action.target,
                                reader_.ReadString(*s, base::JoinKeyPath(key_path, "skill")));
        action.location = Location(s->Mark());
        if (const YAML::Node* p = skill.Find("min_proficiency")) {
          const std::string p_path = base::JoinKeyPath(key_path, "min_proficiency");
          WISSEL_ASSIGN_OR_RETURN(action.value, reader_.ReadInt(*p, p_path));
          if (action.value < 1 || action.value > 5) {
            return reader_.Error(*p, p_path,
                                 absl::StrCat("must be between 1 and 5, got ", action.value));
          }
        }
      }
    } else if (entry.key == "set_priority" || entry.key == "raise_priority") {
      action.kind = entry.key == "set_priority" ? Kind::kSetPriority : Kind::kRaisePriority;
      WISSEL_ASSIGN_OR_RETURN(action.value, reader_.ReadInt(value, key_path));
      if (action.value < 0 || action.value > 100) {
        return reader_.Error(value, key_path,
                             absl::StrCat("must be between 0 and 100, got ", action.value));
      }
    } else if (entry.key == "prefer_handler") {
      action.kind = Kind::kPreferHandler;
      WISSEL_ASSIGN_OR_RETURN(action.target, reader_.ReadString(value, key_path));
    } else if (entry.key == "offer_digital" || entry.key == "schedule_callback") {
      action.kind = entry.key == "offer_digital" ? Kind::kOfferDigital : Kind::kScheduleCallback;
      WISSEL_ASSIGN_OR_RETURN(const bool on, reader_.ReadBool(value, key_path));
      if (!on) {
        return reader_.Error(
            value, key_path,
            absl::StrCat("only 'true' means something here; remove the action instead "
                         "of setting it to false"));
      }
    } else {
      action.kind = Kind::kClose;
      WISSEL_ASSIGN_OR_RETURN(action.target, reader_.ReadString(value, key_path));
    }
    actions->push_back(std::move(action));
  }
  return absl::OkStatus();
}

core::SourceLocation ConfigParser::ScalarContentLocation(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  core::SourceLocation location = Location(mark);
  const std::string& text = reader_.file_text(reader_.current_file());
  if (mark.is_null() || mark.pos < 0 || static_cast<size_t>(mark.pos) >= text.size()) {
    return location;
  }
  const auto pos = static_cast<size_t>(mark.pos);
  const char first = text[pos];
  if (first == '"' || first == '\'') {
    ++location.column;
    return location;
  }
  if (first != '|' && first != '>') return location;
  size_t newline = text.find('\n', pos);
  if (newline == std::string::npos) return location;
  ++location.line;
  // The indentation is that of the first non-blank line.
  while (newline != std::string::npos) {
    const size_t line_start = newline + 1;
    size_t content = line_start;
    while (content < text.size() && text[content] == ' ') ++content;
    if (content < text.size() && text[content] != '\n' && text[content] != '\r') {
      location.column = static_cast<int>(content - line_start) + 1;
      break;
    }
    newline = text.find('\n', line_start);
  }
  return location;
}

}  // namespace wissel::config
