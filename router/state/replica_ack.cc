#include "router/state/replica_ack.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace wissel::state {

RedisCommand ReplicaAckCommand(int replicas, absl::Duration timeout) {
  const int64_t ms =
      std::max<int64_t>(1, absl::ToInt64Milliseconds(absl::Ceil(timeout, absl::Milliseconds(1))));
  return {"WAIT", absl::StrCat(replicas), absl::StrCat(ms)};
}

absl::Status CheckReplicaAcks(const RedisReply& reply, int replicas) {
  if (reply.type == RedisReply::Type::kInteger) {
    if (reply.integer >= replicas) return absl::OkStatus();
    return absl::UnavailableError(absl::StrCat(
        "not replicated to ", replicas, " replica(s) in time (", reply.integer,
        " acknowledged); the change is on the primary only and may be lost in a failover"));
  }
  return absl::UnavailableError(absl::StrCat(
      "not replicated to ", replicas, " replica(s): WAIT answered ",
      reply.is_error() ? reply.str
                       : absl::StrCat("a reply of type ", static_cast<int>(reply.type))));
}

}  // namespace wissel::state
