// What the gRPC services share: the routing engine, a reader on the state store, the tenants'
// pseudonym keys, the clock and the offer hub. Owned by the Server; the services hold a
// pointer. Everything in it is thread-safe.
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "router/core/clock.h"
#include "router/engine/audit_writer.h"
#include "router/engine/routing_engine.h"
#include "router/privacy/pseudonym_keys.h"
#include "router/service/attribute_policy.h"
#include "router/service/call_guard.h"
#include "router/service/offer_hub.h"
#include "router/service/peer_forwarding.h"
#include "router/service/router_metrics.h"
#include "router/state/state_store.h"

namespace wissel::service {

class EventWatches;

struct ServiceContext {
  wissel::engine::RoutingEngine* engine = nullptr;
  // For reads on the calling gRPC thread (GetContact); the engine's reader thread reads the same
  // connection for the completions that read (RoutingEngine::Read). Never the engine's own
  // connection, so reads do not hold up routing or writing.
  state::StateStore* reader = nullptr;
  const core::Clock* clock = nullptr;
  OfferHub* offers = nullptr;
  // The other routers, for calls of tenants decided there.
  PeerStubs* peers = nullptr;
  absl::flat_hash_map<std::string, privacy::PseudonymKeys> pseudonym_keys;
  // Which contact attributes each tenant accepts, and its attribute key; replaced on reload.
  AttributePolicies attribute_policies;
  // Admits every call (authentication and authorisation) before anything else.
  const CallGuard* guard = nullptr;
  // The tenants' audit logs; null: nothing is recorded (tests of parts without one).
  engine::AuditWriter* audit = nullptr;
  // The WatchEvents calls; null: the router serves no event stream (tests of parts without one).
  EventWatches* watches = nullptr;
  // What is counted for Prometheus; null: metrics are off.
  RouterMetrics* metrics = nullptr;
};

// Records `entry` in `tenant`'s audit log when ctx has one (asynchronously: audit_writer.h).
inline void Audit(const ServiceContext& ctx, const std::string& tenant, state::AuditEntry entry) {
  if (ctx.audit != nullptr) ctx.audit->Record(tenant, std::move(entry));
}

// Turns the store-applied effects into offer-stream messages (offers and withdrawals).
// Installed as the engine's AppliedListener. An offer's contact carries its personal
// attributes decrypted with the tenant's policy from `attributes`: the handler is to serve the
// resident.
void PublishOffers(OfferHub& hub, const std::string& tenant, const core::Router& router,
                   const core::Effect& effect, const AttributePolicies& attributes);

}  // namespace wissel::service
