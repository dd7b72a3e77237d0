#include "router/cli/report_config.h"

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "router/config/router_config.h"
#include "router/core/channel.h"
#include "router/core/tenant_config.h"

namespace wissel::cli {
namespace {

// The configuration's spelling (router/config/catalogue_section.cc), empty for none.
std::string PhaseName(core::ServicePhase phase) {
  switch (phase) {
    case core::ServicePhase::kEigenKracht:
      return "eigen_kracht";
    case core::ServicePhase::kPreventie:
      return "preventie";
    case core::ServicePhase::kMaatwerk:
      return "maatwerk";
    case core::ServicePhase::kNone:
      break;
  }
  return "";
}

}  // namespace

absl::StatusOr<TenantReportConfig> LoadTenantReportConfig(const std::string& config_file,
                                                          const std::string& tenant) {
  config::LoadOptions load;
  load.require_secrets = false;
  absl::StatusOr<config::RouterConfig> config = config::LoadRouterConfig(config_file, load);
  if (!config.ok()) return config.status();
  const config::TenantSettings* settings = config->FindTenant(tenant);
  if (settings == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("--config: ", config_file, " has no tenant '", tenant, "'"));
  }
  const core::TenantConfig& routing = settings->routing;
  TenantReportConfig out;
  out.name = routing.name;
  out.time_zone = routing.calendar.time_zone;
  for (const core::QueueConfig& q : routing.queues) {
    out.targets.sla_target[q.name] = q.sla_target;
    out.queues.push_back(q.name);
  }
  for (const core::TopicConfig& topic : routing.topics) {
    out.topics[topic.code] = CatalogueTopic{topic.name, topic.domain, PhaseName(topic.phase)};
    for (core::Channel channel : core::kAllChannels) {
      if (const std::optional<absl::Duration> within = topic.norms[channel].answer_within) {
        v1::Channel api = v1::CHANNEL_UNSPECIFIED;
        v1::Channel_Parse(
            absl::StrCat("CHANNEL_", absl::AsciiStrToUpper(core::ChannelName(channel))), &api);
        out.targets.answer_within[{topic.code, api}] = *within;
      }
    }
  }
  return out;
}

}  // namespace wissel::cli
