// StoreOptions: the Redis part of the operator's configuration (config::RedisConfig) as the
// state layer takes it (state::RedisStateStoreOptions): endpoint or sentinels, timeouts,
// replica acknowledgements. Kept apart from Server so the mapping is written once.
//
// Plain functions, thread-safe.
#pragma once

#include <string>

#include "router/config/router_config.h"
#include "router/state/redis_state_store.h"

namespace wissel::engine {

// The store options for `redis`; retention and the clock are left for the caller.
state::RedisStateStoreOptions StoreOptions(const config::RedisConfig& redis);

// "redis at HOST:PORT" or "redis master 'NAME' via sentinels H:P,...", for messages.
std::string DescribeRedis(const config::RedisConfig& redis);

}  // namespace wissel::engine
