// What the figures of a tenant are measured against, from the router's configuration file: the
// queues' sla_target, the topics' answer_within norms, the catalogue (each topic's name, domain
// and service phase), the queues and the time zone of the tenant's calendar. Shared by
// `wisselctl report --config` and the supervisor dashboard (dashboard/), so that both read the
// same targets the same way.
//
// The file is read without its secrets (LoadOptions.require_secrets = false): a reporting host
// or the dashboard does not need the tenants' pseudonym secrets. Pure apart from reading the
// file (and the files and time zone database it names); thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "router/cli/report.h"

namespace wissel::cli {

// One entry of the tenant's catalogue (productencatalogus).
struct CatalogueTopic {
  std::string name;    // "Paspoort aanvragen"
  std::string domain;  // "burgerzaken", "sociaal_domein"
  // "eigen_kracht", "preventie" or "maatwerk"; empty for none.
  std::string phase;
};

struct TenantReportConfig {
  std::string name;  // "Gemeente Wisseloord"
  ReportTargets targets;
  // By topic code.
  std::map<std::string, CatalogueTopic> topics;
  // The queues' names, in the file's order.
  std::vector<std::string> queues;
  // The tenant's calendar's time zone (UTC when it names none).
  absl::TimeZone time_zone = absl::UTCTimeZone();
};

// `tenant` as `config_file` configures it. The file's errors as LoadRouterConfig reports them;
// NotFound when the file has no such tenant.
absl::StatusOr<TenantReportConfig> LoadTenantReportConfig(const std::string& config_file,
                                                          const std::string& tenant);

}  // namespace wissel::cli
