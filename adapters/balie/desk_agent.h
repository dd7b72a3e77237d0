// DeskAgent: one counter desk as a handler on the router's handler API (HandlerService).
//
// At Start() the desk signs in (handler id = desk id, capacity 1 on the balie channel and 0
// on the others, presence BUSY: no offers until the employee asks for one) and a background
// thread keeps its StreamOffers stream open, reconnecting with backoff when it drops (and
// signing in again when the router no longer knows the desk).
//
//   Next()  the employee is ready: presence AVAILABLE; the router offers the next resident of
//           the desk's queues; when the offer arrives the agent accepts it, sets the desk BUSY
//           again (one resident at a time) and publishes "ticket A042 → Balie 3" on the
//           DisplayBoard. Next() waits a little for that call and returns the desk's state.
//   Done()  CompleteContact + FinishWrapUp; the desk is closed until the next Next().
//
// An offer that arrives while the desk did not ask for one (e.g. pending from before a
// restart) is rejected, so the resident goes back to their place. Thread-safe.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "adapters/balie/balie_config.h"
#include "adapters/balie/display_board.h"
#include "adapters/common/router_client.h"
#include "wissel/v1/handler_service.grpc.pb.h"

namespace wissel::adapters::balie {

struct DeskAgentOptions {
  std::string tenant;
  DeskConfig desk;
  // Deadline of each unary call to the router. Default 2 s.
  absl::Duration deadline = absl::Seconds(2);
  // Backoff of the offer stream's reconnection: starts at min, doubles up to max.
  absl::Duration min_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
};

enum class DeskStatus { kClosed, kReady, kServing };

struct DeskSnapshot {
  DeskStatus status = DeskStatus::kClosed;
  std::string ticket;
  std::string contact_id;
  absl::Time called_at = absl::InfinitePast();
};

// "closed", "ready", "serving".
std::string DeskStatusName(DeskStatus status);

class DeskAgent {
 public:
  // `channel` leads to the router's HandlerService; `router` (RoutingService) and `board` must
  // outlive the agent.
  DeskAgent(DeskAgentOptions options, std::shared_ptr<grpc::Channel> channel, RouterClient* router,
            DisplayBoard* board);
  ~DeskAgent();  // Stop()
  DeskAgent(const DeskAgent&) = delete;
  DeskAgent& operator=(const DeskAgent&) = delete;

  // Starts the offer stream thread (which signs the desk in). Does not block on the router.
  void Start();
  // Ends the stream and joins the thread; the desk stays signed in at the router (BUSY), so a
  // restarted adapter takes over. Idempotent.
  void Stop();

  // The desk asks for the next resident; waits up to `wait` for the call. FailedPrecondition
  // "desk: ..." while the desk still serves a resident; Unavailable/DeadlineExceeded when the
  // router cannot be reached.
  absl::StatusOr<DeskSnapshot> Next(absl::Duration wait);
  // The desk is done with its resident. FailedPrecondition "desk: ..." when it serves nobody.
  absl::StatusOr<DeskSnapshot> Done(bool keep_as_contact_person);
  DeskSnapshot Snapshot() const;
  const DeskConfig& desk() const { return options_.desk; }

 private:
  void Run();
  absl::Status SignIn();
  absl::Status SetPresence(v1::Presence presence);
  void HandleOffer(const v1::Offer& offer);
  std::unique_ptr<grpc::ClientContext> Context() const;

  const DeskAgentOptions options_;
  std::unique_ptr<v1::HandlerService::Stub> stub_;
  RouterClient* const router_;
  DisplayBoard* const board_;
  std::thread thread_;
  absl::Notification stopping_;

  // Serialises Next/Done (the employee's actions) against each other.
  absl::Mutex action_mu_;
  mutable absl::Mutex mu_;
  DeskSnapshot state_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* stream_context_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace wissel::adapters::balie
