#include "benchmarks/load/load_generator.h"

#include <glog/logging.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "benchmarks/load/contact_mix.h"
#include "benchmarks/load/delay_queue.h"
#include "google/protobuf/io/coded_stream.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/support/client_callback.h"
#include "router/transport/grpc_credentials.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::load {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

// "UNAVAILABLE", "DEADLINE_EXCEEDED", ...: gRPC's codes are absl's.
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// Bytes of a length-delimited field with `size` bytes of content (tag, length, content).
int64_t FieldBytes(size_t size) {
  return 1 + static_cast<int64_t>(google::protobuf::io::CodedOutputStream::VarintSize64(size)) +
         static_cast<int64_t>(size);
}

// "assigned", "queued", ...: the enum's own name without its prefix, in lower case.
std::string OutcomeName(v1::Decision::Outcome outcome) {
  return absl::AsciiStrToLower(absl::StripPrefix(v1::Decision::Outcome_Name(outcome), "OUTCOME_"));
}

template <typename Request, typename Response>
struct UnaryCall {
  grpc::ClientContext context;
  Request request;
  Response response;
  int64_t scheduled_ns = 0;
};

class Run;

// One simulated handler.
struct SimHandler {
  std::string id;
  int channel = 0;
  class OfferReader* reader = nullptr;  // owned by Run::readers_
};

// A handler's StreamOffers call: hands every offer to the run and reads the next.
class OfferReader final : public grpc::ClientReadReactor<v1::Offer> {
 public:
  OfferReader(Run* run, SimHandler* handler) : run_(run), handler_(handler) {}
  void Start(v1::HandlerService::Stub* stub, const std::string& tenant);
  void Cancel() { context_.TryCancel(); }
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  Run* const run_;
  SimHandler* const handler_;
  grpc::ClientContext context_;
  v1::StreamOffersRequest request_;
  v1::Offer offer_;
};

class Run {
 public:
  Run(const LoadConfig& config, std::unique_ptr<ContactMix> mix)
      : config_(config), mix_(std::move(mix)), start_(std::chrono::steady_clock::now()) {
    for (int i = 0; i < std::max(1, config.channels); ++i) {
      grpc::ChannelArguments args;
      // Distinct arguments keep channels from sharing one subchannel (one TCP connection).
      args.SetInt("wissel.load.channel", i);
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      absl::StatusOr<std::shared_ptr<grpc::Channel>> made =
          transport::CreateChannel(config.target, config.tls, "--", args);
      // main() checked the options (transport::ValidateClientTls).
      CHECK(made.ok()) << made.status();
      std::shared_ptr<grpc::Channel> channel = *std::move(made);
      routing_.push_back(v1::RoutingService::NewStub(channel));
      handler_stubs_.push_back(v1::HandlerService::NewStub(channel));
      channels_.push_back(std::move(channel));
    }
    report_.label = config.label;
    report_.target = config.target;
    report_.mode = config.contacts > 0 ? "count" : (config.rate > 0 ? "open" : "closed");
    report_.concurrency = config.rate > 0 ? 0 : config.concurrency;
    report_.rate = config.rate;
    report_.handlers = config.handlers;
  }

  // False when the run could not drain (calls still outstanding): then this object must be
  // leaked, as gRPC still holds pointers into it.
  bool Execute(std::ostream& progress, absl::Status* status);
  LoadReport TakeReport() {
    absl::MutexLock lock(&mu_);
    return std::move(report_);
  }

  void OnOffer(SimHandler& handler, const v1::Offer& offer);
  void OnStreamDone(const grpc::Status& status);

