// The security sections of the router's file: `tls:` (the listener's certificate and the CA of
// its callers) and `access:` (who may do what, per tenant).
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"
#include "router/access/role.h"
#include "router/config/config_parser.h"

namespace wissel::config {

absl::Status ConfigParser::ParseTls(const YAML::Node& node, const std::string& path,
                                    transport::ServerTls* tls, std::string* peer_ca_file) {
  WISSEL_ASSIGN_OR_RETURN(
      const base::YamlEntries fields,
      reader_.ReadMap(node, path,
                      {"plaintext", "certificate_file", "private_key_file", "client_ca_file",
                       "require_client_certificate", "peer_ca_file", "refresh_interval"}));
  if (const YAML::Node* n = fields.Find("plaintext")) {
    WISSEL_ASSIGN_OR_RETURN(tls->plaintext,
                            reader_.ReadBool(*n, base::JoinKeyPath(path, "plaintext")));
  }
  for (const auto& [key, out] :
       {std::pair<const char*, std::string*>{"certificate_file", &tls->certificate_file},
        {"private_key_file", &tls->private_key_file},
        {"client_ca_file", &tls->client_ca_file},
        {"peer_ca_file", peer_ca_file}}) {
    if (const YAML::Node* n = fields.Find(key)) {
      WISSEL_ASSIGN_OR_RETURN(const std::string value,
                              reader_.ReadString(*n, base::JoinKeyPath(path, key)));
      *out = Resolve(value);
    }
  }
  if (const YAML::Node* n = fields.Find("require_client_certificate")) {
    WISSEL_ASSIGN_OR_RETURN(
        tls->require_client_certificate,
        reader_.ReadBool(*n, base::JoinKeyPath(path, "require_client_certificate")));
  }
  if (const YAML::Node* n = fields.Find("refresh_interval")) {
    WISSEL_ASSIGN_OR_RETURN(tls->refresh_interval,
                            reader_.ReadDuration(*n, base::JoinKeyPath(path, "refresh_interval")));
    if (tls->refresh_interval < absl::Seconds(1)) {
      return reader_.Error(*n, base::JoinKeyPath(path, "refresh_interval"), "at least 1s");
    }
  }
  if (tls->plaintext && (!tls->certificate_file.empty() || !tls->client_ca_file.empty())) {
    return reader_.Error(node, path, "plaintext: true and certificate files exclude each other");
  }
  if (!tls->plaintext && tls->certificate_file.empty()) {
    return reader_.Error(node, base::JoinKeyPath(path, "certificate_file"),
                         "is required (or plaintext: true, for loopback development only)");
  }
  if (!tls->plaintext && tls->private_key_file.empty()) {
    return reader_.Error(node, base::JoinKeyPath(path, "private_key_file"), "is required");
  }
  if (tls->require_client_certificate && tls->client_ca_file.empty()) {
    return reader_.Error(node, base::JoinKeyPath(path, "client_ca_file"),
                         "is required with require_client_certificate");
  }
  return absl::OkStatus();
}

absl::Status ConfigParser::ParseOidc(const YAML::Node& node, const std::string& path,
                                     std::optional<security::OidcOptions>* oidc) {
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries fields,
                          reader_.ReadMap(node, path,
                                          {"issuer", "audience", "clock_skew", "groups_claim",
                                           "handler_claim", "jwks_file", "jwks_url", "jwks_ca_file",
                                           "jwks_refresh", "jwks_min_refresh"}));
  security::OidcOptions options;
  for (const auto& [key, out] : {std::pair<const char*, std::string*>{"issuer", &options.issuer},
                                 {"audience", &options.audience},
                                 {"groups_claim", &options.groups_claim},
                                 {"handler_claim", &options.handler_claim},
                                 {"jwks_url", &options.jwks_url}}) {
    if (const YAML::Node* n = fields.Find(key)) {
      WISSEL_ASSIGN_OR_RETURN(*out, reader_.ReadString(*n, base::JoinKeyPath(path, key)));
    }
  }
  for (const auto& [key, out] :
       {std::pair<const char*, std::string*>{"jwks_file", &options.jwks_file},
        {"jwks_ca_file", &options.jwks_ca_file}}) {
    if (const YAML::Node* n = fields.Find(key)) {
      WISSEL_ASSIGN_OR_RETURN(const std::string value,
                              reader_.ReadString(*n, base::JoinKeyPath(path, key)));
      *out = Resolve(value);
    }
  }
  for (const auto& [key, out] :
       {std::pair<const char*, absl::Duration*>{"clock_skew", &options.clock_skew},
        {"jwks_refresh", &options.jwks_refresh},
        {"jwks_min_refresh", &options.jwks_min_refresh}}) {
    if (const YAML::Node* n = fields.Find(key)) {
      WISSEL_ASSIGN_OR_RETURN(*out, reader_.ReadDuration(*n, base::JoinKeyPath(path, key)));
    }
  }
  if (absl::Status s = security::ValidateOidcOptions(options); !s.ok()) {
    // "field: reason" -> "access.oidc.field: reason", at the section.
    return reader_.Error(node, path, s.message());
  }
  *oidc = std::move(options);
  return absl::OkStatus();
}

