// Server: a whole Wissel router in one object — state store connections, routing engine, the
// three gRPC services behind TLS and access control (config.tls, config.access), forwarding to the
// other routers, health checking and reflection — built from a RouterConfig.
//
// The daemon runs one; in-process tests run one on port 0. Start() refuses a listen address
// that is taken (SO_REUSEPORT off, so a second router cannot silently share the port).
// While running, health is NOT_SERVING whenever Redis cannot be reached (a probe every 250 ms)
// and SERVING again when it is back. Shutdown() drains: health goes NOT_SERVING, new calls are
// refused, in-flight calls finish, offer streams end with OK, the engine writes its last batch.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "metrics/endpoint.h"
#include "metrics/registry.h"
#include "router/config/router_config.h"
#include "router/core/clock.h"
#include "router/engine/audit_writer.h"
#include "router/engine/routing_engine.h"
#include "router/engine/store_health_monitor.h"
#include "router/security/token_verifier.h"
#include "router/service/event_watches.h"
#include "router/service/handler_service.h"
#include "router/service/operator_service.h"
#include "router/service/router_metrics.h"
#include "router/service/routing_service.h"
#include "router/service/service_context.h"
#include "router/state/redis_state_store.h"

namespace wissel::service {

// How this router shares Redis with other routers (docs/adr/0005-tenant-leases.md).
struct ClusterOptions {
  // host:port at which the other routers reach this one. Empty: the listen address with the
  // port actually bound, and the host name in place of a wildcard host (0.0.0.0, [::]).
  std::string advertise_address;
  // How long a tenant's lease lasts without renewal: how long the tenants of a router that
  // died unannounced wait for another router. Default 3 s.
  absl::Duration lease_ttl = absl::Seconds(3);
  // How often leases are renewed and free ones taken. Default 1 s.
  absl::Duration lease_renew_interval = absl::Seconds(1);
};

class Server {
 public:
  // `clock` is not owned and must outlive the server.
  Server(config::RouterConfig config, const core::Clock* clock, ClusterOptions cluster = {});
  ~Server();

  // How bearer tokens are verified (before Start). Without one, and without access.oidc in the
  // configuration, calls with a token are refused.
  void SetTokenCheck(TokenCheck check) { token_check_ = std::move(check); }

  // Connects to Redis, recovers every tenant, and starts listening on
  // config.listen_address. FailedPrecondition if the address is taken; Unavailable if Redis
  // cannot be reached; Unauthenticated or PermissionDenied if Redis refuses the configured
  // credentials (redis.username/password) or the ACL lacks a command; InvalidArgument for a
  // bad pseudonym secret.
  absl::Status Start();
  // Applies a changed configuration without dropping traffic (router/engine/routing_engine.h
  // Reconfigure): topics, queues, rules, hours, policies and roster. InvalidArgument (and the
  // running configuration stays in force) if the tenants or their pseudonym secrets differ —
  // those need a restart — or a tenant's configuration does not build. Listen address, Redis
  // and metrics settings and contact retention apply at the next restart (logged). A reload that
  // applied is recorded in every tenant's audit log with config.source_sha256.
  absl::Status Reload(config::RouterConfig config);
  // The port actually bound (useful with port 0).
  int port() const { return port_; }
  // Where the other routers reach this one (valid after Start).
  const std::string& advertise_address() const { return advertise_address_; }
  // Whether this router decides `tenant` at the moment (tests, wisselctl).
  bool DecidesTenant(const std::string& tenant) const {
    return engine_ != nullptr && engine_->RouteOf(tenant).local;
  }
  // Audit entries written and failed so far (engine/audit_writer.h), for metrics and tests.
  int64_t audit_written() const { return audit_ != nullptr ? audit_->written() : 0; }
  int64_t audit_failed() const { return audit_ != nullptr ? audit_->failed() : 0; }
  // Blocks until the audit entries recorded so far are written (tests).
  void FlushAudit() {
    if (audit_ != nullptr) audit_->Flush();
  }
  // The port the Prometheus endpoint bound (config.metrics), 0 without one (valid after Start).
  int metrics_port() const { return metrics_endpoint_ != nullptr ? metrics_endpoint_->port() : 0; }
  // The router's metrics, null when config.metrics is off (tests).
  const metrics::Registry* metrics_registry() const { return metrics_registry_.get(); }
  // Drains and stops; waits at most `deadline` for in-flight calls. Idempotent.
  void Shutdown(absl::Duration deadline);
  // Blocks until the gRPC server has shut down.
  void Wait();

 private:
  // Creates the metrics and loads the endpoint's files when config.metrics is on.
  absl::Status SetUpMetrics();

  config::RouterConfig config_;
  const core::Clock* clock_;
  // Before everything they observe, so that they outlive it; the endpoint, which reads them and
  // the engine, is the last member and stops first.
  std::unique_ptr<metrics::Registry> metrics_registry_;
  std::unique_ptr<RouterMetrics> metrics_;
  ClusterOptions cluster_;
  std::string advertise_address_;
  PeerStubs peers_;
  std::unique_ptr<state::RedisStateStore> engine_store_;
  std::unique_ptr<state::RedisStateStore> reader_store_;
  // The audit writer's own connection: audit writes never wait for routing or reads.
  std::unique_ptr<state::RedisStateStore> audit_store_;
  std::unique_ptr<engine::AuditWriter> audit_;
  std::unique_ptr<engine::RoutingEngine> engine_;
  OfferHub offers_;
  // The WatchEvents calls; before server_, so that it outlives the calls.
  std::unique_ptr<EventWatches> watches_;
  // Verifies bearer tokens against access.oidc's key set (when configured); token_check_ uses it.
  std::unique_ptr<security::TokenVerifier> token_verifier_;
  TokenCheck token_check_;
  std::unique_ptr<CallGuard> guard_;
  ServiceContext context_;
  std::unique_ptr<RoutingServiceImpl> routing_service_;
  std::unique_ptr<HandlerServiceImpl> handler_service_;
  std::unique_ptr<OperatorServiceImpl> operator_service_;
  std::unique_ptr<grpc::Server> server_;
  // Health NOT_SERVING while Redis is unreachable, SERVING when it is back.
  std::unique_ptr<engine::StoreHealthMonitor> health_monitor_;
  int port_ = 0;
  bool shut_down_ = false;
  std::unique_ptr<metrics::Endpoint> metrics_endpoint_;
};

}  // namespace wissel::service
