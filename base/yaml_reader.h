// YamlReader: the strict reader of Wissel's YAML configuration files (the router's and every
// adapter's). It checks each node's kind (map, list, scalar), refuses unknown keys with a "did
// you mean" suggestion, refuses duplicate keys, reads typed scalars (strings, integers, numbers,
// booleans, enumerations, durations in the syntax of base/duration.h) and words every problem as
// an InvalidArgument "FILE:LINE:COL: KEY.PATH: reason" (1-based line and column).
//
// A loader walks its schema with one reader per document. The reader remembers where each key
// path it read was found, so that an error found later, by code that only knows the path (a
// validation of the finished config), still points at the right line: see ErrorAtPath. It can
// hold several files (a main file and the files it names); errors refer to the current file.
//
// Not thread-safe: one reader per load, on one thread. yaml-cpp reports malformed YAML by
// throwing YAML::Exception; LoadDocument catches it, but a caller that walks nodes itself keeps
// a try/catch around its walk (yaml-cpp may also throw on misuse).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "base/suggestion.h"

namespace wissel::base {

// "a.b" from "a" and "b"; just "b" at the top ("" path).
std::string JoinKeyPath(absl::string_view path, absl::string_view key);
// "a[3]".
std::string IndexPath(absl::string_view path, size_t index);

// One key of a YAML map, in document order.
struct YamlEntry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// The keys of one map as read by YamlReader::ReadMap, in document order.
class YamlEntries {
 public:
  YamlEntries() = default;
  explicit YamlEntries(std::vector<YamlEntry> entries) : entries_(std::move(entries)) {}

  // The value under `key`, or nullptr if the key is absent.
  const YAML::Node* Find(absl::string_view key) const;
  // As Find, and also nullptr for a key written without a value ("key:", null).
  const YAML::Node* FindNonNull(absl::string_view key) const;

  const std::vector<YamlEntry>& all() const { return entries_; }

 private:
  std::vector<YamlEntry> entries_;
};

// One allowed spelling of an enumeration in a config file, e.g. {"round_robin", kRoundRobin}.
template <typename T>
struct EnumName {
  absl::string_view name;
  T value;
};

// A position in one of a reader's files.
struct YamlPosition {
  size_t file = 0;
  YAML::Mark mark;
};

class YamlReader {
 public:
  // The reader of one document: `filename` names it in messages, `text` is its content
  // (file 0, the current file).
  YamlReader(absl::string_view filename, absl::string_view text);

  YamlReader(const YamlReader&) = delete;
  YamlReader& operator=(const YamlReader&) = delete;

  // --- Files. ---

  // Adds another file (one the main file names); returns its index. It is not current yet.
  size_t AddFile(absl::string_view name, std::string text);

  // While alive, errors and recorded positions refer to `file`; restores the previous file.
  class FileScope {
   public:
    FileScope(YamlReader* reader, size_t file);
    ~FileScope();
    FileScope(const FileScope&) = delete;
    FileScope& operator=(const FileScope&) = delete;

   private:
    YamlReader* reader_;
    size_t previous_;
  };

  size_t current_file() const { return current_file_; }
  const std::string& file_name(size_t file) const { return files_[file].name; }
  const std::string& file_text(size_t file) const { return files_[file].text; }
  const std::string& current_name() const { return file_name(current_file_); }

  // Parses the current file as one YAML document. An empty document is a null node (the
  // caller words what it expected). Errors: "FILE:LINE:COL: malformed YAML: ..." and "only one
  // YAML document is allowed per file".
  absl::StatusOr<YAML::Node> LoadDocument();

  // --- Maps and lists. Each read records the position of what it read under its path. ---

  // A map whose keys must all be in `allowed`, each at most once; null (a key with everything
  // under it commented out) is an empty map. Errors: "expected a map, got a list", "unknown key
  // 'x'; did you mean 'y'?" (or "; expected one of: ..."), "duplicate key 'x' (first at line N)",
  // "empty key", "expected a plain key, got a map".
  absl::StatusOr<YamlEntries> ReadMap(const YAML::Node& node, absl::string_view path,
                                      absl::Span<const absl::string_view> allowed);
  // A map with keys of the operator's choosing (skills, tenant ids), each at most once.
  absl::StatusOr<YamlEntries> ReadAnyMap(const YAML::Node& node, absl::string_view path);

  // The value of a required key: "PATH: missing required key 'KEY'" at `map` when absent.
  absl::StatusOr<const YAML::Node*> Require(const YamlEntries& fields, const YAML::Node& map,
                                            absl::string_view path, absl::string_view key);
  // The value of a required key that must also not be null: "PATH.KEY: is required" at `map`
  // when absent or written without a value.
  absl::StatusOr<const YAML::Node*> RequireValue(const YamlEntries& fields, const YAML::Node& map,
                                                 absl::string_view path, absl::string_view key);