 private:
  int64_t NowNs() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                start_)
        .count();
  }
  bool InWindow(int64_t t) const {
    return config_.contacts > 0 || (t >= window_start_ns_ && t < window_end_ns_);
  }
  std::chrono::system_clock::time_point Deadline() const {
    return std::chrono::system_clock::now() + absl::ToChronoNanoseconds(config_.rpc_timeout);
  }
  void AddInFlight(int64_t delta) {
    absl::MutexLock lock(&flight_mu_);
    in_flight_ += delta;
  }
  bool WaitInFlight(absl::Duration timeout) {
    absl::MutexLock lock(&flight_mu_);
    auto drained = [this]() ABSL_SHARED_LOCKS_REQUIRED(flight_mu_) { return in_flight_ == 0; };
    return flight_mu_.AwaitWithTimeout(absl::Condition(&drained), timeout);
  }
  void CountHandlerError(const char* method, const grpc::Status& status) {
    absl::MutexLock lock(&mu_);
    ++report_.handler_errors[absl::StrCat(method, " ", CodeName(status.error_code()))];
  }

  // RouteContact.
  bool IssueRoute(bool closed_loop, int64_t scheduled_ns);
  void OnRouteDone(UnaryCall<v1::RouteContactRequest, v1::RouteContactResponse>* call,
                   bool closed_loop, const grpc::Status& status);
  void RunClosedLoop();
  void RunOpenLoop();

  // Handlers.
  absl::Status SignInHandlers(std::ostream& progress);
  void SignInNext();
  void SignOutNext();
  void Accept(SimHandler* h, std::string contact_id);
  void Complete(SimHandler* h, std::string contact_id);
  void FinishWrapUp(SimHandler* h, std::string contact_id);
  bool StopHandlers(std::ostream& progress);

  const LoadConfig& config_;
  std::unique_ptr<ContactMix> mix_;
  const std::chrono::steady_clock::time_point start_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<v1::RoutingService::Stub>> routing_;
  std::vector<std::unique_ptr<v1::HandlerService::Stub>> handler_stubs_;

  int64_t window_start_ns_ = 0;
  int64_t window_end_ns_ = 0;
  std::atomic<bool> stop_issuing_{false};
  std::atomic<int64_t> next_seq_{0};

  absl::Mutex flight_mu_;
  int64_t in_flight_ ABSL_GUARDED_BY(flight_mu_) = 0;  // every unary call of this run

  absl::Mutex mu_;
  LoadReport report_ ABSL_GUARDED_BY(mu_);

  std::vector<SimHandler> handlers_;
  std::vector<std::unique_ptr<OfferReader>> readers_;
  std::atomic<int64_t> next_handler_{0};
  absl::Mutex streams_mu_;
  int64_t streams_open_ ABSL_GUARDED_BY(streams_mu_) = 0;
  DelayQueue delays_;

  // Residents' patience: per contact, whether it waits (queued, not yet offered) or was offered
  // before its RouteContact reply was seen. Entries live only while one of the two is pending.
  enum class Waiting { kQueued, kOfferedFirst };
  void WatchQueued(const std::string& contact_id);
  void HangUp(const std::string& contact_id);
  absl::Mutex waiting_mu_;
  absl::flat_hash_map<std::string, Waiting> waiting_ ABSL_GUARDED_BY(waiting_mu_);
};

void OfferReader::Start(v1::HandlerService::Stub* stub, const std::string& tenant) {
  request_.set_tenant(tenant);
  request_.set_handler_id(handler_->id);
  stub->async()->StreamOffers(&context_, &request_, this);
  StartRead(&offer_);
  StartCall();
}

void OfferReader::OnReadDone(bool ok) {
  if (!ok) return;  // the stream ended; OnDone follows
  run_->OnOffer(*handler_, offer_);
  StartRead(&offer_);
}

void OfferReader::OnDone(const grpc::Status& status) { run_->OnStreamDone(status); }

