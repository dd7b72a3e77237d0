#include "router/engine/store_options.h"

namespace wissel::engine {

state::RedisStateStoreOptions StoreOptions(const config::RedisConfig& redis) {
  state::RedisStateStoreOptions options;
  options.endpoint.host = redis.host;
  options.endpoint.port = redis.port;
  options.endpoint.sentinel.master_name = redis.sentinel.master_name;
  for (const config::HostPort& a : redis.sentinel.addresses) {
    options.endpoint.sentinel.addresses.push_back(state::HostPort{a.host, a.port});
  }
  options.endpoint.sentinel.username = redis.sentinel.username;
  options.endpoint.sentinel.password = redis.sentinel.password;
  options.endpoint.username = redis.username;
  options.endpoint.password = redis.password;
  options.endpoint.connect_timeout = redis.connect_timeout;
  options.endpoint.command_timeout = redis.command_timeout;
  options.min_replica_acks = redis.min_replica_acks;
  options.replica_ack_timeout = redis.replica_ack_timeout;
  return options;
}

std::string DescribeRedis(const config::RedisConfig& redis) {
  return state::DescribeEndpoint(StoreOptions(redis).endpoint);
}

}  // namespace wissel::engine
