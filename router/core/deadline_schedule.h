// DeadlineSchedule: the Router's timers — when an offer expires, when a queued contact's next
// escalation step is due, when a wait for a contact person ends, and when a wrap-up ends by
// itself.
//
// It only keeps the times in order; what happens when one passes is the Router's (Router::Tick
// takes the due ones one by one, each of which removes its own entry). An entry is identified by
// its time and ids, so the caller removes one with the same values it added it with. Not
// thread-safe (one Router owns it).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "absl/time/time.h"
#include "router/core/node_recycler.h"

namespace wissel::core {

class DeadlineSchedule {
 public:
  // A wrap-up that ends by itself at `deadline`.
  struct WrapUp {
    absl::Time deadline;
    std::string handler_id;
    std::string contact_id;
  };

  DeadlineSchedule() = default;
  DeadlineSchedule(const DeadlineSchedule&) = delete;
  DeadlineSchedule& operator=(const DeadlineSchedule&) = delete;

  // Adding an entry that is there already, or removing one that is not, does nothing.
  void AddOffer(absl::Time deadline, const std::string& contact_id) {
    deadline_nodes_.Insert(offers_, {deadline, contact_id});
  }
  void RemoveOffer(absl::Time deadline, const std::string& contact_id) {
    deadline_nodes_.Erase(offers_, {deadline, contact_id});
  }
  void AddEscalation(absl::Time due, const std::string& contact_id) {
    deadline_nodes_.Insert(escalations_, {due, contact_id});
  }
  void RemoveEscalation(absl::Time due, const std::string& contact_id) {
    deadline_nodes_.Erase(escalations_, {due, contact_id});
  }
  void AddReservation(absl::Time until, const std::string& contact_id) {
    deadline_nodes_.Insert(reservations_, {until, contact_id});
  }
  void RemoveReservation(absl::Time until, const std::string& contact_id) {
    deadline_nodes_.Erase(reservations_, {until, contact_id});
  }
  void AddWrapUp(absl::Time deadline, const std::string& handler_id,
                 const std::string& contact_id) {
    wrap_ups_.insert({deadline, handler_id, contact_id});
  }
  void RemoveWrapUp(absl::Time deadline, const std::string& handler_id,
                    const std::string& contact_id) {
    wrap_ups_.erase({deadline, handler_id, contact_id});
  }

  // The contact of the earliest entry due at `now` (deadline <= now), or nullptr when none is
  // due. The pointer is valid until that entry is removed.
  const std::string* DueOffer(absl::Time now) const { return Due(offers_, now); }
  const std::string* DueEscalation(absl::Time now) const { return Due(escalations_, now); }
  const std::string* DueReservation(absl::Time now) const { return Due(reservations_, now); }
  // Takes the earliest wrap-up due at `now` off the schedule; nullopt when none is due.
  std::optional<WrapUp> TakeDueWrapUp(absl::Time now);

  // The earliest time of any entry; InfiniteFuture when there is none.
  absl::Time Next() const;

 private:
  // (deadline, contact id)
  using DeadlineSet = std::set<std::pair<absl::Time, std::string>>;

  static const std::string* Due(const DeadlineSet& set, absl::Time now) {
    if (set.empty() || set.begin()->first > now) return nullptr;
    return &set.begin()->second;
  }

  DeadlineSet offers_;
  DeadlineSet escalations_;
  DeadlineSet reservations_;
  // Every insert into and erase from the sets above goes through this, so that steady-state
  // routing reuses set nodes instead of allocating them.
  NodeRecycler<DeadlineSet> deadline_nodes_;
  // (deadline, handler id, contact id)
  std::set<std::tuple<absl::Time, std::string, std::string>> wrap_ups_;
};

}  // namespace wissel::core