  // For schemas in which a key written without a value counts as not given (the adapters'):
  // the scalar under `key` of `fields` (the map `map` at `path`) into `*out`, the empty string
  // included. Absent or null: "PATH.KEY: is required" when `required`, else `*out` is kept.
  absl::Status ReadTextValue(const YamlEntries& fields, const YAML::Node& map,
                             absl::string_view path, absl::string_view key, bool required,
                             std::string* out);

  // A list; null ("queues:" with every item commented out) counts as an empty list.
  absl::Status ExpectSequence(const YAML::Node& node, absl::string_view path);

  // --- Scalars. ---

  // A non-empty scalar.
  absl::StatusOr<std::string> ReadString(const YAML::Node& node, absl::string_view path);
  // Any scalar, the empty string included.
  absl::StatusOr<std::string> ReadText(const YAML::Node& node, absl::string_view path);
  // A list of non-empty strings; each item's position is recorded.
  absl::StatusOr<std::vector<std::string>> ReadStringList(const YAML::Node& node,
                                                          absl::string_view path);
  absl::StatusOr<int> ReadInt(const YAML::Node& node, absl::string_view path);
  // A finite decimal number such as 1 or 0.5.
  absl::StatusOr<double> ReadNumber(const YAML::Node& node, absl::string_view path);
  // true or false; YAML 1.1's yes/no/on/off are refused as ambiguous.
  absl::StatusOr<bool> ReadBool(const YAML::Node& node, absl::string_view path);
  // One of `values` by name; "unknown WHAT 'x'; did you mean 'y'?" otherwise.
  template <typename T>
  absl::StatusOr<T> ReadEnum(const YAML::Node& node, absl::string_view path,
                             absl::Span<const EnumName<T>> values, absl::string_view what);
  // A duration as base::ParseConfigDuration reads it ("20s", "1h30m", "30d").
  absl::StatusOr<absl::Duration> ReadDuration(const YAML::Node& node, absl::string_view path);
  // As ReadDuration, and more than zero: "must be positive".
  absl::StatusOr<absl::Duration> ReadPositiveDuration(const YAML::Node& node,
                                                      absl::string_view path);
  // A duration as base::ParseConfigTimeout reads it: also "500ms".
  absl::StatusOr<absl::Duration> ReadTimeout(const YAML::Node& node, absl::string_view path);

  // --- Errors. ---

  // Remembers that `path` was read at `node` in the current file.
  void Record(absl::string_view path, const YAML::Node& node);

  // "FILE:LINE:COL: PATH: reason" at `node`. A null node (an empty value, which yaml-cpp places
  // at the next token, often on the next line) is located at the recorded position of `path`.
  absl::Status Error(const YAML::Node& node, absl::string_view path,
                     absl::string_view reason) const;
  // An error at `path`, located at the recorded position of the path or of its nearest recorded
  // parent ("a.b[2].c" -> "a.b[2]" -> "a.b" ...), else at `fallback`.
  absl::Status ErrorAtPath(absl::string_view path, const YAML::Node& fallback,
                           absl::string_view reason) const;
  // An error at `mark` in the current file; a null mark gives "FILE: PATH: reason".
  absl::Status ErrorAt(const YAML::Mark& mark, absl::string_view path,
                       absl::string_view reason) const;
  absl::Status ErrorAt(const YamlPosition& where, absl::string_view path,
                       absl::string_view reason) const;

  // What a node is, for messages: "a map", "a list", "a scalar", "nothing (null)".
  static absl::string_view Describe(const YAML::Node& node);

 private:
  struct SourceFile {
    std::string name;  // as used in messages
    std::string text;
  };

  // ReadDuration and ReadTimeout: `parse` reads the text, `example` shows the syntax.
  absl::StatusOr<absl::Duration> ReadDurationWith(
      const YAML::Node& node, absl::string_view path,
      absl::StatusOr<absl::Duration> (*parse)(absl::string_view), absl::string_view example);

  absl::StatusOr<YamlEntries> ReadMapImpl(const YAML::Node& node, absl::string_view path,
                                          const absl::Span<const absl::string_view>* allowed);

  std::vector<SourceFile> files_;  // [0] is the main file
  size_t current_file_ = 0;
  absl::flat_hash_map<std::string, YamlPosition> positions_;  // key path -> where it was read
};

template <typename T>
absl::StatusOr<T> YamlReader::ReadEnum(const YAML::Node& node, absl::string_view path,
                                       absl::Span<const EnumName<T>> values,
                                       absl::string_view what) {
  std::vector<absl::string_view> names;
  for (const EnumName<T>& v : values) names.push_back(v.name);
  if (!node.IsScalar()) {
    return Error(node, path,
                 absl::StrCat("expected a ", what, " (", absl::StrJoin(names, ", "), "), got ",
                              Describe(node)));
  }
  for (const EnumName<T>& v : values) {
    if (v.name == node.Scalar()) return v.value;
  }
  return Error(node, path,
               absl::StrCat("unknown ", what, " '", node.Scalar(), "'",
                            DidYouMeanOrList(node.Scalar(), names)));
}

}  // namespace wissel::base
