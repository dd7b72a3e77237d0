// The `redis:` section: where Redis is (host/port or Sentinel), the credentials the router
// authenticates with, its timeouts and replica acks.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/duration.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"
#include "router/config/config_parser.h"

namespace wissel::config {

absl::Status ConfigParser::ParseRedis(const YAML::Node& node, const std::string& path,
                                      RedisConfig* redis) {
  WISSEL_ASSIGN_OR_RETURN(
      const base::YamlEntries fields,
      reader_.ReadMap(
          node, path,
          {"host", "port", "sentinel", "username", "password_env", "password_file", "password",
           "connect_timeout", "command_timeout", "min_replica_acks", "replica_ack_timeout"}));
  WISSEL_RETURN_IF_ERROR(ParseRedisCredentials(fields, path, &redis->username, &redis->password,
                                               &redis->password_source));
  if (const YAML::Node* n = fields.Find("host")) {
    WISSEL_ASSIGN_OR_RETURN(redis->host, reader_.ReadString(*n, base::JoinKeyPath(path, "host")));
  }
  if (const YAML::Node* n = fields.Find("port")) {
    WISSEL_ASSIGN_OR_RETURN(redis->port, reader_.ReadInt(*n, base::JoinKeyPath(path, "port")));
    if (redis->port < 1 || redis->port > 65535) {
      return reader_.Error(*n, base::JoinKeyPath(path, "port"),
                           absl::StrCat("must be between 1 and 65535, got ", redis->port));
    }
  }
  if (const YAML::Node* n = fields.Find("sentinel")) {
    // One source of truth for where the master is: the sentinels, or host/port.
    for (absl::string_view direct : {"host", "port"}) {
      if (fields.Find(direct) != nullptr) {
        return reader_.Error(*n, base::JoinKeyPath(path, "sentinel"),
                             absl::StrCat("conflicts with ", base::JoinKeyPath(path, direct),
                                          "; give either host/port or sentinel"));
      }
    }
    WISSEL_RETURN_IF_ERROR(
        ParseSentinel(*n, base::JoinKeyPath(path, "sentinel"), &redis->sentinel));
  }
  if (const YAML::Node* n = fields.Find("connect_timeout")) {
    WISSEL_ASSIGN_OR_RETURN(
        redis->connect_timeout,
        reader_.ReadPositiveDuration(*n, base::JoinKeyPath(path, "connect_timeout")));
  }
  if (const YAML::Node* n = fields.Find("command_timeout")) {
    WISSEL_ASSIGN_OR_RETURN(
        redis->command_timeout,
        reader_.ReadPositiveDuration(*n, base::JoinKeyPath(path, "command_timeout")));
  }
  if (const YAML::Node* n = fields.Find("min_replica_acks")) {
    WISSEL_ASSIGN_OR_RETURN(redis->min_replica_acks,
                            reader_.ReadInt(*n, base::JoinKeyPath(path, "min_replica_acks")));
    if (redis->min_replica_acks < 0 || redis->min_replica_acks > 16) {
      return reader_.Error(*n, base::JoinKeyPath(path, "min_replica_acks"),
                           absl::StrCat("must be between 0 and 16, got ", redis->min_replica_acks));
    }
  }
  if (const YAML::Node* n = fields.Find("replica_ack_timeout")) {
    const std::string key = base::JoinKeyPath(path, "replica_ack_timeout");
    WISSEL_ASSIGN_OR_RETURN(const absl::Duration d, reader_.ReadTimeout(*n, key));
    if (d <= absl::ZeroDuration()) return reader_.Error(*n, key, "must be positive");
    // WAIT answers within this time; the pipeline's read must not time out first, or the
    // connection is dropped and the batch's outcome is unknown instead of "not replicated".
    if (d >= redis->command_timeout) {
      return reader_.Error(
          *n, key,
          absl::StrCat("must be shorter than ", base::JoinKeyPath(path, "command_timeout"), " (",
                       base::FormatConfigDuration(redis->command_timeout), ")"));
    }
    redis->replica_ack_timeout = d;
  }
  // (command_timeout is whole seconds, so the default replica_ack_timeout always fits.)
  return absl::OkStatus();
}

absl::Status ConfigParser::ParseSentinel(const YAML::Node& node, const std::string& path,
                                         SentinelConfig* sentinel) {
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries fields,
                          reader_.ReadMap(node, path,
                                          {"master_name", "addresses", "username", "password_env",
                                           "password_file", "password"}));
  WISSEL_RETURN_IF_ERROR(ParseRedisCredentials(fields, path, &sentinel->username,
                                               &sentinel->password, &sentinel->password_source));
  WISSEL_ASSIGN_OR_RETURN(const YAML::Node* name,
                          reader_.Require(fields, node, path, "master_name"));
  WISSEL_ASSIGN_OR_RETURN(sentinel->master_name,
                          reader_.ReadString(*name, base::JoinKeyPath(path, "master_name")));
  if (std::any_of(sentinel->master_name.begin(), sentinel->master_name.end(),
                  [](char c) { return absl::ascii_isspace(c) || absl::ascii_iscntrl(c); })) {
    return reader_.Error(*name, base::JoinKeyPath(path, "master_name"),
                         "must not contain whitespace");
  }
  WISSEL_ASSIGN_OR_RETURN(const YAML::Node* list, reader_.Require(fields, node, path, "addresses"));
  const std::string list_path = base::JoinKeyPath(path, "addresses");
  WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(*list, list_path));
  if (list->size() == 0) {
    return reader_.Error(*list, list_path, "at least one sentinel is required");
  }
  size_t i = 0;
  for (const YAML::Node& item : *list) {
    const std::string item_path = base::IndexPath(list_path, i++);
    reader_.Record(item_path, item);
    WISSEL_ASSIGN_OR_RETURN(const std::string address, reader_.ReadString(item, item_path));
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
      return reader_.Error(item, item_path,
                           absl::StrCat("invalid address '", address,
                                        "'; expected host:port with a port between 1 and 65535"));
    }
    sentinel->addresses.push_back(std::move(hp));
  }
  return absl::OkStatus();
}

