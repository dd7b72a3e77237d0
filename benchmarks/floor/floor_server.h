// FloorServer: the baseline "one gRPC call + one Redis round trip" that the router is measured
// against (issue #6). It serves wissel.v1.RoutingService/RouteContact on the gRPC callback API
// and does nothing per call but one synchronous EVALSHA of a small script (HSET + ZADD + EXPIRE
// on keys derived from the idempotency key) on a connection owned by the calling thread, then
// replies with a minimal QUEUED decision. With `noop` it replies without Redis: the limit of
// the gRPC layer alone on this machine. The other RoutingService methods are UNIMPLEMENTED.
//
// Why a separate server rather than a mode of wisseld: the floor must not share any of the
// router's machinery (routing thread, group commit), only the same gRPC and hiredis libraries;
// with `contact_record` it also uses the router's state layer, for its write alone.
//
// Thread-safety: Start/Wait/Shutdown from one thread; calls are served on gRPC's threads, each
// with its own Redis connection (thread_local), so no locks on the hot path.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/server.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::floor {

// What a minimal durable "route" writes: the contact hash, its place in the topic's queue and a
// TTL, in one atomic script, as the router's scripts do. KEYS: contact, queue. ARGV: topic,
// channel, score (enqueue time, ms), ttl (s).
extern const char kFloorScript[];

struct FloorConfig {
  // gRPC listen address "host:port"; port 0 picks a free port.
  std::string listen_address = "127.0.0.1:0";
  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  // TTL of the keys each call writes, in seconds.
  int key_ttl_seconds = 3600;
  // Reply without touching Redis.
  bool noop = false;
  // Write the router's own record of a queued contact instead of the small script: one
  // RedisStateStore::Apply of a ContactCreated per call (the router's create script and hash, a
  // payload of the load's size), on a store owned by the calling thread. The same work in Redis
  // as the router's, with the floor's design: one round trip per call, no routing, no batching.
  bool contact_record = false;
};

class FloorServer {
 public:
  explicit FloorServer(FloorConfig config);
  ~FloorServer();

  // Loads the script into Redis (unless noop) and starts listening. Errors: Unavailable when
  // Redis cannot be reached or the address cannot be bound (SO_REUSEPORT is off, so a taken
  // port is an error).
  absl::Status Start();
  // The port actually bound; valid after Start.
  int port() const { return port_; }
  // Blocks until Shutdown.
  void Wait();
  void Shutdown();

 private:
  class Service;

  FloorConfig config_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace wissel::floor
