#include "router/core/queue_state.h"

#include <memory>
#include <utility>

namespace wissel::core {
namespace {

// Weight of a new observation in the handle-time moving average.
constexpr double kHandleTimeWeight = 0.1;

}  // namespace

void QueueState::ObserveHandleTime(absl::Duration handle_time) {
  average_handle_time =
      average_handle_time * (1 - kHandleTimeWeight) + handle_time * kHandleTimeWeight;
}

QueueTable::QueueTable(const std::vector<QueueConfig>& queues) {
  for (const QueueConfig& q : queues) {
    auto state = std::make_unique<QueueState>();
    state->config = &q;
    state->skill = q.skill.empty() ? q.name : q.skill;
    state->average_handle_time = q.default_handle_time;
    index_.emplace(q.name, state.get());
    by_name_[q.name] = std::move(state);
  }
}

}  // namespace wissel::core
