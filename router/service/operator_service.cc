#include "router/service/operator_service.h"

#include <memory>
#include <optional>

#include "base/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "router/service/unary_call.h"

namespace wissel::service {

grpc::ServerUnaryReactor* OperatorServiceImpl::GetQueueStats(
    grpc::CallbackServerContext* context, const v1::GetQueueStatsRequest* request,
    v1::GetQueueStatsResponse* response) {
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kGetQueueStats, {.tenant = request->tenant()}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckTenant(*ctx_, "tenant", request->tenant()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (grpc::ServerUnaryReactor* forwarded =
          ForwardIfDecidedElsewhere(*ctx_, context, *admission, request->tenant(), request,
                                    response, [](PeerStubs::Peer& peer, auto... args) {
                                      peer.operators->async()->GetQueueStats(args...);
                                    })) {
    return forwarded;
  }
  if (!request->queue().empty()) {
    if (absl::Status s = ValidateIdentifier("queue", request->queue()); !s.ok()) {
      return FinishNow(context, s);
    }
  }
  auto stats = std::make_shared<std::vector<core::QueueStatsView>>();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  SubmitAndFinish(
      *ctx_, reactor, request->tenant(),
      [queue = request->queue(), stats](core::Router& router, core::EffectList*) -> absl::Status {
        WISSEL_ASSIGN_OR_RETURN(*stats, router.QueueStats(queue));
        return absl::OkStatus();
      },
      [stats, response](const engine::OperationOutcome&) {
        for (const core::QueueStatsView& v : *stats) {
          v1::QueueStats* out = response->add_queues();
          out->set_queue(v.queue);
          out->set_waiting(v.waiting);
          out->set_offered(v.offered);
          *out->mutable_longest_wait() = google::protobuf::util::TimeUtil::MicrosecondsToDuration(
              absl::ToInt64Microseconds(v.longest_wait));
          out->set_handlers_available(v.handlers_available);
          out->set_handlers_signed_in(v.handlers_signed_in);
        }
        return absl::OkStatus();
      });
  return reactor;
}

}  // namespace wissel::service
