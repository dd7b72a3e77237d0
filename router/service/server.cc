#include "router/service/server.h"

#include <glog/logging.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <unistd.h>

#include <cstdint>
#include <variant>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "router/engine/store_options.h"
#include "router/security/token_verifier.h"
#include "router/service/event_watches.h"
#include "router/service/grpc_metrics_interceptor.h"
#include "router/state/audit.h"
#include "router/transport/grpc_credentials.h"

namespace wissel::service {
namespace {

// How often health checking asks Redis whether it is there (see store_health_monitor.h).
constexpr absl::Duration kHealthProbeInterval = absl::Milliseconds(250);
// WatchEvents calls served at once: each holds a thread and a Redis connection. Wallboards and
// reporting jobs of a KCC are a handful per tenant.
constexpr size_t kMaxEventWatches = 64;

}  // namespace

namespace {

// A nonce per process start: the lease of this process, as opposed to an earlier one at the
// same address.
std::string ProcessNonce() {
  absl::BitGen gen;
  return absl::StrFormat("%016x%08x", absl::Uniform<uint64_t>(gen),
                         static_cast<uint32_t>(getpid()));
}

std::string AdvertiseAddress(const std::string& configured, const std::string& listen, int port) {
  if (!configured.empty()) return configured;
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::") {
    char name[256] = {};
    host = gethostname(name, sizeof(name) - 1) == 0 ? name : "localhost";
  }
  return absl::StrCat(host, ":", port);
}

}  // namespace

Server::Server(config::RouterConfig config, const core::Clock* clock, ClusterOptions cluster)
    : config_(std::move(config)), clock_(clock), cluster_(std::move(cluster)) {}

Server::~Server() {
  Shutdown(absl::Seconds(1));
  if (metrics_endpoint_ != nullptr) metrics_endpoint_->Shutdown();
}

absl::Status Server::SetUpMetrics() {
  if (!config_.metrics.enabled()) return absl::OkStatus();
  metrics_registry_ = std::make_unique<metrics::Registry>();
  absl::StatusOr<std::unique_ptr<RouterMetrics>> created = RouterMetrics::Create(
      metrics_registry_.get(),
      // Read at scrape time: the engine exists by the time the endpoint serves (Start).
      [this] { return static_cast<double>(engine_->pending()); },
      [this] {
        return std::pair<double, double>(static_cast<double>(audit_->written()),
                                         static_cast<double>(audit_->failed()));
      });
  if (!created.ok()) return created.status();
  metrics_ = *std::move(created);
  absl::StatusOr<std::unique_ptr<metrics::Endpoint>> endpoint = metrics::Endpoint::Create(
      config_.metrics, metrics::ConfigFileNames(), metrics_registry_.get());
  if (!endpoint.ok()) return endpoint.status();
  metrics_endpoint_ = *std::move(endpoint);
  context_.metrics = metrics_.get();
  return absl::OkStatus();
}

