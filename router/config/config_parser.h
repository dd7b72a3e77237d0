// ConfigParser: the walk of one router configuration file (and the handlers and rules files it
// names) into a RouterConfig. Internal to router/config: the entry point is router_config.h.
//
// The parser knows the schema; the generic YAML reading (node kinds, unknown keys, typed
// scalars, FILE:LINE:COL errors) is base::YamlReader's. Each section of the schema is read in
// the file named for it: redis_section.cc, tenant_section.cc, catalogue_section.cc (queues and
// topics), roster_section.cc (handlers), calendar_section.cc, policy_sections.cc,
// rules_section.cc; router_config.cc holds the top level.
//
// One parser per load, on one thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "base/yaml_reader.h"
#include "router/config/router_config.h"
#include "router/core/calendar_config.h"
#include "router/core/channel.h"
#include "router/core/rule_spec.h"
#include "router/core/tenant_config.h"

namespace wissel::config {

// Reads the file at `path` (at most 16 MiB). Errors: errno-derived (NotFound, PermissionDenied,
// ...) when it cannot be read, FailedPrecondition when it is larger.
absl::StatusOr<std::string> ReadConfigFile(const std::string& path);

class ConfigParser {
 public:
  ConfigParser(absl::string_view yaml, absl::string_view filename, const LoadOptions& options);

  // ParseRouterConfig's contract (router_config.h).
  absl::StatusOr<RouterConfig> Parse();

 private:
  // A handlers_file, read once however many tenants use it.
  struct HandlersFile {
    size_t file = 0;
    YAML::Node rosters;  // tenant id -> list of handlers
    base::YamlEntries entries;
    absl::flat_hash_set<std::string> used;  // tenant ids that read their roster from it
  };

  // router_config.cc: the top level (listen_address, drain_timeout, redis, tenants).
  absl::StatusOr<RouterConfig> ParseDocument();

  // redis_section.cc
  absl::Status ParseTls(const YAML::Node& node, const std::string& path, transport::ServerTls* tls,
                        std::string* peer_ca_file);
  absl::Status ParseAccess(const YAML::Node& node, const std::string& path,
                           access::AccessConfig* access,
                           std::optional<security::OidcOptions>* oidc);
  absl::Status ParseOidc(const YAML::Node& node, const std::string& path,
                         std::optional<security::OidcOptions>* oidc);
  absl::Status ParseRedis(const YAML::Node& node, const std::string& path, RedisConfig* redis);
  // metrics_section.cc: `metrics:`, checked against the listener's `tls` (given before).
  absl::Status ParseMetrics(const YAML::Node& node, const std::string& path,
                            const transport::ServerTls& router_tls,
                            metrics::EndpointOptions* metrics);
  absl::Status ParseSentinel(const YAML::Node& node, const std::string& path,
                             SentinelConfig* sentinel);
  // username, password_env / password_file (and a refused literal password) of the map at
  // `path` whose entries are `fields`.
  absl::Status ParseRedisCredentials(const base::YamlEntries& fields, const std::string& path,
                                     std::string* username, std::string* password,
                                     std::string* password_source);

  // tenant_section.cc: one tenant, its pseudonym secret and channel names; validates the
  // tenant and compiles its rules.
  absl::Status ParseTenant(const YAML::Node& node, const std::string& path, TenantSettings* tenant);
  absl::Status ParseSecret(const base::YamlEntries& fields, const YAML::Node& tenant_node,
                           const std::string& path, TenantSettings* tenant);
  // Where a secret can come from: `env` names an environment variable, `file` a file, `literal`
  // holds it in the config file (development only: a warning).
  struct SecretKeys {
    absl::string_view env;
    absl::string_view file;
    absl::string_view literal;
  };
  // Reads the one secret given by `keys` into `*secret`, its safe description into `*source`
  // and the key path into `*key_path`. Returns the node of the key found, or nullptr when none
  // of them is given. At
  // most one may be given. An unavailable secret is an error, or a warning leaving `*secret`
  // empty when the options do not require secrets.
  absl::StatusOr<const YAML::Node*> ReadSecret(const base::YamlEntries& fields,
                                               const std::string& path, const SecretKeys& keys,
                                               std::string* secret, std::string* source,
                                               std::string* key_path);

  // attributes_section.cc: `attributes:` (the allow-list) and the attribute key.
  absl::Status ParseAttributes(const base::YamlEntries& fields, const std::string& path,
                               TenantSettings* tenant);
  absl::Status ParseChannelNames(const YAML::Node& node, const std::string& path,
                                 core::TenantConfig* routing);

  // catalogue_section.cc: queues and topics (the product catalogue).
  absl::Status ParseQueue(const YAML::Node& node, const std::string& path,
                          core::QueueConfig* queue);
  absl::Status ParseTopic(const YAML::Node& node, const std::string& path,
                          core::TopicConfig* topic);

