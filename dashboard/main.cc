// wissel-dashboard: the supervisor dashboard of one tenant. A thin shell: flags and environment
// to options, then the event feed, the statistics poller and the page on an HttpServer, until
// SIGTERM.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "adapters/common/adapter_main.h"
#include "adapters/common/grpc_router_client.h"
#include "adapters/common/http_server.h"
#include "adapters/common/text.h"
#include "base/duration_flag.h"
#include "dashboard/dashboard_service.h"
#include "dashboard/dashboard_state.h"
#include "dashboard/event_feed.h"
#include "dashboard/stats_poller.h"
#include "dashboard/supervisor_tokens.h"
#include "router/cli/report_config.h"
#include "router/cli/stop_signal.h"
#include "wissel/v1/operator_service.grpc.pb.h"

ABSL_FLAG(std::string, tenant, "",
          "The tenant whose figures to show (env WISSEL_DASHBOARD_TENANT).");
ABSL_FLAG(std::string, config, "",
          "The router's configuration file: service-level targets, catalogue (domain and phase "
          "per topic), queues and time zone of the tenant; read without its secrets "
          "(env WISSEL_DASHBOARD_CONFIG). Without it: 60 s targets, figures per topic.");
ABSL_FLAG(std::string, time_zone, "",
          "Time zone of the day's figures, e.g. Europe/Amsterdam (env WISSEL_DASHBOARD_TIME_ZONE). "
          "Default: the tenant's calendar in --config, else the machine's zone.");
ABSL_FLAG(std::string, supervisor_tokens_file, "",
          "File listing the supervisors as NAME=SHA256HEX of their tokens, one a line "
          "(env WISSEL_DASHBOARD_SUPERVISOR_TOKENS_FILE).");
ABSL_FLAG(std::string, supervisor_tokens, "",
          "The same list inline, entries separated by commas "
          "(env WISSEL_DASHBOARD_SUPERVISOR_TOKENS).");
ABSL_FLAG(wissel::base::DurationFlag, session_lifetime, {absl::Hours(12)},
          "How long a login in the browser lasts (env WISSEL_DASHBOARD_SESSION_LIFETIME).");
ABSL_FLAG(wissel::base::DurationFlag, stats_interval, {absl::Seconds(2)},
          "How often the router's queue statistics are asked "
          "(env WISSEL_DASHBOARD_STATS_INTERVAL).");
ABSL_FLAG(wissel::base::DurationFlag, chart_window, {absl::Hours(4)},
          "How far back the charts go (env WISSEL_DASHBOARD_CHART_WINDOW).");

namespace {

namespace cli = wissel::cli;
namespace dashboard = wissel::dashboard;

int Fail(const std::string& message) {
  std::cerr << "wissel-dashboard: " << message << "\n";
  return 2;
}

absl::StatusOr<dashboard::SupervisorTokens> LoadSupervisors() {
  const std::string file = absl::GetFlag(FLAGS_supervisor_tokens_file);
  const std::string inline_list = absl::GetFlag(FLAGS_supervisor_tokens);
  if (file.empty() == inline_list.empty()) {
    return absl::InvalidArgumentError(
        "give the supervisors' token digests with exactly one of --supervisor_tokens_file and "
        "--supervisor_tokens (NAME=SHA256HEX; printf %s \"$TOKEN\" | sha256sum)");
  }
  if (!inline_list.empty()) {
    return dashboard::SupervisorTokens::Parse(inline_list, "--supervisor_tokens");
  }
  std::ifstream in(file);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--supervisor_tokens_file: ", file, " cannot be read"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return dashboard::SupervisorTokens::Parse(text.str(), file);
}

}  // namespace

