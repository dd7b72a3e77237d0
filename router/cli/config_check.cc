#include "router/cli/config_check.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_split.h"
#include "router/config/router_config.h"

namespace wissel::cli {

int RunConfigCheck(absl::string_view path, std::ostream& out, std::ostream& err) {
  config::LoadOptions options;
  options.require_secrets = false;
  const absl::StatusOr<config::RouterConfig> config = config::LoadRouterConfig(path, options);
  if (!config.ok()) {
    for (absl::string_view line : absl::StrSplit(config.status().message(), '\n')) {
      err << "error: " << line << "\n";
    }
    return 1;
  }
  size_t topics = 0;
  size_t rules = 0;
  for (const config::TenantSettings& tenant : config->tenants) {
    topics += tenant.routing.topics.size();
    rules += tenant.routing.rules.size();
  }
  out << "OK: " << config->tenants.size() << " tenants, " << topics << " topics, " << rules
      << " rules\n";
  for (const std::string& warning : config->warnings) out << "warning: " << warning << "\n";
  out << std::flush;
  return 0;
}

}  // namespace wissel::cli
