#include "tests/integration/contact_history.h"

#include "absl/strings/str_cat.h"

namespace wissel::testing {

const char* HandlerEventName(HandlerEventKind kind) {
  switch (kind) {
    case HandlerEventKind::kSignedIn:
      return "signed_in";
    case HandlerEventKind::kStreamEnded:
      return "stream_ended";
    case HandlerEventKind::kOffered:
      return "offered";
    case HandlerEventKind::kRedundantOffer:
      return "redundant_offer";
    case HandlerEventKind::kWithdrawn:
      return "withdrawn";
    case HandlerEventKind::kAccepted:
      return "accepted";
    case HandlerEventKind::kAcceptFailed:
      return "accept_failed";
    case HandlerEventKind::kCompleted:
      return "completed";
    case HandlerEventKind::kCompleteFailed:
      return "complete_failed";
    case HandlerEventKind::kReleasing:
      return "releasing";
    case HandlerEventKind::kReleased:
      return "released";
    case HandlerEventKind::kReleaseFailed:
      return "release_failed";
  }
  return "unknown";
}

void ContactHistory::RecordRoute(RouteAttempt attempt) {
  absl::MutexLock lock(&mu_);
  if (attempt.status.ok()) {
    acknowledged_keys_.insert(attempt.idempotency_key);
    acknowledged_ids_.insert(attempt.contact_id);
  }
  log_.routes.push_back(std::move(attempt));
}

void ContactHistory::RecordHandler(HandlerEvent event) {
  absl::MutexLock lock(&mu_);
  const std::string hold = absl::StrCat(event.handler_id, "|", event.contact_id);
  switch (event.kind) {
    case HandlerEventKind::kAccepted:
      held_.insert(hold);
      break;
    case HandlerEventKind::kReleasing:
      held_.erase(hold);
      break;
    case HandlerEventKind::kCompleted:
      completed_ids_.insert(event.contact_id);
      break;
    default:
      break;
  }
  log_.handler_events.push_back(std::move(event));
}

ContactHistory::Log ContactHistory::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return log_;
}

std::vector<std::string> ContactHistory::AcknowledgedNotCompleted() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const std::string& id : acknowledged_ids_) {
    if (!completed_ids_.contains(id)) out.push_back(id);
  }
  return out;
}

size_t ContactHistory::HeldNow() const {
  absl::MutexLock lock(&mu_);
  return held_.size();
}

size_t ContactHistory::Acknowledged() const {
  absl::MutexLock lock(&mu_);
  return acknowledged_keys_.size();
}

}  // namespace wissel::testing
