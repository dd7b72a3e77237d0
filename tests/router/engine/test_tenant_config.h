// The one small tenant the engine's unit tests route for: a queue and a topic, the handler
// defaults the tests' timings assume.
#pragma once

#include "absl/time/time.h"
#include "router/core/tenant_config.h"

namespace wissel::engine {

inline constexpr char kTestTenant[] = "gemeente-test";

inline core::TenantConfig TestTenantConfig() {
  core::TenantConfig config;
  // Handlers sign in without being listed in a roster.
  config.dynamic_handlers = true;
  config.id = kTestTenant;
  config.name = "Gemeente Test";
  config.queues = {{"burgerzaken", "burgerzaken", absl::Minutes(4)}};
  config.topics = {{"paspoort", "Paspoort", "burgerzaken", "burgerzaken", 0}};
  config.handler_defaults.offer_timeout = absl::Seconds(20);
  config.handler_defaults.max_wrap_up = absl::Seconds(60);
  return config;
}

}  // namespace wissel::engine
