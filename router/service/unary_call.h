// The shape every unary Wissel call has: validate, run an operation on the routing thread,
// reply once its effects are durable.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "router/service/grpc_status.h"
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

// Runs `operation` for `tenant` and finishes `reactor`: on success with whatever `reply`
// (run after durability, on the routing thread) returns, else with the error, which
// `explain_error` (if given) may turn into a more precise one.
inline void SubmitAndFinish(
    ServiceContext& ctx, grpc::ServerUnaryReactor* reactor, const std::string& tenant,
    RoutingEngine::Operation operation,
    absl::AnyInvocable<absl::Status(const OperationOutcome&)> reply,
    absl::AnyInvocable<absl::Status(const absl::Status&)> explain_error = nullptr) {
  ctx.engine->Submit(
      tenant, std::move(operation),
      [reactor, reply = std::move(reply),
       explain_error = std::move(explain_error)](OperationOutcome outcome) mutable {
        absl::Status status;
        if (outcome.status.ok() || outcome.status.code() == absl::StatusCode::kAlreadyExists) {
          status = reply(outcome);
        } else {
          status = explain_error ? explain_error(outcome.status) : outcome.status;
        }
        reactor->Finish(ToGrpcStatus(status));
      });
}

// Finishes `reactor` with `status` (an error found before anything was submitted).
inline grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                           const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace wissel::service
