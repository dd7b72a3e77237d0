// A tenant's `attributes:` (the contact attributes it accepts, by name) and the key that
// encrypts the personal ones (attribute_key_env / attribute_key_file / attribute_key).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"
#include "router/config/config_parser.h"

namespace wissel::config {
namespace {

constexpr size_t kMaxNameLength = 40;
constexpr int kMaxValueLength = 4096;
// 32 bytes of AES-256 key, written as hex (`openssl rand -hex 32`).
constexpr size_t kKeyHexDigits = 64;

bool IsValidAttributeName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

bool IsHex(absl::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

}  // namespace

absl::Status ConfigParser::ParseAttributes(const base::YamlEntries& fields, const std::string& path,
                                           TenantSettings* tenant) {
  // A copy of the node (a handle into the document): the entries it was found in are gone by
  // the time it is reported.
  std::optional<YAML::Node> first_personal;
  std::string first_personal_path;
  if (const YAML::Node* list = fields.Find("attributes")) {
    const std::string list_path = base::JoinKeyPath(path, "attributes");
    WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(*list, list_path));
    size_t i = 0;
    for (const YAML::Node& item : *list) {
      const std::string item_path = base::IndexPath(list_path, i++);
      WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries entry,
                              reader_.ReadMap(item, item_path, {"name", "max_length", "personal"}));
      AttributeSpec spec;
      WISSEL_ASSIGN_OR_RETURN(const YAML::Node* name,
                              reader_.Require(entry, item, item_path, "name"));
      const std::string name_path = base::JoinKeyPath(item_path, "name");
      WISSEL_ASSIGN_OR_RETURN(spec.name, reader_.ReadString(*name, name_path));
      if (!IsValidAttributeName(spec.name)) {
        return reader_.Error(
            *name, name_path,
            absl::StrCat("invalid attribute name '", spec.name, "'; use 1 to ", kMaxNameLength,
                         " characters from a-z, 0-9, '_' and '.'"));
      }
      for (const AttributeSpec& other : tenant->attributes) {
        if (other.name == spec.name) {
          return reader_.Error(*name, name_path,
                               absl::StrCat("attribute '", spec.name, "' is listed twice"));
        }
      }
      WISSEL_ASSIGN_OR_RETURN(const YAML::Node* max_length,
                              reader_.Require(entry, item, item_path, "max_length"));
      const std::string max_path = base::JoinKeyPath(item_path, "max_length");
      WISSEL_ASSIGN_OR_RETURN(const int max, reader_.ReadInt(*max_length, max_path));
      if (max < 1 || max > kMaxValueLength) {
        return reader_.Error(*max_length, max_path,
                             absl::StrCat("must be within 1..", kMaxValueLength, ", got ", max));
      }
      spec.max_length = static_cast<size_t>(max);
      if (const YAML::Node* personal = entry.Find("personal")) {
        const std::string personal_path = base::JoinKeyPath(item_path, "personal");
        WISSEL_ASSIGN_OR_RETURN(spec.personal, reader_.ReadBool(*personal, personal_path));
        if (spec.personal && !first_personal.has_value()) {
          first_personal = *personal;
          first_personal_path = personal_path;
        }
      }
      if (spec.personal) tenant->routing.personal_attributes.push_back(spec.name);
      tenant->attributes.push_back(std::move(spec));
    }
  }

  std::string key_path;
  std::string key_text;
  WISSEL_ASSIGN_OR_RETURN(
      const YAML::Node* key,
      ReadSecret(fields, path, {"attribute_key_env", "attribute_key_file", "attribute_key"},
                 &key_text, &tenant->attribute_key_source, &key_path));
  if (key == nullptr) {
    if (first_personal.has_value()) {
      return reader_.Error(*first_personal, first_personal_path,
                           "a personal attribute is stored encrypted: set attribute_key_env "
                           "(recommended) or attribute_key_file in the tenant");
    }
    return absl::OkStatus();
  }
  // Empty only when the options let an unavailable key pass (a warning is recorded).
  if (key_text.empty()) return absl::OkStatus();
  if (key_text.size() != kKeyHexDigits || !IsHex(key_text)) {
    const size_t size = key_text.size();
    std::fill(key_text.begin(), key_text.end(), '\0');
    return reader_.Error(
        *key, key_path,
        absl::StrCat("attribute key must be ", kKeyHexDigits,
                     " hex digits (32 bytes, `openssl rand -hex 32`), got ", size, " characters"));
  }
  tenant->attribute_key = absl::HexStringToBytes(key_text);
  std::fill(key_text.begin(), key_text.end(), '\0');
  return absl::OkStatus();
}

}  // namespace wissel::config