absl::Status ConfigParser::ParseRedisCredentials(const base::YamlEntries& fields,
                                                 const std::string& path, std::string* username,
                                                 std::string* password,
                                                 std::string* password_source) {
  if (const YAML::Node* n = fields.Find("password")) {
    // Refused without reading it, so that the value appears in no message.
    return reader_.Error(*n, base::JoinKeyPath(path, "password"),
                         absl::StrCat("a password is never written in the configuration file; "
                                      "put it in an environment variable (",
                                      base::JoinKeyPath(path, "password_env"), ") or a file (",
                                      base::JoinKeyPath(path, "password_file"), ")"));
  }
  const YAML::Node* from_env = fields.Find("password_env");
  const YAML::Node* from_file = fields.Find("password_file");
  if (from_env != nullptr && from_file != nullptr) {
    return reader_.Error(*from_file, base::JoinKeyPath(path, "password_file"),
                         absl::StrCat("conflicts with ", base::JoinKeyPath(path, "password_env"),
                                      "; give one of them"));
  }
  const YAML::Node* user = fields.Find("username");
  if (user != nullptr) {
    const std::string key = base::JoinKeyPath(path, "username");
    WISSEL_ASSIGN_OR_RETURN(*username, reader_.ReadString(*user, key));
    if (username->empty() || std::any_of(username->begin(), username->end(), [](char c) {
          return absl::ascii_isspace(c) || absl::ascii_iscntrl(c);
        })) {
      return reader_.Error(*user, key, "must be a Redis ACL user name without whitespace");
    }
    if (from_env == nullptr && from_file == nullptr) {
      return reader_.Error(
          *user, key,
          absl::StrCat("needs a password: set ", base::JoinKeyPath(path, "password_env"), " or ",
                       base::JoinKeyPath(path, "password_file")));
    }
  }
  const YAML::Node* secret = from_env != nullptr ? from_env : from_file;
  if (secret == nullptr) return absl::OkStatus();
  const std::string key =
      base::JoinKeyPath(path, from_env != nullptr ? "password_env" : "password_file");
  WISSEL_ASSIGN_OR_RETURN(
      std::optional<std::string> read,
      ReadSecret(*secret, key, from_env != nullptr ? SecretFrom::kEnv : SecretFrom::kFile,
                 password_source));
  if (!read.has_value()) return absl::OkStatus();  // not required here; a warning says so
  if (read->empty() || read->find_first_of("\r\n") != std::string::npos) {
    return reader_.Error(
        *secret, key,
        absl::StrCat("the password from ", *password_source, " is empty or spans several lines"));
  }
  *password = *std::move(read);
  return absl::OkStatus();
}

}  // namespace wissel::config
