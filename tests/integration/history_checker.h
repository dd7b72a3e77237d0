// CheckHistory: the invariants of issue #5 ("no contact lost, none assigned twice"), judged after
// a fault test from what the clients saw (ContactHistory, contact_history.h) and what the router
// stored (the ContactRecord with its history, from GetContact, of every contact the test knows).
//
// The checker knows nothing of how faults were injected (SIGKILL of wisseld, a Redis outage,
// several replicas, a Sentinel failover): any fault test that records a ContactHistory and fetches
// the stored records afterwards can use it. What it decides, and from which evidence:
//
//  - acknowledged: distinct idempotency keys with at least one RouteContact that returned OK.
//  - idempotency: every OK reply for one key names the same contact id (conflicts must be 0);
//    idempotent_retries counts the OK replies to a resend of a key (a retry after an error, or a
//    deliberate duplicate), each of which is held to that rule.
//  - lost: an acknowledged contact that routed to a person (decision ASSIGNED or QUEUED) and that
//    the router does not have, or whose stored history holds no completion (state COMPLETED with
//    an empty reason), or whose stored state is not COMPLETED. Must be 0.
//  - completed: acknowledged contacts with exactly one completion in their stored history.
//  - double_assigned (counted per contact): in the stored history, an offer while another handler
//    (or the same one) still holds the contact, an offer or connection after its completion, a
//    connection to a handler it was not offered to, more than one connection or more than one
//    completion; or, from the clients' events, the contact held (accept returned OK) by two
//    handlers, or twice by one. Must be 0.
//  - over_capacity (counted per handler and channel): the most contacts held at once exceeds the
//    handler's capacity, judged twice: from the stored histories (a slot is held from OFFERED until
//    the offer is withdrawn, the contact is abandoned, or its wrap-up ends — router timestamps) and
//    from the clients' holds (accept returned OK .. release sent — each inside the router's hold).
//    Must be 0.
//
// Pure function over copies: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "tests/integration/contact_history.h"
#include "wissel/v1/contact.pb.h"

namespace wissel::testing {

struct HistoryCheckInput {
  ContactHistory::Log log;
  // handler id -> channel (v1::Channel as int) -> how many contacts of that channel it may hold,
  // as it signed in. A handler or channel not listed is not checked for capacity.
  absl::flat_hash_map<std::string, absl::flat_hash_map<int, int>> capacity;
  // contact id -> the router's record (GetContact), or NotFound when the router does not have
  // it. Must cover every acknowledged contact id; more (contacts only seen in offers, or found in
  // the store) make the capacity check from stored histories complete.
  absl::flat_hash_map<std::string, absl::StatusOr<v1::ContactRecord>> stored;
};

struct FaultReport {
  int64_t acknowledged = 0;
  int64_t completed = 0;
  int64_t lost = 0;
  int64_t double_assigned = 0;
  int64_t over_capacity = 0;
  int64_t idempotent_retries = 0;
  int64_t idempotency_conflicts = 0;
  // Acknowledged contacts whose decision sends them to no person (digital, callback, closed):
  // not expected to be completed by a handler.
  int64_t not_for_a_person = 0;
  // One line per violation found (at most kMaxProblems), for the failure message: the contact's
  // stored history and what the clients saw of it.
  std::vector<std::string> problems;
  // What happened, in counts (not judged): "routes: OK=... UNAVAILABLE=...; handlers:
  // offered=... withdrawn=...; stored withdrawals: recovered=...". Shows whether a fault test
  // really hit its faults (e.g. offers out at a crash, withdrawn as "recovered").
  std::string activity;

  static constexpr size_t kMaxProblems = 40;

  // "faults: acknowledged=N completed=N lost=0 double_assigned=0 over_capacity=0
  //  idempotent_retries=K idempotency_conflicts=0" (one line).
  std::string Summary() const;
  // No contact lost, none assigned twice, no handler over capacity, no idempotency conflict.
  bool ok() const {
    return lost == 0 && double_assigned == 0 && over_capacity == 0 && idempotency_conflicts == 0;
  }
};

FaultReport CheckHistory(const HistoryCheckInput& input);

}  // namespace wissel::testing
