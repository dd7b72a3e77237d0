// SimulatedCentre: the fault-test load — residents whose contacts arrive over RouteContact and
// handlers (medewerkers) who take them — driving one or more Wissel routers while a test injects
// faults, and recording everything the clients see in a ContactHistory for CheckHistory
// (history_checker.h).
//
// How a fault test uses it (router_crash_test.cc is the first):
//
//   ContactHistory history;
//   SimulatedCentre centre(options, &history);   // options.router_addresses: one or several
//   ASSERT_TRUE(centre.Start().ok());            // handlers signed in, producers running
//   ... inject faults: SIGKILL wisseld and restart it, stop Redis, kill a replica ...
//   FaultReport report = centre.Finish(absl::Seconds(20));   // drain, fetch, check
//   std::cout << report.Summary() << "\n";
//   EXPECT_TRUE(report.ok());
//
// Residents (`producers` threads) send RouteContact at `contacts_per_second` in total, each with a
// new idempotency key and a deadline, to any router that is up (one channel balancing over all
// addresses); on an error that may be transient (UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, ...)
// they resend the same request, same key, a bounded number of times within a bounded time. A
// fraction of the acknowledged requests is sent again a little later (`duplicate_fraction`,
// crossing the faults) and Finish() can resend all of them once more: the same key must give the
// same contact.
//
// Handlers (`handlers`) sign in with one skill and a capacity on one channel, keep one
// StreamOffers stream open, accept each offer after `accept_delay`, complete it after
// `talk_time`, finish the wrap-up after `wrap_up_time`. Each handler starts on router address
// (index mod the number of addresses); when its stream ends it signs in again (SignIn is
// idempotent: it keeps the contacts the handler holds) and reopens the stream, on the next address
// after UNAVAILABLE or DEADLINE_EXCEEDED, with a bounded backoff. After signing in again it asks
// the router which contacts it holds (GetHandler) and takes up any it lost track of. A call that
// may or may not have been applied (UNAVAILABLE or DEADLINE_EXCEEDED) is tried again later; when
// the retry is refused (FAILED_PRECONDITION), GetContact decides whether the earlier attempt took
// effect, as a real desk application would. Offers taken back without a KIND_WITHDRAWN (a router
// that restarted withdraws its predecessor's offers, and the old stream is gone) surface as a
// refused accept.
//
// Every call waits for its channel to be ready up to its deadline (wait_for_ready): see
// CallContext in the .cc for why a synchronous client needs that to reconnect promptly.
//
// Every loop is bounded in count and time and ends when told; all traffic goes to the given
// addresses (loopback in tests). Thread-safe: Start/StopProducers/Drain/StopHandlers/Finish from
// one test thread; the centre's threads record into `history`, which must outlive it.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/integration/contact_history.h"
#include "tests/integration/history_checker.h"
#include "wissel/v1/contact.pb.h"

namespace wissel::testing {

struct SimulatedCentreOptions {
  // Every router replica, "host:port" ("IPv4:port" when there are several: the residents reach
  // them through one gRPC channel that balances over those that are up). Handlers spread over
  // them. Required.
  std::vector<std::string> router_addresses;
  std::string tenant = "gemeente-test";
  // The channel of every contact and the one channel handlers take.
  v1::Channel channel = v1::CHANNEL_CHAT;
  // Topics of the contacts, used in turn; their queues must take `skill`.
  std::vector<std::string> topics = {"paspoort", "rijbewijs"};
  std::string skill = "burgerzaken";
  // Prefix of every idempotency key and handler id: unique per run, so runs never collide.
  std::string run_id = "run";

  int producers = 4;
  // All producers together; each paces itself and does not burst to catch up after a stall.
  double contacts_per_second = 300;
  // Deadline of each RPC attempt.
  absl::Duration call_deadline = absl::Seconds(2);
  // Resends of one RouteContact after errors: at most this many attempts ...
  int max_route_attempts = 60;
  // ... and no new attempt after this long since the first.
  absl::Duration route_retry_budget = absl::Seconds(20);
  // Fraction of acknowledged requests sent once more, `duplicate_delay` later.
  double duplicate_fraction = 0.05;
  absl::Duration duplicate_delay = absl::Seconds(2);

