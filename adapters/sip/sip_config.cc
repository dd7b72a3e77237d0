#include "adapters/sip/sip_config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "adapters/sip/dial_plan.h"
#include "adapters/sip/sip_message.h"

namespace wissel::adapters::sip {
namespace {

constexpr size_t kMaxFileBytes = 1 << 20;
constexpr size_t kMaxIdLength = 64;

bool IsIdentifier(absl::string_view s) {
  if (s.empty() || s.size() > kMaxIdLength) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != ':' &&
        c != '@' && c != '-') {
      return false;
    }
  }
  return true;
}

bool IsHeaderName(absl::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

// Walks the YAML tree; every error names file, line, column and key path.
class Reader {
 public:
  explicit Reader(absl::string_view filename) : filename_(filename) {}

  absl::Status Error(const YAML::Node& node, absl::string_view path, absl::string_view reason) {
    const YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark();
    return absl::InvalidArgumentError(absl::StrCat(filename_, ":", mark.line + 1, ":",
                                                   mark.column + 1, ": ", path, ": ", reason));
  }

  // Rejects keys not in `known` (typos are errors, not silently ignored).
  absl::Status OnlyKeys(const YAML::Node& map, absl::string_view path,
                        std::initializer_list<absl::string_view> known) {
    for (const auto& entry : map) {
      const std::string key = entry.first.as<std::string>();
      bool ok = false;
      for (absl::string_view k : known) ok = ok || k == key;
      if (!ok) {
        return Error(entry.first, path.empty() ? key : absl::StrCat(path, ".", key), "unknown key");
      }
    }
    return absl::OkStatus();
  }

  absl::Status String(const YAML::Node& map, absl::string_view key, absl::string_view path,
                      bool required, std::string* out) {
    const YAML::Node node = map[std::string(key)];
    const std::string full = path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
    if (!node.IsDefined() || node.IsNull()) {
      if (required) return Error(map, full, "is required");
      return absl::OkStatus();
    }
    if (!node.IsScalar()) return Error(node, full, "must be a string");
    *out = node.as<std::string>();
    return absl::OkStatus();
  }

  absl::Status Bool(const YAML::Node& map, absl::string_view key, absl::string_view path,
                    bool* out) {
    const YAML::Node node = map[std::string(key)];
    if (!node.IsDefined() || node.IsNull()) return absl::OkStatus();
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
      return Error(node, absl::StrCat(path.empty() ? "" : absl::StrCat(path, "."), key),
                   "must be true or false");
    }
    *out = value;
    return absl::OkStatus();
  }

  absl::Status Duration(const YAML::Node& map, absl::string_view key, absl::Duration min,
                        absl::Duration* out) {
    const YAML::Node node = map[std::string(key)];
    if (!node.IsDefined() || node.IsNull()) return absl::OkStatus();
    absl::Duration value;
    if (!node.IsScalar() || !absl::ParseDuration(node.as<std::string>(), &value) || value < min) {
      return Error(node, key,
                   absl::StrCat("must be a duration such as \"5s\" or \"10m\", at least ",
                                absl::FormatDuration(min)));
    }
    *out = value;
    return absl::OkStatus();
  }

  absl::Status Uri(const YAML::Node& map, absl::string_view key, absl::string_view path,
                   bool required, std::string* out) {
    if (absl::Status s = String(map, key, path, required, out); !s.ok()) return s;
    if (out->empty() && !required) return absl::OkStatus();
    if (absl::Status s = ValidateSipUri(*out); !s.ok()) {
      return Error(map[std::string(key)],
                   absl::StrCat(path.empty() ? "" : absl::StrCat(path, "."), key), s.message());
    }
    return absl::OkStatus();
  }

 private:
  std::string filename_;
};

