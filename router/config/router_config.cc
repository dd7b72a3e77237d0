#include "router/config/router_config.h"

#include <fcntl.h>
#include <glog/logging.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "base/status_macros.h"
#include "router/config/duration.h"
#include "router/core/calendar_config.h"
#include "router/core/channel.h"
#include "router/core/rule_spec.h"
#include "router/core/rules/rule_set.h"

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

// "; did you mean 'x'?" for a close candidate, else "; expected one of: a, b, c".
std::string SuggestOrList(absl::string_view word, const std::vector<absl::string_view>& allowed) {
  absl::string_view best;
  size_t best_distance = 3;  // suggest only close matches
  for (absl::string_view candidate : allowed) {
    const size_t d = EditDistance(word, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  if (!best.empty()) return absl::StrCat("; did you mean '", best, "'?");
  return absl::StrCat("; expected one of: ", absl::StrJoin(allowed, ", "));
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

// "HH:MM" (or "24:00") as minutes since midnight.
std::optional<int> ParseClock(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() != 2 || parts[0].empty() || parts[0].size() > 2 || parts[1].size() != 2) {
    return std::nullopt;
  }
  for (absl::string_view part : parts) {
    if (!std::all_of(part.begin(), part.end(), [](char c) { return absl::ascii_isdigit(c); })) {
      return std::nullopt;
    }
  }
  int hours = 0;
  int minutes = 0;
  if (!absl::SimpleAtoi(parts[0], &hours) || !absl::SimpleAtoi(parts[1], &minutes)) {
    return std::nullopt;
  }
  if (minutes > 59 || hours * 60 + minutes > 24 * 60) return std::nullopt;
  return hours * 60 + minutes;
}

template <typename T>
struct Named {
  absl::string_view name;
  T value;
};

constexpr Named<core::Strategy> kStrategies[] = {
    {"longest_idle", core::Strategy::kLongestIdle},
    {"least_occupied", core::Strategy::kLeastOccupied},
    {"best_proficiency", core::Strategy::kBestProficiency},
    {"round_robin", core::Strategy::kRoundRobin},
};

constexpr Named<core::ServicePhase> kPhases[] = {
    {"none", core::ServicePhase::kNone},
    {"eigen_kracht", core::ServicePhase::kEigenKracht},
    {"preventie", core::ServicePhase::kPreventie},
    {"maatwerk", core::ServicePhase::kMaatwerk},
};

constexpr Named<core::Holiday> kHolidays[] = {
    {"nieuwjaarsdag", core::Holiday::kNieuwjaarsdag},
    {"goede_vrijdag", core::Holiday::kGoedeVrijdag},
    {"eerste_paasdag", core::Holiday::kEerstePaasdag},
    {"tweede_paasdag", core::Holiday::kTweedePaasdag},
    {"koningsdag", core::Holiday::kKoningsdag},
    {"bevrijdingsdag", core::Holiday::kBevrijdingsdag},
    {"hemelvaartsdag", core::Holiday::kHemelvaartsdag},
    {"eerste_pinksterdag", core::Holiday::kEerstePinksterdag},
    {"tweede_pinksterdag", core::Holiday::kTweedePinksterdag},
    {"eerste_kerstdag", core::Holiday::kEersteKerstdag},
    {"tweede_kerstdag", core::Holiday::kTweedeKerstdag},
};

constexpr Named<core::BevrijdingsdagRule> kBevrijdingsdagRules[] = {
    {"lustrum", core::BevrijdingsdagRule::kLustrumOnly},
    {"every_year", core::BevrijdingsdagRule::kEveryYear},
};

constexpr Named<core::OutsideHoursOutcome> kOutsideHours[] = {
    {"callback", core::OutsideHoursOutcome::kCallback},
    {"digital_alternative", core::OutsideHoursOutcome::kDigitalAlternative},
    {"closed_message", core::OutsideHoursOutcome::kClosedMessage},
};

constexpr absl::string_view kDayKeys[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// One key of a YAML map, in document order.
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

class Entries {
 public:
  Entries() = default;
  explicit Entries(std::vector<Entry> entries) : entries_(std::move(entries)) {}

  // The value under `key`, or nullptr if the key is absent.
  const YAML::Node* Find(absl::string_view key) const {
    for (const Entry& e : entries_) {
      if (e.key == key) return &e.value;
    }
    return nullptr;
  }

  const std::vector<Entry>& all() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

// A file taking part in the configuration: the main file, handlers files and rules files.
struct SourceFile {
  std::string name;  // as used in messages
  std::string text;
};

// A position in one of the files.
struct Where {
  size_t file = 0;
  YAML::Mark mark;
};

// A handlers_file, read once however many tenants use it.
struct HandlersFile {
  size_t file = 0;
  YAML::Node rosters;  // tenant id -> list of handlers
  Entries entries;
  absl::flat_hash_set<std::string> used;  // tenant ids that read their roster from it
};

// Walks one document. Every read records the mark of the node at its key path, so that an
// error found later (by TenantConfig::Validate, which only knows paths) can still point at
// the right line, in the right file.
class Parser {
 public:
  Parser(absl::string_view yaml, absl::string_view filename, const LoadOptions& options)
      : options_(options) {
    files_.push_back(SourceFile{std::string(filename), std::string(yaml)});
    base_dir_ = std::filesystem::path(files_[0].name).parent_path().string();
  }

  absl::StatusOr<RouterConfig> Parse() {
    try {
      return ParseDocument();
    } catch (const YAML::Exception& e) {
      // yaml-cpp reports syntax errors (and, defensively, any misuse) by throwing; nothing
      // may escape this module.
      return ErrorAt(e.mark, "", absl::StrCat("malformed YAML: ", e.msg));
    }
  }

 private:
  // While alive, errors and marks refer to another file; restores the previous one after.
  class FileScope {
   public:
    FileScope(Parser* parser, size_t file) : parser_(parser), previous_(parser->current_file_) {
      parser_->current_file_ = file;
    }
    ~FileScope() { parser_->current_file_ = previous_; }
    FileScope(const FileScope&) = delete;
    FileScope& operator=(const FileScope&) = delete;

   private:
    Parser* parser_;
    size_t previous_;
  };

  const std::string& current_name() const { return files_[current_file_].name; }

  absl::StatusOr<RouterConfig> ParseDocument() {
    const std::vector<YAML::Node> documents = YAML::LoadAll(files_[0].text);
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
    WISSEL_RETURN_IF_ERROR(CheckHandlersFilesFullyUsed());
    config.warnings = std::move(warnings_);
    return config;
  }

  absl::Status ParseRedis(const YAML::Node& node, const std::string& path, RedisConfig* redis) {
    WISSEL_ASSIGN_OR_RETURN(
        const Entries fields,
        ReadMap(node, path,
                {"host", "port", "sentinel", "connect_timeout", "command_timeout",
                 "min_replica_acks", "replica_ack_timeout"}));
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
    if (const YAML::Node* n = fields.Find("sentinel")) {
      // One source of truth for where the master is: the sentinels, or host/port.
      for (absl::string_view direct : {"host", "port"}) {
        if (fields.Find(direct) != nullptr) {
          return Error(*n, Join(path, "sentinel"),
                       absl::StrCat("conflicts with ", Join(path, direct),
                                    "; give either host/port or sentinel"));
        }
      }
      WISSEL_RETURN_IF_ERROR(ParseSentinel(*n, Join(path, "sentinel"), &redis->sentinel));
    }
    if (const YAML::Node* n = fields.Find("connect_timeout")) {
      WISSEL_ASSIGN_OR_RETURN(redis->connect_timeout,
                              ReadPositiveDuration(*n, Join(path, "connect_timeout")));
    }
    if (const YAML::Node* n = fields.Find("command_timeout")) {
      WISSEL_ASSIGN_OR_RETURN(redis->command_timeout,
                              ReadPositiveDuration(*n, Join(path, "command_timeout")));
    }
    if (const YAML::Node* n = fields.Find("min_replica_acks")) {
      WISSEL_ASSIGN_OR_RETURN(redis->min_replica_acks, ReadInt(*n, Join(path, "min_replica_acks")));
      if (redis->min_replica_acks < 0 || redis->min_replica_acks > 16) {
        return Error(*n, Join(path, "min_replica_acks"),
                     absl::StrCat("must be between 0 and 16, got ", redis->min_replica_acks));
      }
    }
    if (const YAML::Node* n = fields.Find("replica_ack_timeout")) {
      const std::string key = Join(path, "replica_ack_timeout");
      if (!n->IsScalar()) {
        return Error(*n, key,
                     absl::StrCat("expected a duration such as \"500ms\", got ", Describe(*n)));
      }
      absl::StatusOr<absl::Duration> d = ParseConfigTimeout(n->Scalar());
      if (!d.ok()) return Error(*n, key, d.status().message());
      if (*d <= absl::ZeroDuration()) return Error(*n, key, "must be positive");
      // WAIT answers within this time; the pipeline's read must not time out first, or the
      // connection is dropped and the batch's outcome is unknown instead of "not replicated".
      if (*d >= redis->command_timeout) {
        return Error(*n, key,
                     absl::StrCat("must be shorter than ", Join(path, "command_timeout"), " (",
                                  FormatConfigDuration(redis->command_timeout), ")"));
      }
      redis->replica_ack_timeout = *d;
    }
    // (command_timeout is whole seconds, so the default replica_ack_timeout always fits.)
    return absl::OkStatus();
  }

  absl::Status ParseSentinel(const YAML::Node& node, const std::string& path,
                             SentinelConfig* sentinel) {
    WISSEL_ASSIGN_OR_RETURN(const Entries fields,
                            ReadMap(node, path, {"master_name", "addresses"}));
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* name, Require(fields, node, path, "master_name"));
    WISSEL_ASSIGN_OR_RETURN(sentinel->master_name, ReadString(*name, Join(path, "master_name")));
    if (std::any_of(sentinel->master_name.begin(), sentinel->master_name.end(),
                    [](char c) { return absl::ascii_isspace(c) || absl::ascii_iscntrl(c); })) {
      return Error(*name, Join(path, "master_name"), "must not contain whitespace");
    }
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* list, Require(fields, node, path, "addresses"));
    const std::string list_path = Join(path, "addresses");
    WISSEL_RETURN_IF_ERROR(ExpectSequence(*list, list_path));
    if (list->size() == 0) return Error(*list, list_path, "at least one sentinel is required");
    size_t i = 0;
    for (const YAML::Node& item : *list) {
      const std::string item_path = Index(list_path, i++);
      Record(item_path, item);
      WISSEL_ASSIGN_OR_RETURN(const std::string address, ReadString(item, item_path));
      const size_t colon = address.rfind(':');
      HostPort hp;
      if (colon != std::string::npos && colon > 0) {
        hp.host = address.substr(0, colon);
        if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']') {
          hp.host = hp.host.substr(1, hp.host.size() - 2);
        }
        const absl::string_view port = absl::string_view(address).substr(colon + 1);
        if (port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return absl::ascii_isdigit(c); }) ||
            !absl::SimpleAtoi(port, &hp.port)) {
          hp.port = 0;
        }
      }
      if (hp.host.empty() || hp.port < 1 || hp.port > 65535) {
        return Error(item, item_path,
                     absl::StrCat("invalid address '", address,
                                  "'; expected host:port with a port between 1 and 65535"));
      }
      sentinel->addresses.push_back(std::move(hp));
    }
    return absl::OkStatus();
  }

  absl::Status ParseTenant(const YAML::Node& node, const std::string& path,
                           TenantSettings* tenant) {
    WISSEL_ASSIGN_OR_RETURN(
        const Entries fields,
        ReadMap(node, path,
                {"id", "name", "pseudonym_secret_env", "pseudonym_secret_file", "pseudonym_secret",
                 "contact_retention", "channels", "handler_defaults", "queues", "topics",
                 "handlers", "handlers_file", "calendar", "digital_first", "contact_person",
                 "aging_per_minute", "rules", "rules_file"}));
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
    WISSEL_RETURN_IF_ERROR(ParseRoster(fields, path, &routing));
    if (const YAML::Node* n = fields.Find("calendar")) {
      WISSEL_RETURN_IF_ERROR(ParseCalendar(*n, Join(path, "calendar"), &routing.calendar));
    }
    if (const YAML::Node* n = fields.Find("digital_first")) {
      WISSEL_RETURN_IF_ERROR(
          ParseDigitalFirst(*n, Join(path, "digital_first"), &routing.digital_first));
    }
    if (const YAML::Node* n = fields.Find("contact_person")) {
      WISSEL_RETURN_IF_ERROR(
          ParseContactPerson(*n, Join(path, "contact_person"), &routing.contact_person));
    }
    if (const YAML::Node* n = fields.Find("aging_per_minute")) {
      WISSEL_ASSIGN_OR_RETURN(routing.aging_per_minute,
                              ReadNumber(*n, Join(path, "aging_per_minute")));
    }
    WISSEL_RETURN_IF_ERROR(ParseRulesOrFile(fields, path, &routing.rules));

    if (absl::Status s = routing.Validate(); !s.ok()) {
      // Validate reports "PATH: reason" with PATH relative to the tenant; point at that node.
      const absl::string_view message = s.message();
      const size_t separator = message.find(": ");
      if (separator == absl::string_view::npos) return ErrorAtPath(path, node, message);
      return ErrorAtPath(Join(path, message.substr(0, separator)), node,
                         message.substr(separator + 2));
    }
    // Compiled only to refuse broken rules here; the router compiles its own copy against the
    // TenantConfig it keeps (a RuleSet points into the config it was compiled from).
    absl::StatusOr<core::rules::RuleSet> rules = core::rules::RuleSet::Compile(routing);
    if (!rules.ok()) return rules.status();
    warnings_.insert(warnings_.end(), rules->warnings().begin(), rules->warnings().end());
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
      tenant->pseudonym_secret_source = absl::StrCat("env:", value);
      const char* env = std::getenv(value.c_str());
      if (env == nullptr || *env == '\0') {
        const std::string reason =
            absl::StrCat("environment variable '", value, "' is not set or empty");
        if (!options_.require_secrets) {
          return Warning(*node, key_path, absl::StrCat(reason, " (not required for this check)"));
        }
        return Error(*node, key_path, reason);
      }
      secret = env;
    } else if (key == "pseudonym_secret_file") {
      const std::string file = Resolve(value);
      tenant->pseudonym_secret_source = absl::StrCat("file:", file);
      absl::StatusOr<std::string> contents = ReadFileToString(file);
      if (!contents.ok()) {
        if (!options_.require_secrets) {
          return Warning(
              *node, key_path,
              absl::StrCat(contents.status().message(), " (not required for this check)"));
        }
        return Error(*node, key_path, contents.status().message());
      }
      secret = *std::move(contents);
      // Files written with `echo` end in a newline that is not part of the secret.
      while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
        secret.pop_back();
      }
    } else {
      secret = value;
      tenant->pseudonym_secret_source = "literal";
      LOG(WARNING) << current_name() << ": " << key_path
                   << " holds the secret in the file; use pseudonym_secret_env or "
                      "pseudonym_secret_file outside development";
      WISSEL_RETURN_IF_ERROR(Warning(*node, key_path,
                                     "holds the secret in the file; use pseudonym_secret_env or "
                                     "pseudonym_secret_file outside development"));
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
    WISSEL_ASSIGN_OR_RETURN(
        const Entries fields,
        ReadMap(node, path, {"capacity", "offer_timeout", "max_wrap_up", "blocks"}));
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
    if (const YAML::Node* n = fields.Find("blocks")) {
      // Channels listed replace their default; channels left out keep it.
      const std::string blocks_path = Join(path, "blocks");
      WISSEL_ASSIGN_OR_RETURN(const Entries blocks, ReadMap(*n, blocks_path, ChannelKeys()));
      for (core::Channel c : core::kAllChannels) {
        const YAML::Node* v = blocks.Find(core::ChannelName(c));
        if (v == nullptr) continue;
        const std::string channel_path = Join(blocks_path, core::ChannelName(c));
        WISSEL_RETURN_IF_ERROR(ExpectSequence(*v, channel_path));
        defaults->blocks[c].clear();
        size_t i = 0;
        for (const YAML::Node& item : *v) {
          WISSEL_ASSIGN_OR_RETURN(const core::Channel blocked,
                                  ReadChannel(item, Index(channel_path, i++)));
          defaults->blocks[c].push_back(blocked);
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status ParseQueue(const YAML::Node& node, const std::string& path,
                          core::QueueConfig* queue) {
    Record(path, node);
    WISSEL_ASSIGN_OR_RETURN(
        const Entries fields,
        ReadMap(node, path,
                {"name", "skill", "default_handle_time", "min_proficiency", "sla_target",
                 "strategy", "escalation", "authorised_for_confidential"}));
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
    if (const YAML::Node* n = fields.Find("min_proficiency")) {
      WISSEL_ASSIGN_OR_RETURN(queue->min_proficiency, ReadInt(*n, Join(path, "min_proficiency")));
    }
    if (const YAML::Node* n = fields.Find("sla_target")) {
      WISSEL_ASSIGN_OR_RETURN(queue->sla_target, ReadDuration(*n, Join(path, "sla_target")));
    }
    if (const YAML::Node* n = fields.Find("strategy")) {
      WISSEL_ASSIGN_OR_RETURN(queue->strategy, ReadEnum(*n, Join(path, "strategy"),
                                                        absl::MakeSpan(kStrategies), "strategy"));
    }
    if (const YAML::Node* n = fields.Find("authorised_for_confidential")) {
      WISSEL_ASSIGN_OR_RETURN(queue->authorised_for_confidential,
                              ReadBool(*n, Join(path, "authorised_for_confidential")));
    }
    if (const YAML::Node* n = fields.Find("escalation")) {
      const std::string escalation_path = Join(path, "escalation");
      WISSEL_RETURN_IF_ERROR(ExpectSequence(*n, escalation_path));
      size_t i = 0;
      for (const YAML::Node& item : *n) {
        const std::string step_path = Index(escalation_path, i++);
        Record(step_path, item);
        WISSEL_ASSIGN_OR_RETURN(
            const Entries step_fields,
            ReadMap(item, step_path, {"after", "min_proficiency", "overflow", "offer_callback"}));
        core::EscalationStep step;
        WISSEL_ASSIGN_OR_RETURN(const YAML::Node* after,
                                Require(step_fields, item, step_path, "after"));
        WISSEL_ASSIGN_OR_RETURN(step.after, ReadDuration(*after, Join(step_path, "after")));
        if (const YAML::Node* v = step_fields.Find("min_proficiency")) {
          WISSEL_ASSIGN_OR_RETURN(step.min_proficiency,
                                  ReadInt(*v, Join(step_path, "min_proficiency")));
        }
        if (const YAML::Node* v = step_fields.Find("overflow")) {
          WISSEL_ASSIGN_OR_RETURN(step.overflow_queue, ReadString(*v, Join(step_path, "overflow")));
        }
        if (const YAML::Node* v = step_fields.Find("offer_callback")) {
          WISSEL_ASSIGN_OR_RETURN(step.offer_callback,
                                  ReadBool(*v, Join(step_path, "offer_callback")));
        }
        queue->escalation.push_back(std::move(step));
      }
    }
    return absl::OkStatus();
  }

  absl::Status ParseTopic(const YAML::Node& node, const std::string& path,
                          core::TopicConfig* topic) {
    Record(path, node);
    WISSEL_ASSIGN_OR_RETURN(const Entries fields,
                            ReadMap(node, path,
                                    {"code", "name", "domain", "queue", "default_priority", "phase",
                                     "digital_alternative", "person_after_digital_offer", "skills",
                                     "norms", "confidential"}));
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
    if (const YAML::Node* n = fields.Find("phase")) {
      WISSEL_ASSIGN_OR_RETURN(topic->phase,
                              ReadEnum(*n, Join(path, "phase"), absl::MakeSpan(kPhases), "phase"));
    }
    if (const YAML::Node* n = fields.Find("digital_alternative")) {
      const std::string alt_path = Join(path, "digital_alternative");
      WISSEL_ASSIGN_OR_RETURN(const Entries alt, ReadMap(*n, alt_path, {"url", "message"}));
      core::DigitalAlternative alternative;
      WISSEL_ASSIGN_OR_RETURN(const YAML::Node* url, Require(alt, *n, alt_path, "url"));
      WISSEL_ASSIGN_OR_RETURN(alternative.url, ReadString(*url, Join(alt_path, "url")));
      if (const YAML::Node* v = alt.Find("message")) {
        WISSEL_ASSIGN_OR_RETURN(alternative.message, ReadString(*v, Join(alt_path, "message")));
      }
      topic->digital_alternative = std::move(alternative);
    }
    if (const YAML::Node* n = fields.Find("person_after_digital_offer")) {
      WISSEL_ASSIGN_OR_RETURN(topic->person_after_digital_offer,
                              ReadBool(*n, Join(path, "person_after_digital_offer")));
    }
    if (const YAML::Node* n = fields.Find("skills")) {
      // skill: minimum proficiency, like the roster's skills.
      const std::string skills_path = Join(path, "skills");
      WISSEL_ASSIGN_OR_RETURN(const Entries skills, ReadAnyMap(*n, skills_path));
      for (const Entry& e : skills.all()) {
        core::SkillRequirement requirement;
        requirement.skill = e.key;
        WISSEL_ASSIGN_OR_RETURN(requirement.min_proficiency,
                                ReadInt(e.value, Join(skills_path, e.key)));
        topic->skills.push_back(std::move(requirement));
      }
    }
    if (const YAML::Node* n = fields.Find("norms")) {
      const std::string norms_path = Join(path, "norms");
      WISSEL_ASSIGN_OR_RETURN(const Entries norms, ReadMap(*n, norms_path, ChannelKeys()));
      for (core::Channel c : core::kAllChannels) {
        const YAML::Node* v = norms.Find(core::ChannelName(c));
        if (v == nullptr) continue;
        const std::string channel_path = Join(norms_path, core::ChannelName(c));
        WISSEL_ASSIGN_OR_RETURN(const Entries norm,
                                ReadMap(*v, channel_path, {"answer_within", "working_days"}));
        if (norm.all().empty()) {
          return Error(*v, channel_path, "give answer_within or working_days");
        }
        if (const YAML::Node* w = norm.Find("answer_within")) {
          WISSEL_ASSIGN_OR_RETURN(topic->norms[c].answer_within,
                                  ReadDuration(*w, Join(channel_path, "answer_within")));
        }
        if (const YAML::Node* w = norm.Find("working_days")) {
          WISSEL_ASSIGN_OR_RETURN(topic->norms[c].working_days,
                                  ReadInt(*w, Join(channel_path, "working_days")));
        }
      }
    }
    if (const YAML::Node* n = fields.Find("confidential")) {
      WISSEL_ASSIGN_OR_RETURN(topic->confidential, ReadBool(*n, Join(path, "confidential")));
    }
    return absl::OkStatus();
  }

  // --- The roster: `handlers:` in the tenant, or `handlers_file:`. ---

  absl::Status ParseRoster(const Entries& fields, const std::string& path,
                           core::TenantConfig* routing) {
    const YAML::Node* inline_list = fields.Find("handlers");
    const YAML::Node* file_node = fields.Find("handlers_file");
    const std::string handlers_path = Join(path, "handlers");
    if (inline_list != nullptr && file_node != nullptr) {
      return Error(*file_node, Join(path, "handlers_file"),
                   "conflicts with handlers; give the roster in the tenant or in a file, not both");
    }
    if (inline_list != nullptr) return ParseHandlerList(*inline_list, handlers_path, routing);
    if (file_node == nullptr) return absl::OkStatus();

    const std::string file_path = Join(path, "handlers_file");
    WISSEL_ASSIGN_OR_RETURN(const std::string value, ReadString(*file_node, file_path));
    WISSEL_ASSIGN_OR_RETURN(HandlersFile * file, LoadHandlersFile(*file_node, file_path, value));
    const YAML::Node* roster = file->entries.Find(routing->id);
    if (roster == nullptr) {
      return Error(*file_node, file_path,
                   absl::StrCat("'", files_[file->file].name, "' has no roster for tenant '",
                                routing->id, "' (expected handlers: {", routing->id, ": [...]})"));
    }
    file->used.insert(routing->id);
    FileScope scope(this, file->file);
    return ParseHandlerList(*roster, handlers_path, routing);
  }

  absl::StatusOr<HandlersFile*> LoadHandlersFile(const YAML::Node& node, const std::string& path,
                                                 const std::string& value) {
    const std::string resolved = Resolve(value);
    if (auto it = handlers_files_.find(resolved); it != handlers_files_.end()) {
      return it->second.get();
    }
    WISSEL_ASSIGN_OR_RETURN(const size_t file, LoadSubFile(node, path, resolved));
    FileScope scope(this, file);
    auto handlers = std::make_unique<HandlersFile>();
    handlers->file = file;
    WISSEL_ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(file));
    WISSEL_ASSIGN_OR_RETURN(const Entries top, ReadMap(root, "", {"handlers"}));
    const YAML::Node* rosters = top.Find("handlers");
    if (rosters == nullptr) return Error(root, "", "missing required key 'handlers'");
    handlers->rosters = *rosters;
    WISSEL_ASSIGN_OR_RETURN(handlers->entries, ReadAnyMap(*rosters, "handlers"));
    HandlersFile* result = handlers.get();
    handlers_files_.emplace(resolved, std::move(handlers));
    handlers_file_order_.push_back(resolved);
    return result;
  }

  // Every roster in a handlers file must belong to a tenant that reads it.
  absl::Status CheckHandlersFilesFullyUsed() {
    for (const std::string& resolved : handlers_file_order_) {
      const HandlersFile& file = *handlers_files_.at(resolved);
      FileScope scope(this, file.file);
      for (const Entry& e : file.entries.all()) {
        if (!file.used.contains(e.key)) {
          return Error(e.key_node, Join("handlers", e.key),
                       absl::StrCat("no tenant '", e.key, "' reads its roster from this file"));
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status ParseHandlerList(const YAML::Node& node, const std::string& path,
                                core::TenantConfig* routing) {
    WISSEL_RETURN_IF_ERROR(ExpectSequence(node, path));
    size_t i = 0;
    for (const YAML::Node& item : node) {
      const std::string item_path = Index(path, i++);
      Record(item_path, item);
      WISSEL_ASSIGN_OR_RETURN(
          const Entries fields,
          ReadMap(item, item_path, {"id", "name", "skills", "teams", "active", "deputy"}));
      core::HandlerProfile handler;
      WISSEL_ASSIGN_OR_RETURN(const YAML::Node* id, Require(fields, item, item_path, "id"));
      WISSEL_ASSIGN_OR_RETURN(handler.id, ReadString(*id, Join(item_path, "id")));
      if (const YAML::Node* n = fields.Find("name")) {
        WISSEL_ASSIGN_OR_RETURN(handler.name, ReadString(*n, Join(item_path, "name")));
      }
      if (const YAML::Node* n = fields.Find("skills")) {
        const std::string skills_path = Join(item_path, "skills");
        WISSEL_ASSIGN_OR_RETURN(const Entries skills, ReadAnyMap(*n, skills_path));
        for (const Entry& e : skills.all()) {
          WISSEL_ASSIGN_OR_RETURN(handler.skills[e.key],
                                  ReadInt(e.value, Join(skills_path, e.key)));
        }
      }
      if (const YAML::Node* n = fields.Find("teams")) {
        WISSEL_ASSIGN_OR_RETURN(handler.teams, ReadStringList(*n, Join(item_path, "teams")));
      }
      if (const YAML::Node* n = fields.Find("active")) {
        WISSEL_ASSIGN_OR_RETURN(handler.active, ReadBool(*n, Join(item_path, "active")));
      }
      if (const YAML::Node* n = fields.Find("deputy")) {
        WISSEL_ASSIGN_OR_RETURN(handler.deputy, ReadString(*n, Join(item_path, "deputy")));
      }
      routing->handlers.push_back(std::move(handler));
    }
    return absl::OkStatus();
  }

  // --- Calendar and policies. ---

  absl::Status ParseCalendar(const YAML::Node& node, const std::string& path,
                             core::CalendarConfig* calendar) {
    WISSEL_ASSIGN_OR_RETURN(const Entries fields,
                            ReadMap(node, path,
                                    {"time_zone", "hours", "holidays", "bevrijdingsdag",
                                     "exceptions", "outside_hours", "closed_message"}));
    if (const YAML::Node* n = fields.Find("time_zone")) {
      const std::string zone_path = Join(path, "time_zone");
      WISSEL_ASSIGN_OR_RETURN(const std::string zone, ReadString(*n, zone_path));
      if (!absl::LoadTimeZone(zone, &calendar->time_zone)) {
        return Error(*n, zone_path,
                     absl::StrCat("unknown time zone '", zone,
                                  "'; use an IANA name such as Europe/Amsterdam (is tzdata "
                                  "installed?)"));
      }
    }
    if (const YAML::Node* n = fields.Find("hours")) {
      const std::string hours_path = Join(path, "hours");
      WISSEL_ASSIGN_OR_RETURN(const Entries hours, ReadMap(*n, hours_path, ChannelKeys()));
      for (core::Channel c : core::kAllChannels) {
        const YAML::Node* v = hours.Find(core::ChannelName(c));
        if (v == nullptr) continue;  // always open
        const std::string channel_path = Join(hours_path, core::ChannelName(c));
        const std::vector<absl::string_view> day_keys(std::begin(kDayKeys), std::end(kDayKeys));
        WISSEL_ASSIGN_OR_RETURN(const Entries days, ReadMap(*v, channel_path, day_keys));
        core::WeeklyHours weekly;
        for (size_t d = 0; d < 7; ++d) {
          if (const YAML::Node* ranges = days.Find(kDayKeys[d])) {
            WISSEL_ASSIGN_OR_RETURN(weekly.days[d],
                                    ReadTimeRanges(*ranges, Join(channel_path, kDayKeys[d])));
          }
        }
        calendar->hours[c] = std::move(weekly);
      }
    }
    if (const YAML::Node* n = fields.Find("holidays")) {
      const std::string holidays_path = Join(path, "holidays");
      if (n->IsScalar() && n->Scalar() == "default") {
        calendar->holidays = core::CalendarConfig().holidays;
      } else if (n->IsScalar() && n->Scalar() == "none") {
        calendar->holidays.clear();
      } else if (n->IsSequence() || n->IsNull()) {
        calendar->holidays.clear();
        size_t i = 0;
        for (const YAML::Node& item : *n) {
          const std::string item_path = Index(holidays_path, i++);
          Record(item_path, item);
          WISSEL_ASSIGN_OR_RETURN(const core::Holiday holiday,
                                  ReadEnum(item, item_path, absl::MakeSpan(kHolidays), "holiday"));
          calendar->holidays.push_back(holiday);
        }
      } else {
        return Error(*n, holidays_path,
                     "expected 'default', 'none' or a list of holidays such as [nieuwjaarsdag, "
                     "koningsdag]");
      }
    }
    if (const YAML::Node* n = fields.Find("bevrijdingsdag")) {
      WISSEL_ASSIGN_OR_RETURN(calendar->bevrijdingsdag,
                              ReadEnum(*n, Join(path, "bevrijdingsdag"),
                                       absl::MakeSpan(kBevrijdingsdagRules), "value"));
    }
    if (const YAML::Node* n = fields.Find("exceptions")) {
      const std::string exceptions_path = Join(path, "exceptions");
      WISSEL_RETURN_IF_ERROR(ExpectSequence(*n, exceptions_path));
      size_t i = 0;
      for (const YAML::Node& item : *n) {
        const std::string item_path = Index(exceptions_path, i++);
        Record(item_path, item);
        WISSEL_ASSIGN_OR_RETURN(const Entries e,
                                ReadMap(item, item_path, {"date", "hours", "note"}));
        core::DateException exception;
        WISSEL_ASSIGN_OR_RETURN(const YAML::Node* date, Require(e, item, item_path, "date"));
        WISSEL_ASSIGN_OR_RETURN(exception.day, ReadDate(*date, Join(item_path, "date")));
        if (const YAML::Node* v = e.Find("hours")) {
          WISSEL_ASSIGN_OR_RETURN(exception.hours, ReadTimeRanges(*v, Join(item_path, "hours")));
        }
        if (const YAML::Node* v = e.Find("note")) {
          WISSEL_ASSIGN_OR_RETURN(exception.note, ReadString(*v, Join(item_path, "note")));
        }
        calendar->exceptions.push_back(std::move(exception));
      }
    }
    if (const YAML::Node* n = fields.Find("outside_hours")) {
      const std::string outside_path = Join(path, "outside_hours");
      WISSEL_ASSIGN_OR_RETURN(const Entries outside, ReadMap(*n, outside_path, ChannelKeys()));
      for (core::Channel c : core::kAllChannels) {
        if (const YAML::Node* v = outside.Find(core::ChannelName(c))) {
          WISSEL_ASSIGN_OR_RETURN(calendar->outside_hours[c],
                                  ReadEnum(*v, Join(outside_path, core::ChannelName(c)),
                                           absl::MakeSpan(kOutsideHours), "outcome"));
        }
      }
    }
    if (const YAML::Node* n = fields.Find("closed_message")) {
      WISSEL_ASSIGN_OR_RETURN(calendar->closed_message,
                              ReadString(*n, Join(path, "closed_message")));
    }
    return absl::OkStatus();
  }

  absl::Status ParseDigitalFirst(const YAML::Node& node, const std::string& path,
                                 core::TenantConfig::DigitalFirstPolicy* policy) {
    WISSEL_ASSIGN_OR_RETURN(
        const Entries fields,
        ReadMap(node, path, {"tenzij_priority_boost", "digital_first_above_wait"}));
    if (const YAML::Node* n = fields.Find("tenzij_priority_boost")) {
      WISSEL_ASSIGN_OR_RETURN(policy->tenzij_priority_boost,
                              ReadInt(*n, Join(path, "tenzij_priority_boost")));
    }
    if (const YAML::Node* n = fields.Find("digital_first_above_wait")) {
      WISSEL_ASSIGN_OR_RETURN(policy->digital_first_above_wait,
                              ReadDuration(*n, Join(path, "digital_first_above_wait")));
    }
    return absl::OkStatus();
  }

  absl::Status ParseContactPerson(const YAML::Node& node, const std::string& path,
                                  core::TenantConfig::ContactPersonPolicy* policy) {
    WISSEL_ASSIGN_OR_RETURN(const Entries fields,
                            ReadMap(node, path, {"wait_for_contact_person", "mapping_ttl"}));
    if (const YAML::Node* n = fields.Find("wait_for_contact_person")) {
      WISSEL_ASSIGN_OR_RETURN(policy->wait_for_contact_person,
                              ReadDuration(*n, Join(path, "wait_for_contact_person")));
    }
    if (const YAML::Node* n = fields.Find("mapping_ttl")) {
      WISSEL_ASSIGN_OR_RETURN(policy->mapping_ttl, ReadDuration(*n, Join(path, "mapping_ttl")));
    }
    return absl::OkStatus();
  }

  // --- Rules: `rules:` in the tenant, or `rules_file:`. ---

  absl::Status ParseRulesOrFile(const Entries& fields, const std::string& path,
                                std::vector<core::RuleSpec>* rules) {
    const YAML::Node* inline_list = fields.Find("rules");
    const YAML::Node* file_node = fields.Find("rules_file");
    const std::string rules_path = Join(path, "rules");
    if (inline_list != nullptr && file_node != nullptr) {
      return Error(*file_node, Join(path, "rules_file"),
                   "conflicts with rules; give the rules in the tenant or in a file, not both");
    }
    if (inline_list != nullptr) return ParseRules(*inline_list, rules_path, rules);
    if (file_node == nullptr) return absl::OkStatus();

    const std::string file_path = Join(path, "rules_file");
    WISSEL_ASSIGN_OR_RETURN(const std::string value, ReadString(*file_node, file_path));
    WISSEL_ASSIGN_OR_RETURN(const size_t file, LoadSubFile(*file_node, file_path, Resolve(value)));
    FileScope scope(this, file);
    WISSEL_ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(file));
    WISSEL_ASSIGN_OR_RETURN(const Entries top, ReadMap(root, "", {"rules"}));
    const YAML::Node* list = top.Find("rules");
    if (list == nullptr) return Error(root, "", "missing required key 'rules'");
    return ParseRules(*list, rules_path, rules);
  }

  absl::Status ParseRules(const YAML::Node& node, const std::string& path,
                          std::vector<core::RuleSpec>* rules) {
    WISSEL_RETURN_IF_ERROR(ExpectSequence(node, path));
    size_t i = 0;
    for (const YAML::Node& item : node) {
      const std::string rule_path = Index(path, i++);
      Record(rule_path, item);
      WISSEL_ASSIGN_OR_RETURN(const Entries fields,
                              ReadMap(item, rule_path, {"name", "when", "then", "continue"}));
      core::RuleSpec rule;
      rule.location = Location(item.Mark());
      WISSEL_ASSIGN_OR_RETURN(const YAML::Node* name, Require(fields, item, rule_path, "name"));
      WISSEL_ASSIGN_OR_RETURN(rule.name, ReadString(*name, Join(rule_path, "name")));
      WISSEL_ASSIGN_OR_RETURN(const YAML::Node* when, Require(fields, item, rule_path, "when"));
      WISSEL_ASSIGN_OR_RETURN(rule.when, ReadString(*when, Join(rule_path, "when")));
      rule.when_location = ScalarContentLocation(*when);
      WISSEL_ASSIGN_OR_RETURN(const YAML::Node* then, Require(fields, item, rule_path, "then"));
      WISSEL_RETURN_IF_ERROR(ParseActions(*then, Join(rule_path, "then"), &rule.then));
      if (const YAML::Node* n = fields.Find("continue")) {
        WISSEL_ASSIGN_OR_RETURN(rule.continue_matching, ReadBool(*n, Join(rule_path, "continue")));
      }
      rules->push_back(std::move(rule));
    }
    return absl::OkStatus();
  }

  absl::Status ParseActions(const YAML::Node& node, const std::string& path,
                            std::vector<core::ActionSpec>* actions) {
    using Kind = core::ActionSpec::Kind;
    static const std::vector<absl::string_view> kActionKeys = {
        "route_to",       "require_skill", "set_priority",      "raise_priority",
        "prefer_handler", "offer_digital", "schedule_callback", "close"};
    if (!node.IsSequence()) {
      return Error(node, path,
                   absl::StrCat("expected a list of actions such as [{route_to: wmo}], got ",
                                Describe(node)));
    }
    size_t i = 0;
    for (const YAML::Node& item : node) {
      const std::string item_path = Index(path, i++);
      Record(item_path, item);
      WISSEL_ASSIGN_OR_RETURN(const Entries fields, ReadMap(item, item_path, kActionKeys));
      if (fields.all().size() != 1) {
        const YAML::Node& at = fields.all().size() > 1 ? fields.all()[1].key_node : item;
        return Error(at, item_path,
                     "each action is a map with exactly one key, e.g. {route_to: wmo}; put "
                     "every action in its own list item");
      }
      const Entry& entry = fields.all()[0];
      const std::string key_path = Join(item_path, entry.key);
      const YAML::Node& value = entry.value;
      core::ActionSpec action;
      action.location = Location(value.IsNull() ? entry.key_node.Mark() : value.Mark());
      if (entry.key == "route_to") {
        action.kind = Kind::kRouteTo;
        WISSEL_ASSIGN_OR_RETURN(action.target, ReadString(value, key_path));
      } else if (entry.key == "require_skill") {
        action.kind = Kind::kRequireSkill;
        action.value = 1;
        if (value.IsScalar()) {
          WISSEL_ASSIGN_OR_RETURN(action.target, ReadString(value, key_path));
        } else {
          WISSEL_ASSIGN_OR_RETURN(const Entries skill,
                                  ReadMap(value, key_path, {"skill", "min_proficiency"}));
          WISSEL_ASSIGN_OR_RETURN(const YAML::Node* s, Require(skill, value, key_path, "skill"));
          WISSEL_ASSIGN_OR_RETURN(action.target, ReadString(*s, Join(key_path, "skill")));
          action.location = Location(s->Mark());
          if (const YAML::Node* p = skill.Find("min_proficiency")) {
            const std::string p_path = Join(key_path, "min_proficiency");
            WISSEL_ASSIGN_OR_RETURN(action.value, ReadInt(*p, p_path));
            if (action.value < 1 || action.value > 5) {
              return Error(*p, p_path, absl::StrCat("must be between 1 and 5, got ", action.value));
            }
          }
        }
      } else if (entry.key == "set_priority" || entry.key == "raise_priority") {
        action.kind = entry.key == "set_priority" ? Kind::kSetPriority : Kind::kRaisePriority;
        WISSEL_ASSIGN_OR_RETURN(action.value, ReadInt(value, key_path));
        if (action.value < 0 || action.value > 100) {
          return Error(value, key_path,
                       absl::StrCat("must be between 0 and 100, got ", action.value));
        }
      } else if (entry.key == "prefer_handler") {
        action.kind = Kind::kPreferHandler;
        WISSEL_ASSIGN_OR_RETURN(action.target, ReadString(value, key_path));
      } else if (entry.key == "offer_digital" || entry.key == "schedule_callback") {
        action.kind = entry.key == "offer_digital" ? Kind::kOfferDigital : Kind::kScheduleCallback;
        WISSEL_ASSIGN_OR_RETURN(const bool on, ReadBool(value, key_path));
        if (!on) {
          return Error(value, key_path,
                       absl::StrCat("only 'true' means something here; remove the action instead "
                                    "of setting it to false"));
        }
      } else {
        action.kind = Kind::kClose;
        WISSEL_ASSIGN_OR_RETURN(action.target, ReadString(value, key_path));
      }
      actions->push_back(std::move(action));
    }
    return absl::OkStatus();
  }

  // --- Other files. ---

  // A path from the config, relative to the main file's directory.
  std::string Resolve(const std::string& value) const {
    std::filesystem::path file(value);
    if (file.is_relative() && !base_dir_.empty()) file = std::filesystem::path(base_dir_) / file;
    return file.string();
  }

  // Reads `resolved` into files_; errors point at `node` (the key naming the file).
  absl::StatusOr<size_t> LoadSubFile(const YAML::Node& node, const std::string& path,
                                     const std::string& resolved) {
    absl::StatusOr<std::string> text = ReadFileToString(resolved);
    if (!text.ok()) return Error(node, path, text.status().message());
    files_.push_back(SourceFile{resolved, *std::move(text)});
    return files_.size() - 1;
  }

  // Parses files_[file] (the current file) as one YAML document.
  absl::StatusOr<YAML::Node> LoadYaml(size_t file) {
    std::vector<YAML::Node> documents;
    try {
      documents = YAML::LoadAll(files_[file].text);
    } catch (const YAML::Exception& e) {
      return ErrorAt(e.mark, "", absl::StrCat("malformed YAML: ", e.msg));
    }
    if (documents.size() > 1) {
      return Error(documents[1], "", "only one YAML document is allowed per file");
    }
    if (documents.empty() || documents[0].IsNull()) {
      return ErrorAt(YAML::Mark(), "", "empty file");
    }
    return documents[0];
  }

  core::SourceLocation Location(const YAML::Mark& mark) const {
    core::SourceLocation location;
    location.file = current_name();
    if (!mark.is_null()) {
      location.line = mark.line + 1;
      location.column = mark.column + 1;
    }
    return location;
  }

  // The position of the first character of a scalar's content: after the opening quote of a
  // quoted scalar; for a block scalar (`|` or `>`), the line after the indicator, at the
  // column of the block's indentation (which yaml-cpp strips), so that line and column advance
  // with the content's own newlines (leading blank lines are part of the content).
  core::SourceLocation ScalarContentLocation(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    core::SourceLocation location = Location(mark);
    const std::string& text = files_[current_file_].text;
    if (mark.is_null() || mark.pos < 0 || static_cast<size_t>(mark.pos) >= text.size()) {
      return location;
    }
    const size_t pos = static_cast<size_t>(mark.pos);
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

  // --- Typed reads. Each checks the node's type and records its mark. ---

  // A map whose keys must all be in `allowed`, each at most once.
  absl::StatusOr<Entries> ReadMap(const YAML::Node& node, absl::string_view path,
                                  const std::vector<absl::string_view>& allowed) {
    return ReadMapImpl(node, path, &allowed);
  }

  // A map with keys of the operator's choosing (skills, tenant ids), each at most once.
  absl::StatusOr<Entries> ReadAnyMap(const YAML::Node& node, absl::string_view path) {
    return ReadMapImpl(node, path, nullptr);
  }

  absl::StatusOr<Entries> ReadMapImpl(const YAML::Node& node, absl::string_view path,
                                      const std::vector<absl::string_view>* allowed) {
    if (node.IsNull()) return Entries();  // "redis:" with everything commented out
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
      if (allowed != nullptr &&
          std::find(allowed->begin(), allowed->end(), key) == allowed->end()) {
        return Error(key_node, key_path, UnknownKeyReason(key, *allowed));
      }
      if (key.empty()) return Error(key_node, key_path, "empty key");
      for (const Entry& e : entries) {
        if (e.key == key) {
          return Error(key_node, key_path,
                       absl::StrCat("duplicate key '", key, "' (first at line ",
                                    e.key_node.Mark().line + 1, ")"));
        }
      }
      const YAML::Node& value = pair.second;
      marks_[key_path] = Where{current_file_, value.IsNull() ? key_node.Mark() : value.Mark()};
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

  // A list of non-empty strings; each item's mark is recorded.
  absl::StatusOr<std::vector<std::string>> ReadStringList(const YAML::Node& node,
                                                          absl::string_view path) {
    WISSEL_RETURN_IF_ERROR(ExpectSequence(node, path));
    std::vector<std::string> out;
    size_t i = 0;
    for (const YAML::Node& item : node) {
      const std::string item_path = Index(path, i++);
      Record(item_path, item);
      WISSEL_ASSIGN_OR_RETURN(std::string value, ReadString(item, item_path));
      out.push_back(std::move(value));
    }
    return out;
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

  // A decimal number such as 1 or 0.5.
  absl::StatusOr<double> ReadNumber(const YAML::Node& node, absl::string_view path) {
    double value = 0;
    if (!node.IsScalar() || !absl::SimpleAtod(node.Scalar(), &value) || !std::isfinite(value)) {
      return Error(node, path,
                   absl::StrCat("expected a number such as 1 or 0.5, got ",
                                node.IsScalar() ? absl::StrCat("'", node.Scalar(), "'")
                                                : std::string(Describe(node))));
    }
    return value;
  }

  // true or false; YAML 1.1's yes/no/on/off are refused as ambiguous.
  absl::StatusOr<bool> ReadBool(const YAML::Node& node, absl::string_view path) {
    if (node.IsScalar() && node.Scalar() == "true") return true;
    if (node.IsScalar() && node.Scalar() == "false") return false;
    if (node.IsScalar()) {
      return Error(node, path, absl::StrCat("expected true or false, got '", node.Scalar(), "'"));
    }
    return Error(node, path, absl::StrCat("expected true or false, got ", Describe(node)));
  }

  template <typename T>
  absl::StatusOr<T> ReadEnum(const YAML::Node& node, absl::string_view path,
                             absl::Span<const Named<T>> values, absl::string_view what) {
    std::vector<absl::string_view> names;
    for (const Named<T>& v : values) names.push_back(v.name);
    if (!node.IsScalar()) {
      return Error(node, path,
                   absl::StrCat("expected a ", what, " (", absl::StrJoin(names, ", "), "), got ",
                                Describe(node)));
    }
    for (const Named<T>& v : values) {
      if (v.name == node.Scalar()) return v.value;
    }
    return Error(node, path,
                 absl::StrCat("unknown ", what, " '", node.Scalar(), "'",
                              SuggestOrList(node.Scalar(), names)));
  }

  absl::StatusOr<core::Channel> ReadChannel(const YAML::Node& node, const std::string& path) {
    Record(path, node);
    WISSEL_ASSIGN_OR_RETURN(const std::string name, ReadString(node, path));
    if (std::optional<core::Channel> c = core::ParseChannel(name)) return *c;
    return Error(node, path,
                 absl::StrCat("unknown channel '", name, "'", SuggestOrList(name, ChannelKeys())));
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

  // ["08:30-12:00", "13:00-17:00"]; each item's mark is recorded.
  absl::StatusOr<std::vector<core::TimeRange>> ReadTimeRanges(const YAML::Node& node,
                                                              absl::string_view path) {
    WISSEL_RETURN_IF_ERROR(ExpectSequence(node, path));
    std::vector<core::TimeRange> ranges;
    size_t i = 0;
    for (const YAML::Node& item : node) {
      const std::string item_path = Index(path, i++);
      Record(item_path, item);
      WISSEL_ASSIGN_OR_RETURN(const std::string text, ReadString(item, item_path));
      const std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
      std::optional<int> open;
      std::optional<int> close;
      if (parts.size() == 2) {
        open = ParseClock(absl::StripAsciiWhitespace(parts[0]));
        close = ParseClock(absl::StripAsciiWhitespace(parts[1]));
      }
      if (!open.has_value() || !close.has_value()) {
        return Error(item, item_path,
                     absl::StrCat("invalid opening time '", text,
                                  "'; expected \"HH:MM-HH:MM\" such as \"08:30-17:00\""));
      }
      if (*open >= *close) {
        return Error(item, item_path,
                     absl::StrCat("'", text,
                                  "' closes before it opens (ranges cannot pass "
                                  "midnight)"));
      }
      ranges.push_back(core::TimeRange{*open, *close});
    }
    return ranges;
  }

  absl::StatusOr<absl::CivilDay> ReadDate(const YAML::Node& node, absl::string_view path) {
    WISSEL_ASSIGN_OR_RETURN(const std::string text, ReadString(node, path));
    absl::CivilDay day;
    if (text.size() != 10 || !absl::ParseCivilTime(text, &day)) {
      return Error(node, path, absl::StrCat("invalid date '", text, "'; expected YYYY-MM-DD"));
    }
    return day;
  }

  // --- Errors and warnings. ---

  void Record(const std::string& path, const YAML::Node& node) {
    marks_[path] = Where{current_file_, node.Mark()};
  }

  // A non-fatal finding at `node`; always OK, so it can be returned from a parse step.
  absl::Status Warning(const YAML::Node& node, absl::string_view path, absl::string_view message) {
    warnings_.push_back(std::string(Error(node, path, message).message()));
    return absl::OkStatus();
  }

  absl::Status Error(const YAML::Node& node, absl::string_view path, absl::string_view reason) {
    // yaml-cpp places an empty value ("name:") at the next token, often on the next line;
    // ReadMap recorded the key's position for it instead.
    if (node.IsNull()) {
      if (auto it = marks_.find(path); it != marks_.end()) {
        return ErrorAt(it->second, path, reason);
      }
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
    return ErrorAt(Where{current_file_, mark}, path, reason);
  }

  absl::Status ErrorAt(const Where& where, absl::string_view path, absl::string_view reason) const {
    std::string location = files_[where.file].name;
    if (!where.mark.is_null()) {
      absl::StrAppend(&location, ":", where.mark.line + 1, ":", where.mark.column + 1);
    }
    return absl::InvalidArgumentError(
        absl::StrCat(location, ": ", path, path.empty() ? "" : ": ", reason));
  }

  const LoadOptions options_;
  std::vector<SourceFile> files_;  // [0] is the main file
  size_t current_file_ = 0;
  std::string base_dir_;
  absl::flat_hash_map<std::string, Where> marks_;
  absl::flat_hash_map<std::string, std::unique_ptr<HandlersFile>> handlers_files_;
  std::vector<std::string> handlers_file_order_;
  std::vector<std::string> warnings_;
};

}  // namespace

const TenantSettings* RouterConfig::FindTenant(absl::string_view id) const {
  for (const TenantSettings& t : tenants) {
    if (t.routing.id == id) return &t;
  }
  return nullptr;
}

absl::StatusOr<RouterConfig> ParseRouterConfig(absl::string_view yaml, absl::string_view filename,
                                               const LoadOptions& options) {
  return Parser(yaml, filename, options).Parse();
}

absl::StatusOr<RouterConfig> LoadRouterConfig(absl::string_view path, const LoadOptions& options) {
  WISSEL_ASSIGN_OR_RETURN(const std::string contents, ReadFileToString(std::string(path)));
  return ParseRouterConfig(contents, path, options);
}

}  // namespace wissel::config