bool Run::IssueRoute(bool closed_loop, int64_t scheduled_ns) {
  const int64_t seq = next_seq_.fetch_add(1);
  if (config_.contacts > 0 && seq >= config_.contacts) return false;
  auto* call = new UnaryCall<v1::RouteContactRequest, v1::RouteContactResponse>;
  call->scheduled_ns = scheduled_ns;
  mix_->Fill(seq, scheduled_ns, call->request.mutable_contact());
  call->context.set_deadline(Deadline());
  AddInFlight(1);
  routing_[static_cast<size_t>(seq) % routing_.size()]->async()->RouteContact(
      &call->context, &call->request, &call->response,
      [this, call, closed_loop](const grpc::Status& status) {
        OnRouteDone(call, closed_loop, status);
      });
  return true;
}

void Run::OnRouteDone(UnaryCall<v1::RouteContactRequest, v1::RouteContactResponse>* call,
                      bool closed_loop, const grpc::Status& status) {
  const int64_t now = NowNs();
  if (status.ok()) {
    absl::MutexLock lock(&mu_);
    ++report_.total_ok;
  }
  if (status.ok() && config_.patience > absl::ZeroDuration() && config_.handlers > 0) {
    const v1::Decision::Outcome outcome = call->response.decision().outcome();
    if (outcome == v1::Decision::OUTCOME_QUEUED) {
      WatchQueued(call->response.contact_id());
    } else if (outcome == v1::Decision::OUTCOME_ASSIGNED) {
      absl::MutexLock lock(&waiting_mu_);
      waiting_.erase(call->response.contact_id());
    }
  }
  if (InWindow(call->scheduled_ns)) {
    absl::MutexLock lock(&mu_);
    if (status.ok()) {
      ++report_.ok;
      report_.route.Record(now - call->scheduled_ns);
      const v1::Decision& decision = call->response.decision();
      ++report_.outcomes[OutcomeName(decision.outcome())];
      for (const v1::TraceStep& step : decision.trace()) {
        report_.trace_bytes += FieldBytes(step.ByteSizeLong());
      }
      for (const std::string& reason : decision.reasons()) {
        report_.reasons_bytes += FieldBytes(reason.size());
      }
    } else {
      ++report_.errors;
      ++report_.errors_by_code[CodeName(status.error_code())];
    }
  }
  delete call;
  if (closed_loop && !stop_issuing_.load() && (config_.contacts > 0 || now < window_end_ns_)) {
    IssueRoute(true, now);
  }
  AddInFlight(-1);
}

void Run::RunClosedLoop() {
  for (int i = 0; i < std::max(1, config_.concurrency); ++i) {
    if (!IssueRoute(true, NowNs())) break;
  }
  if (config_.contacts > 0) {
    // Ends when every contact has been answered, or at the time limit.
    absl::MutexLock lock(&flight_mu_);
    auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(flight_mu_) {
      return in_flight_ == 0 && next_seq_.load() >= config_.contacts;
    };
    flight_mu_.AwaitWithTimeout(absl::Condition(&done), config_.duration);
  } else {
    absl::SleepFor(absl::Nanoseconds(window_end_ns_ - NowNs()));
  }
}

void Run::RunOpenLoop() {
  const int64_t start = NowNs();
  const double interval_ns = static_cast<double>(kNanosPerSecond) / config_.rate;
  const int64_t end =
      config_.contacts > 0 ? start + absl::ToInt64Nanoseconds(config_.duration) : window_end_ns_;
  int64_t issued = 0;
  while (true) {
    const int64_t now = NowNs();
    if (now >= end || (config_.contacts > 0 && issued >= config_.contacts)) break;
    // Send everything due by now, each stamped with its scheduled time: when this thread falls
    // behind, the lateness counts as latency rather than silently lowering the rate.
    while (true) {
      const int64_t scheduled =
          start + static_cast<int64_t>(static_cast<double>(issued) * interval_ns);
      if (scheduled > now || (config_.contacts > 0 && issued >= config_.contacts)) break;
      ++issued;
      bool full;
      {
        absl::MutexLock lock(&flight_mu_);
        full = in_flight_ >= config_.max_in_flight;
      }
      if (full) {
        if (InWindow(scheduled)) {
          absl::MutexLock lock(&mu_);
          ++report_.dropped;
        }
        continue;
      }
      IssueRoute(false, scheduled);
    }
    const int64_t next = start + static_cast<int64_t>(static_cast<double>(issued) * interval_ns);
    absl::SleepFor(absl::Nanoseconds(std::clamp<int64_t>(next - NowNs(), 0, 1000000)));
  }
}

