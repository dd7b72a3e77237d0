#include "router/config/router_config.h"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"
#include "router/config/config_parser.h"

namespace wissel::config {
namespace {

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

}  // namespace

ConfigParser::ConfigParser(absl::string_view yaml, absl::string_view filename,
                           const LoadOptions& options)
    : options_(options), reader_(filename, yaml) {
  base_dir_ = std::filesystem::path(std::string(filename)).parent_path().string();
}

absl::StatusOr<RouterConfig> ConfigParser::Parse() {
  try {
    return ParseDocument();
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports syntax errors (and, defensively, any misuse) by throwing; nothing
    // may escape this module.
    return reader_.ErrorAt(e.mark, "", absl::StrCat("malformed YAML: ", e.msg));
  }
}

absl::StatusOr<RouterConfig> ConfigParser::ParseDocument() {
  WISSEL_ASSIGN_OR_RETURN(const YAML::Node root, reader_.LoadDocument());
  if (root.IsNull()) {
    return reader_.ErrorAt(YAML::Mark(), "", "empty configuration; expected a map with 'tenants'");
  }
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries fields,
                          reader_.ReadMap(root, "",
                                          {"listen_address", "tls", "access", "redis",
                                           "drain_timeout", "metrics", "tenants"}));

  RouterConfig config;
  if (const YAML::Node* n = fields.Find("listen_address")) {
    WISSEL_ASSIGN_OR_RETURN(config.listen_address, reader_.ReadString(*n, "listen_address"));
    if (!IsValidListenAddress(config.listen_address)) {
      return reader_.Error(*n, "listen_address",
                           absl::StrCat("invalid address '", config.listen_address,
                                        "'; expected host:port, [ipv6]:port or unix:/path"));
    }
  }
  // Without a `tls` section the router refuses to start (Server::Start): TLS is the default,
  // and a file without it can still be checked by `wisselctl config check`.
  if (const YAML::Node* n = fields.Find("tls")) {
    WISSEL_RETURN_IF_ERROR(ParseTls(*n, "tls", &config.tls, &config.peer_ca_file));
  }
  if (const YAML::Node* n = fields.Find("access")) {
    WISSEL_RETURN_IF_ERROR(ParseAccess(*n, "access", &config.access, &config.oidc));
  }
  if (const YAML::Node* n = fields.Find("drain_timeout")) {
    WISSEL_ASSIGN_OR_RETURN(config.drain_timeout, reader_.ReadDuration(*n, "drain_timeout"));
  }
  if (const YAML::Node* n = fields.Find("redis")) {
    WISSEL_RETURN_IF_ERROR(ParseRedis(*n, "redis", &config.redis));
  }
  if (const YAML::Node* n = fields.Find("metrics")) {
    WISSEL_RETURN_IF_ERROR(ParseMetrics(*n, "metrics", config.tls, &config.metrics));
  }

  const YAML::Node* tenants = fields.Find("tenants");
  if (tenants == nullptr) return reader_.Error(root, "", "missing required key 'tenants'");
  WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(*tenants, "tenants"));
  if (tenants->size() == 0) {
    return reader_.Error(*tenants, "tenants", "at least one tenant is required");
  }
  absl::flat_hash_map<std::string, size_t> tenant_index;
  size_t i = 0;
  for (const YAML::Node& node : *tenants) {
    const std::string path = base::IndexPath("tenants", i);
    reader_.Record(path, node);
    TenantSettings tenant;
    WISSEL_RETURN_IF_ERROR(ParseTenant(node, path, &tenant));
    if (auto [it, inserted] = tenant_index.emplace(tenant.routing.id, i); !inserted) {
      return reader_.ErrorAtPath(base::JoinKeyPath(path, "id"), node,
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

const TenantSettings* RouterConfig::FindTenant(absl::string_view id) const {
  for (const TenantSettings& t : tenants) {
    if (t.routing.id == id) return &t;
  }
  return nullptr;
}

absl::StatusOr<RouterConfig> ParseRouterConfig(absl::string_view yaml, absl::string_view filename,
                                               const LoadOptions& options) {
  return ConfigParser(yaml, filename, options).Parse();
}

absl::StatusOr<RouterConfig> LoadRouterConfig(absl::string_view path, const LoadOptions& options) {
  WISSEL_ASSIGN_OR_RETURN(const std::string contents, ReadConfigFile(std::string(path)));
  WISSEL_ASSIGN_OR_RETURN(RouterConfig config, ParseRouterConfig(contents, path, options));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(contents.data(), contents.size(), digest, &length, EVP_sha256(), nullptr);
  config.source_sha256 =
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
  return config;
}

}  // namespace wissel::config
