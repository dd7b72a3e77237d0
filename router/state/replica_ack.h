// Replica acknowledgement (the stricter, "WAIT" durability mode) for RedisStateStore::Apply.
//
// With asynchronous replication (Redis' default) a write acknowledged by the primary may be
// lost when the primary dies before its replicas received it and Sentinel promotes a replica.
// In this mode Apply appends `WAIT n timeout` to the batch's pipeline (still one round trip):
// Redis answers it once n replicas have acknowledged every write before it on this connection,
// or after the timeout with the number that did. Fewer than n makes the whole batch
// Unavailable, so no caller is told OK for a change that a failover could lose; the change is
// nevertheless applied on the primary, and a retry with the same idempotency key finds it.
//
// WAIT does not make Redis strongly consistent: a failover may still promote a replica that did
// not acknowledge, and the primary keeps writes that were not acknowledged. It narrows the loss
// window to changes no caller was told succeeded.
//
// Plain functions, thread-safe.
#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "router/state/redis_connection.h"

namespace wissel::state {

// `WAIT replicas timeout_ms`; the timeout is rounded up to whole milliseconds and is at least
// 1 ms (WAIT 0 ms would block forever).
RedisCommand ReplicaAckCommand(int replicas, absl::Duration timeout);

// OK when `reply` (to ReplicaAckCommand) counts at least `replicas`; Unavailable "not replicated
// to N replica(s) in time (K acknowledged)" otherwise, or for an error reply.
absl::Status CheckReplicaAcks(const RedisReply& reply, int replicas);

}  // namespace wissel::state