absl::Status Run::SignInHandlers(std::ostream& progress) {
  handlers_.resize(static_cast<size_t>(config_.handlers));
  for (int i = 0; i < config_.handlers; ++i) {
    handlers_[i].id = absl::StrFormat("%s%06d", config_.handler_prefix, i + 1);
    handlers_[i].channel = i % static_cast<int>(channels_.size());
    if (config_.presence == v1::PRESENCE_AVAILABLE) {
      readers_.push_back(std::make_unique<OfferReader>(this, &handlers_[i]));
      handlers_[i].reader = readers_.back().get();
    }
  }
  const absl::Time began = absl::Now();
  for (int i = 0; i < std::max(1, config_.sign_in_concurrency); ++i) SignInNext();
  // Generous: 100 000 sign-ins take tens of seconds on two cores.
  const absl::Duration limit = absl::Seconds(60) + absl::Milliseconds(config_.handlers);
  if (!WaitInFlight(limit)) return absl::DeadlineExceededError("sign-in did not finish");
  absl::MutexLock lock(&mu_);
  report_.sign_in_seconds = absl::ToDoubleSeconds(absl::Now() - began);
  progress << "wissel-load: signed in " << report_.signed_in << " of " << config_.handlers
           << " handlers in " << absl::StrFormat("%.1f", report_.sign_in_seconds) << " s\n";
  if (report_.signed_in == 0) return absl::UnavailableError("no handler could sign in");
  return absl::OkStatus();
}

void Run::SignInNext() {
  const int64_t index = next_handler_.fetch_add(1);
  if (index >= static_cast<int64_t>(handlers_.size())) return;
  SimHandler* h = &handlers_[static_cast<size_t>(index)];
  auto* call = new UnaryCall<v1::SignInRequest, v1::Handler>;
  v1::Handler* handler = call->request.mutable_handler();
  handler->set_tenant(config_.tenant);
  handler->set_handler_id(h->id);
  handler->set_display_name(absl::StrCat("Load handler ", index + 1));
  handler->set_presence(config_.presence);
  if (!config_.teams.empty()) {
    const TeamSkill& team = config_.teams[static_cast<size_t>(index) % config_.teams.size()];
    handler->add_teams(team.team);
    handler->add_skills(team.skill);
    (*handler->mutable_proficiency())[team.skill] = 4;
    if (team.skill != "kcc") {
      handler->add_skills("kcc");
      (*handler->mutable_proficiency())["kcc"] = 3;
    }
    if (index % 4 == 0) {
      handler->add_skills("taal");
      (*handler->mutable_proficiency())["taal"] = 4;
    }
  }
  call->context.set_deadline(Deadline());
  AddInFlight(1);
  handler_stubs_[static_cast<size_t>(h->channel)]->async()->SignIn(
      &call->context, &call->request, &call->response, [this, call, h](const grpc::Status& status) {
        if (status.ok()) {
          {
            absl::MutexLock lock(&mu_);
            ++report_.signed_in;
          }
          if (config_.presence == v1::PRESENCE_AVAILABLE) {
            // Only available handlers get offers; the others need no stream.
            {
              absl::MutexLock lock(&streams_mu_);
              ++streams_open_;
            }
            h->reader->Start(handler_stubs_[static_cast<size_t>(h->channel)].get(), config_.tenant);
          }
        } else {
          CountHandlerError("SignIn", status);
        }
        delete call;
        SignInNext();
        AddInFlight(-1);
      });
}

