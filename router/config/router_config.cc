#include "router/config/router_config.h"

#include <fcntl.h>
#include <glog/logging.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "router/common/status_macros.h"
#include "router/config/duration.h"
#include "router/core/channel.h"

namespace wissel::config {
namespace {

constexpr size_t kMinSecretBytes = 32;
// Bigger files are certainly a mistake (a wrong path, /dev/zero); refuse before reading them.
constexpr size_t kMaxFileBytes = 16 << 20;

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot open '", path, "'"));
  std::string out;
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return absl::ErrnoToStatus(error, absl::StrCat("cannot read '", path, "'"));
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
    if (out.size() > kMaxFileBytes) {
      ::close(fd);
      return absl::FailedPreconditionError(
          absl::StrCat("'", path, "' is larger than ", kMaxFileBytes, " bytes"));
    }
  }
  ::close(fd);
  return out;
}

std::string Join(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

std::string Index(absl::string_view path, size_t i) { return absl::StrCat(path, "[", i, "]"); }

absl::string_view Describe(const YAML::Node& node) {
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

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool IsValidTenantId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// "host:port" with a port in 0..65535, "[v6]:port", or "unix:/path".
bool IsValidListenAddress(absl::string_view address) {
  if (absl::ConsumePrefix(&address, "unix:")) return !address.empty();
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return false;
  const absl::string_view port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return absl::ascii_isdigit(c); })) {
    return false;
  }
  int value = 0;
  return absl::SimpleAtoi(port, &value) && value <= 65535;
}

// One key of a YAML map, in document order.
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

class Entries {
 public:
  explicit Entries(std::vector<Entry> entries) : entries_(std::move(entries)) {}

  // The value under `key`, or nullptr if the key is absent.
  const YAML::Node* Find(absl::string_view key) const {
    for (const Entry& e : entries_) {
      if (e.key == key) return &e.value;
    }
    return nullptr;
  }

 private:
  std::vector<Entry> entries_;
};

// Walks one document. Every read records the mark of the node at its key path, so that an
// error found later (by TenantConfig::Validate, which only knows paths) can still point at
// the right line.
class Parser {
 public:
  explicit Parser(absl::string_view filename) : filename_(filename) {
    base_dir_ = std::filesystem::path(filename_).parent_path().string();
  }

  absl::StatusOr<RouterConfig> Parse(absl::string_view yaml) {
    try {
      return ParseDocument(yaml);
    } catch (const YAML::Exception& e) {
      // yaml-cpp reports syntax errors (and, defensively, any misuse) by throwing; nothing
      // may escape this module.
      return ErrorAt(e.mark, "", absl::StrCat("malformed YAML: ", e.msg));
    }
  }

