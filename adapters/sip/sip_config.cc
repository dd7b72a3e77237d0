#include "adapters/sip/sip_config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
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
#include "base/duration.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"

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

// Reads on top of the shared reader (base/yaml_reader.h), worded as this file's errors always
// were ("is required", "must be ...").

// true/false, and YAML 1.1's yes/no/on/off that this file always accepted.
absl::Status ReadYamlBool(base::YamlReader& yaml, const base::YamlEntries& fields,
                          absl::string_view key, bool* out) {
  const YAML::Node* node = fields.FindNonNull(key);
  if (node == nullptr) return absl::OkStatus();
  bool value = false;
  if (!node->IsScalar() || !YAML::convert<bool>::decode(*node, value)) {
    return yaml.Error(*node, key, "must be true or false");
  }
  *out = value;
  return absl::OkStatus();
}

// A duration in the syntax of every Wissel config (base/duration.h), whole milliseconds
// ("1500ms") included, of at least `min`.
absl::Status ReadDurationAtLeast(base::YamlReader& yaml, const base::YamlEntries& fields,
                                 absl::string_view key, absl::Duration min, absl::Duration* out) {
  const YAML::Node* node = fields.FindNonNull(key);
  if (node == nullptr) return absl::OkStatus();
  absl::StatusOr<absl::Duration> value = node->IsScalar()
                                             ? base::ParseConfigTimeout(node->Scalar())
                                             : absl::InvalidArgumentError("not a scalar");
  if (!value.ok() || *value < min) {
    return yaml.Error(*node, key,
                      absl::StrCat(R"(must be a duration such as "5s" or "10m", at least )",
                                   base::FormatConfigDuration(min)));
  }
  *out = *value;
  return absl::OkStatus();
}

absl::Status ReadUri(base::YamlReader& yaml, const base::YamlEntries& fields, const YAML::Node& map,
                     absl::string_view key, absl::string_view path, std::string* out) {
  WISSEL_RETURN_IF_ERROR(yaml.ReadTextValue(fields, map, path, key, true, out));
  if (absl::Status s = ValidateSipUri(*out); !s.ok()) {
    return yaml.Error(*fields.Find(key), base::JoinKeyPath(path, key), s.message());
  }
  return absl::OkStatus();
}

absl::Status ParseNumbers(base::YamlReader& r, const base::YamlEntries& fields,
                          const YAML::Node& root, SipConfig* config) {
  WISSEL_ASSIGN_OR_RETURN(const YAML::Node* numbers, r.RequireValue(fields, root, "", "numbers"));
  if (!numbers->IsSequence() || numbers->size() == 0) {
    return r.Error(*numbers, "numbers", "must be a non-empty list");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < numbers->size(); ++i) {
    const YAML::Node entry = (*numbers)[i];
    const std::string path = base::IndexPath("numbers", i);
    if (!entry.IsMap()) return r.Error(entry, path, "must be a map with number and topic");
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries keys,
                            r.ReadMap(entry, path, {"number", "topic", "ivr"}));
    DialledNumberConfig number;
    WISSEL_RETURN_IF_ERROR(r.ReadTextValue(keys, entry, path, "number", true, &number.number));
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
    WISSEL_RETURN_IF_ERROR(r.ReadTextValue(keys, entry, path, "topic", true, &number.topic));
    if (!IsIdentifier(number.topic)) {
      return r.Error(entry["topic"], path + ".topic",
                     "must be a topic code of letters, digits and . _ : @ -");
    }
    if (const YAML::Node* ivr = keys.FindNonNull("ivr")) {
      if (!ivr->IsMap()) return r.Error(*ivr, path + ".ivr", "must be a map of choice: topic");
      WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries choices, r.ReadAnyMap(*ivr, path + ".ivr"));
      for (const base::YamlEntry& choice : choices.all()) {
        const std::string choice_path = absl::StrCat(path, ".ivr[", choice.key, "]");
        if (!IsValidIvrChoice(choice.key)) {
          return r.Error(choice.key_node, choice_path, "a choice is 1-8 of 0-9, '*' and '#'");
        }
        if (!choice.value.IsScalar() || !IsIdentifier(choice.value.Scalar())) {
          return r.Error(choice.value, choice_path, "must be a topic code");
        }
        number.ivr[choice.key] = choice.value.Scalar();
      }
    }
    config->numbers.push_back(std::move(number));
  }
  return absl::OkStatus();
}