void Run::SignOutNext() {
  const int64_t index = next_handler_.fetch_add(1);
  if (index >= static_cast<int64_t>(handlers_.size())) return;
  SimHandler* h = &handlers_[static_cast<size_t>(index)];
  auto* call = new UnaryCall<v1::SignOutRequest, v1::Handler>;
  call->request.set_tenant(config_.tenant);
  call->request.set_handler_id(h->id);
  call->context.set_deadline(Deadline());
  AddInFlight(1);
  handler_stubs_[static_cast<size_t>(h->channel)]->async()->SignOut(
      &call->context, &call->request, &call->response, [this, call](const grpc::Status& status) {
        if (status.ok()) {
          absl::MutexLock lock(&mu_);
          ++report_.signed_out;
        } else {
          CountHandlerError("SignOut", status);
        }
        delete call;
        SignOutNext();
        AddInFlight(-1);
      });
}

void Run::OnOffer(SimHandler& handler, const v1::Offer& offer) {
  const int64_t now = NowNs();
  if (offer.kind() != v1::Offer::KIND_OFFER) {
    absl::MutexLock lock(&mu_);
    ++report_.withdrawn;
    return;
  }
  int64_t sent_ns = -1;
  const auto& attributes = offer.contact().attributes();
  if (auto it = attributes.find(ContactMix::kSentAttribute); it != attributes.end()) {
    if (!absl::SimpleAtoi(it->second, &sent_ns)) sent_ns = -1;
  }
  if (config_.patience > absl::ZeroDuration()) {
    absl::MutexLock lock(&waiting_mu_);
    auto [it, fresh] = waiting_.try_emplace(offer.contact_id(), Waiting::kOfferedFirst);
    if (!fresh && it->second == Waiting::kQueued) waiting_.erase(it);
  }
  {
    absl::MutexLock lock(&mu_);
    ++report_.offers;
    // Contacts of an earlier run (another run id) carry another clock: not measured.
    if (sent_ns >= 0 && sent_ns <= now && InWindow(sent_ns)) report_.offer.Record(now - sent_ns);
  }
  SimHandler* h = &handler;
  std::string contact_id = offer.contact_id();
  delays_.Schedule(config_.accept_after, [this, h, contact_id = std::move(contact_id)]() mutable {
    Accept(h, std::move(contact_id));
  });
}

void Run::WatchQueued(const std::string& contact_id) {
  {
    absl::MutexLock lock(&waiting_mu_);
    auto [it, fresh] = waiting_.try_emplace(contact_id, Waiting::kQueued);
    if (!fresh) {  // offered before this reply was seen: not waiting any more
      waiting_.erase(it);
      return;
    }
  }
  delays_.Schedule(config_.patience, [this, contact_id] { HangUp(contact_id); });
}

void Run::HangUp(const std::string& contact_id) {
  {
    absl::MutexLock lock(&waiting_mu_);
    auto it = waiting_.find(contact_id);
    if (it == waiting_.end() || it->second != Waiting::kQueued) return;
    waiting_.erase(it);
  }
  auto* call = new UnaryCall<v1::CancelContactRequest, v1::ContactRecord>;
  call->request.set_tenant(config_.tenant);
  call->request.set_contact_id(contact_id);
  call->request.set_reason("caller_hung_up");
  call->context.set_deadline(Deadline());
  AddInFlight(1);
  routing_[0]->async()->CancelContact(&call->context, &call->request, &call->response,
                                      [this, call](const grpc::Status& status) {
                                        if (status.ok()) {
                                          absl::MutexLock lock(&mu_);
                                          ++report_.hung_up;
                                        } else {
                                          CountHandlerError("CancelContact", status);
                                        }
                                        delete call;
                                        AddInFlight(-1);
                                      });
}

