// SentinelResolver: finds the current Redis master through Redis Sentinel, for RedisConnection.
//
// Follows the Sentinel client protocol (https://redis.io/docs/reference/sentinel-clients/):
// ask the sentinels in turn `SENTINEL get-master-addr-by-name NAME` and take the first answer;
// the sentinel that answered moves to the front, so the next resolution asks it first. The
// caller then connects to the answer and checks with `ROLE` that it really is a master
// (CheckRoleIsMaster): right after a failover a sentinel that has not caught up yet may still
// name the old master, which may have come back as a replica. RedisConnection does both on every
// (re)connect and checks ROLE on the connection it then uses, so the check cannot go stale.
//
// Each question opens a short-lived connection of its own with the endpoint's timeouts, so a
// dead sentinel costs at most one connect timeout per resolution (on loopback a refused
// connection is immediate).
//
// Not thread-safe: owned by one RedisConnection.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "router/state/redis_connection.h"

namespace wissel::state {

class SentinelResolver {
 public:
  // `sentinels.addresses` must not be empty.
  SentinelResolver(SentinelEndpoint sentinels, absl::Duration connect_timeout,
                   absl::Duration command_timeout);

  // The master's address as the first sentinel that knows it says. Unavailable, naming each
  // sentinel's reason (unreachable, does not know the master name, malformed answer), when
  // none answers; Unauthenticated or PermissionDenied instead when a sentinel refused the
  // credentials (SentinelEndpoint::username/password) or the command.
  absl::StatusOr<HostPort> ResolveMaster();

  // The sentinels in the order the next resolution asks them.
  const std::vector<HostPort>& order() const { return sentinels_.addresses; }

 private:
  SentinelEndpoint sentinels_;
  absl::Duration connect_timeout_;
  absl::Duration command_timeout_;
};

// OK when `reply` (to ROLE) says "master"; Unavailable naming the role otherwise (a replica or
// a sentinel: not a place to write to now, but perhaps after the sentinels agree).
absl::Status CheckRoleIsMaster(const RedisReply& reply);

}  // namespace wissel::state
