// The shape every unary Wissel call has: validate, run an operation on the routing thread,
// reply once its effects are durable (on the engine's writer thread, or on its reader thread when
// the reply must read the store first).
#pragma once

#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "router/service/call_guard.h"
#include "router/service/grpc_status.h"
#include "router/service/peer_forwarding.h"
#include "router/service/request_validation.h"
#include "router/service/service_context.h"

namespace wissel::service {

// OK when `tenant` is a well-formed, configured tenant; InvalidArgument naming `field` if not.
inline absl::Status CheckTenant(const ServiceContext& ctx, absl::string_view field,
                                const std::string& tenant) {
  if (absl::Status s = ValidateIdentifier(field, tenant); !s.ok()) return s;
  if (!ctx.engine->HasTenant(tenant)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": unknown tenant '", tenant, "'"));
  }
  return absl::OkStatus();
}

// Unavailable when a call for `tenant`, which is not decided here, cannot be forwarded: nobody
// decides it at the moment (a takeover), or the call was forwarded to us already.
inline absl::Status RefuseUndecided(const std::string& tenant, const engine::TenantRoute& route,
                                    const Admission& admission) {
  if (route.address.empty()) return engine::NotDecidedHere(tenant, route);
  if (admission.forwarded) {
    return absl::UnavailableError(
        absl::StrCat("tenant ", tenant, " moved to the router at ", route.address, "; retry"));
  }
  return absl::OkStatus();
}

// A reply that must read the store before it can be given (the rare paths: the replay of a
// contact that is no longer live, the explanation of an error). It runs on the engine's reader
// thread (RoutingEngine::Read), so the writer thread, and every batch behind it, does not wait
// for the store meanwhile.
using StoreRead = absl::AnyInvocable<absl::Status(state::StateStore& store)>;
// What a completion answers with: the status to finish with now, or a read that returns it.
using Reply = std::variant<absl::Status, StoreRead>;

// Finishes `reactor` with `reply`: at once, or on the engine's reader thread after its read.
inline void FinishWith(ServiceContext& ctx, grpc::ServerUnaryReactor* reactor, Reply reply) {
  if (absl::Status* status = std::get_if<absl::Status>(&reply)) {
    reactor->Finish(ToGrpcStatus(*status));
    return;
  }
  ctx.engine->Read(
      [reactor, read = std::get<StoreRead>(std::move(reply))](state::StateStore& store) mutable {
        reactor->Finish(ToGrpcStatus(read(store)));
      });
}

// Runs `operation` for `tenant` and finishes `reactor`: on success with whatever `reply`
// (run after durability, on the engine's writer thread) answers, else with the error, which
// `explain_error` (if given, also on the writer thread) may turn into a more precise one.
// Either may answer with a StoreRead, which the engine's reader thread runs.
inline void SubmitAndFinish(
    ServiceContext& ctx, grpc::ServerUnaryReactor* reactor, const std::string& tenant,
    engine::RoutingEngine::Operation operation,
    absl::AnyInvocable<Reply(const engine::OperationOutcome&)> reply,
    absl::AnyInvocable<Reply(const absl::Status&)> explain_error = nullptr) {
  ctx.engine->Submit(
      tenant, std::move(operation),
      [&ctx, reactor, reply = std::move(reply),
       explain_error = std::move(explain_error)](const engine::OperationOutcome& outcome) mutable {
        if (outcome.status.ok() || outcome.status.code() == absl::StatusCode::kAlreadyExists) {
          FinishWith(ctx, reactor, reply(outcome));
        } else if (explain_error) {
          FinishWith(ctx, reactor, explain_error(outcome.status));
        } else {
          reactor->Finish(ToGrpcStatus(outcome.status));
        }
      });
}

// The call admitted by ctx.guard (call_guard.h), or, when it is refused, null and `*refused`
// set to the reactor that finishes it with the refusal.
inline std::optional<Admission> Admit(const ServiceContext& ctx,
                                      grpc::CallbackServerContext* context, access::Rpc rpc,
                                      const access::CallTarget& target,
                                      grpc::ServerUnaryReactor** refused);

// Finishes `reactor` with `status` (an error found before anything was submitted).
inline grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                           const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

inline std::optional<Admission> Admit(const ServiceContext& ctx,
                                      grpc::CallbackServerContext* context, access::Rpc rpc,
                                      const access::CallTarget& target,
                                      grpc::ServerUnaryReactor** refused) {
  absl::StatusOr<Admission> admission = ctx.guard->Admit(*context, rpc, target);
  if (!admission.ok()) {
    *refused = FinishNow(context, admission.status());
    return std::nullopt;
  }
  return *std::move(admission);
}

// Null when this router decides `tenant`: go on locally. Otherwise the call is forwarded to the
// router that does (peer_forwarding.h), or refused with UNAVAILABLE while nobody decides it or
// when it was forwarded to us already; the returned reactor finishes it.
template <typename Request, typename Response, typename Call>
grpc::ServerUnaryReactor* ForwardIfDecidedElsewhere(
    ServiceContext& ctx, grpc::CallbackServerContext* context, const Admission& admission,
    const std::string& tenant, const Request* request, Response* response, const Call& call) {
  const engine::TenantRoute route = ctx.engine->RouteOf(tenant);
  if (route.local) return nullptr;
  if (absl::Status refused = RefuseUndecided(tenant, route, admission); !refused.ok()) {
    return FinishNow(context, refused);
  }
  return ForwardUnary(*ctx.peers, route.address, context, request, response, call);
}

}  // namespace wissel::service