absl::Status ParseWaiting(base::YamlReader& r, const base::YamlEntries& fields,
                          const YAML::Node& root, SipConfig* config) {
  WISSEL_ASSIGN_OR_RETURN(const YAML::Node* waiting, r.RequireValue(fields, root, "", "waiting"));
  if (!waiting->IsMap()) return r.Error(*waiting, "waiting", "must be a map with default, queues");
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries keys,
                          r.ReadMap(*waiting, "waiting", {"default", "queues"}));
  WISSEL_RETURN_IF_ERROR(
      ReadUri(r, keys, *waiting, "default", "waiting", &config->default_waiting_uri));
  const YAML::Node* queues = keys.FindNonNull("queues");
  if (queues == nullptr) return absl::OkStatus();
  if (!queues->IsMap()) return r.Error(*queues, "waiting.queues", "must be a map of queue: URI");
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries names, r.ReadAnyMap(*queues, "waiting.queues"));
  for (const base::YamlEntry& queue : names.all()) {
    if (!IsIdentifier(queue.key)) {
      return r.Error(queue.key_node, "waiting.queues", "bad queue name");
    }
    std::string uri;
    WISSEL_RETURN_IF_ERROR(ReadUri(r, names, *queues, queue.key, "waiting.queues", &uri));
    config->queue_waiting_uris[queue.key] = uri;
  }
  return absl::OkStatus();
}

absl::Status ParseAnnouncements(base::YamlReader& r, const base::YamlEntries& fields,
                                const YAML::Node& root, SipConfig* config) {
  WISSEL_ASSIGN_OR_RETURN(const YAML::Node* announcements,
                          r.RequireValue(fields, root, "", "announcements"));
  if (!announcements->IsMap()) {
    return r.Error(*announcements, "announcements", "must be a map with closed, digital, callback");
  }
  WISSEL_ASSIGN_OR_RETURN(
      const base::YamlEntries keys,
      r.ReadMap(*announcements, "announcements", {"closed", "digital", "callback"}));
  WISSEL_RETURN_IF_ERROR(
      ReadUri(r, keys, *announcements, "closed", "announcements", &config->closed_uri));
  WISSEL_RETURN_IF_ERROR(
      ReadUri(r, keys, *announcements, "digital", "announcements", &config->digital_uri));
  return ReadUri(r, keys, *announcements, "callback", "announcements", &config->callback_uri);
}

absl::Status ParsePeers(base::YamlReader& r, const base::YamlEntries& fields,
                        const YAML::Node& root, SipConfig* config) {
  WISSEL_RETURN_IF_ERROR(ReadYamlBool(r, fields, "allow_any_peer", &config->allow_any_peer));
  const YAML::Node* peers = fields.FindNonNull("trusted_peers");
  if (peers != nullptr) {
    if (!peers->IsSequence()) {
      return r.Error(*peers, "trusted_peers",
                     "must be a list of addresses or CIDR blocks, e.g. [10.20.0.0/16]");
    }
    for (size_t i = 0; i < peers->size(); ++i) {
      const YAML::Node item = (*peers)[i];
      const std::string path = base::IndexPath("trusted_peers", i);
      if (!item.IsScalar()) return r.Error(item, path, "must be an address or a CIDR block");
      absl::StatusOr<Cidr> block = ParseCidr(item.Scalar());
      if (!block.ok()) return r.Error(item, path, block.status().message());
      config->trusted_peers.Add(*block);
    }
  }
  if (config->trusted_peers.empty() && !config->allow_any_peer) {
    return r.Error(peers != nullptr ? *peers : root, "trusted_peers",
                   "list the addresses or CIDR blocks of the PBX (e.g. [10.20.0.0/16]); without "
                   "them every sender is refused. For development on loopback only: "
                   "allow_any_peer: true");
  }
  return absl::OkStatus();
}

