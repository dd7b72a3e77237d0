// EventStreamReader: reads one tenant's event stream (event_codec.h) for one WatchEvents call,
// on a Redis connection of its own, because it waits for new events in a blocking XREAD.
//
// The stream lives in Redis, not in a router: any router of the tenant can serve a watch, and a
// client that resumes after the last offset it received gets every later event exactly once,
// across a reconnection, a router failover or a Redis failover (the stream is replicated with
// everything else). What the stream no longer holds (older than the tenant's event_retention) is
// reported, not skipped silently: Redis records the newest id it ever deleted.
//
// Not thread-safe: one watch, one thread.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/state/event_codec.h"
#include "router/state/redis_connection.h"

namespace wissel::state {

class EventStreamReader {
 public:
  // Does not connect; the first call does.
  explicit EventStreamReader(RedisEndpoint endpoint);

  struct StartPoint {
    std::string after;
    // The newest event's offset at the time of the call ("0-0" when there is none).
    std::string newest;
  };
  // Where a watch starts, for a client's `after` (WatchEventsRequest.after):
  //   ""   the newest event's offset now (only events from now on; "0-0" when there is none);
  //   "0"  "0-0", the oldest event retained;
  //   else the offset itself: InvalidArgument "after: ..." when it is not a stream id;
  //        OutOfRange when events after it are no longer retained (trimmed: the client lost
  //        them), or when it is beyond the newest event (it came from another stream).
  // Unavailable when Redis cannot be reached.
  absl::StatusOr<StartPoint> Start(const std::string& tenant, absl::string_view after);

  struct Batch {
    std::vector<StoredEvent> events;
    // The offset to read after next time: the last entry read, decoded or not; `offset` when
    // none came.
    std::string last_offset;
  };
  // Up to `max` events after `offset`, oldest first, waiting up to `wait` for the first one (at
  // most half the endpoint's command timeout). Empty when none came in that time. An entry this
  // router cannot decode (written by a newer one) is skipped with a warning rather than ending
  // the watch.
  absl::StatusOr<Batch> ReadAfter(const std::string& tenant, const std::string& offset, size_t max,
                                  absl::Duration wait);

 private:
  RedisConnection connection_;
};

}  // namespace wissel::state
