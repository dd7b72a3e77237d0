#include "router/service/routing_service.h"

#include <memory>
#include <optional>
#include <variant>

#include "absl/strings/match.h"
#include "base/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "router/service/api_convert.h"
#include "router/service/unary_call.h"
#include "router/state/audit.h"

namespace wissel::service {
namespace {

// A decision, converted on the routing thread: its explanation refers to the Router's names,
// so it is formatted while that Router is certainly alive.
struct RouteResult {
  std::string contact_id;
  v1::Decision decision;
  bool replayed = false;
  // What the metrics count once the decision is durable.
  RouterMetrics::Routed routed;
};

// A contact the caller may not touch: one of another channel, or not held by the calling
// handler. Said the same way whether or not the contact exists.
absl::Status OutOfScope(const std::string& contact_id) {
  return absl::PermissionDeniedError(
      absl::StrCat("contact_id: '", contact_id, "' is outside what this caller may touch"));
}

// Runs on the routing thread: the contact's record before `change`, with `state` after it.
engine::RoutingEngine::Operation ChangeContact(
    std::string tenant, std::string contact_id, v1::ContactState state, access::ContactScope scope,
    std::shared_ptr<v1::ContactRecord> out,
    absl::AnyInvocable<absl::Status(core::Router&, core::EffectList*)> change) {
  return [tenant = std::move(tenant), contact_id = std::move(contact_id), state,
          scope = std::move(scope), out = std::move(out), change = std::move(change)](
             core::Router& router, core::EffectList* effects) mutable -> absl::Status {
    const core::Contact* contact = router.FindContact(contact_id);
    if (contact == nullptr) {
      return absl::NotFoundError(absl::StrCat("contact_id: '", contact_id, "' is not live"));
    }
    if (!scope.Allows(contact->channel, contact->handler_id)) return OutOfScope(contact_id);
    WISSEL_ASSIGN_OR_RETURN(*out, ToContactRecord(tenant, *contact));
    WISSEL_RETURN_IF_ERROR(change(router, effects));
    out->set_state(state);
    return absl::OkStatus();
  };
}

// A change to a contact that is not live in memory: NOT_FOUND if the store does not know it
// either, FAILED_PRECONDITION if it is closed. Only a NOT_FOUND is explained, by a read on the
// engine's reader thread (a rare path). That read comes after the later batches may have been
// written: a contact it finds live was created after the change was decided, so the change
// stays NOT_FOUND.
Reply ExplainNotLive(std::string tenant, std::string contact_id, const absl::Status& status) {
  if (status.code() != absl::StatusCode::kNotFound) return status;
  return [tenant = std::move(tenant), contact_id = std::move(contact_id),
          status](state::StateStore& store) -> absl::Status {
    absl::StatusOr<state::StoredContact> stored = store.LoadContact(tenant, contact_id);
    if (!stored.ok()) return status;
    const core::ContactState state = stored->contact.state;
    if (state != core::ContactState::kCompleted && state != core::ContactState::kAbandoned) {
      return status;  // live: made after the change was decided (or memory is behind the store)
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "contact_id: '", contact_id, "' is ", core::ContactStateName(state), ", no longer live"));
  };
}

absl::Status ValidateReason(absl::string_view reason) {
  if (reason.size() > 64) return absl::InvalidArgumentError("reason: longer than 64 bytes");
  for (char c : reason) {
    if (static_cast<unsigned char>(c) < 0x20) {
      return absl::InvalidArgumentError("reason: must be printable");
    }
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* RoutingServiceImpl::RouteContact(grpc::CallbackServerContext* context,
                                                           const v1::RouteContactRequest* request,
                                                           v1::RouteContactResponse* response) {
  const v1::Contact& contact = request->contact();
  const std::string tenant = contact.tenant();
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kRouteContact,
            {.tenant = tenant, .channel = FromProto(contact.channel())}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckTenant(*ctx_, "contact.tenant", tenant); !s.ok()) {
    return FinishNow(context, s);
  }
  if (grpc::ServerUnaryReactor* forwarded =
          ForwardIfDecidedElsewhere(*ctx_, context, *admission, tenant, request, response,
                                    [](PeerStubs::Peer& peer, auto... args) {
                                      peer.routing->async()->RouteContact(args...);
                                    })) {
    return forwarded;
  }
  // The id follows from the idempotency key (PrepareContact refuses a request without one), so
  // a retry, here or at any router of the tenant, names the same contact.
  const privacy::PseudonymKeys& keys = ctx_->pseudonym_keys.at(tenant);
  absl::StatusOr<core::NewContact> prepared =
      PrepareContact(contact, keys.current(), *ctx_->attribute_policies.Get(tenant),
                     ContactIdForIdempotencyKey(keys.ids(), contact.idempotency_key()),
                     ctx_->clock->Now(), keys.previous());
  if (!prepared.ok()) return FinishNow(context, prepared.status());

  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto result = std::make_shared<RouteResult>();
  SubmitAndFinish(
      *ctx_, reactor, tenant,
      [contact = *std::move(prepared), result](core::Router& router,
                                               core::EffectList* effects) mutable {
        // A retry of a live contact. (One created before ids were derived from keys is found
        // by the store, under its key's old name: AlreadyExists below.)
        if (const core::Contact* live = router.FindContact(contact.id)) {
          WISSEL_ASSIGN_OR_RETURN(core::Decision described, router.Describe(live->id));
          result->contact_id = described.contact_id;
          ToProto(described, &result->decision);
          result->replayed = true;
          return absl::OkStatus();
        }
        size_t created_index = 0;
        result->routed.channel = contact.channel;
        result->routed.needs = contact.needs;
        absl::StatusOr<core::Decision> decision =
            router.Route(std::move(contact), effects, &created_index);
        if (!decision.ok()) {
          return WithFieldPrefix(decision.status(), "contact");
        }
        result->routed.outcome = decision->outcome;
        result->routed.digital_first = decision->digital_first;
        result->contact_id = decision->contact_id;
        ToProto(*decision, &result->decision);
        // Keep the decision with the contact, for GetContact and for later replays.
        core::ContactCreated& created = core::Router::CreatedContact(*effects, created_index);
        created.contact.payload = WithDecision(created.contact.payload, result->decision);
        return absl::OkStatus();
      },
      [tenant, result, response,
       metrics = ctx_->metrics](const engine::OperationOutcome& outcome) -> Reply {
        if (outcome.status.code() == absl::StatusCode::kAlreadyExists) {
          // The contact exists but is no longer live here (closed, or created before ids were
          // derived from keys): answer as it was answered then, from the store. A rare path; it
          // reads on the engine's reader thread. The stored decision was written with the
          // contact and never changes, so a later batch cannot change this answer.
          return [tenant, id = outcome.existing_contact_id,
                  response](state::StateStore& store) -> absl::Status {
            WISSEL_ASSIGN_OR_RETURN(state::StoredContact stored, store.LoadContact(tenant, id));
            WISSEL_ASSIGN_OR_RETURN(v1::ContactRecord record, ToContactRecord(tenant, stored));
            response->set_contact_id(record.contact_id());
            response->mutable_decision()->Swap(record.mutable_decision());
            response->set_replayed(true);
            return absl::OkStatus();
          };
        }
        if (metrics != nullptr && !result->replayed) metrics->ContactRouted(tenant, result->routed);
        // The result is this call's alone, and the stored payload has its own copy of the
        // decision: move it into the reply instead of copying the trace.
        response->set_contact_id(std::move(result->contact_id));
        response->mutable_decision()->Swap(&result->decision);
        response->set_replayed(result->replayed);
        return absl::OkStatus();
      });
  return reactor;
}

grpc::ServerUnaryReactor* RoutingServiceImpl::GetContact(grpc::CallbackServerContext* context,
                                                         const v1::GetContactRequest* request,
                                                         v1::ContactRecord* response) {
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kGetContact, {.tenant = request->tenant()}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckTenant(*ctx_, "tenant", request->tenant()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (grpc::ServerUnaryReactor* forwarded =
          ForwardIfDecidedElsewhere(*ctx_, context, *admission, request->tenant(), request,
                                    response, [](PeerStubs::Peer& peer, auto... args) {
                                      peer.routing->async()->GetContact(args...);
                                    })) {
    return forwarded;
  }
  if (absl::Status s = ValidateIdentifier("contact_id", request->contact_id()); !s.ok()) {
    return FinishNow(context, s);
  }
  absl::StatusOr<state::StoredContact> stored =
      ctx_->reader->LoadContact(request->tenant(), request->contact_id());
  if (!stored.ok()) return FinishNow(context, stored.status());
  if (!admission->scope.Allows(stored->contact.channel, stored->contact.handler_id)) {
    return FinishNow(context, OutOfScope(request->contact_id()));
  }
  absl::StatusOr<v1::ContactRecord> record = ToContactRecord(
      request->tenant(), *stored, ctx_->attribute_policies.Get(request->tenant()).get());
  if (!record.ok()) return FinishNow(context, record.status());
  // A supervisor's read of a contact is recorded (a caller holding the supervisor role for the
  // tenant, whatever other role let it in).
  if (admission->principal->Has(access::Role::kSupervisor, request->tenant())) {
    state::AuditEntry entry;
    entry.actor = admission->principal->label();
    entry.action = std::string(state::kAuditReadContact);
    entry.contact_id = request->contact_id();
    if (!stored->contact.party_pseudonym.empty()) {
      entry.subject = state::AuditSubject(stored->contact.party_pseudonym);
    }
    Audit(*ctx_, request->tenant(), std::move(entry));
  }
  *response = *std::move(record);
  return FinishNow(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* RoutingServiceImpl::CancelContact(grpc::CallbackServerContext* context,
                                                            const v1::CancelContactRequest* request,
                                                            v1::ContactRecord* response) {
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kCancelContact, {.tenant = request->tenant()}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckTenant(*ctx_, "tenant", request->tenant()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (grpc::ServerUnaryReactor* forwarded =
          ForwardIfDecidedElsewhere(*ctx_, context, *admission, request->tenant(), request,
                                    response, [](PeerStubs::Peer& peer, auto... args) {
                                      peer.routing->async()->CancelContact(args...);
                                    })) {
    return forwarded;
  }
  if (absl::Status s = ValidateIdentifier("contact_id", request->contact_id()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (absl::Status s = ValidateReason(request->reason()); !s.ok()) return FinishNow(context, s);
  const std::string reason = request->reason().empty() ? "cancelled" : request->reason();
  auto record = std::make_shared<v1::ContactRecord>();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  SubmitAndFinish(
      *ctx_, reactor, request->tenant(),
      ChangeContact(
          request->tenant(), request->contact_id(), v1::CONTACT_STATE_ABANDONED, admission->scope,
          record,
          [id = request->contact_id(), reason](core::Router& router, core::EffectList* effects) {
            return router.Cancel(id, reason, effects);
          }),
      [record, response](const engine::OperationOutcome&) {
        record->clear_handler_id();
        *response = *record;
        return absl::OkStatus();
      },
      [tenant = request->tenant(), id = request->contact_id()](const absl::Status& error) {
        return ExplainNotLive(tenant, id, error);
      });
  return reactor;
}

grpc::ServerUnaryReactor* RoutingServiceImpl::CompleteContact(
    grpc::CallbackServerContext* context, const v1::CompleteContactRequest* request,
    v1::ContactRecord* response) {
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kCompleteContact, {.tenant = request->tenant()}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckTenant(*ctx_, "tenant", request->tenant()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (grpc::ServerUnaryReactor* forwarded =
          ForwardIfDecidedElsewhere(*ctx_, context, *admission, request->tenant(), request,
                                    response, [](PeerStubs::Peer& peer, auto... args) {
                                      peer.routing->async()->CompleteContact(args...);
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
      ChangeContact(request->tenant(), request->contact_id(), v1::CONTACT_STATE_COMPLETED,
                    admission->scope, record,
                    [id = request->contact_id(), keep = request->keep_as_contact_person()](
                        core::Router& router, core::EffectList* effects) {
                      return router.Complete(id, keep, effects);
                    }),
      [record, response](const engine::OperationOutcome&) {
        *response = *record;
        return absl::OkStatus();
      },
      [tenant = request->tenant(), id = request->contact_id()](const absl::Status& error) {
        return ExplainNotLive(tenant, id, error);
      });
  return reactor;
}

grpc::ServerUnaryReactor* RoutingServiceImpl::TransferContact(
    grpc::CallbackServerContext* context, const v1::TransferContactRequest* request,
    v1::RouteContactResponse* response) {
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kTransferContact, {.tenant = request->tenant()}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckTenant(*ctx_, "tenant", request->tenant()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (grpc::ServerUnaryReactor* forwarded =
          ForwardIfDecidedElsewhere(*ctx_, context, *admission, request->tenant(), request,
                                    response, [](PeerStubs::Peer& peer, auto... args) {
                                      peer.routing->async()->TransferContact(args...);
                                    })) {
    return forwarded;
  }
  if (absl::Status s = ValidateIdentifier("contact_id", request->contact_id()); !s.ok()) {
    return FinishNow(context, s);
  }
  if (absl::Status s = ValidateIdentifier("queue", request->queue()); !s.ok()) {
    return FinishNow(context, s);
  }
  auto result = std::make_shared<RouteResult>();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  SubmitAndFinish(
      *ctx_, reactor, request->tenant(),
      [id = request->contact_id(), queue = request->queue(), scope = admission->scope, result](
          core::Router& router, core::EffectList* effects) -> absl::Status {
        if (const core::Contact* contact = router.FindContact(id);
            contact != nullptr && !scope.Allows(contact->channel, contact->handler_id)) {
          return OutOfScope(id);
        }
        WISSEL_ASSIGN_OR_RETURN(core::Decision decision, router.Transfer(id, queue, effects));
        result->contact_id = decision.contact_id;
        ToProto(decision, &result->decision);
        return absl::OkStatus();
      },
      [result, response](const engine::OperationOutcome&) {
        response->set_contact_id(std::move(result->contact_id));
        response->mutable_decision()->Swap(&result->decision);
        return absl::OkStatus();
      });
  return reactor;
}

grpc::ServerUnaryReactor* RoutingServiceImpl::SetContactPerson(
    grpc::CallbackServerContext* context, const v1::SetContactPersonRequest* request,
    v1::SetContactPersonResponse* response) {
  const std::string tenant = request->tenant();
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kSetContactPerson, {.tenant = tenant}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckTenant(*ctx_, "tenant", tenant); !s.ok()) return FinishNow(context, s);
  if (grpc::ServerUnaryReactor* forwarded =
          ForwardIfDecidedElsewhere(*ctx_, context, *admission, tenant, request, response,
                                    [](PeerStubs::Peer& peer, auto... args) {
                                      peer.routing->async()->SetContactPerson(args...);
                                    })) {
    return forwarded;
  }
  if (absl::Status s = ValidateIdentifier("handler_id", request->handler_id()); !s.ok()) {
    return FinishNow(context, s);
  }
  const privacy::PseudonymKeys& keys = ctx_->pseudonym_keys.at(tenant);
  core::ContactPersonMapping mapping;
  // During a rotation: the same mapping under the secret being replaced, dropped with this set.
  std::string replaces;
  mapping.handler_id = request->handler_id();
  if (!request->case_reference().empty()) {
    if (request->case_reference().size() > kMaxIdLength) {
      return FinishNow(context, absl::InvalidArgumentError("case_reference: too long"));
    }
    mapping.party_pseudonym = keys.current().Pseudonym("case", request->case_reference());
    if (keys.previous() != nullptr) {
      replaces = keys.previous()->Pseudonym("case", request->case_reference());
    }
    mapping.domain.assign(1, '*');  // "all domains" (GCC 12 -O3 misreports = "*" as -Wrestrict)
  } else {
    // Validate and pseudonymise the party exactly as for a contact.
    v1::Contact probe;
    probe.set_tenant(tenant);
    probe.set_channel(v1::CHANNEL_PHONE);
    probe.set_topic("x");
    probe.set_idempotency_key("x");
    *probe.mutable_party() = request->party();
    absl::StatusOr<core::NewContact> prepared =
        PrepareContact(probe, keys.current(), AttributePolicy(tenant), "probe", ctx_->clock->Now(),
                       keys.previous());
    if (!prepared.ok()) {
      std::string message(prepared.status().message());
      if (absl::StartsWith(message, "contact.")) message = message.substr(8);
      return FinishNow(context, absl::InvalidArgumentError(message));
    }
    if (prepared->party_pseudonym.empty()) {
      return FinishNow(
          context, absl::InvalidArgumentError("party: a resident or case_reference is required"));
    }
    if (absl::Status s = ValidateIdentifier("domain", request->domain()); !s.ok()) {
      return FinishNow(context, s);
    }
    mapping.party_pseudonym = prepared->party_pseudonym;
    replaces = prepared->previous_party_pseudonym;
    mapping.domain = request->domain();
  }
  if (request->has_expires_at()) {
    mapping.expires_at = absl::FromUnixMicros(
        google::protobuf::util::TimeUtil::TimestampToMicroseconds(request->expires_at()));
  }
  auto expires = std::make_shared<absl::Time>();
  // The operator's action, recorded once it is durable (the change itself is recorded by the
  // router's applied-effect listener, server.cc).
  state::AuditEntry entry;
  entry.actor = admission->principal->label();
  entry.action = std::string(state::kAuditSetContactPerson);
  entry.subject = state::AuditSubject(mapping.party_pseudonym);
  entry.detail = absl::StrCat("domain=", mapping.domain, " handler=", mapping.handler_id);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  SubmitAndFinish(
      *ctx_, reactor, tenant,
      [mapping, replaces, expires](core::Router& router, core::EffectList* effects) mutable {
        WISSEL_RETURN_IF_ERROR(router.SetContactPerson(mapping, effects, replaces));
        const core::ContactPersonMapping* set =
            router.FindContactPerson(mapping.party_pseudonym, mapping.domain);
        if (set != nullptr) *expires = set->expires_at;
        return absl::OkStatus();
      },
      [ctx = ctx_, tenant, entry = std::move(entry), expires,
       response](const engine::OperationOutcome&) mutable {
        Audit(*ctx, tenant, std::move(entry));
        *response->mutable_expires_at() =
            google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(*expires));
        return absl::OkStatus();
      });
  return reactor;
}

}  // namespace wissel::service