absl::Status Parse(base::YamlReader& r, const YAML::Node& root, SipConfig* config) {
  if (!root.IsMap()) return r.Error(root, "", "expected a map with tenant and numbers");
  WISSEL_ASSIGN_OR_RETURN(
      const base::YamlEntries fields,
      r.ReadMap(root, "",
                {"tenant", "numbers", "ivr_header", "handler_uri_template", "use_handler_address",
                 "waiting", "announcements", "trusted_peers", "allow_any_peer",
                 "trust_asserted_identity", "retry_after", "call_memory"}));
  WISSEL_RETURN_IF_ERROR(r.ReadTextValue(fields, root, "", "tenant", true, &config->tenant));
  if (!IsIdentifier(config->tenant)) {
    return r.Error(root["tenant"], "tenant", "must be a tenant id as configured in the router");
  }
  WISSEL_RETURN_IF_ERROR(ParseNumbers(r, fields, root, config));
  WISSEL_RETURN_IF_ERROR(
      r.ReadTextValue(fields, root, "", "ivr_header", false, &config->ivr_header));
  if (!IsHeaderName(config->ivr_header)) {
    return r.Error(root["ivr_header"], "ivr_header", "must be a header name");
  }
  WISSEL_RETURN_IF_ERROR(r.ReadTextValue(fields, root, "", "handler_uri_template", true,
                                         &config->handler_uri_template));
  if (config->handler_uri_template.find("{handler}") == std::string::npos) {
    return r.Error(root["handler_uri_template"], "handler_uri_template", "must contain {handler}");
  }
  if (absl::Status s =
          ValidateSipUri(absl::StrReplaceAll(config->handler_uri_template, {{"{handler}", "h1"}}));
      !s.ok()) {
    return r.Error(root["handler_uri_template"], "handler_uri_template", s.message());
  }
  WISSEL_RETURN_IF_ERROR(
      ReadYamlBool(r, fields, "use_handler_address", &config->use_handler_address));
  WISSEL_RETURN_IF_ERROR(ParsePeers(r, fields, root, config));
  WISSEL_RETURN_IF_ERROR(
      ReadYamlBool(r, fields, "trust_asserted_identity", &config->trust_asserted_identity));
  WISSEL_RETURN_IF_ERROR(ParseWaiting(r, fields, root, config));
  WISSEL_RETURN_IF_ERROR(ParseAnnouncements(r, fields, root, config));
  WISSEL_RETURN_IF_ERROR(
      ReadDurationAtLeast(r, fields, "retry_after", absl::Seconds(1), &config->retry_after));
  return ReadDurationAtLeast(r, fields, "call_memory", absl::Seconds(1), &config->call_memory);
}

}  // namespace

absl::Status CheckPeerPolicy(const SipConfig& config,
                             absl::Span<const std::string> listen_addresses) {
  if (!config.allow_any_peer) return absl::OkStatus();
  for (const std::string& address : listen_addresses) {
    if (address.empty()) continue;
    absl::string_view host = address;
    const size_t colon = host.rfind(':');
    if (colon != absl::string_view::npos) host = host.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    absl::StatusOr<IpAddress> ip = IpAddress::Parse(host);
    if (host == "localhost" || (ip.ok() && ip->IsLoopback())) continue;
    return absl::FailedPreconditionError(
        absl::StrCat("allow_any_peer is for development and needs a loopback listen address, "
                     "not '",
                     address, "'; list the PBX in trusted_peers instead"));
  }
  return absl::OkStatus();
}

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
  base::YamlReader reader(filename, yaml);
  SipConfig config;
  try {
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node root, reader.LoadDocument());
    if (!root.IsDefined() || root.IsNull()) {
      return reader.ErrorAt(YAML::Mark(), "", "empty configuration; expected tenant and numbers");
    }
    WISSEL_RETURN_IF_ERROR(Parse(reader, root, &config));
  } catch (const YAML::Exception& e) {
    return reader.ErrorAt(e.mark, "", e.msg);
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