int main(int argc, char** argv) {
  namespace adapters = wissel::adapters;
  adapters::InitAdapter(argc, argv,
                        "wissel-dashboard --tenant=ID --supervisor_tokens_file=FILE "
                        "[--config=wissel.yaml] [--listen=HOST:PORT] [--router=HOST:PORT] "
                        "(see --help)",
                        {{"tenant", "WISSEL_DASHBOARD_TENANT"},
                         {"config", "WISSEL_DASHBOARD_CONFIG"},
                         {"time_zone", "WISSEL_DASHBOARD_TIME_ZONE"},
                         {"supervisor_tokens_file", "WISSEL_DASHBOARD_SUPERVISOR_TOKENS_FILE"},
                         {"supervisor_tokens", "WISSEL_DASHBOARD_SUPERVISOR_TOKENS"},
                         {"session_lifetime", "WISSEL_DASHBOARD_SESSION_LIFETIME"},
                         {"stats_interval", "WISSEL_DASHBOARD_STATS_INTERVAL"},
                         {"chart_window", "WISSEL_DASHBOARD_CHART_WINDOW"}});
  absl::StatusOr<adapters::AdapterConfig> common =
      adapters::AdapterConfigFromFlags("127.0.0.1:8090");
  if (!common.ok()) return Fail(std::string(common.status().message()));
  // The dashboard serves its own login form: a POST from its own page is not cross-origin.
  common->http.allow_same_origin = true;

  dashboard::DashboardModelOptions model;
  model.tenant = absl::GetFlag(FLAGS_tenant);
  if (absl::Status s = adapters::ValidateTenant("--tenant", model.tenant); !s.ok()) {
    return Fail(std::string(s.message()));
  }
  absl::StatusOr<dashboard::SupervisorTokens> supervisors = LoadSupervisors();
  if (!supervisors.ok()) return Fail(std::string(supervisors.status().message()));

  model.time_zone = absl::LocalTimeZone();
  if (const std::string file = absl::GetFlag(FLAGS_config); !file.empty()) {
    absl::StatusOr<cli::TenantReportConfig> config =
        cli::LoadTenantReportConfig(file, model.tenant);
    if (!config.ok()) return Fail(std::string(config.status().message()));
    model.config = *std::move(config);
    model.has_catalogue = true;
    model.time_zone = model.config.time_zone;
  }
  if (const std::string zone = absl::GetFlag(FLAGS_time_zone); !zone.empty()) {
    if (!absl::LoadTimeZone(zone, &model.time_zone)) {
      return Fail(absl::StrCat("--time_zone: unknown time zone ", zone));
    }
  }
  model.chart_window = absl::GetFlag(FLAGS_chart_window).value;
  const absl::Duration stats_interval = absl::GetFlag(FLAGS_stats_interval).value;
  const absl::Duration session_lifetime = absl::GetFlag(FLAGS_session_lifetime).value;
  if (model.chart_window < absl::Minutes(5) || model.chart_window > absl::Hours(24)) {
    return Fail("--chart_window must be within 5m..24h");
  }
  if (stats_interval < absl::Milliseconds(200) || stats_interval > absl::Minutes(1)) {
    return Fail("--stats_interval must be within 200ms..1m");
  }
  if (session_lifetime < absl::Minutes(1) || session_lifetime > absl::Hours(24 * 7)) {
    return Fail("--session_lifetime must be within 1m..7d");
  }
  // Statistics older than a few polls are not shown as the router's.
  model.stats_max_age = std::max(absl::Seconds(10), stats_interval * 3);

  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = adapters::RouterChannel(common->router);
  if (!channel.ok()) return Fail(std::string(channel.status().message()));
  std::unique_ptr<wissel::v1::OperatorService::Stub> stub =
      wissel::v1::OperatorService::NewStub(*channel);

  dashboard::DashboardState state(model);
  dashboard::EventFeed feed({.tenant = model.tenant}, stub.get(), &state);
  dashboard::StatsPoller poller(
      {.tenant = model.tenant, .interval = stats_interval, .deadline = common->router.deadline},
      stub.get(), &state);
  adapters::HttpServer server(common->http);
  dashboard::DashboardServiceOptions service_options;
  service_options.supervisors = *std::move(supervisors);
  service_options.session_lifetime = session_lifetime;
  dashboard::DashboardService service(std::move(service_options), &state, &server);

  cli::StopSignal stop_publishing;
  std::thread publisher([&state, &stop_publishing] {
    state.PublishLoop([&stop_publishing](absl::Duration d) { return stop_publishing.WaitFor(d); });
  });
  feed.Start();
  poller.Start();
  const int code = adapters::ServeUntilTerminated("wissel-dashboard", &server);
  feed.Stop();
  poller.Stop();
  stop_publishing.Stop();
  publisher.join();
  return code;
}
