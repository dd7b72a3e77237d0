// wissel-chat: the chat adapter. A thin shell: flags and environment to options, then
// ChatService on an HttpServer with a GrpcRouterClient, until SIGTERM.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "adapters/chat/chat_service.h"
#include "adapters/common/adapter_main.h"
#include "adapters/common/grpc_router_client.h"
#include "adapters/common/http_server.h"
#include "base/duration_flag.h"

ABSL_FLAG(wissel::base::DurationFlag, poll_interval, {absl::Milliseconds(500)},
          "How often an events stream asks the router for news (env WISSEL_CHAT_POLL_INTERVAL).");
ABSL_FLAG(int64_t, max_sessions, 100000,
          "Chat sessions remembered by this instance (env WISSEL_CHAT_MAX_SESSIONS).");
ABSL_FLAG(wissel::base::DurationFlag, max_stream_duration, {absl::Minutes(30)},
          "An events stream ends after this time; clients reconnect "
          "(env WISSEL_CHAT_MAX_STREAM_DURATION).");

int main(int argc, char** argv) {
  wissel::adapters::InitAdapter(
      argc, argv, "wissel-chat [--listen=HOST:PORT] [--router=HOST:PORT] (see --help)",
      {{"poll_interval", "WISSEL_CHAT_POLL_INTERVAL"},
       {"max_sessions", "WISSEL_CHAT_MAX_SESSIONS"},
       {"max_stream_duration", "WISSEL_CHAT_MAX_STREAM_DURATION"}});
  absl::StatusOr<wissel::adapters::AdapterConfig> config =
      wissel::adapters::AdapterConfigFromFlags("127.0.0.1:8081");
  if (!config.ok()) {
    std::cerr << "wissel-chat: " << config.status().message() << "\n";
    return 2;
  }
  wissel::adapters::chat::ChatOptions options;
  options.poll_interval = absl::GetFlag(FLAGS_poll_interval).value;
  options.max_stream_duration = absl::GetFlag(FLAGS_max_stream_duration).value;
  if (options.poll_interval < absl::Milliseconds(50) || absl::GetFlag(FLAGS_max_sessions) < 1) {
    std::cerr << "wissel-chat: --poll_interval must be at least 50ms and --max_sessions "
                 "positive\n";
    return 2;
  }
  options.max_sessions = static_cast<size_t>(absl::GetFlag(FLAGS_max_sessions));

  absl::StatusOr<std::unique_ptr<wissel::adapters::AdapterMetrics>> metrics =
      wissel::adapters::AdapterMetrics::Create(config->metrics);
  if (!metrics.ok()) {
    std::cerr << "wissel-chat: " << metrics.status().message() << "\n";
    return 2;
  }
  wissel::adapters::GrpcRouterClient grpc_router(config->router);
  wissel::adapters::RouterClient* router =
      *metrics != nullptr ? (*metrics)->Meter(&grpc_router) : &grpc_router;
  wissel::adapters::HttpServer server(config->http);
  if (*metrics != nullptr) (*metrics)->Observe(&server);
  wissel::adapters::chat::ChatService service(options, router, &server);
  return wissel::adapters::ServeUntilTerminated("wissel-chat", &server, metrics->get());
}
