// TicketCounter: draws ticket numbers such as "A042" — per local day in the town hall's time
// zone, per topic group (letter), 001..999 and then 001 again.
//
// Durability: when a state file is configured, the day and the last number of every letter are
// written to it (write to a temporary file, fsync, rename) before a number is handed out, and
// read back at start, so an adapter restarted during opening hours continues the day's
// sequences instead of handing out A001 a second time. Without a state file the sequences live
// in memory only. One counter (one adapter instance) per town hall: two instances would draw
// the same numbers.
//
// Time is passed in by the caller (tests inject a fake clock). Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace wissel::adapters::balie {

struct TicketCounterOptions {
  // The day changes at local midnight in this zone.
  absl::TimeZone zone = absl::UTCTimeZone();
  // Where the day's sequences are kept; empty: in memory only.
  std::string state_file;
  // Numbers run 1..max_number, then wrap to 1. Default 999 (three digits on the ticket).
  int max_number = 999;
};

// "A042": the letter and the number with three digits.
std::string FormatTicket(char letter, int number);

class TicketCounter {
 public:
  // Reads the state file when there is one. InvalidArgument when it exists but cannot be
  // parsed (refusing to start beats handing out numbers twice); a state of an earlier day is
  // ignored.
  static absl::StatusOr<std::unique_ptr<TicketCounter>> Create(TicketCounterOptions options,
                                                               absl::Time now);

  // The next ticket of `letter` (A..Z) at `now`. A failed write of the state file is logged
  // and the number is handed out anyway (the counter keeps serving; the file catches up with
  // the next write).
  std::string Next(char letter, absl::Time now);

  // Gives `ticket` back when it is still the last one drawn of its letter today (a retried
  // check-in that got its first ticket back, or a failed routing), so that sequences rarely
  // have gaps. Does nothing otherwise.
  void Release(const std::string& ticket, absl::Time now);

  // The local day "YYYY-MM-DD" of `now`.
  std::string Day(absl::Time now) const;

 private:
  explicit TicketCounter(TicketCounterOptions options) : options_(std::move(options)) {}
  absl::Status SaveLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const TicketCounterOptions options_;
  mutable absl::Mutex mu_;
  std::string day_ ABSL_GUARDED_BY(mu_);
  std::map<char, int> last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wissel::adapters::balie