absl::Status ParseNumbers(Reader& r, const YAML::Node& root, SipConfig* config) {
  const YAML::Node numbers = root["numbers"];
  if (!numbers.IsDefined() || numbers.IsNull()) return r.Error(root, "numbers", "is required");
  if (!numbers.IsSequence() || numbers.size() == 0) {
    return r.Error(numbers, "numbers", "must be a non-empty list");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < numbers.size(); ++i) {
    const YAML::Node entry = numbers[i];
    const std::string path = absl::StrCat("numbers[", i, "]");
    if (!entry.IsMap()) return r.Error(entry, path, "must be a map with number and topic");
    if (absl::Status s = r.OnlyKeys(entry, path, {"number", "topic", "ivr"}); !s.ok()) return s;
    DialledNumberConfig number;
    if (absl::Status s = r.String(entry, "number", path, true, &number.number); !s.ok()) return s;
    const std::string normalized = NormalizeDialledNumber(number.number);
    bool digits = !normalized.empty();
    for (char c : normalized) digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
    if (!digits || normalized.size() > 32) {
      return r.Error(entry["number"], path + ".number",
                     "must be 1-32 digits (spaces, '-', '.', '(' and ')' are ignored)");
    }
    if (!seen.insert(normalized).second) {
      return r.Error(entry["number"], path + ".number", "is listed twice");
    }
    if (absl::Status s = r.String(entry, "topic", path, true, &number.topic); !s.ok()) return s;
    if (!IsIdentifier(number.topic)) {
      return r.Error(entry["topic"], path + ".topic",
                     "must be a topic code of letters, digits and . _ : @ -");
    }
    const YAML::Node ivr = entry["ivr"];
    if (ivr.IsDefined() && !ivr.IsNull()) {
      if (!ivr.IsMap()) return r.Error(ivr, path + ".ivr", "must be a map of choice: topic");
      for (const auto& choice : ivr) {
        const std::string key = choice.first.as<std::string>();
        const std::string choice_path = absl::StrCat(path, ".ivr[", key, "]");
        if (!IsValidIvrChoice(key)) {
          return r.Error(choice.first, choice_path, "a choice is 1-8 of 0-9, '*' and '#'");
        }
        if (!choice.second.IsScalar() || !IsIdentifier(choice.second.as<std::string>())) {
          return r.Error(choice.second, choice_path, "must be a topic code");
        }
        number.ivr[key] = choice.second.as<std::string>();
      }
    }
    config->numbers.push_back(std::move(number));
  }
  return absl::OkStatus();
}