void Run::Accept(SimHandler* h, std::string contact_id) {
  auto* call = new UnaryCall<v1::OfferResponseRequest, v1::ContactRecord>;
  call->request.set_tenant(config_.tenant);
  call->request.set_handler_id(h->id);
  call->request.set_contact_id(contact_id);
  call->context.set_deadline(Deadline());
  AddInFlight(1);
  handler_stubs_[static_cast<size_t>(h->channel)]->async()->AcceptOffer(
      &call->context, &call->request, &call->response,
      [this, call, h, contact_id = std::move(contact_id)](const grpc::Status& status) mutable {
        if (status.ok()) {
          {
            absl::MutexLock lock(&mu_);
            ++report_.accepted;
          }
          delays_.Schedule(config_.handle_time,
                           [this, h, contact_id = std::move(contact_id)]() mutable {
                             Complete(h, std::move(contact_id));
                           });
        } else {
          CountHandlerError("AcceptOffer", status);
        }
        delete call;
        AddInFlight(-1);
      });
}

void Run::Complete(SimHandler* h, std::string contact_id) {
  auto* call = new UnaryCall<v1::CompleteContactRequest, v1::ContactRecord>;
  call->request.set_tenant(config_.tenant);
  call->request.set_contact_id(contact_id);
  call->context.set_deadline(Deadline());
  AddInFlight(1);
  routing_[static_cast<size_t>(h->channel)]->async()->CompleteContact(
      &call->context, &call->request, &call->response,
      [this, call, h, contact_id = std::move(contact_id)](const grpc::Status& status) mutable {
        if (status.ok()) {
          {
            absl::MutexLock lock(&mu_);
            ++report_.completed;
          }
          delays_.Schedule(config_.wrap_up,
                           [this, h, contact_id = std::move(contact_id)]() mutable {
                             FinishWrapUp(h, std::move(contact_id));
                           });
        } else {
          CountHandlerError("CompleteContact", status);
        }
        delete call;
        AddInFlight(-1);
      });
}

void Run::FinishWrapUp(SimHandler* h, std::string contact_id) {
  auto* call = new UnaryCall<v1::FinishWrapUpRequest, v1::Handler>;
  call->request.set_tenant(config_.tenant);
  call->request.set_handler_id(h->id);
  call->request.set_contact_id(std::move(contact_id));
  call->context.set_deadline(Deadline());
  AddInFlight(1);
  handler_stubs_[static_cast<size_t>(h->channel)]->async()->FinishWrapUp(
      &call->context, &call->request, &call->response, [this, call](const grpc::Status& status) {
        if (status.ok()) {
          absl::MutexLock lock(&mu_);
          ++report_.wrapped_up;
        } else {
          CountHandlerError("FinishWrapUp", status);
        }
        delete call;
        AddInFlight(-1);
      });
}

void Run::OnStreamDone(const grpc::Status& status) {
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
    CountHandlerError("StreamOffers", status);
  }
  absl::MutexLock lock(&streams_mu_);
  --streams_open_;
}

