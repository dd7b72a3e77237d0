#include "adapters/sip/health_routes.h"

namespace wissel::adapters::sip {

void AddHealthRoutes(HttpServer* server, RouterClient* client, const SipRedirector* redirector) {
  api::Health serving;
  serving.set_status("ok");
  serving.set_router("SERVING");
  server->SetHealthCheck(
      [client, redirector]() -> absl::Status {
        if (redirector->draining()) return absl::UnavailableError("draining");
        return client->CheckHealth();
      },
      serving);
}

}  // namespace wissel::adapters::sip