absl::Status Parse(Reader& r, const YAML::Node& root, SipConfig* config) {
  if (!root.IsMap()) return r.Error(root, "", "expected a map with tenant and numbers");
  if (absl::Status s = r.OnlyKeys(
          root, "",
          {"tenant", "numbers", "ivr_header", "handler_uri_template", "use_handler_address",
           "waiting", "announcements", "trust_asserted_identity", "retry_after", "call_memory"});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = r.String(root, "tenant", "", true, &config->tenant); !s.ok()) return s;
  if (!IsIdentifier(config->tenant)) {
    return r.Error(root["tenant"], "tenant", "must be a tenant id as configured in the router");
  }
  if (absl::Status s = ParseNumbers(r, root, config); !s.ok()) return s;
  if (absl::Status s = r.String(root, "ivr_header", "", false, &config->ivr_header); !s.ok()) {
    return s;
  }
  if (!IsHeaderName(config->ivr_header)) {
    return r.Error(root["ivr_header"], "ivr_header", "must be a header name");
  }
  if (absl::Status s =
          r.String(root, "handler_uri_template", "", true, &config->handler_uri_template);
      !s.ok()) {
    return s;
  }
  if (config->handler_uri_template.find("{handler}") == std::string::npos) {
    return r.Error(root["handler_uri_template"], "handler_uri_template", "must contain {handler}");
  }
  if (absl::Status s =
          ValidateSipUri(absl::StrReplaceAll(config->handler_uri_template, {{"{handler}", "h1"}}));
      !s.ok()) {
    return r.Error(root["handler_uri_template"], "handler_uri_template", s.message());
  }
  if (absl::Status s = r.Bool(root, "use_handler_address", "", &config->use_handler_address);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          r.Bool(root, "trust_asserted_identity", "", &config->trust_asserted_identity);
      !s.ok()) {
    return s;
  }

  const YAML::Node waiting = root["waiting"];
  if (!waiting.IsDefined() || waiting.IsNull()) return r.Error(root, "waiting", "is required");
  if (!waiting.IsMap()) return r.Error(waiting, "waiting", "must be a map with default, queues");
  if (absl::Status s = r.OnlyKeys(waiting, "waiting", {"default", "queues"}); !s.ok()) return s;
  if (absl::Status s = r.Uri(waiting, "default", "waiting", true, &config->default_waiting_uri);
      !s.ok()) {
    return s;
  }
  const YAML::Node queues = waiting["queues"];
  if (queues.IsDefined() && !queues.IsNull()) {
    if (!queues.IsMap()) return r.Error(queues, "waiting.queues", "must be a map of queue: URI");
    for (const auto& queue : queues) {
      const std::string name = queue.first.as<std::string>();
      if (!IsIdentifier(name)) return r.Error(queue.first, "waiting.queues", "bad queue name");
      std::string uri;
      if (absl::Status s = r.Uri(queues, name, "waiting.queues", true, &uri); !s.ok()) return s;
      config->queue_waiting_uris[name] = uri;
    }
  }

  const YAML::Node announcements = root["announcements"];
  if (!announcements.IsDefined() || announcements.IsNull()) {
    return r.Error(root, "announcements", "is required");
  }
  if (!announcements.IsMap()) {
    return r.Error(announcements, "announcements", "must be a map with closed, digital, callback");
  }
  if (absl::Status s =
          r.OnlyKeys(announcements, "announcements", {"closed", "digital", "callback"});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = r.Uri(announcements, "closed", "announcements", true, &config->closed_uri);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = r.Uri(announcements, "digital", "announcements", true, &config->digital_uri);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          r.Uri(announcements, "callback", "announcements", true, &config->callback_uri);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = r.Duration(root, "retry_after", absl::Seconds(1), &config->retry_after);
      !s.ok()) {
    return s;
  }
  return r.Duration(root, "call_memory", absl::Seconds(1), &config->call_memory);
}

}  // namespace

absl::Status ValidateSipUri(absl::string_view uri) {
  if (uri.empty()) return absl::InvalidArgumentError("is empty");
  const std::string lower = absl::AsciiStrToLower(uri.substr(0, 5));
  if (!absl::StartsWith(lower, "sip:") && !absl::StartsWith(lower, "sips:") &&
      !absl::StartsWith(lower, "tel:")) {
    return absl::InvalidArgumentError("must be a sip:, sips: or tel: URI");
  }
  for (char c : uri) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '<' || c == '>' || c == '"' || c == 0x7f) {
      return absl::InvalidArgumentError("must not contain spaces, quotes, '<' or '>'");
    }
  }
  if (!ParsesAsUri(uri)) return absl::InvalidArgumentError("is not a valid SIP URI");
  return absl::OkStatus();
}

absl::StatusOr<SipConfig> ParseSipConfig(absl::string_view yaml, absl::string_view filename) {
  Reader reader(filename);
  SipConfig config;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    if (!root.IsDefined() || root.IsNull()) {
      return absl::InvalidArgumentError(
          absl::StrCat(filename, ":1:1: empty configuration; expected tenant and numbers"));
    }
    if (absl::Status s = Parse(reader, root, &config); !s.ok()) return s;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(filename, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  return config;
}

absl::StatusOr<SipConfig> LoadSipConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  std::string text;
  char buffer[1 << 14];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) {
      return absl::FailedPreconditionError(absl::StrCat("'", path, "' is larger than 1 MiB"));
    }
  }
  return ParseSipConfig(text, path);
}

}  // namespace wissel::adapters::sip