absl::Status Server::Start() {
  if (config_.access.allow_anonymous && !transport::IsLoopbackAddress(config_.listen_address)) {
    return absl::InvalidArgumentError(
        absl::StrCat("access.allow_anonymous: allowed only on a loopback address, not '",
                     config_.listen_address, "'"));
  }
  if (absl::Status s = access::ValidateAccessConfig(config_.access); !s.ok()) return s;
  if (absl::Status s = SetUpMetrics(); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      transport::MakeServerCredentials(config_.tls, config_.listen_address);
  if (!credentials.ok()) return credentials.status();
  if (config_.tls.plaintext) {
    peers_.SetLoopbackPlaintext();
  } else {
    transport::ClientTls peer_tls;
    peer_tls.ca_file =
        config_.peer_ca_file.empty() ? config_.tls.client_ca_file : config_.peer_ca_file;
    peer_tls.certificate_file = config_.tls.certificate_file;
    peer_tls.private_key_file = config_.tls.private_key_file;
    peer_tls.refresh_interval = config_.tls.refresh_interval;
    if (peer_tls.ca_file.empty()) {
      LOG(WARNING) << "tls: neither peer_ca_file nor client_ca_file is set; calls for tenants "
                      "decided by another router are refused (FAILED_PRECONDITION), never "
                      "forwarded in clear";
    } else {
      absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> peer_credentials =
          transport::MakeChannelCredentials(peer_tls, "peers", "tls.peer");
      if (!peer_credentials.ok()) return peer_credentials.status();
      peers_.SetCredentials(*std::move(peer_credentials));
    }
  }
  if (config_.oidc && !token_check_) {
    absl::StatusOr<std::unique_ptr<security::TokenVerifier>> verifier =
        security::TokenVerifier::Create(*config_.oidc);
    if (!verifier.ok()) {
      return absl::UnavailableError(
          absl::StrCat("access.oidc: cannot load the key set: ", verifier.status().message()));
    }
    token_verifier_ = *std::move(verifier);
    token_check_ = [verifier = token_verifier_.get()](absl::string_view token) {
      return verifier->Verify(token);
    };
  }
  guard_ = std::make_unique<CallGuard>(access::AccessPolicy(config_.access), token_check_);
  state::RedisStateStoreOptions store_options = engine::StoreOptions(config_.redis);
  store_options.clock = clock_;
  std::vector<core::TenantConfig> tenants;
  for (const config::TenantSettings& t : config_.tenants) {
    store_options.tenant_retention[t.routing.id] = t.contact_retention;
    store_options.tenant_audit_retention[t.routing.id] = t.audit_retention;
    store_options.tenant_event_retention[t.routing.id] = t.event_retention;
    absl::StatusOr<privacy::PseudonymKeys> p =
        privacy::PseudonymKeys::Create(t.pseudonym_secret, t.previous_pseudonym_secret);
    if (!p.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tenant ", t.routing.id, ": pseudonym secret: ", p.status().message()));
    }
    if (p->previous() != nullptr) {
      LOG(INFO) << "tenant " << t.routing.id
                << ": pseudonym secret rotation: pseudonyms of the previous secret ("
                << t.previous_pseudonym_secret_source
                << ") still match; contact persons found under it are re-keyed";
    }
    context_.pseudonym_keys.emplace(t.routing.id, *std::move(p));
    absl::StatusOr<std::shared_ptr<const AttributePolicy>> attributes = MakeAttributePolicy(t);
    if (!attributes.ok()) return attributes.status();
    context_.attribute_policies.Set(t.routing.id, *std::move(attributes));
    tenants.push_back(t.routing);
  }
  engine_store_ = std::make_unique<state::RedisStateStore>(store_options);
  reader_store_ = std::make_unique<state::RedisStateStore>(store_options);
  audit_store_ = std::make_unique<state::RedisStateStore>(store_options);
  audit_ = std::make_unique<engine::AuditWriter>(audit_store_.get());
  audit_->Start();
  if (absl::Status s = engine_store_->Ping(); !s.ok()) {
    // Refused credentials or ACL are a configuration error that waiting does not cure.
    if (s.code() == absl::StatusCode::kUnauthenticated ||
        s.code() == absl::StatusCode::kPermissionDenied) {
      return s;
    }
    return absl::UnavailableError(s.message());
  }

  engine::RoutingEngineOptions engine_options;
  engine_options.lease.ttl = cluster_.lease_ttl;
  engine_options.lease.nonce = ProcessNonce();
  engine_options.lease_renew_interval = cluster_.lease_renew_interval;
  // Completions that must read the store read on this connection, off the engine's.
  engine_options.reader = reader_store_.get();
  engine_options.observer = metrics_.get();
  engine_ =
      std::make_unique<engine::RoutingEngine>(engine_options, tenants, engine_store_.get(), clock_);
  engine_->SetAppliedListener(
      [this](const std::string& tenant, const core::Router& router, const core::Effect& e) {
        PublishOffers(offers_, tenant, router, e, context_.attribute_policies);
        if (metrics_ != nullptr) metrics_->Applied(tenant, router, e);
        // Every contact-person change, whoever caused it (an operator's SetContactPerson, a
        // handler completing a contact "keep as contact person"), once it is durable.
        if (const auto* set = std::get_if<core::ContactPersonSet>(&e)) {
          state::AuditEntry entry;
          entry.actor = std::string(state::kAuditRouterActor);
          entry.action = std::string(state::kAuditContactPersonSet);
          entry.subject = state::AuditSubject(set->mapping.party_pseudonym);
          entry.detail = absl::StrCat(
              "domain=", set->mapping.domain, " handler=", set->mapping.handler_id, " expires_at=",
              absl::FormatTime(absl::RFC3339_sec, set->mapping.expires_at, absl::UTCTimeZone()));
          audit_->Record(tenant, std::move(entry));
        }
      });
  engine_->SetOwnershipListener([this](const std::string& tenant, bool owned) {
    if (metrics_ != nullptr) metrics_->LeaseChanged(tenant, owned);
    // Handlers streaming from here reconnect and are relayed to the tenant's new router.
    if (!owned) {
      offers_.CloseTenant(tenant,
                          grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                       "tenant " + tenant + " moved to another router; reconnect"));
    }
  });
  // A forward that found no router to serve it: this router's view of the leases may be stale.
  peers_.SetUnreachableListener([this] { engine_->RenewLeasesSoon(); });
  context_.engine = engine_.get();
  context_.reader = reader_store_.get();
  context_.clock = clock_;
  context_.offers = &offers_;
  context_.peers = &peers_;
  context_.guard = guard_.get();
  context_.audit = audit_.get();
  watches_ = std::make_unique<EventWatches>(store_options.endpoint, kMaxEventWatches);
  context_.watches = watches_.get();

  routing_service_ = std::make_unique<RoutingServiceImpl>(&context_);
  handler_service_ = std::make_unique<HandlerServiceImpl>(&context_);
  operator_service_ = std::make_unique<OperatorServiceImpl>(&context_);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Without this, a second router on the same port would silently split the traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(config_.listen_address, *credentials, &port_);
  builder.RegisterService(routing_service_.get());
  builder.RegisterService(handler_service_.get());
  builder.RegisterService(operator_service_.get());
  if (metrics_ != nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(std::make_unique<MetricsInterceptorFactory>(metrics_.get()));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot listen on ", config_.listen_address, " (address in use?)"));
  }
  // Listening already (calls meanwhile get UNAVAILABLE: not running yet), so the port, and with
  // it the address the leases name, is known before the engine claims them.
  server_->GetHealthCheckService()->SetServingStatus(false);
  advertise_address_ = AdvertiseAddress(cluster_.advertise_address, config_.listen_address, port_);
  engine_->SetLeaseAddress(advertise_address_);
  if (metrics_endpoint_ != nullptr) {
    // Serving while the tenants load: a scrape then shows the router not serving yet.
    if (absl::Status s = metrics_endpoint_->Start(); !s.ok()) {
      server_->Shutdown();
      server_.reset();
      return absl::FailedPreconditionError(s.message());
    }
  }
  if (absl::Status s = engine_->Start(); !s.ok()) {
    server_->Shutdown();
    server_.reset();
    return s;
  }
  server_->GetHealthCheckService()->SetServingStatus(true);
  if (metrics_ != nullptr) {
    metrics_->SetRedisUp(true);
    metrics_->SetServing(true);
  }
  health_monitor_ = std::make_unique<engine::StoreHealthMonitor>(
      [this] { return reader_store_->Ping(); },
      [this](bool serving, const absl::Status&) {
        server_->GetHealthCheckService()->SetServingStatus(serving);
        if (metrics_ != nullptr) {
          metrics_->SetRedisUp(serving);
          metrics_->SetServing(serving);
        }
      },
      kHealthProbeInterval);
  health_monitor_->Start();
  LOG(INFO) << "wissel router listening on port " << port_ << " (reached by other routers at "
            << advertise_address_ << ") with " << config_.tenants.size() << " tenant(s)";
  return absl::OkStatus();
}

