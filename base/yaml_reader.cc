#include "base/yaml_reader.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "base/duration.h"
#include "base/status_macros.h"

namespace wissel::base {

std::string JoinKeyPath(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

std::string IndexPath(absl::string_view path, size_t index) {
  return absl::StrCat(path, "[", index, "]");
}

const YAML::Node* YamlEntries::Find(absl::string_view key) const {
  for (const YamlEntry& e : entries_) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

const YAML::Node* YamlEntries::FindNonNull(absl::string_view key) const {
  const YAML::Node* node = Find(key);
  return node == nullptr || node->IsNull() ? nullptr : node;
}

YamlReader::YamlReader(absl::string_view filename, absl::string_view text) {
  files_.push_back(SourceFile{std::string(filename), std::string(text)});
}

size_t YamlReader::AddFile(absl::string_view name, std::string text) {
  files_.push_back(SourceFile{std::string(name), std::move(text)});
  return files_.size() - 1;
}

YamlReader::FileScope::FileScope(YamlReader* reader, size_t file)
    : reader_(reader), previous_(reader->current_file_) {
  reader_->current_file_ = file;
}

YamlReader::FileScope::~FileScope() { reader_->current_file_ = previous_; }

absl::StatusOr<YAML::Node> YamlReader::LoadDocument() {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(files_[current_file_].text);
  } catch (const YAML::Exception& e) {
    return ErrorAt(e.mark, "", absl::StrCat("malformed YAML: ", e.msg));
  }
  if (documents.size() > 1) {
    return Error(documents[1], "", "only one YAML document is allowed per file");
  }
  if (documents.empty()) return YAML::Node();
  return documents[0];
}

absl::string_view YamlReader::Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing (null)";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

absl::StatusOr<YamlEntries> YamlReader::ReadMap(const YAML::Node& node, absl::string_view path,
                                                absl::Span<const absl::string_view> allowed) {
  return ReadMapImpl(node, path, &allowed);
}

absl::StatusOr<YamlEntries> YamlReader::ReadAnyMap(const YAML::Node& node, absl::string_view path) {
  return ReadMapImpl(node, path, nullptr);
}

absl::StatusOr<YamlEntries> YamlReader::ReadMapImpl(
    const YAML::Node& node, absl::string_view path,
    const absl::Span<const absl::string_view>* allowed) {
  if (node.IsNull()) return YamlEntries();  // "redis:" with everything commented out
  if (!node.IsMap()) {
    return Error(node, path, absl::StrCat("expected a map, got ", Describe(node)));
  }
  std::vector<YamlEntry> entries;
  for (const auto& pair : node) {
    const YAML::Node& key_node = pair.first;
    if (!key_node.IsScalar()) {
      return Error(key_node, path, absl::StrCat("expected a plain key, got ", Describe(key_node)));
    }
    const std::string key = key_node.Scalar();
    const std::string key_path = JoinKeyPath(path, key);
    if (allowed != nullptr && std::find(allowed->begin(), allowed->end(), key) == allowed->end()) {
      return Error(key_node, key_path,
                   absl::StrCat("unknown key '", key, "'", DidYouMeanOrList(key, *allowed)));
    }
    if (key.empty()) return Error(key_node, key_path, "empty key");
    for (const YamlEntry& e : entries) {
      if (e.key == key) {
        return Error(key_node, key_path,
                     absl::StrCat("duplicate key '", key, "' (first at line ",
                                  e.key_node.Mark().line + 1, ")"));
      }
    }
    const YAML::Node& value = pair.second;
    positions_[key_path] =
        YamlPosition{current_file_, value.IsNull() ? key_node.Mark() : value.Mark()};
    entries.push_back(YamlEntry{key, key_node, value});
  }
  return YamlEntries(std::move(entries));
}

absl::StatusOr<const YAML::Node*> YamlReader::Require(const YamlEntries& fields,
                                                      const YAML::Node& map, absl::string_view path,
                                                      absl::string_view key) {
  const YAML::Node* n = fields.Find(key);
  if (n == nullptr) return Error(map, path, absl::StrCat("missing required key '", key, "'"));
  return n;
}

absl::StatusOr<const YAML::Node*> YamlReader::RequireValue(const YamlEntries& fields,
                                                           const YAML::Node& map,
                                                           absl::string_view path,
                                                           absl::string_view key) {
  const YAML::Node* n = fields.FindNonNull(key);
  if (n == nullptr) return Error(map, JoinKeyPath(path, key), "is required");
  return n;
}

absl::Status YamlReader::ReadTextValue(const YamlEntries& fields, const YAML::Node& map,
                                       absl::string_view path, absl::string_view key, bool required,
                                       std::string* out) {
  const YAML::Node* node = fields.FindNonNull(key);
  if (node == nullptr) {
    if (!required) return absl::OkStatus();
    return Error(map, JoinKeyPath(path, key), "is required");
  }
  WISSEL_ASSIGN_OR_RETURN(*out, ReadText(*node, JoinKeyPath(path, key)));
  return absl::OkStatus();
}

absl::Status YamlReader::ExpectSequence(const YAML::Node& node, absl::string_view path) {
  if (node.IsSequence() || node.IsNull()) return absl::OkStatus();
  return Error(node, path, absl::StrCat("expected a list, got ", Describe(node)));
}

absl::StatusOr<std::string> YamlReader::ReadString(const YAML::Node& node, absl::string_view path) {
  WISSEL_ASSIGN_OR_RETURN(std::string text, ReadText(node, path));
  if (text.empty()) return Error(node, path, "must not be empty");
  return text;
}

absl::StatusOr<std::string> YamlReader::ReadText(const YAML::Node& node, absl::string_view path) {
  if (!node.IsScalar()) {
    return Error(node, path, absl::StrCat("expected a string, got ", Describe(node)));
  }
  return node.Scalar();
}

absl::StatusOr<std::vector<std::string>> YamlReader::ReadStringList(const YAML::Node& node,
                                                                    absl::string_view path) {
  WISSEL_RETURN_IF_ERROR(ExpectSequence(node, path));
  std::vector<std::string> out;
  size_t i = 0;
  for (const YAML::Node& item : node) {
    const std::string item_path = IndexPath(path, i++);
    Record(item_path, item);
    WISSEL_ASSIGN_OR_RETURN(std::string value, ReadString(item, item_path));
    out.push_back(std::move(value));
  }
  return out;
}

absl::StatusOr<int> YamlReader::ReadInt(const YAML::Node& node, absl::string_view path) {
  if (!node.IsScalar()) {
    return Error(node, path, absl::StrCat("expected an integer, got ", Describe(node)));
  }
  int value = 0;
  if (!absl::SimpleAtoi(node.Scalar(), &value)) {
    return Error(node, path, absl::StrCat("expected an integer, got '", node.Scalar(), "'"));
  }
  return value;
}

absl::StatusOr<double> YamlReader::ReadNumber(const YAML::Node& node, absl::string_view path) {
  double value = 0;
  if (!node.IsScalar() || !absl::SimpleAtod(node.Scalar(), &value) || !std::isfinite(value)) {
    return Error(node, path,
                 absl::StrCat("expected a number such as 1 or 0.5, got ",
                              node.IsScalar() ? absl::StrCat("'", node.Scalar(), "'")
                                              : std::string(Describe(node))));
  }
  return value;
}

absl::StatusOr<bool> YamlReader::ReadBool(const YAML::Node& node, absl::string_view path) {
  if (node.IsScalar() && node.Scalar() == "true") return true;
  if (node.IsScalar() && node.Scalar() == "false") return false;
  if (node.IsScalar()) {
    return Error(node, path, absl::StrCat("expected true or false, got '", node.Scalar(), "'"));
  }
  return Error(node, path, absl::StrCat("expected true or false, got ", Describe(node)));
}

absl::StatusOr<absl::Duration> YamlReader::ReadDuration(const YAML::Node& node,
                                                        absl::string_view path) {
  return ReadDurationWith(node, path, ParseConfigDuration, "20s");
}

absl::StatusOr<absl::Duration> YamlReader::ReadPositiveDuration(const YAML::Node& node,
                                                                absl::string_view path) {
  WISSEL_ASSIGN_OR_RETURN(const absl::Duration d, ReadDuration(node, path));
  if (d <= absl::ZeroDuration()) return Error(node, path, "must be positive");
  return d;
}

absl::StatusOr<absl::Duration> YamlReader::ReadTimeout(const YAML::Node& node,
                                                       absl::string_view path) {
  return ReadDurationWith(node, path, ParseConfigTimeout, "500ms");
}

absl::StatusOr<absl::Duration> YamlReader::ReadDurationWith(
    const YAML::Node& node, absl::string_view path,
    absl::StatusOr<absl::Duration> (*parse)(absl::string_view), absl::string_view example) {
  if (!node.IsScalar()) {
    return Error(
        node, path,
        absl::StrCat("expected a duration such as \"", example, "\", got ", Describe(node)));
  }
  absl::StatusOr<absl::Duration> d = parse(node.Scalar());
  if (!d.ok()) return Error(node, path, d.status().message());
  return *d;
}

void YamlReader::Record(absl::string_view path, const YAML::Node& node) {
  positions_[path] = YamlPosition{current_file_, node.Mark()};
}

absl::Status YamlReader::Error(const YAML::Node& node, absl::string_view path,
                               absl::string_view reason) const {
  // yaml-cpp places an empty value ("name:") at the next token, often on the next line;
  // ReadMap recorded the key's position for it instead.
  if (node.IsNull()) {
    if (auto it = positions_.find(path); it != positions_.end()) {
      return ErrorAt(it->second, path, reason);
    }
  }
  return ErrorAt(node.Mark(), path, reason);
}

absl::Status YamlReader::ErrorAtPath(absl::string_view path, const YAML::Node& fallback,
                                     absl::string_view reason) const {
  absl::string_view prefix = path;
  while (!prefix.empty()) {
    if (auto it = positions_.find(prefix); it != positions_.end()) {
      return ErrorAt(it->second, path, reason);
    }
    const size_t cut = prefix.find_last_of(".[");
    if (cut == absl::string_view::npos) break;
    prefix = prefix.substr(0, cut);
  }
  return Error(fallback, path, reason);
}

absl::Status YamlReader::ErrorAt(const YAML::Mark& mark, absl::string_view path,
                                 absl::string_view reason) const {
  return ErrorAt(YamlPosition{current_file_, mark}, path, reason);
}

absl::Status YamlReader::ErrorAt(const YamlPosition& where, absl::string_view path,
                                 absl::string_view reason) const {
  std::string location = files_[where.file].name;
  if (!where.mark.is_null()) {
    absl::StrAppend(&location, ":", where.mark.line + 1, ":", where.mark.column + 1);
  }
  return absl::InvalidArgumentError(
      absl::StrCat(location, ": ", path, path.empty() ? "" : ": ", reason));
}

}  // namespace wissel::base
