#include "router/service/handler_service.h"

#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/status_macros.h"
#include "router/service/api_convert.h"
#include "router/service/unary_call.h"

namespace wissel::service {
namespace {

// What the roster owns — skills, teams, proficiency and the address calls are connected to — is
// set by an operator or call-centre software, never by the handler itself: otherwise one
// employee could give itself any skill, or redirect its calls.
absl::Status CheckRosterFields(const access::Principal& principal, const v1::Handler& handler) {
  if (access::MaySetRosterFields(principal, handler.tenant())) return absl::OkStatus();
  for (const auto& [field, set] :
       {std::pair<const char*, bool>{"handler.skills", handler.skills_size() > 0},
        {"handler.teams", handler.teams_size() > 0},
        {"handler.proficiency", !handler.proficiency().empty()},
        {"handler.address", !handler.address().empty()}}) {
    if (set) {
      return absl::PermissionDeniedError(
          absl::StrCat(field, ": comes from the roster or an operator, not from the handler"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckHandlerRef(const ServiceContext& ctx, const std::string& tenant,
                             const std::string& handler_id) {
  WISSEL_RETURN_IF_ERROR(CheckTenant(ctx, "tenant", tenant));
  return ValidateIdentifier("handler_id", handler_id);
}

// Runs on the routing thread: `change`, then copies the handler into `out`.
engine::RoutingEngine::Operation ChangeHandler(
    std::string handler_id, std::string tenant, std::shared_ptr<v1::Handler> out,
    absl::AnyInvocable<absl::Status(core::Router&, core::EffectList*)> change) {
  return [handler_id = std::move(handler_id), tenant = std::move(tenant), out = std::move(out),
          change = std::move(change)](core::Router& router,
                                      core::EffectList* effects) mutable -> absl::Status {
    WISSEL_RETURN_IF_ERROR(change(router, effects));
    const core::Handler* h = router.FindHandler(handler_id);
    if (h == nullptr) {
      return absl::NotFoundError(absl::StrCat("handler_id: '", handler_id, "' is not known"));
    }
    ToProto(*h, tenant, out.get());
    return absl::OkStatus();
  };
}

absl::AnyInvocable<Reply(const engine::OperationOutcome&)> CopyTo(
    std::shared_ptr<v1::Handler> handler, v1::Handler* response) {
  return [handler = std::move(handler), response](const engine::OperationOutcome&) {
    *response = *handler;
    return absl::OkStatus();
  };
}

// One handler's StreamOffers call. Writes one offer at a time (gRPC allows one outstanding
// write); offers arriving meanwhile wait in `queue_`. Deletes itself in OnDone.
class OfferStream final : public grpc::ServerWriteReactor<v1::Offer>, public OfferSink {
 public:
  OfferStream(OfferHub* hub, std::string tenant, std::string handler_id)
      : hub_(hub), tenant_(std::move(tenant)), handler_id_(std::move(handler_id)) {
    hub_->Attach(tenant_, handler_id_, this);
  }

  void Send(const v1::Offer& offer) override {
    absl::MutexLock lock(&mu_);
    if (closing_) return;
    queue_.push_back(offer);
    if (!writing_) WriteNextLocked();
  }

  void Close(const grpc::Status& status) override {
    absl::MutexLock lock(&mu_);
    if (closing_) return;
    closing_ = true;
    close_status_ = status;
    if (!writing_) FinishLocked();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    queue_.pop_front();
    if (!ok) {
      // The client went away.
      if (!closing_) close_status_ = grpc::Status::CANCELLED;
      closing_ = true;
      FinishLocked();
    } else if (!queue_.empty()) {
      WriteNextLocked();  // also drains what was queued before Close
    } else if (closing_) {
      FinishLocked();
    }
  }

  void OnCancel() override {
    hub_->Detach(tenant_, handler_id_, this);
    absl::MutexLock lock(&mu_);
    if (!closing_) close_status_ = grpc::Status::CANCELLED;
    closing_ = true;
    queue_.erase(queue_.begin() + (writing_ ? 1 : 0), queue_.end());
    if (!writing_) FinishLocked();
  }

  void OnDone() override {
    hub_->Detach(tenant_, handler_id_, this);
    delete this;
  }

 private:
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    writing_ = true;
    StartWrite(&queue_.front());
  }
  void FinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(close_status_);
  }

  OfferHub* const hub_;
  const std::string tenant_;
  const std::string handler_id_;
  absl::Mutex mu_;
  std::deque<v1::Offer> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status close_status_ ABSL_GUARDED_BY(mu_);
};

// A stream refused before it started.
class RefusedStream final : public grpc::ServerWriteReactor<v1::Offer> {
 public:
  explicit RefusedStream(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerUnaryReactor* HandlerServiceImpl::SignIn(grpc::CallbackServerContext* context,
                                                     const v1::SignInRequest* request,
                                                     v1::Handler* response) {
  const v1::Handler& handler = request->handler();
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kSignIn,
            {.tenant = handler.tenant(), .handler_id = handler.handler_id()}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckTenant(*ctx_, "handler.tenant", handler.tenant()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (absl::Status s = CheckRosterFields(*admission->principal, handler); !s.ok()) {
    return FinishNow(context, s);
  }
  if (grpc::ServerUnaryReactor* forwarded = ForwardIfDecidedElsewhere(
          *ctx_, context, *admission, handler.tenant(), request, response,
          [](PeerStubs::Peer& peer, auto... args) { peer.handlers->async()->SignIn(args...); })) {
    return forwarded;
  }
  absl::StatusOr<core::HandlerSignIn> sign_in = PrepareSignIn(handler);
  if (!sign_in.ok()) return FinishNow(context, sign_in.status());
  auto out = std::make_shared<v1::Handler>();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  SubmitAndFinish(*ctx_, reactor, handler.tenant(),
                  ChangeHandler(handler.handler_id(), handler.tenant(), out,
                                [sign_in = *std::move(sign_in)](core::Router& router,
                                                                core::EffectList* effects) mutable {
                                  return router.SignIn(std::move(sign_in), effects).status();
                                }),
                  CopyTo(out, response));
  return reactor;
}

grpc::ServerUnaryReactor* HandlerServiceImpl::SignOut(grpc::CallbackServerContext* context,
                                                      const v1::SignOutRequest* request,
                                                      v1::Handler* response) {
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kSignOut,
            {.tenant = request->tenant(), .handler_id = request->handler_id()}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckHandlerRef(*ctx_, request->tenant(), request->handler_id()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (grpc::ServerUnaryReactor* forwarded = ForwardIfDecidedElsewhere(
          *ctx_, context, *admission, request->tenant(), request, response,
          [](PeerStubs::Peer& peer, auto... args) { peer.handlers->async()->SignOut(args...); })) {
    return forwarded;
  }
  auto out = std::make_shared<v1::Handler>();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  SubmitAndFinish(
      *ctx_, reactor, request->tenant(),
      ChangeHandler(request->handler_id(), request->tenant(), out,
                    [id = request->handler_id()](core::Router& router, core::EffectList* effects) {
                      return router.SignOut(id, effects);
                    }),
      CopyTo(out, response));
  return reactor;
}

grpc::ServerUnaryReactor* HandlerServiceImpl::SetPresence(grpc::CallbackServerContext* context,
                                                          const v1::SetPresenceRequest* request,
                                                          v1::Handler* response) {
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kSetPresence,
            {.tenant = request->tenant(), .handler_id = request->handler_id()}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckHandlerRef(*ctx_, request->tenant(), request->handler_id()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (grpc::ServerUnaryReactor* forwarded =
          ForwardIfDecidedElsewhere(*ctx_, context, *admission, request->tenant(), request,
                                    response, [](PeerStubs::Peer& peer, auto... args) {
                                      peer.handlers->async()->SetPresence(args...);
                                    })) {
    return forwarded;
  }
  const std::optional<core::Presence> presence = FromProto(request->presence());
  if (!presence) {
    return FinishNow(context, absl::InvalidArgumentError("presence: is required"));
  }
  auto out = std::make_shared<v1::Handler>();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  SubmitAndFinish(*ctx_, reactor, request->tenant(),
                  ChangeHandler(request->handler_id(), request->tenant(), out,
                                [id = request->handler_id(), p = *presence](
                                    core::Router& router, core::EffectList* effects) {
                                  return router.SetPresence(id, p, effects);
                                }),
                  CopyTo(out, response));
  return reactor;
}

grpc::ServerUnaryReactor* HandlerServiceImpl::GetHandler(grpc::CallbackServerContext* context,
                                                         const v1::GetHandlerRequest* request,
                                                         v1::Handler* response) {
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kGetHandler,
            {.tenant = request->tenant(), .handler_id = request->handler_id()}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckHandlerRef(*ctx_, request->tenant(), request->handler_id()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (grpc::ServerUnaryReactor* forwarded =
          ForwardIfDecidedElsewhere(*ctx_, context, *admission, request->tenant(), request,
                                    response, [](PeerStubs::Peer& peer, auto... args) {
                                      peer.handlers->async()->GetHandler(args...);
                                    })) {
    return forwarded;
  }
  auto out = std::make_shared<v1::Handler>();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  SubmitAndFinish(*ctx_, reactor, request->tenant(),
                  ChangeHandler(request->handler_id(), request->tenant(), out,
                                [](core::Router&, core::EffectList*) { return absl::OkStatus(); }),
                  CopyTo(out, response));
  return reactor;
}

grpc::ServerWriteReactor<v1::Offer>* HandlerServiceImpl::StreamOffers(
    grpc::CallbackServerContext* context, const v1::StreamOffersRequest* request) {
  absl::StatusOr<Admission> admission =
      ctx_->guard->Admit(*context, access::Rpc::kStreamOffers,
                         {.tenant = request->tenant(), .handler_id = request->handler_id()});
  if (!admission.ok()) return new RefusedStream(ToGrpcStatus(admission.status()));
  if (absl::Status s = CheckHandlerRef(*ctx_, request->tenant(), request->handler_id()); !s.ok()) {
    return new RefusedStream(ToGrpcStatus(s));
  }
  const engine::TenantRoute route = ctx_->engine->RouteOf(request->tenant());
  if (!route.local) {
    if (absl::Status s = RefuseUndecided(request->tenant(), route, *admission); !s.ok()) {
      return new RefusedStream(ToGrpcStatus(s));
    }
    return RelayOfferStream(*ctx_->peers, route.address, context, request);
  }
  return new OfferStream(ctx_->offers, request->tenant(), request->handler_id());
}

grpc::ServerUnaryReactor* HandlerServiceImpl::RespondToOffer(
    grpc::CallbackServerContext* context, const v1::OfferResponseRequest* request,
    v1::ContactRecord* response, bool accept) {
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, (accept ? access::Rpc::kAcceptOffer : access::Rpc::kRejectOffer),
            {.tenant = request->tenant(), .handler_id = request->handler_id()}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckHandlerRef(*ctx_, request->tenant(), request->handler_id()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (grpc::ServerUnaryReactor* forwarded =
          ForwardIfDecidedElsewhere(*ctx_, context, *admission, request->tenant(), request,
                                    response, [accept](PeerStubs::Peer& peer, auto... args) {
                                      if (accept) {
                                        peer.handlers->async()->AcceptOffer(args...);
                                      } else {
                                        peer.handlers->async()->RejectOffer(args...);
                                      }
                                    })) {
    return forwarded;
  }
  if (absl::Status s = ValidateIdentifier("contact_id", request->contact_id()); !s.ok()) {
    return FinishNow(context, s);
  }
  auto record = std::make_shared<v1::ContactRecord>();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  SubmitAndFinish(
      *ctx_, reactor, request->tenant(),
      [tenant = request->tenant(), handler_id = request->handler_id(),
       contact_id = request->contact_id(), accept, record,
       attributes = ctx_->attribute_policies.Get(request->tenant())](
          core::Router& router, core::EffectList* effects) -> absl::Status {
        WISSEL_RETURN_IF_ERROR(accept ? router.Accept(handler_id, contact_id, effects)
                                      : router.Reject(handler_id, contact_id, effects));
        const core::Contact* contact = router.FindContact(contact_id);
        if (contact != nullptr) {
          WISSEL_ASSIGN_OR_RETURN(*record, ToContactRecord(tenant, *contact, attributes.get()));
        }
        return absl::OkStatus();
      },
      [record, response](const engine::OperationOutcome&) {
        *response = *record;
        return absl::OkStatus();
      });
  return reactor;
}

grpc::ServerUnaryReactor* HandlerServiceImpl::AcceptOffer(grpc::CallbackServerContext* context,
                                                          const v1::OfferResponseRequest* request,
                                                          v1::ContactRecord* response) {
  return RespondToOffer(context, request, response, /*accept=*/true);
}

grpc::ServerUnaryReactor* HandlerServiceImpl::RejectOffer(grpc::CallbackServerContext* context,
                                                          const v1::OfferResponseRequest* request,
                                                          v1::ContactRecord* response) {
  return RespondToOffer(context, request, response, /*accept=*/false);
}

grpc::ServerUnaryReactor* HandlerServiceImpl::FinishWrapUp(grpc::CallbackServerContext* context,
                                                           const v1::FinishWrapUpRequest* request,
                                                           v1::Handler* response) {
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kFinishWrapUp,
            {.tenant = request->tenant(), .handler_id = request->handler_id()}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckHandlerRef(*ctx_, request->tenant(), request->handler_id()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (grpc::ServerUnaryReactor* forwarded =
          ForwardIfDecidedElsewhere(*ctx_, context, *admission, request->tenant(), request,
                                    response, [](PeerStubs::Peer& peer, auto... args) {
                                      peer.handlers->async()->FinishWrapUp(args...);
                                    })) {
    return forwarded;
  }
  if (absl::Status s = ValidateIdentifier("contact_id", request->contact_id()); !s.ok()) {
    return FinishNow(context, s);
  }
  auto out = std::make_shared<v1::Handler>();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  SubmitAndFinish(*ctx_, reactor, request->tenant(),
                  ChangeHandler(request->handler_id(), request->tenant(), out,
                                [id = request->handler_id(), contact = request->contact_id()](
                                    core::Router& router, core::EffectList* effects) {
                                  return router.FinishWrapUp(id, contact, effects);
                                }),
                  CopyTo(out, response));
  return reactor;
}

}  // namespace wissel::service