absl::Status ConfigParser::ParseAccess(const YAML::Node& node, const std::string& path,
                                       access::AccessConfig* access,
                                       std::optional<security::OidcOptions>* oidc) {
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries fields,
                          reader_.ReadMap(node, path, {"allow_anonymous", "oidc", "grants"}));
  if (const YAML::Node* n = fields.Find("allow_anonymous")) {
    WISSEL_ASSIGN_OR_RETURN(access->allow_anonymous,
                            reader_.ReadBool(*n, base::JoinKeyPath(path, "allow_anonymous")));
  }
  if (const YAML::Node* n = fields.Find("oidc")) {
    WISSEL_RETURN_IF_ERROR(ParseOidc(*n, base::JoinKeyPath(path, "oidc"), oidc));
  }
  const YAML::Node* grants = fields.Find("grants");
  if (grants == nullptr) return absl::OkStatus();
  const std::string grants_path = base::JoinKeyPath(path, "grants");
  WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(*grants, grants_path));
  size_t i = 0;
  for (const YAML::Node& g : *grants) {
    const std::string gp = base::IndexPath(grants_path, i++);
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries gf,
                            reader_.ReadMap(g, gp,
                                            {"certificate", "token_subject", "token_group", "role",
                                             "tenants", "channels", "handler_id"}));
    access::Grant grant;
    int who = 0;
    for (const auto& [key, out] :
         {std::pair<const char*, std::string*>{"certificate", &grant.certificate},
          {"token_subject", &grant.token_subject},
          {"token_group", &grant.token_group},
          {"handler_id", &grant.handler_id}}) {
      if (const YAML::Node* n = gf.Find(key)) {
        WISSEL_ASSIGN_OR_RETURN(*out, reader_.ReadString(*n, base::JoinKeyPath(gp, key)));
        if (out->empty()) return reader_.Error(*n, base::JoinKeyPath(gp, key), "is empty");
        if (out != &grant.handler_id) ++who;
      }
    }
    if (who != 1) {
      return reader_.Error(g, gp, "give exactly one of certificate, token_subject, token_group");
    }
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* role_node, reader_.Require(gf, g, gp, "role"));
    WISSEL_ASSIGN_OR_RETURN(const std::string role,
                            reader_.ReadString(*role_node, base::JoinKeyPath(gp, "role")));
    const std::optional<access::Role> parsed = access::ParseRole(role);
    if (!parsed) {
      return reader_.Error(*role_node, base::JoinKeyPath(gp, "role"),
                           absl::StrCat("unknown role '", role,
                                        "'; expected channel, handler, handler_proxy, "
                                        "supervisor, operator or peer"));
    }
    grant.role = *parsed;
    WISSEL_ASSIGN_OR_RETURN(const YAML::Node* tenants_node, reader_.Require(gf, g, gp, "tenants"));
    WISSEL_ASSIGN_OR_RETURN(
        grant.tenants, reader_.ReadStringList(*tenants_node, base::JoinKeyPath(gp, "tenants")));
    if (grant.tenants.empty()) {
      return reader_.Error(*tenants_node, base::JoinKeyPath(gp, "tenants"),
                           "at least one tenant id, or \"*\" for all");
    }
    if (const YAML::Node* n = gf.Find("channels")) {
      const std::string cp = base::JoinKeyPath(gp, "channels");
      if (grant.role != access::Role::kChannel) {
        return reader_.Error(*n, cp, "only for role channel");
      }
      WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(*n, cp));
      size_t j = 0;
      for (const YAML::Node& c : *n) {
        WISSEL_ASSIGN_OR_RETURN(core::Channel channel, ReadChannel(c, base::IndexPath(cp, j++)));
        grant.channels.push_back(channel);
      }
    }
    if (!grant.handler_id.empty() && grant.role != access::Role::kHandler) {
      return reader_.Error(*gf.Find("handler_id"), base::JoinKeyPath(gp, "handler_id"),
                           "only for role handler");
    }
    if (grant.role == access::Role::kHandler && !grant.certificate.empty() &&
        grant.handler_id.empty()) {
      return reader_.Error(g, base::JoinKeyPath(gp, "handler_id"),
                           "is required for a handler identified by a certificate");
    }
    access->grants.push_back(std::move(grant));
  }
  return absl::OkStatus();
}

}  // namespace wissel::config
