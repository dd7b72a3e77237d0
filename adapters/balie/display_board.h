// DisplayBoard: the calls shown on the waiting-room display ("ticket A042 → Balie 3"). Desks
// publish a call when they accept a resident; every display stream reads the recent calls on
// connect (so a reloaded screen is not empty) and then waits for new ones.
//
// In memory: after an adapter restart the display shows new calls only. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace wissel::adapters::balie {

struct DisplayCall {
  // Increasing from 1 with every call published; the SSE event id.
  uint64_t sequence = 0;
  std::string ticket;
  std::string desk;
  std::string desk_name;
  absl::Time time;
};

class DisplayBoard {
 public:
  // Keeps the last `keep` calls (the display shows the current one and six before it).
  explicit DisplayBoard(size_t keep = 7) : keep_(keep) {}

  // Adds a call (its sequence is assigned) and wakes the waiting streams.
  void Publish(DisplayCall call);
  // The kept calls with a sequence above `after`, oldest first; waits up to `timeout` for one
  // when there is none yet. Never blocks longer than `timeout`.
  std::vector<DisplayCall> CallsAfter(uint64_t after, absl::Duration timeout) const;
  // The sequence of the latest call; 0 before the first.
  uint64_t last_sequence() const;

 private:
  const size_t keep_;
  mutable absl::Mutex mu_;
  std::deque<DisplayCall> calls_ ABSL_GUARDED_BY(mu_);
  uint64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
};

// The waiting-room page: one self-contained HTML document (inline CSS and JS, no external
// resources) in Dutch, for a large screen: the latest call very large in an aria-live region,
// the recent calls, a clock. Its script follows `events_path` (Server-Sent Events) and fills
// the list from the backlog the stream sends on connect. `title` is HTML-escaped;
// `events_path` and `time_zone` go into the script as they are and must be plain
// ([A-Za-z0-9/_+-]; the tenant and the zone are validated at start).
std::string DisplayPage(const std::string& title, const std::string& events_path,
                        const std::string& time_zone);

// `text` with &, <, >, " and ' escaped for HTML.
std::string HtmlEscape(const std::string& text);

}  // namespace wissel::adapters::balie
