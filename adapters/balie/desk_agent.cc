#include "adapters/balie/desk_agent.h"

#include <glog/logging.h>
#include <grpcpp/support/status.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "adapters/balie/checkin_request.h"
#include "adapters/common/grpc_router_client.h"
#include "adapters/common/problem.h"

namespace wissel::adapters::balie {

std::string DeskStatusName(DeskStatus status) {
  switch (status) {
    case DeskStatus::kClosed:
      return "closed";
    case DeskStatus::kReady:
      return "ready";
    case DeskStatus::kServing:
      return "serving";
  }
  return "closed";
}

DeskAgent::DeskAgent(DeskAgentOptions options, std::shared_ptr<grpc::Channel> channel,
                     RouterClient* router, DisplayBoard* board)
    : options_(std::move(options)),
      stub_(v1::HandlerService::NewStub(std::move(channel))),
      router_(router),
      board_(board) {}

DeskAgent::~DeskAgent() { Stop(); }

void DeskAgent::Start() {
  thread_ = std::thread([this] { Run(); });
}

void DeskAgent::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    if (stream_context_ != nullptr) stream_context_->TryCancel();
  }
  if (!stopping_.HasBeenNotified()) stopping_.Notify();
  if (thread_.joinable()) thread_.join();
}

std::unique_ptr<grpc::ClientContext> DeskAgent::Context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::microseconds(absl::ToInt64Microseconds(options_.deadline)));
  return ctx;
}

absl::Status DeskAgent::SignIn() {
  v1::SignInRequest request;
  v1::Handler* h = request.mutable_handler();
  h->set_tenant(options_.tenant);
  h->set_handler_id(options_.desk.id);
  h->set_display_name(options_.desk.name);
  h->set_address(options_.desk.name);
  for (const std::string& s : options_.desk.skills) h->add_skills(s);
  for (const std::string& t : options_.desk.teams) h->add_teams(t);
  for (v1::Channel c : {v1::CHANNEL_PHONE, v1::CHANNEL_CHAT, v1::CHANNEL_WEB_FORM,
                        v1::CHANNEL_BALIE, v1::CHANNEL_EMAIL}) {
    v1::ChannelCapacity* cap = h->add_capacity();
    cap->set_channel(c);
    cap->set_max_contacts(c == v1::CHANNEL_BALIE ? 1 : 0);
  }
  {
    absl::MutexLock lock(&mu_);
    h->set_presence(state_.status == DeskStatus::kReady ? v1::PRESENCE_AVAILABLE
                                                        : v1::PRESENCE_BUSY);
  }
  v1::Handler response;
  auto ctx = Context();
  return FromGrpcStatus(stub_->SignIn(ctx.get(), request, &response));
}

absl::Status DeskAgent::SetPresence(v1::Presence presence) {
  v1::SetPresenceRequest request;
  request.set_tenant(options_.tenant);
  request.set_handler_id(options_.desk.id);
  request.set_presence(presence);
  v1::Handler response;
  auto ctx = Context();
  return FromGrpcStatus(stub_->SetPresence(ctx.get(), request, &response));
}