bool Run::StopHandlers(std::ostream& progress) {
  // No new offers: cancel the streams. Contacts already offered are still accepted, completed
  // and wrapped up, so that the handlers end free and can sign out.
  for (auto& reader : readers_) reader->Cancel();
  bool drained = true;
  {
    absl::MutexLock lock(&streams_mu_);
    auto closed = [this]() ABSL_SHARED_LOCKS_REQUIRED(streams_mu_) { return streams_open_ == 0; };
    if (!streams_mu_.AwaitWithTimeout(absl::Condition(&closed), absl::Seconds(10))) {
      drained = false;
    }
  }
  const absl::Time give_up = absl::Now() + config_.drain_timeout + config_.handle_time +
                             config_.accept_after + config_.wrap_up;
  while (absl::Now() < give_up) {
    if (delays_.pending() == 0 && WaitInFlight(absl::Milliseconds(100)) && delays_.pending() == 0) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  delays_.Stop();  // drops what is still waiting after the drain time
  drained = WaitInFlight(config_.drain_timeout) && drained;
  if (drained && config_.sign_out) {
    next_handler_ = 0;
    for (int i = 0; i < std::max(1, config_.sign_in_concurrency); ++i) SignOutNext();
    drained = WaitInFlight(absl::Seconds(60) + absl::Milliseconds(config_.handlers));
    absl::MutexLock lock(&mu_);
    progress << "wissel-load: signed out " << report_.signed_out << " handlers\n";
  }
  return drained;
}

bool Run::Execute(std::ostream& progress, absl::Status* status) {
  if (config_.handlers > 0) {
    *status = SignInHandlers(progress);
    // Streams of the handlers that did sign in must end before the run is destroyed.
    if (!status->ok()) return StopHandlers(progress);
  }
  // Give the offer streams a moment to attach before contacts arrive.
  if (config_.handlers > 0 && config_.presence == v1::PRESENCE_AVAILABLE) {
    absl::SleepFor(absl::Milliseconds(500));
  }

  const int64_t now = NowNs();
  window_start_ns_ = config_.contacts > 0 ? now : now + absl::ToInt64Nanoseconds(config_.warmup);
  window_end_ns_ = window_start_ns_ + absl::ToInt64Nanoseconds(config_.duration);
  progress << "wissel-load: " << report_.mode << " loop against " << config_.target << " ("
           << config_.label << "), "
           << (config_.rate > 0 ? absl::StrCat("rate ", config_.rate, "/s")
                                : absl::StrCat("concurrency ", config_.concurrency))
           << ", warm-up " << absl::FormatDuration(config_.warmup) << ", duration "
           << absl::FormatDuration(config_.duration) << "\n";
  if (config_.rate > 0) {
    RunOpenLoop();
  } else {
    RunClosedLoop();
  }
  stop_issuing_ = true;
  bool drained = WaitInFlight(config_.drain_timeout);
  {
    absl::MutexLock lock(&mu_);
    report_.window_seconds =
        config_.contacts > 0
            ? static_cast<double>(NowNs() - window_start_ns_) / kNanosPerSecond
            : static_cast<double>(window_end_ns_ - window_start_ns_) / kNanosPerSecond;
  }
  if (config_.handlers > 0) drained = StopHandlers(progress) && drained;
  if (!drained) {
    absl::MutexLock lock(&flight_mu_);
    absl::MutexLock report_lock(&mu_);
    report_.undrained = in_flight_;
  }
  return drained;
}

}  // namespace

absl::StatusOr<LoadReport> RunLoad(const LoadConfig& config, std::ostream& progress) {
  if (config.target.empty()) return absl::InvalidArgumentError("target: empty");
  if (config.rate <= 0 && config.concurrency <= 0) {
    return absl::InvalidArgumentError("concurrency: must be > 0 (or give a rate)");
  }
  absl::StatusOr<std::unique_ptr<ContactMix>> mix = ContactMix::Create(config);
  if (!mix.ok()) return mix.status();
  auto run = std::make_unique<Run>(config, *std::move(mix));
  absl::Status status;
  const bool drained = run->Execute(progress, &status);
  LoadReport report = run->TakeReport();
  // With calls still outstanding gRPC holds pointers into the run: keep it alive (the process
  // is about to exit anyway).
  if (!drained) (void)run.release();
  if (!status.ok()) return status;
  return report;
}