 private:
  absl::StatusOr<RouterConfig> ParseDocument(absl::string_view yaml) {
    const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml));
    if (documents.size() > 1) {
      return Error(documents[1], "", "only one YAML document is allowed per file");
    }
    if (documents.empty() || documents[0].IsNull()) {
      return ErrorAt(YAML::Mark(), "", "empty configuration; expected a map with 'tenants'");
    }
    const YAML::Node& root = documents[0];
    WISSEL_ASSIGN_OR_RETURN(
        const Entries fields,
        ReadMap(root, "", {"listen_address", "redis", "drain_timeout", "tenants"}));

    RouterConfig config;
    if (const YAML::Node* n = fields.Find("listen_address")) {
      WISSEL_ASSIGN_OR_RETURN(config.listen_address, ReadString(*n, "listen_address"));
      if (!IsValidListenAddress(config.listen_address)) {
        return Error(*n, "listen_address",
                     absl::StrCat("invalid address '", config.listen_address,
                                  "'; expected host:port, [ipv6]:port or unix:/path"));
      }
    }
    if (const YAML::Node* n = fields.Find("drain_timeout")) {
      WISSEL_ASSIGN_OR_RETURN(config.drain_timeout, ReadDuration(*n, "drain_timeout"));
    }
    if (const YAML::Node* n = fields.Find("redis")) {
      WISSEL_RETURN_IF_ERROR(ParseRedis(*n, "redis", &config.redis));
    }

    const YAML::Node* tenants = fields.Find("tenants");
    if (tenants == nullptr) return Error(root, "", "missing required key 'tenants'");
    WISSEL_RETURN_IF_ERROR(ExpectSequence(*tenants, "tenants"));
    if (tenants->size() == 0) return Error(*tenants, "tenants", "at least one tenant is required");
    absl::flat_hash_map<std::string, size_t> tenant_index;
    size_t i = 0;
    for (const YAML::Node& node : *tenants) {
      const std::string path = Index("tenants", i);
      Record(path, node);
      TenantSettings tenant;
      WISSEL_RETURN_IF_ERROR(ParseTenant(node, path, &tenant));
      if (auto [it, inserted] = tenant_index.emplace(tenant.routing.id, i); !inserted) {
        return ErrorAtPath(Join(path, "id"), node,
                           absl::StrCat("duplicate tenant id '", tenant.routing.id,
                                        "' (first defined at tenants[", it->second, "])"));
      }
      config.tenants.push_back(std::move(tenant));
      ++i;
    }
    return config;
  }

  absl::Status ParseRedis(const YAML::Node& node, const std::string& path, RedisConfig* redis) {
    WISSEL_ASSIGN_OR_RETURN(
        const Entries fields,
        ReadMap(node, path, {"host", "port", "connect_timeout", "command_timeout"}));
    if (const YAML::Node* n = fields.Find("host")) {
      WISSEL_ASSIGN_OR_RETURN(redis->host, ReadString(*n, Join(path, "host")));
    }
    if (const YAML::Node* n = fields.Find("port")) {
      WISSEL_ASSIGN_OR_RETURN(redis->port, ReadInt(*n, Join(path, "port")));
      if (redis->port < 1 || redis->port > 65535) {
        return Error(*n, Join(path, "port"),
                     absl::StrCat("must be between 1 and 65535, got ", redis->port));
      }
    }
    if (const YAML::Node* n = fields.Find("connect_timeout")) {
      WISSEL_ASSIGN_OR_RETURN(redis->connect_timeout,
                              ReadPositiveDuration(*n, Join(path, "connect_timeout")));
    }
    if (const YAML::Node* n = fields.Find("command_timeout")) {
      WISSEL_ASSIGN_OR_RETURN(redis->command_timeout,
                              ReadPositiveDuration(*n, Join(path, "command_timeout")));
    }
    return absl::OkStatus();
  }

  absl::Status ParseTenant(const YAML::Node& node, const std::string& path,
                           TenantSettings* tenant) {
    WISSEL_ASSIGN_OR_RETURN(
        const Entries fields,
        ReadMap(node, path,
                {"id", "name", "pseudonym_secret_env", "pseudonym_secret_file", "pseudonym_secret",
                 "contact_retention", "channels", "handler_defaults", "queues", "topics"}));
    core::TenantConfig& routing = tenant->routing;

    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* id, Require(fields, node, path, "id"));
    WISSEL_ASSIGN_OR_RETURN(routing.id, ReadString(*id, Join(path, "id")));
    if (!IsValidTenantId(routing.id)) {
      return Error(*id, Join(path, "id"),
                   absl::StrCat("invalid tenant id '", routing.id,
                                "'; use 1 to 63 characters from a-z, 0-9 and '-'"));
    }
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* name, Require(fields, node, path, "name"));
    WISSEL_ASSIGN_OR_RETURN(routing.name, ReadString(*name, Join(path, "name")));

    WISSEL_RETURN_IF_ERROR(ParseSecret(fields, node, path, tenant));
    if (const YAML::Node* n = fields.Find("contact_retention")) {
      WISSEL_ASSIGN_OR_RETURN(tenant->contact_retention,
                              ReadPositiveDuration(*n, Join(path, "contact_retention")));
    }

    routing.channel_names = DefaultChannelNames();
    if (const YAML::Node* n = fields.Find("channels")) {
      WISSEL_RETURN_IF_ERROR(ParseChannelNames(*n, Join(path, "channels"), &routing));
    }
    if (const YAML::Node* n = fields.Find("handler_defaults")) {
      WISSEL_RETURN_IF_ERROR(
          ParseHandlerDefaults(*n, Join(path, "handler_defaults"), &routing.handler_defaults));
    }
    if (const YAML::Node* n = fields.Find("queues")) {
      const std::string queues_path = Join(path, "queues");
      WISSEL_RETURN_IF_ERROR(ExpectSequence(*n, queues_path));
      size_t i = 0;
      for (const YAML::Node& item : *n) {
        core::QueueConfig queue;
        WISSEL_RETURN_IF_ERROR(ParseQueue(item, Index(queues_path, i++), &queue));
        routing.queues.push_back(std::move(queue));
      }
    }
    if (const YAML::Node* n = fields.Find("topics")) {
      const std::string topics_path = Join(path, "topics");
      WISSEL_RETURN_IF_ERROR(ExpectSequence(*n, topics_path));
      size_t i = 0;
      for (const YAML::Node& item : *n) {
        core::TopicConfig topic;
        WISSEL_RETURN_IF_ERROR(ParseTopic(item, Index(topics_path, i++), &topic));
        routing.topics.push_back(std::move(topic));
      }
    }

    if (absl::Status s = routing.Validate(); !s.ok()) {
      // Validate reports "PATH: reason" with PATH relative to the tenant; point at that node.
      const absl::string_view message = s.message();
      const size_t separator = message.find(": ");
      if (separator == absl::string_view::npos) return ErrorAtPath(path, node, message);
      return ErrorAtPath(Join(path, message.substr(0, separator)), node,
                         message.substr(separator + 2));
    }
    return absl::OkStatus();
  }

  absl::Status ParseSecret(const Entries& fields, const YAML::Node& tenant_node,
                           const std::string& path, TenantSettings* tenant) {
    constexpr absl::string_view kKeys[] = {"pseudonym_secret_env", "pseudonym_secret_file",
                                           "pseudonym_secret"};
    const YAML::Node* node = nullptr;
    absl::string_view key;
    for (absl::string_view k : kKeys) {
      const YAML::Node* n = fields.Find(k);
      if (n == nullptr) continue;
      if (node != nullptr) {
        return Error(*n, Join(path, k),
                     absl::StrCat("conflicts with ", key, "; give exactly one of ",
                                  absl::StrJoin(kKeys, ", ")));
      }
      node = n;
      key = k;
    }
    if (node == nullptr) {
      return Error(tenant_node, path,
                   "missing pseudonym secret; set pseudonym_secret_env (recommended), "
                   "pseudonym_secret_file or pseudonym_secret");
    }
    const std::string key_path = Join(path, key);
    WISSEL_ASSIGN_OR_RETURN(const std::string value, ReadString(*node, key_path));
    std::string secret;
    if (key == "pseudonym_secret_env") {
      const char* env = std::getenv(value.c_str());
      if (env == nullptr || *env == '\0') {
        return Error(*node, key_path,
                     absl::StrCat("environment variable '", value, "' is not set or empty"));
      }
      secret = env;
      tenant->pseudonym_secret_source = absl::StrCat("env:", value);
    } else if (key == "pseudonym_secret_file") {
      std::filesystem::path file(value);
      if (file.is_relative() && !base_dir_.empty()) file = std::filesystem::path(base_dir_) / file;
      absl::StatusOr<std::string> contents = ReadFileToString(file.string());
      if (!contents.ok()) return Error(*node, key_path, contents.status().message());
      secret = *std::move(contents);
      // Files written with `echo` end in a newline that is not part of the secret.
      while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
        secret.pop_back();
      }
      tenant->pseudonym_secret_source = absl::StrCat("file:", file.string());
    } else {
      secret = value;
      tenant->pseudonym_secret_source = "literal";
      LOG(WARNING) << filename_ << ": " << key_path
                   << " holds the secret in the file; use pseudonym_secret_env or "
                      "pseudonym_secret_file outside development";
    }
    if (secret.size() < kMinSecretBytes) {
      return Error(*node, key_path,
                   absl::StrCat("pseudonym secret is ", secret.size(), " bytes; at least ",
                                kMinSecretBytes, " are required"));
    }
    tenant->pseudonym_secret = std::move(secret);
    return absl::OkStatus();
  }

  static core::PerChannel<std::string> DefaultChannelNames() {
    core::PerChannel<std::string> names;
    names[core::Channel::kPhone] = "Telefoon";
    names[core::Channel::kChat] = "Chat";
    names[core::Channel::kWebForm] = "Webformulier";
    names[core::Channel::kBalie] = "Balie";
    names[core::Channel::kEmail] = "E-mail";
    return names;
  }

  static std::vector<absl::string_view> ChannelKeys() {
    std::vector<absl::string_view> keys;
    for (core::Channel c : core::kAllChannels) keys.push_back(core::ChannelName(c));
    return keys;
  }

  absl::Status ParseChannelNames(const YAML::Node& node, const std::string& path,
                                 core::TenantConfig* routing) {
    WISSEL_ASSIGN_OR_RETURN(const Entries fields, ReadMap(node, path, ChannelKeys()));
    for (core::Channel c : core::kAllChannels) {
      if (const YAML::Node* n = fields.Find(core::ChannelName(c))) {
        WISSEL_ASSIGN_OR_RETURN(routing->channel_names[c],
                                ReadString(*n, Join(path, core::ChannelName(c))));
      }
    }
    return absl::OkStatus();
  }

  absl::Status ParseHandlerDefaults(const YAML::Node& node, const std::string& path,
                                    core::HandlerDefaults* defaults) {
    WISSEL_ASSIGN_OR_RETURN(const Entries fields,
                            ReadMap(node, path, {"capacity", "offer_timeout", "max_wrap_up"}));
    if (const YAML::Node* n = fields.Find("capacity")) {
      const std::string capacity_path = Join(path, "capacity");
      WISSEL_ASSIGN_OR_RETURN(const Entries capacity, ReadMap(*n, capacity_path, ChannelKeys()));
      for (core::Channel c : core::kAllChannels) {
        if (const YAML::Node* v = capacity.Find(core::ChannelName(c))) {
          WISSEL_ASSIGN_OR_RETURN(defaults->capacity[c],
                                  ReadInt(*v, Join(capacity_path, core::ChannelName(c))));
        }
      }
    }
    if (const YAML::Node* n = fields.Find("offer_timeout")) {
      WISSEL_ASSIGN_OR_RETURN(defaults->offer_timeout,
                              ReadDuration(*n, Join(path, "offer_timeout")));
    }
    if (const YAML::Node* n = fields.Find("max_wrap_up")) {
      WISSEL_ASSIGN_OR_RETURN(defaults->max_wrap_up, ReadDuration(*n, Join(path, "max_wrap_up")));
    }
    return absl::OkStatus();
  }

  absl::Status ParseQueue(const YAML::Node& node, const std::string& path,
                          core::QueueConfig* queue) {
    Record(path, node);
    WISSEL_ASSIGN_OR_RETURN(const Entries fields,
                            ReadMap(node, path, {"name", "skill", "default_handle_time"}));
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* name, Require(fields, node, path, "name"));
    WISSEL_ASSIGN_OR_RETURN(queue->name, ReadString(*name, Join(path, "name")));
    queue->skill = queue->name;
    if (const YAML::Node* n = fields.Find("skill")) {
      WISSEL_ASSIGN_OR_RETURN(queue->skill, ReadString(*n, Join(path, "skill")));
    }
    if (const YAML::Node* n = fields.Find("default_handle_time")) {
      WISSEL_ASSIGN_OR_RETURN(queue->default_handle_time,
                              ReadDuration(*n, Join(path, "default_handle_time")));
    }
    return absl::OkStatus();
  }

  absl::Status ParseTopic(const YAML::Node& node, const std::string& path,
                          core::TopicConfig* topic) {
    Record(path, node);
    WISSEL_ASSIGN_OR_RETURN(
        const Entries fields,
        ReadMap(node, path, {"code", "name", "domain", "queue", "default_priority"}));
    const std::pair<absl::string_view, std::string*> required[] = {
        {"code", &topic->code},
        {"name", &topic->name},
        {"domain", &topic->domain},
        {"queue", &topic->queue},
    };
    for (const auto& [key, field] : required) {
      WISSEL_ASSIGN_OR_RETURN(const YAML::Node* n, Require(fields, node, path, key));
      WISSEL_ASSIGN_OR_RETURN(*field, ReadString(*n, Join(path, key)));
    }
    if (const YAML::Node* n = fields.Find("default_priority")) {
      WISSEL_ASSIGN_OR_RETURN(topic->default_priority, ReadInt(*n, Join(path, "default_priority")));
    }
    return absl::OkStatus();
  }

  // --- Typed reads. Each checks the node's type and records its mark. ---

  // A map whose keys must all be in `allowed`, each at most once.
  absl::StatusOr<Entries> ReadMap(const YAML::Node& node, absl::string_view path,
                                  const std::vector<absl::string_view>& allowed) {
    if (node.IsNull()) return Entries({});  // "redis:" with everything commented out
    if (!node.IsMap()) {
      return Error(node, path, absl::StrCat("expected a map, got ", Describe(node)));
    }
    std::vector<Entry> entries;
    for (const auto& pair : node) {
      const YAML::Node& key_node = pair.first;
      if (!key_node.IsScalar()) {
        return Error(key_node, path,
                     absl::StrCat("expected a plain key, got ", Describe(key_node)));
      }
      const std::string key = key_node.Scalar();
      const std::string key_path = Join(path, key);
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return Error(key_node, key_path, UnknownKeyReason(key, allowed));
      }
      for (const Entry& e : entries) {
        if (e.key == key) {
          return Error(key_node, key_path,
                       absl::StrCat("duplicate key '", key, "' (first at line ",
                                    e.key_node.Mark().line + 1, ")"));
        }
      }
      const YAML::Node& value = pair.second;
      marks_[key_path] = value.IsNull() ? key_node.Mark() : value.Mark();
      entries.push_back(Entry{key, key_node, value});
    }
    return Entries(std::move(entries));
  }

  static std::string UnknownKeyReason(absl::string_view key,
                                      const std::vector<absl::string_view>& allowed) {
    absl::string_view best;
    size_t best_distance = 3;  // suggest only close matches
    for (absl::string_view candidate : allowed) {
      const size_t d = EditDistance(key, candidate);
      if (d < best_distance) {
        best = candidate;
        best_distance = d;
      }
    }
    if (!best.empty()) return absl::StrCat("unknown key '", key, "'; did you mean '", best, "'?");
    return absl::StrCat("unknown key '", key, "'; expected one of: ", absl::StrJoin(allowed, ", "));
  }

  absl::StatusOr<const YAML::Node*> Require(const Entries& fields, const YAML::Node& map,
                                            absl::string_view path, absl::string_view key) {
    const YAML::Node* n = fields.Find(key);
    if (n == nullptr) return Error(map, path, absl::StrCat("missing required key '", key, "'"));
    return n;
  }

  // A list; null ("queues:" with every item commented out) counts as an empty list.
  absl::Status ExpectSequence(const YAML::Node& node, absl::string_view path) {
    if (node.IsSequence() || node.IsNull()) return absl::OkStatus();
    return Error(node, path, absl::StrCat("expected a list, got ", Describe(node)));
  }

  // A non-empty scalar.
  absl::StatusOr<std::string> ReadString(const YAML::Node& node, absl::string_view path) {
    if (!node.IsScalar()) {
      return Error(node, path, absl::StrCat("expected a string, got ", Describe(node)));
    }
    if (node.Scalar().empty()) return Error(node, path, "must not be empty");
    return node.Scalar();
  }

  absl::StatusOr<int> ReadInt(const YAML::Node& node, absl::string_view path) {
    if (!node.IsScalar()) {
      return Error(node, path, absl::StrCat("expected an integer, got ", Describe(node)));
    }
    int value = 0;
    if (!absl::SimpleAtoi(node.Scalar(), &value)) {
      return Error(node, path, absl::StrCat("expected an integer, got '", node.Scalar(), "'"));
    }
    return value;
  }

  absl::StatusOr<absl::Duration> ReadDuration(const YAML::Node& node, absl::string_view path) {
    if (!node.IsScalar()) {
      return Error(node, path,
                   absl::StrCat("expected a duration such as \"20s\", got ", Describe(node)));
    }
    absl::StatusOr<absl::Duration> d = ParseConfigDuration(node.Scalar());
    if (!d.ok()) return Error(node, path, d.status().message());
    return *d;
  }

  absl::StatusOr<absl::Duration> ReadPositiveDuration(const YAML::Node& node,
                                                      absl::string_view path) {
    WISSEL_ASSIGN_OR_RETURN(const absl::Duration d, ReadDuration(node, path));
    if (d <= absl::ZeroDuration()) return Error(node, path, "must be positive");
    return d;
  }

  // --- Errors. ---

  void Record(const std::string& path, const YAML::Node& node) { marks_[path] = node.Mark(); }

  absl::Status Error(const YAML::Node& node, absl::string_view path, absl::string_view reason) {
    // yaml-cpp places an empty value ("name:") at the next token, often on the next line;
    // ReadMap recorded the key's position for it instead.
    if (node.IsNull()) {
      if (auto it = marks_.find(path); it != marks_.end()) return ErrorAt(it->second, path, reason);
    }
    return ErrorAt(node.Mark(), path, reason);
  }

  // An error at `path`, located at the recorded mark of the path or of its nearest recorded
  // parent ("a.b[2].c" -> "a.b[2]" -> "a.b" ...), else at `fallback`.
  absl::Status ErrorAtPath(const std::string& path, const YAML::Node& fallback,
                           absl::string_view reason) {
    absl::string_view prefix = path;
    while (!prefix.empty()) {
      if (auto it = marks_.find(prefix); it != marks_.end()) {
        return ErrorAt(it->second, path, reason);
      }
      const size_t cut = prefix.find_last_of(".[");
      if (cut == absl::string_view::npos) break;
      prefix = prefix.substr(0, cut);
    }
    return Error(fallback, path, reason);
  }

  absl::Status ErrorAt(const YAML::Mark& mark, absl::string_view path,
                       absl::string_view reason) const {
    std::string location = filename_;
    if (!mark.is_null()) absl::StrAppend(&location, ":", mark.line + 1, ":", mark.column + 1);
    return absl::InvalidArgumentError(
        absl::StrCat(location, ": ", path, path.empty() ? "" : ": ", reason));
  }

  std::string filename_;
  std::string base_dir_;
  absl::flat_hash_map<std::string, YAML::Mark> marks_;
};

}  // namespace

const TenantSettings* RouterConfig::FindTenant(absl::string_view id) const {
  for (const TenantSettings& t : tenants) {
    if (t.routing.id == id) return &t;
  }
  return nullptr;
}

absl::StatusOr<RouterConfig> ParseRouterConfig(absl::string_view yaml, absl::string_view filename) {
  return Parser(filename).Parse(yaml);
}

absl::StatusOr<RouterConfig> LoadRouterConfig(absl::string_view path) {
  WISSEL_ASSIGN_OR_RETURN(const std::string contents, ReadFileToString(std::string(path)));
  return ParseRouterConfig(contents, path);
}

}  // namespace wissel::config