  int handlers = 20;
  int capacity = 3;  // on `channel`; 0 on every other channel
  absl::Duration accept_delay = absl::Milliseconds(20);
  absl::Duration talk_time = absl::Milliseconds(60);
  absl::Duration wrap_up_time = absl::Milliseconds(10);
  // A handler's stream reconnections over the whole run, at most.
  int max_reconnects = 500;
  // Backoff between reconnections (and between retries of a handler's calls): doubles from min
  // to max.
  absl::Duration backoff_min = absl::Milliseconds(50);
  absl::Duration backoff_max = absl::Milliseconds(800);
  // Attempts of one AcceptOffer/CompleteContact/FinishWrapUp before the handler moves on to its
  // other work and comes back to it later.
  int max_call_attempts = 8;

  // Seeds the producers' choices (which requests to duplicate).
  uint64_t seed = 1;
};

class SimulatedCentre {
 public:
  SimulatedCentre(SimulatedCentreOptions options, ContactHistory* history);
  // Stops whatever still runs (bounded).
  ~SimulatedCentre();
  SimulatedCentre(const SimulatedCentre&) = delete;
  SimulatedCentre& operator=(const SimulatedCentre&) = delete;

  // Starts the handlers and waits (up to `timeout`) until each has signed in and opened its
  // stream, then starts the producers. DeadlineExceeded if the handlers do not all sign in.
  absl::Status Start(absl::Duration timeout = absl::Seconds(20));
  // Stops the producers and waits for them; a request being retried finishes its retries
  // (bounded by route_retry_budget). Pending deliberate duplicates are sent first.
  void StopProducers();
  // Waits until every acknowledged contact has been completed by a handler and no handler holds
  // a contact any more, or until `timeout`. Returns the acknowledged contacts not completed.
  std::vector<std::string> Drain(absl::Duration timeout);
  // Sends every acknowledged request (a `fraction` of them, chosen with the seed) once more,
  // from `producers` threads, and records the replies (idempotency probe).
  void ReplayAcknowledged(double fraction = 1.0);
  // Stops the handlers: closes their streams, abandons work still scheduled.
  void StopHandlers();
  // GetContact for every contact id the history knows of (acknowledged, offered, held) and for
  // `extra_ids`, retrying while the routers are unavailable (each id up to `timeout`). NotFound
  // for an id the router does not have.
  absl::flat_hash_map<std::string, absl::StatusOr<v1::ContactRecord>> FetchStoredContacts(
      const std::vector<std::string>& extra_ids = {}, absl::Duration timeout = absl::Seconds(20));
  // The simulated handlers' ids ("<run_id>-h<i>").
  std::vector<std::string> HandlerIds() const;
  // Capacity of every handler as signed in, for HistoryCheckInput.
  absl::flat_hash_map<std::string, absl::flat_hash_map<int, int>> Capacities() const;

  // The whole end of a fault test: StopProducers, Drain(drain_timeout), ReplayAcknowledged
  // (replay_fraction), StopHandlers, FetchStoredContacts(extra_ids()), CheckHistory.
  // `extra_ids`, when given, runs once everything has stopped, e.g. to list the contacts in the
  // store so the capacity check also sees contacts no client heard of.
  FaultReport Finish(absl::Duration drain_timeout, double replay_fraction = 1.0,
                     std::function<std::vector<std::string>()> extra_ids = nullptr);

  // The channel to router `index` (mod the number of addresses); fast reconnection settings, and
  // every call from the centre waits for the channel to be ready up to its deadline.
  std::shared_ptr<grpc::Channel> channel(size_t index) const;
  const SimulatedCentreOptions& options() const { return options_; }

 private:
  class Producer;
  class SimulatedHandler;

  SimulatedCentreOptions options_;
  ContactHistory* const history_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;  // one per router address
  // Every router behind one channel (gRPC round_robin over those that are up): the residents'
  // way in, and GetContact's.
  std::shared_ptr<grpc::Channel> any_router_;
  std::string any_router_target_;
  std::vector<std::unique_ptr<Producer>> producers_;
  std::vector<std::unique_ptr<SimulatedHandler>> handlers_;
};

}  // namespace wissel::testing
