// Server-Sent Events framing (the text/event-stream format of the HTML standard) for the
// dashboard's /api/stream. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace wissel::dashboard {

// "id: ID\nevent: EVENT\ndata: LINE\n...\n\n": one "data:" line per line of `data` (a line
// break in the data would otherwise end the field), so the browser's event.data is `data`.
std::string SseEvent(absl::string_view event, uint64_t id, absl::string_view data);

// "retry: MS\n\n": how long a browser waits before it reconnects.
std::string SseRetry(absl::Duration retry);

// ": TEXT\n\n": a comment, which keeps idle connections open through proxies.
std::string SseComment(absl::string_view text);

}  // namespace wissel::dashboard
