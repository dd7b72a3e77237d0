// The HTTP side of wissel-sip for operators and orchestrators, served by the adapters' common
// HttpServer (adapters/common/http_server.h, which also answers GET /livez):
//
//   GET /healthz   200 {"status":"ok","router":"SERVING"} when the router's gRPC health check
//                  says SERVING and the adapter is not draining; else 503 with a problem body
//                  naming the reason ("draining", or the router's health answer).
//
// The metrics are not served here (this listener answers the orchestrator's probes without
// authentication) but on the adapter's metrics endpoint (sip_metrics.h, --metrics_listen).
//
// Register before HttpServer::Start(). The handlers run on the server's threads; `client` and
// `redirector` are thread-safe and must outlive the server.
#pragma once

#include "adapters/common/http_server.h"
#include "adapters/common/router_client.h"
#include "adapters/sip/sip_redirector.h"

namespace wissel::adapters::sip {

// Sets `server`'s health check.
void AddHealthRoutes(HttpServer* server, RouterClient* client, const SipRedirector* redirector);

}  // namespace wissel::adapters::sip
