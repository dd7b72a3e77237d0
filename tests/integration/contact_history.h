// ContactHistory: what the clients of a fault test saw, for the history checker
// (history_checker.h) to judge afterwards.
//
// The simulated residents record every RouteContact attempt (sent, returned, status, contact id);
// the simulated handlers record every offer, withdrawal, accept, completion and release, each
// with the client's wall-clock time. The log is the client's side of the story only: the checker
// holds it against the router's stored contact histories (GetContact), so the log must never
// claim more than the client knows. That is why a hold is recorded from the moment an accept
// *returned* OK until the moment the release (FinishWrapUp) was *sent*: that interval lies
// inside the router's own hold of the slot, so an overlap seen here is an overlap there.
//
// Thread-safe: any thread records; one mutex (fault tests record hundreds of events per second).
#pragma once

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "wissel/v1/contact.pb.h"

namespace wissel::testing {

// One RouteContact attempt of a simulated resident.
struct RouteAttempt {
  std::string idempotency_key;
  // 1 for the first send of a request; each retry of it after an error counts up.
  int attempt = 1;
  // A deliberate resend of a request that was acknowledged earlier (an idempotency probe).
  bool duplicate = false;
  std::string router;  // address the attempt went to
  absl::Time sent;
  absl::Time returned;
  absl::Status status;     // the gRPC status, with the same code
  std::string contact_id;  // when OK
  bool replayed = false;   // when OK: the router said it answered an earlier call
  v1::Decision::Outcome outcome = v1::Decision::OUTCOME_UNSPECIFIED;
};

enum class HandlerEventKind {
  kSignedIn,     // SignIn OK on `detail` (the router address); an offer stream follows
  kStreamEnded,  // the offer stream ended; `detail` holds the status
  kOffered,      // a KIND_OFFER arrived on the stream
  // A KIND_OFFER for a contact the handler already had in hand (offered or held): a delivery
  // of an offer the handler is already answering; ignored.
  kRedundantOffer,
  kWithdrawn,       // a KIND_WITHDRAWN arrived
  kAccepted,        // the handler holds the contact from now on (AcceptOffer returned OK)
  kAcceptFailed,    // the offer was not taken; `detail` holds why
  kCompleted,       // CompleteContact returned OK (or a retry found the contact completed)
  kCompleteFailed,  // `detail` holds why
  kReleasing,       // the first FinishWrapUp was sent: the hold ends here (client view)
  kReleased,        // FinishWrapUp returned OK (or a retry found the slot already free)
  kReleaseFailed,   // `detail` holds why
};

// A short lower-case name of `kind`, for logs and failure messages.
const char* HandlerEventName(HandlerEventKind kind);

// One thing a simulated handler did or saw.
struct HandlerEvent {
  absl::Time time;
  HandlerEventKind kind = HandlerEventKind::kOffered;
  std::string handler_id;
  std::string contact_id;  // empty for kSignedIn and kStreamEnded
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  std::string detail;
};

class ContactHistory {
 public:
  struct Log {
    std::vector<RouteAttempt> routes;
    std::vector<HandlerEvent> handler_events;
  };

  void RecordRoute(RouteAttempt attempt);
  void RecordHandler(HandlerEvent event);

  // A copy of everything recorded so far, in the order it was recorded.
  Log Snapshot() const;
  // Contact ids that a RouteContact returned OK for and that no handler has recorded kCompleted
  // for yet: what a drain phase waits for.
  std::vector<std::string> AcknowledgedNotCompleted() const;
  // Contact ids a handler holds (kAccepted without a kReleasing after it).
  size_t HeldNow() const;
  // Number of distinct idempotency keys acknowledged so far.
  size_t Acknowledged() const;

 private:
  mutable absl::Mutex mu_;
  Log log_ ABSL_GUARDED_BY(mu_);
  // Kept up to date as events come in, so the drain phase can poll cheaply.
  absl::flat_hash_set<std::string> acknowledged_keys_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> acknowledged_ids_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> completed_ids_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> held_ ABSL_GUARDED_BY(mu_);  // "handler|contact"
};

}  // namespace wissel::testing