void DeskAgent::Run() {
  absl::Duration backoff = options_.min_backoff;
  bool signed_in = false;
  while (!stopping_.HasBeenNotified()) {
    if (!signed_in) {
      if (absl::Status s = SignIn(); !s.ok()) {
        LOG(WARNING) << "desk " << options_.desk.id << ": sign-in failed: " << s;
        stopping_.WaitForNotificationWithTimeout(backoff);
        backoff = std::min(backoff * 2, options_.max_backoff);
        continue;
      }
      signed_in = true;
      LOG(INFO) << "desk " << options_.desk.id << " signed in";
    }
    grpc::ClientContext ctx;
    {
      absl::MutexLock lock(&mu_);
      if (stopped_) break;
      stream_context_ = &ctx;
    }
    v1::StreamOffersRequest request;
    request.set_tenant(options_.tenant);
    request.set_handler_id(options_.desk.id);
    std::unique_ptr<grpc::ClientReader<v1::Offer>> reader = stub_->StreamOffers(&ctx, request);
    v1::Offer offer;
    while (reader->Read(&offer)) {
      backoff = options_.min_backoff;
      HandleOffer(offer);
    }
    const grpc::Status status = reader->Finish();
    {
      absl::MutexLock lock(&mu_);
      stream_context_ = nullptr;
    }
    if (stopping_.HasBeenNotified()) break;
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) signed_in = false;
    VLOG(1) << "desk " << options_.desk.id << ": offer stream ended: " << status.error_message();
    stopping_.WaitForNotificationWithTimeout(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

void DeskAgent::HandleOffer(const v1::Offer& offer) {
  if (offer.kind() == v1::Offer::KIND_WITHDRAWN) {
    VLOG(1) << "desk " << options_.desk.id << ": offer of " << offer.contact_id() << " withdrawn";
    return;
  }
  if (offer.kind() != v1::Offer::KIND_OFFER) return;
  v1::OfferResponseRequest request;
  request.set_tenant(options_.tenant);
  request.set_handler_id(options_.desk.id);
  request.set_contact_id(offer.contact_id());
  bool wanted = false;
  {
    absl::MutexLock lock(&mu_);
    wanted = state_.status == DeskStatus::kReady;
  }
  v1::ContactRecord record;
  if (!wanted) {
    auto ctx = Context();
    const grpc::Status s = stub_->RejectOffer(ctx.get(), request, &record);
    LOG(INFO) << "desk " << options_.desk.id << " did not ask for a resident; offer of "
              << offer.contact_id() << " rejected: " << (s.ok() ? "ok" : s.error_message());
    return;
  }
  auto ctx = Context();
  if (absl::Status s = FromGrpcStatus(stub_->AcceptOffer(ctx.get(), request, &record)); !s.ok()) {
    LOG(WARNING) << "desk " << options_.desk.id << ": accepting " << offer.contact_id()
                 << " failed: " << s;
    return;
  }
  // One resident at a time: no new offers until the employee asks for the next.
  if (absl::Status s = SetPresence(v1::PRESENCE_BUSY); !s.ok()) {
    LOG(WARNING) << "desk " << options_.desk.id << ": presence busy not set: " << s;
  }
  const auto it = record.attributes().find(kTicketAttribute);
  std::string ticket = it == record.attributes().end() ? "" : it->second;
  if (ticket.empty()) {
    const auto offered = offer.contact().attributes().find(kTicketAttribute);
    if (offered != offer.contact().attributes().end()) ticket = offered->second;
  }
  if (ticket.empty()) {
    LOG(WARNING) << "contact " << offer.contact_id() << " has no ticket attribute";
    ticket = "—";
  }
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    state_.status = DeskStatus::kServing;
    state_.ticket = ticket;
    state_.contact_id = offer.contact_id();
    state_.called_at = now;
  }
  LOG(INFO) << "ticket " << ticket << " called to " << options_.desk.id;
  board_->Publish({0, ticket, options_.desk.id, options_.desk.name, now});
}

absl::StatusOr<DeskSnapshot> DeskAgent::Next(absl::Duration wait) {
  absl::MutexLock action(&action_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (state_.status == DeskStatus::kServing) {
      return absl::FailedPreconditionError(
          absl::StrCat("desk: still serving ticket ", state_.ticket, "; send done first"));
    }
    state_.status = DeskStatus::kReady;
  }
  if (absl::Status s = SetPresence(v1::PRESENCE_AVAILABLE); !s.ok()) {
    absl::MutexLock lock(&mu_);
    if (state_.status == DeskStatus::kReady) state_.status = DeskStatus::kClosed;
    return s;
  }
  absl::MutexLock lock(&mu_);
  const auto called = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return state_.status == DeskStatus::kServing;
  };
  mu_.AwaitWithTimeout(absl::Condition(&called), wait);
  return state_;
}

absl::StatusOr<DeskSnapshot> DeskAgent::Done(bool keep_as_contact_person) {
  absl::MutexLock action(&action_mu_);
  std::string contact_id;
  {
    absl::MutexLock lock(&mu_);
    if (state_.status != DeskStatus::kServing) {
      return absl::FailedPreconditionError("desk: serves no resident; send next first");
    }
    contact_id = state_.contact_id;
  }
  v1::CompleteContactRequest complete;
  complete.set_tenant(options_.tenant);
  complete.set_contact_id(contact_id);
  complete.set_keep_as_contact_person(keep_as_contact_person);
  absl::StatusOr<v1::ContactRecord> completed = router_->CompleteContact(complete);
  if (!completed.ok() && completed.status().code() != absl::StatusCode::kFailedPrecondition) {
    return completed.status();
  }
  // FailedPrecondition: completed already (a retried done) or ended by the router; finish the
  // wrap-up either way so that the desk's slot is free.
  v1::FinishWrapUpRequest finish;
  finish.set_tenant(options_.tenant);
  finish.set_handler_id(options_.desk.id);
  finish.set_contact_id(contact_id);
  v1::Handler handler;
  auto ctx = Context();
  const absl::Status finished = FromGrpcStatus(stub_->FinishWrapUp(ctx.get(), finish, &handler));
  if (!finished.ok() && finished.code() != absl::StatusCode::kFailedPrecondition) return finished;
  absl::MutexLock lock(&mu_);
  state_ = DeskSnapshot{};
  return state_;
}

DeskSnapshot DeskAgent::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

}  // namespace wissel::adapters::balie