std::string FormatReport(const LoadReport& r) {
  auto us = [](int64_t ns) { return absl::StrFormat("%.0f", static_cast<double>(ns) / 1000.0); };
  auto percentiles = [&](const LatencyHistogram& h) {
    return absl::StrCat("p50=", us(h.ValueAtPercentile(50)), " p90=", us(h.ValueAtPercentile(90)),
                        " p99=", us(h.ValueAtPercentile(99)),
                        " p99.9=", us(h.ValueAtPercentile(99.9)), " max=", us(h.max()),
                        " mean=", us(static_cast<int64_t>(h.Mean())));
  };
  std::string out =
      absl::StrFormat("RouteContact (%s, %s, window %.1f s): ok=%d err=%d dropped=%d rps=%.1f\n",
                      r.label, r.mode, r.window_seconds, r.ok, r.errors, r.dropped,
                      r.window_seconds > 0 ? static_cast<double>(r.ok) / r.window_seconds : 0.0);
  absl::StrAppend(&out, "  latency us: ", percentiles(r.route), "\n");
  absl::StrAppend(&out, "  outcomes:");
  for (const auto& [name, n] : r.outcomes) absl::StrAppend(&out, " ", name, "=", n);
  absl::StrAppend(&out, "\n");
  if (r.ok > 0 && r.trace_bytes + r.reasons_bytes > 0) {
    absl::StrAppend(&out, "  decision explanation per reply: trace ", r.trace_bytes / r.ok,
                    " B, reasons ", r.reasons_bytes / r.ok, " B (wire bytes)\n");
  }
  if (!r.errors_by_code.empty()) {
    absl::StrAppend(&out, "  errors:");
    for (const auto& [name, n] : r.errors_by_code) absl::StrAppend(&out, " ", name, "=", n);
    absl::StrAppend(&out, "\n");
  }
  if (r.undrained > 0) absl::StrAppend(&out, "  undrained calls: ", r.undrained, "\n");
  if (r.handlers > 0) {
    absl::StrAppend(&out, "handlers: signed_in=", r.signed_in,
                    absl::StrFormat(" (%.1f s)", r.sign_in_seconds), " offers=", r.offers,
                    " withdrawn=", r.withdrawn, " hung_up=", r.hung_up, " accepted=", r.accepted,
                    " completed=", r.completed, " wrapped_up=", r.wrapped_up,
                    " signed_out=", r.signed_out, "\n");
    absl::StrAppend(&out, "contact-to-offer (n=", r.offer.count(), ") us: ", percentiles(r.offer),
                    "\n");
    if (!r.handler_errors.empty()) {
      absl::StrAppend(&out, "  handler errors:");
      for (const auto& [name, n] : r.handler_errors) absl::StrAppend(&out, " [", name, "]=", n);
      absl::StrAppend(&out, "\n");
    }
  }
  return out;
}

std::string FormatSummary(const LoadReport& r) {
  auto us = [](int64_t ns) { return (ns + 500) / 1000; };
  std::string out = absl::StrFormat(
      "SUMMARY target=%s mode=%s c=%d rate=%g handlers=%d window_s=%.1f ok=%d err=%d dropped=%d "
      "rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d total_ok=%d trace_b=%d "
      "reasons_b=%d",
      r.label, r.mode, r.concurrency, r.rate, r.handlers, r.window_seconds, r.ok, r.errors,
      r.dropped, r.window_seconds > 0 ? static_cast<double>(r.ok) / r.window_seconds : 0.0,
      us(r.route.ValueAtPercentile(50)), us(r.route.ValueAtPercentile(90)),
      us(r.route.ValueAtPercentile(99)), us(r.route.ValueAtPercentile(99.9)), us(r.route.max()),
      r.total_ok, r.ok > 0 ? r.trace_bytes / r.ok : 0, r.ok > 0 ? r.reasons_bytes / r.ok : 0);
  if (r.handlers > 0) {
    absl::StrAppend(
        &out,
        absl::StrFormat(" offer_n=%d offer_p50_us=%d offer_p90_us=%d offer_p99_us=%d "
                        "offer_p999_us=%d offer_max_us=%d handled=%d",
                        r.offer.count(), us(r.offer.ValueAtPercentile(50)),
                        us(r.offer.ValueAtPercentile(90)), us(r.offer.ValueAtPercentile(99)),
                        us(r.offer.ValueAtPercentile(99.9)), us(r.offer.max()), r.wrapped_up));
  }
  return out;
}

}  // namespace wissel::load
