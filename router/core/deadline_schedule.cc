#include "router/core/deadline_schedule.h"

#include <algorithm>

namespace wissel::core {

std::optional<DeadlineSchedule::WrapUp> DeadlineSchedule::TakeDueWrapUp(absl::Time now) {
  if (wrap_ups_.empty() || std::get<0>(*wrap_ups_.begin()) > now) return std::nullopt;
  auto [deadline, handler_id, contact_id] = *wrap_ups_.begin();
  wrap_ups_.erase(wrap_ups_.begin());
  return WrapUp{deadline, std::move(handler_id), std::move(contact_id)};
}

absl::Time DeadlineSchedule::Next() const {
  absl::Time next = absl::InfiniteFuture();
  for (const DeadlineSet* deadlines : {&offers_, &escalations_, &reservations_}) {
    if (!deadlines->empty()) next = std::min(next, deadlines->begin()->first);
  }
  if (!wrap_ups_.empty()) next = std::min(next, std::get<0>(*wrap_ups_.begin()));
  return next;
}

}  // namespace wissel::core