  // roster_section.cc: `handlers:` in the tenant, or `handlers_file:`; handler_defaults.
  absl::Status ParseRoster(const base::YamlEntries& fields, const std::string& path,
                           core::TenantConfig* routing);
  absl::StatusOr<HandlersFile*> LoadHandlersFile(const YAML::Node& node, const std::string& path,
                                                 const std::string& value);
  // Every roster in a handlers file must belong to a tenant that reads it.
  absl::Status CheckHandlersFilesFullyUsed();
  absl::Status ParseHandlerList(const YAML::Node& node, const std::string& path,
                                core::TenantConfig* routing);
  absl::Status ParseHandlerDefaults(const YAML::Node& node, const std::string& path,
                                    core::HandlerDefaults* defaults);

  // calendar_section.cc
  absl::Status ParseCalendar(const YAML::Node& node, const std::string& path,
                             core::CalendarConfig* calendar);
  // ["08:30-12:00", "13:00-17:00"]; each item's position is recorded.
  absl::StatusOr<std::vector<core::TimeRange>> ReadTimeRanges(const YAML::Node& node,
                                                              absl::string_view path);
  // "YYYY-MM-DD".
  absl::StatusOr<absl::CivilDay> ReadDate(const YAML::Node& node, absl::string_view path);

  // policy_sections.cc: "digitaal, tenzij" and "één contactpersoon".
  absl::Status ParseDigitalFirst(const YAML::Node& node, const std::string& path,
                                 core::TenantConfig::DigitalFirstPolicy* policy);
  absl::Status ParseContactPerson(const YAML::Node& node, const std::string& path,
                                  core::TenantConfig::ContactPersonPolicy* policy);
  absl::Status ParseSurveys(const YAML::Node& node, const std::string& path,
                            core::TenantConfig::SurveyPolicy* policy);
  // A number within 0..1.
  absl::StatusOr<double> ReadShare(const YAML::Node& node, const std::string& path);

  // rules_section.cc: `rules:` in the tenant, or `rules_file:`.
  absl::Status ParseRulesOrFile(const base::YamlEntries& fields, const std::string& path,
                                std::vector<core::RuleSpec>* rules);
  absl::Status ParseRules(const YAML::Node& node, const std::string& path,
                          std::vector<core::RuleSpec>* rules);
  absl::Status ParseActions(const YAML::Node& node, const std::string& path,
                            std::vector<core::ActionSpec>* actions);
  // The position of the first character of a scalar's content: after the opening quote of a
  // quoted scalar; for a block scalar (`|` or `>`), the line after the indicator, at the
  // column of the block's indentation (which yaml-cpp strips), so that line and column advance
  // with the content's own newlines (leading blank lines are part of the content).
  core::SourceLocation ScalarContentLocation(const YAML::Node& node) const;

  // config_parser.cc: what several sections share.

  // The names of the channels as keys ("phone", "chat", ...), in core::kAllChannels order.
  static std::vector<absl::string_view> ChannelKeys();
  // A channel name; its position is recorded.
  absl::StatusOr<core::Channel> ReadChannel(const YAML::Node& node, const std::string& path);
  // A path from the config, relative to the main file's directory.
  std::string Resolve(const std::string& value) const;
  // Where a secret (a pseudonym secret, a Redis password) is kept: in the environment variable
  // or in the file (relative to the main file's directory) that the config names.
  enum class SecretFrom { kEnv, kFile };
  // Reads the secret that `node` (the value at `key_path`) names, and stores where it came
  // from, safe to log ("env:NAME" or "file:PATH"), in *source. Newlines at the end of a file
  // are not part of the secret. When it cannot be obtained (variable unset or empty, file
  // unreadable): an error at `node`, or, with LoadOptions::require_secrets false, a warning and
  // nullopt.
  absl::StatusOr<std::optional<std::string>> ReadSecret(const YAML::Node& node,
                                                        const std::string& key_path,
                                                        SecretFrom from, std::string* source);
  // Reads `resolved` into the reader's files; errors point at `node` (the key naming the file).
  absl::StatusOr<size_t> LoadSubFile(const YAML::Node& node, const std::string& path,
                                     const std::string& resolved);
  // Parses the current file as one non-empty YAML document.
  absl::StatusOr<YAML::Node> LoadYaml();
  core::SourceLocation Location(const YAML::Mark& mark) const;
  // A non-fatal finding at `node`; always OK, so it can be returned from a parse step.
  absl::Status Warning(const YAML::Node& node, absl::string_view path, absl::string_view message);

  const LoadOptions options_;
  base::YamlReader reader_;  // file 0 is the main file
  std::string base_dir_;
  absl::flat_hash_map<std::string, std::unique_ptr<HandlersFile>> handlers_files_;
  std::vector<std::string> handlers_file_order_;
  std::vector<std::string> warnings_;
};

}  // namespace wissel::config
