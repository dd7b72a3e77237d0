// wissel-balie: the town hall counter adapter. A thin shell: flags and environment to options,
// then the desks (handlers on the router) and BalieService on an HttpServer, until SIGTERM.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <iostream>
#include <map>
#include <memory>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "adapters/balie/balie_config.h"
#include "adapters/balie/balie_credentials.h"
#include "adapters/balie/balie_service.h"
#include "adapters/balie/desk_agent.h"
#include "adapters/balie/display_board.h"
#include "adapters/balie/ticket_counter.h"
#include "adapters/common/adapter_main.h"
#include "adapters/common/grpc_router_client.h"
#include "adapters/common/http_server.h"
#include "base/duration_flag.h"

ABSL_FLAG(std::string, config, "", "The balie's YAML file (env WISSEL_BALIE_CONFIG). Required.");
ABSL_FLAG(std::string, ticket_state, "",
          "File that keeps the day's ticket sequences across restarts; empty: memory only "
          "(env WISSEL_BALIE_TICKET_STATE).");
ABSL_FLAG(wissel::base::DurationFlag, next_wait, {absl::Seconds(2)},
          "How long POST .../next waits for a resident before answering 202 "
          "(env WISSEL_BALIE_NEXT_WAIT).");

int main(int argc, char** argv) {
  namespace adapters = wissel::adapters;
  namespace balie = wissel::adapters::balie;
  adapters::InitAdapter(argc, argv,
                        "wissel-balie --config=balie.yaml [--listen=HOST:PORT] "
                        "[--router=HOST:PORT] [--ticket_state=FILE] (see --help)",
                        {{"config", "WISSEL_BALIE_CONFIG"},
                         {"ticket_state", "WISSEL_BALIE_TICKET_STATE"},
                         {"next_wait", "WISSEL_BALIE_NEXT_WAIT"}});
  absl::StatusOr<adapters::AdapterConfig> common =
      adapters::AdapterConfigFromFlags("127.0.0.1:8084");
  if (!common.ok()) {
    std::cerr << "wissel-balie: " << common.status().message() << "\n";
    return 2;
  }
  if (absl::GetFlag(FLAGS_config).empty()) {
    std::cerr << "wissel-balie: --config is required\n";
    return 2;
  }
  absl::StatusOr<balie::BalieConfig> config = balie::LoadBalieConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) {
    std::cerr << "wissel-balie: " << config.status().message() << "\n";
    return 2;
  }
  // The desks' and the kiosk's tokens, from the environment or files the config names.
  absl::StatusOr<balie::BalieCredentials> credentials = balie::BalieCredentials::Load(*config);
  if (!credentials.ok()) {
    std::cerr << "wissel-balie: " << credentials.status().message() << "\n";
    return 2;
  }
  const absl::Duration next_wait = absl::GetFlag(FLAGS_next_wait).value;
  if (next_wait < absl::ZeroDuration() || next_wait > absl::Seconds(30)) {
    std::cerr << "wissel-balie: --next_wait must be within 0..30s\n";
    return 2;
  }

  balie::TicketCounterOptions ticket_options;
  ticket_options.state_file = absl::GetFlag(FLAGS_ticket_state);
  if (!absl::LoadTimeZone(config->time_zone, &ticket_options.zone)) {
    std::cerr << "wissel-balie: unknown time zone " << config->time_zone << "\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<balie::TicketCounter>> tickets =
      balie::TicketCounter::Create(ticket_options, absl::Now());
  if (!tickets.ok()) {
    std::cerr << "wissel-balie: " << tickets.status().message() << "\n";
    return 2;
  }

  absl::StatusOr<std::unique_ptr<adapters::AdapterMetrics>> metrics =
      adapters::AdapterMetrics::Create(common->metrics);
  if (!metrics.ok()) {
    std::cerr << "wissel-balie: " << metrics.status().message() << "\n";
    return 2;
  }
  adapters::GrpcRouterClient grpc_router(common->router);
  adapters::RouterClient* router =
      *metrics != nullptr ? (*metrics)->Meter(&grpc_router) : &grpc_router;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = adapters::RouterChannel(common->router);
  if (!channel.ok()) {
    std::cerr << "wissel-balie: " << channel.status().message() << "\n";
    return 2;
  }
  balie::DisplayBoard board;
  std::vector<std::unique_ptr<balie::DeskAgent>> agents;
  std::map<std::string, balie::DeskAgent*> desks;
  for (const balie::DeskConfig& desk : config->desks) {
    balie::DeskAgentOptions options;
    options.tenant = config->tenant;
    options.desk = desk;
    options.deadline = common->router.deadline;
    agents.push_back(std::make_unique<balie::DeskAgent>(options, *channel, router, &board));
    desks[desk.id] = agents.back().get();
  }
  for (auto& agent : agents) agent->Start();

  balie::BalieOptions options;
  options.next_wait = next_wait;
  options.credentials = *std::move(credentials);
  adapters::HttpServer server(common->http);
  if (*metrics != nullptr) (*metrics)->Observe(&server);
  balie::BalieService service(options, &*config, router, tickets->get(), &board, desks, &server);
  const int code = adapters::ServeUntilTerminated("wissel-balie", &server, metrics->get());
  for (auto& agent : agents) agent->Stop();
  return code;
}
