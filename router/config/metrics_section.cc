// The `metrics:` section of the router's file: the Prometheus endpoint's listener, its TLS and
// how scrapers authenticate (metrics/endpoint_options.h).
#include <string>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"
#include "router/config/config_parser.h"

namespace wissel::config {

absl::Status ConfigParser::ParseMetrics(const YAML::Node& node, const std::string& path,
                                        const transport::ServerTls& router_tls,
                                        metrics::EndpointOptions* metrics) {
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries fields,
                          reader_.ReadMap(node, path,
                                          {"listen_address", "tls", "bearer_token_file",
                                           "bearer_token_env", "allow_anonymous"}));
  metrics::EndpointOptions options;
  if (const YAML::Node* n = fields.Find("listen_address")) {
    WISSEL_ASSIGN_OR_RETURN(options.listen_address,
                            reader_.ReadString(*n, base::JoinKeyPath(path, "listen_address")));
    if (options.listen_address.empty()) {
      return reader_.Error(*n, base::JoinKeyPath(path, "listen_address"),
                           "is empty; leave out the metrics section for no endpoint");
    }
  } else {
    return reader_.Error(node, base::JoinKeyPath(path, "listen_address"),
                         "is required (host:port of the Prometheus endpoint, e.g. 0.0.0.0:9464)");
  }
  if (const YAML::Node* tls = fields.Find("tls")) {
    const std::string tls_path = base::JoinKeyPath(path, "tls");
    WISSEL_ASSIGN_OR_RETURN(
        const base::YamlEntries tls_fields,
        reader_.ReadMap(*tls, tls_path, {"certificate_file", "private_key_file", "plaintext"}));
    if (const YAML::Node* n = tls_fields.Find("plaintext")) {
      WISSEL_ASSIGN_OR_RETURN(options.plaintext,
                              reader_.ReadBool(*n, base::JoinKeyPath(tls_path, "plaintext")));
    }
    for (const auto& [key, out] :
         {std::pair<const char*, std::string*>{"certificate_file", &options.certificate_file},
          {"private_key_file", &options.private_key_file}}) {
      if (const YAML::Node* n = tls_fields.Find(key)) {
        WISSEL_ASSIGN_OR_RETURN(const std::string value,
                                reader_.ReadString(*n, base::JoinKeyPath(tls_path, key)));
        *out = Resolve(value);
      }
    }
  } else if (!router_tls.plaintext) {
    // The router's own certificate by default: the endpoint is reached under the same names.
    options.certificate_file = router_tls.certificate_file;
    options.private_key_file = router_tls.private_key_file;
  }
  if (const YAML::Node* n = fields.Find("bearer_token_file")) {
    WISSEL_ASSIGN_OR_RETURN(const std::string value,
                            reader_.ReadString(*n, base::JoinKeyPath(path, "bearer_token_file")));
    options.bearer_token_file = Resolve(value);
  }
  if (const YAML::Node* n = fields.Find("bearer_token_env")) {
    WISSEL_ASSIGN_OR_RETURN(options.bearer_token_env,
                            reader_.ReadString(*n, base::JoinKeyPath(path, "bearer_token_env")));
  }
  if (const YAML::Node* n = fields.Find("allow_anonymous")) {
    WISSEL_ASSIGN_OR_RETURN(options.allow_anonymous,
                            reader_.ReadBool(*n, base::JoinKeyPath(path, "allow_anonymous")));
  }
  if (absl::Status s = metrics::ValidateEndpointOptions(options, metrics::ConfigFileNames());
      !s.ok()) {
    // "metrics.tls.plaintext: reason": reported at that key where the file has it.
    const absl::string_view message = s.message();
    const size_t colon = message.find(": ");
    if (colon == absl::string_view::npos) return reader_.Error(node, path, message);
    return reader_.ErrorAtPath(message.substr(0, colon), node, message.substr(colon + 2));
  }
  *metrics = std::move(options);
  return absl::OkStatus();
}

}  // namespace wissel::config
