#include "router/service/operator_service.h"

#include <memory>
#include <optional>

#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "router/service/api_convert.h"
#include "router/service/event_watches.h"
#include "router/service/grpc_status.h"
#include "router/service/unary_call.h"
#include "router/state/audit.h"

namespace wissel::service {
namespace {

constexpr int kDefaultAuditLimit = 100;
constexpr int kMaxAuditLimit = 1000;

class RefusedEventStream final : public grpc::ServerWriteReactor<v1::Event> {
 public:
  explicit RefusedEventStream(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

std::string Subjects(const std::vector<std::string>& pseudonyms) {
  std::vector<std::string> subjects;
  subjects.reserve(pseudonyms.size());
  for (const std::string& p : pseudonyms) subjects.push_back(state::AuditSubject(p));
  return absl::StrJoin(subjects, ",");
}

}  // namespace

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

grpc::ServerUnaryReactor* OperatorServiceImpl::EraseResident(
    grpc::CallbackServerContext* context, const v1::EraseResidentRequest* request,
    v1::EraseResidentResponse* response) {
  const std::string& tenant = request->tenant();
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kEraseResident, {.tenant = tenant}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckTenant(*ctx_, "tenant", tenant); !s.ok()) return FinishNow(context, s);
  if (grpc::ServerUnaryReactor* forwarded =
          ForwardIfDecidedElsewhere(*ctx_, context, *admission, tenant, request, response,
                                    [](PeerStubs::Peer& peer, auto... args) {
                                      peer.operators->async()->EraseResident(args...);
                                    })) {
    return forwarded;
  }
  const privacy::PseudonymKeys& keys = ctx_->pseudonym_keys.at(tenant);
  absl::StatusOr<std::vector<std::string>> pseudonyms = ResidentPseudonyms(
      request->party(), request->case_reference(), keys.current(), keys.previous());
  if (!pseudonyms.ok()) return FinishNow(context, pseudonyms.status());
  auto erasure = std::make_shared<core::ResidentErasure>();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  SubmitAndFinish(
      *ctx_, reactor, tenant,
      [pseudonyms = *std::move(pseudonyms), who = admission->principal->label(), erasure](
          core::Router& router, core::EffectList* effects) -> absl::Status {
        WISSEL_ASSIGN_OR_RETURN(*erasure, router.EraseResident(pseudonyms, who, effects));
        return absl::OkStatus();
      },
      [erasure, response](const engine::OperationOutcome& outcome) -> Reply {
        // The audit entry was written by the erasure's own script.
        response->set_live_contacts_ended(erasure->live_contacts_ended);
        response->set_contacts_erased(outcome.erased_contacts);
        response->set_contact_persons_erased(outcome.erased_mappings);
        return absl::OkStatus();
      });
  return reactor;
}

grpc::ServerUnaryReactor* OperatorServiceImpl::ExportResident(
    grpc::CallbackServerContext* context, const v1::ExportResidentRequest* request,
    v1::ExportResidentResponse* response) {
  const std::string& tenant = request->tenant();
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kExportResident, {.tenant = tenant}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckTenant(*ctx_, "tenant", tenant); !s.ok()) return FinishNow(context, s);
  const privacy::PseudonymKeys& keys = ctx_->pseudonym_keys.at(tenant);
  absl::StatusOr<std::vector<std::string>> pseudonyms = ResidentPseudonyms(
      request->party(), request->case_reference(), keys.current(), keys.previous());
  if (!pseudonyms.ok()) return FinishNow(context, pseudonyms.status());
  // The store is the truth and any router of the tenant reads it: no forwarding.
  absl::StatusOr<state::ResidentData> data = ctx_->reader->LoadResident(tenant, *pseudonyms);
  if (!data.ok()) return FinishNow(context, data.status());
  for (const state::StoredContact& stored : data->contacts) {
    absl::StatusOr<v1::ContactRecord> record = ToContactRecord(tenant, stored);
    if (!record.ok()) return FinishNow(context, record.status());
    *response->add_contacts() = *std::move(record);
  }
  for (const core::ContactPersonMapping& m : data->contact_persons) {
    v1::ContactPersonRecord* out = response->add_contact_persons();
    out->set_party_pseudonym(m.party_pseudonym);
    out->set_domain(m.domain);
    out->set_handler_id(m.handler_id);
    *out->mutable_expires_at() = ToTimestamp(m.expires_at);
  }
  state::AuditEntry entry;
  entry.actor = admission->principal->label();
  entry.action = std::string(state::kAuditExportResident);
  entry.subject = Subjects(*pseudonyms);
  entry.detail =
      absl::StrCat("contacts=", data->contacts.size(), " mappings=", data->contact_persons.size());
  Audit(*ctx_, tenant, std::move(entry));
  return FinishNow(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* OperatorServiceImpl::ReadAudit(grpc::CallbackServerContext* context,
                                                         const v1::ReadAuditRequest* request,
                                                         v1::ReadAuditResponse* response) {
  const std::string& tenant = request->tenant();
  grpc::ServerUnaryReactor* refused = nullptr;
  const std::optional<Admission> admission =
      Admit(*ctx_, context, access::Rpc::kReadAudit, {.tenant = tenant}, &refused);
  if (!admission) return refused;
  if (absl::Status s = CheckTenant(*ctx_, "tenant", tenant); !s.ok()) return FinishNow(context, s);
  if (request->limit() < 0 || request->limit() > kMaxAuditLimit) {
    return FinishNow(context, absl::InvalidArgumentError(
                                  absl::StrCat("limit: must be within 0..", kMaxAuditLimit,
                                               " (0: ", kDefaultAuditLimit, ")")));
  }
  const size_t limit = request->limit() == 0 ? kDefaultAuditLimit : request->limit();
  const absl::Time since =
      request->has_since()
          ? absl::FromUnixMicros(
                google::protobuf::util::TimeUtil::TimestampToMicroseconds(request->since()))
          : absl::InfinitePast();
  absl::StatusOr<std::vector<state::AuditEntry>> entries =
      ctx_->reader->ReadAudit(tenant, since, limit);
  if (!entries.ok()) return FinishNow(context, entries.status());
  for (const state::AuditEntry& e : *entries) {
    v1::AuditEntry* out = response->add_entries();
    out->set_id(e.id);
    *out->mutable_time() = ToTimestamp(e.time);
    out->set_actor(e.actor);
    out->set_action(e.action);
    out->set_contact_id(e.contact_id);
    out->set_subject(e.subject);
    out->set_detail(e.detail);
  }
  return FinishNow(context, absl::OkStatus());
}

grpc::ServerWriteReactor<v1::Event>* OperatorServiceImpl::WatchEvents(
    grpc::CallbackServerContext* context, const v1::WatchEventsRequest* request) {
  absl::StatusOr<Admission> admission =
      ctx_->guard->Admit(*context, access::Rpc::kWatchEvents, {.tenant = request->tenant()});
  if (!admission.ok()) return new RefusedEventStream(ToGrpcStatus(admission.status()));
  if (absl::Status s = CheckTenant(*ctx_, "tenant", request->tenant()); !s.ok()) {
    return new RefusedEventStream(ToGrpcStatus(s));
  }
  if (ctx_->watches == nullptr) {
    return new RefusedEventStream(
        grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "this router serves no event stream"));
  }
  return ctx_->watches->Watch(request->tenant(), request->after(), request->until_newest());
}

}  // namespace wissel::service