absl::Status Server::Reload(config::RouterConfig config) {
  if (engine_ == nullptr) return absl::FailedPreconditionError("not started");
  std::vector<core::TenantConfig> tenants;
  std::vector<std::shared_ptr<const AttributePolicy>> attribute_policies;
  for (const config::TenantSettings& t : config.tenants) {
    const config::TenantSettings* running = config_.FindTenant(t.routing.id);
    if (running == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("tenant '", t.routing.id, "' is new: adding tenants needs a restart"));
    }
    if (running->pseudonym_secret != t.pseudonym_secret ||
        running->previous_pseudonym_secret != t.previous_pseudonym_secret) {
      return absl::InvalidArgumentError(
          absl::StrCat("tenant '", t.routing.id,
                       "': pseudonym secrets change only at a restart (a rotation: "
                       "docs/security.md)"));
    }
    absl::StatusOr<std::shared_ptr<const AttributePolicy>> attributes = MakeAttributePolicy(t);
    if (!attributes.ok()) return attributes.status();
    attribute_policies.push_back(*std::move(attributes));
    tenants.push_back(t.routing);
  }
  if (config.listen_address != config_.listen_address || config.redis.host != config_.redis.host ||
      config.redis.port != config_.redis.port || config.redis.username != config_.redis.username ||
      config.redis.password != config_.redis.password ||
      config.metrics.listen_address != config_.metrics.listen_address ||
      config.metrics.certificate_file != config_.metrics.certificate_file ||
      config.metrics.bearer_token_file != config_.metrics.bearer_token_file ||
      config.metrics.bearer_token_env != config_.metrics.bearer_token_env ||
      config.metrics.plaintext != config_.metrics.plaintext ||
      config.metrics.allow_anonymous != config_.metrics.allow_anonymous) {
    LOG(WARNING) << "reload: listen address, redis and metrics settings apply at the next "
                    "restart";
  }
  if (absl::Status s = access::ValidateAccessConfig(config.access); !s.ok()) return s;
  if (config.access.allow_anonymous != config_.access.allow_anonymous) {
    return absl::InvalidArgumentError("access.allow_anonymous: changes need a restart");
  }
  WISSEL_RETURN_IF_ERROR(engine_->Reconfigure(tenants));
  // After the rules: a rule naming a newly personal attribute is refused at load already.
  for (const std::shared_ptr<const AttributePolicy>& policy : attribute_policies) {
    context_.attribute_policies.Set(policy->tenant(), policy);
  }
  guard_->SetPolicy(access::AccessPolicy(config.access));
  config_.access = std::move(config.access);
  for (config::TenantSettings& t : config.tenants) {
    config::TenantSettings* running = nullptr;
    for (config::TenantSettings& r : config_.tenants) {
      if (r.routing.id == t.routing.id) running = &r;
    }
    running->routing = std::move(t.routing);
    running->attributes = std::move(t.attributes);
    running->attribute_key = std::move(t.attribute_key);
    running->attribute_key_source = std::move(t.attribute_key_source);
  }
  for (const config::TenantSettings& t : config_.tenants) {
    state::AuditEntry entry;
    entry.actor = std::string(state::kAuditRouterActor);
    entry.action = std::string(state::kAuditConfigReload);
    entry.detail = config.source_sha256.empty() ? std::string("sha256=unknown")
                                                : absl::StrCat("sha256=", config.source_sha256);
    audit_->Record(t.routing.id, std::move(entry));
  }
  LOG(INFO) << "configuration reloaded (sha256 " << config.source_sha256 << ")";
  return absl::OkStatus();
}

void Server::Shutdown(absl::Duration deadline) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  LOG(INFO) << "draining";
  if (health_monitor_) health_monitor_->Stop();  // so that it cannot report SERVING again
  server_->GetHealthCheckService()->SetServingStatus(false);
  if (metrics_ != nullptr) metrics_->SetServing(false);
  offers_.CloseAll(grpc::Status(grpc::StatusCode::OK, "router is shutting down"));
  if (watches_) watches_->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() +
                    std::chrono::microseconds(absl::ToInt64Microseconds(deadline)));
  engine_->Stop();
  // After the engine: its last batch's contact-person changes are recorded too.
  audit_->Stop();
  if (audit_->failed() > 0) {
    LOG(WARNING) << "audit: " << audit_->failed() << " entries could not be written";
  }
  LOG(INFO) << "stopped";
}

void Server::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace wissel::service
