#include "tests/integration/simulated_centre.h"

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::testing {
namespace {

// No thread of the centre runs longer than this, whatever the test does.
constexpr absl::Duration kMaxLifetime = absl::Minutes(10);
// Producers send at most this many new contacts each.
constexpr int64_t kMaxContactsPerProducer = 1000000;

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

// Errors after which the call may or may not have been applied, or may succeed when resent:
// the router was down, restarting, slow, or asked for a retry.
bool MayBeTransient(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kCancelled:
      return true;
    default:
      return false;
  }
}

// Every call waits for the channel to be ready, up to its deadline. Besides sparing a resend, this
// is what lets a synchronous gRPC client reconnect promptly: its connection attempts make progress
// only while some call polls the channel, and a call that fails fast on a channel in
// TRANSIENT_FAILURE polls nothing (seen here as seconds of "Connection refused" after the router
// was already back).
std::unique_ptr<grpc::ClientContext> CallContext(absl::Duration timeout) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  ctx->set_wait_for_ready(true);
  return ctx;
}

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(t));
}

// Sleeps for `d`, in short steps, returning early once `stop` is set.
void SleepUnless(const std::atomic<bool>& stop, absl::Duration d) {
  const absl::Time until = absl::Now() + d;
  for (int i = 0; i < 10000 && !stop.load() && absl::Now() < until; ++i) {
    absl::SleepFor(std::min(absl::Milliseconds(20), until - absl::Now()));
  }
}

// Doubling backoff between `min` and `max`.
class Backoff {
 public:
  Backoff(absl::Duration min, absl::Duration max) : min_(min), max_(max), next_(min) {}
  absl::Duration Next() {
    const absl::Duration d = next_;
    next_ = std::min(next_ * 2, max_);
    return d;
  }
  void Reset() { next_ = min_; }

 private:
  absl::Duration min_;
  absl::Duration max_;
  absl::Duration next_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Residents: RouteContact at a paced rate, resent with the same key after errors.

class SimulatedCentre::Producer {
 public:
  Producer(SimulatedCentre* centre, int index) : centre_(centre), index_(index) {}
  ~Producer() { Stop(); }

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  // Sends `request` until acknowledged or the retry bounds are reached; records every attempt.
  // True when acknowledged.
  bool Send(const v1::RouteContactRequest& request, bool duplicate) {
    const SimulatedCentreOptions& o = centre_->options_;
    const absl::Time first = absl::Now();
    Backoff backoff(o.backoff_min, std::min(o.backoff_max, absl::Milliseconds(500)));
    auto stub = v1::RoutingService::NewStub(centre_->any_router_);
    for (int attempt = 1; attempt <= o.max_route_attempts; ++attempt) {
      if (attempt > 1 && absl::Now() - first > o.route_retry_budget) break;
      RouteAttempt rec;
      rec.idempotency_key = request.contact().idempotency_key();
      rec.attempt = attempt;
      rec.duplicate = duplicate;
      rec.router = centre_->any_router_target_;
      rec.sent = absl::Now();
      v1::RouteContactResponse response;
      auto ctx = CallContext(o.call_deadline);
      const grpc::Status s = stub->RouteContact(ctx.get(), request, &response);
      rec.returned = absl::Now();
      rec.status = FromGrpc(s);
      if (s.ok()) {
        rec.contact_id = response.contact_id();
        rec.replayed = response.replayed();
        rec.outcome = response.decision().outcome();
      }
      centre_->history_->RecordRoute(rec);
      if (s.ok()) return true;
      if (!MayBeTransient(rec.status.code())) return false;
      absl::SleepFor(backoff.Next());
    }
    return false;
  }

  std::vector<v1::RouteContactRequest> acknowledged() const {
    absl::MutexLock lock(&mu_);
    return acknowledged_;
  }

 private:
  void Run() {
    const SimulatedCentreOptions& o = centre_->options_;
    std::mt19937_64 rng(o.seed * 7919 + static_cast<uint64_t>(index_));
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    const absl::Duration interval =
        absl::Seconds(static_cast<double>(o.producers) / std::max(o.contacts_per_second, 1.0));
    const absl::Time started = absl::Now();
    absl::Time next = started;
    std::deque<std::pair<absl::Time, v1::RouteContactRequest>> duplicates;
    for (int64_t seq = 0; seq < kMaxContactsPerProducer && !stop_.load(); ++seq) {
      if (absl::Now() - started > kMaxLifetime) break;
      SleepUnless(stop_, next - absl::Now());
      if (stop_.load()) break;
      next += interval;
      // After a stall (the router was down), carry on at the normal rate instead of bursting.
      if (absl::Now() - next > absl::Seconds(1)) next = absl::Now();
      while (!duplicates.empty() && duplicates.front().first <= absl::Now()) {
        Send(duplicates.front().second, /*duplicate=*/true);
        duplicates.pop_front();
      }
      v1::RouteContactRequest request;
      v1::Contact* c = request.mutable_contact();
      c->set_tenant(o.tenant);
      c->set_channel(o.channel);
      c->set_topic(o.topics[static_cast<size_t>(seq + index_) % o.topics.size()]);
      c->set_idempotency_key(absl::StrCat(o.run_id, "-p", index_, "-", seq));
      if (Send(request, /*duplicate=*/false)) {
        {
          absl::MutexLock lock(&mu_);
          acknowledged_.push_back(request);
        }
        if (coin(rng) < o.duplicate_fraction) {
          duplicates.emplace_back(absl::Now() + o.duplicate_delay, request);
        }
      }
    }
    for (const auto& [due, request] : duplicates) Send(request, /*duplicate=*/true);
  }

  SimulatedCentre* const centre_;
  const int index_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::vector<v1::RouteContactRequest> acknowledged_ ABSL_GUARDED_BY(mu_);
};

// ---------------------------------------------------------------------------------------------
// Handlers: an offer stream (reader thread) and the work on each offer (worker thread).

class SimulatedCentre::SimulatedHandler {
 public:
  SimulatedHandler(SimulatedCentre* centre, int index)
      : centre_(centre),
        id_(absl::StrCat(centre->options_.run_id, "-h", index)),
        address_(static_cast<size_t>(index)) {}
  ~SimulatedHandler() { Stop(); }

  void Start() {
    reader_ = std::thread([this] { ReadLoop(); });
    worker_ = std::thread([this] { WorkLoop(); });
  }

  void Stop() {
    stop_ = true;
    {
      absl::MutexLock lock(&mu_);
      if (stream_ctx_ != nullptr) stream_ctx_->TryCancel();
    }
    if (reader_.joinable()) reader_.join();
    if (worker_.joinable()) worker_.join();
  }

  bool signed_in() const { return signed_in_.load(); }
  const std::string& id() const { return id_; }

 private:
  enum class Stage { kOffered, kHeld, kWrapUp };
  struct Item {
    Stage stage = Stage::kOffered;
    absl::Time due;
    v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
    // The stage's call failed in a way that may have been applied; a refusal of the next try
    // is resolved by looking at the router's state.
    bool ambiguous = false;
    bool releasing_recorded = false;
  };
  struct CallOutcome {
    absl::Status status;
    int attempts = 0;
  };

  const SimulatedCentreOptions& options() const { return centre_->options_; }

  void Record(HandlerEventKind kind, const std::string& contact_id, v1::Channel channel,
              std::string detail = "") {
    HandlerEvent e;
    e.time = absl::Now();
    e.kind = kind;
    e.handler_id = id_;
    e.contact_id = contact_id;
    e.channel = channel;
    e.detail = std::move(detail);
    centre_->history_->RecordHandler(std::move(e));
  }

  size_t address() const {
    absl::MutexLock lock(&mu_);
    return address_;
  }

  v1::SignInRequest SignInRequest() const {
    v1::SignInRequest req;
    v1::Handler* h = req.mutable_handler();
    h->set_tenant(options().tenant);
    h->set_handler_id(id_);
    h->add_skills(options().skill);
    h->set_presence(v1::PRESENCE_AVAILABLE);
    for (int c = v1::CHANNEL_PHONE; c <= v1::CHANNEL_EMAIL; ++c) {
      v1::ChannelCapacity* cap = h->add_capacity();
      cap->set_channel(static_cast<v1::Channel>(c));
      cap->set_max_contacts(c == options().channel ? options().capacity : 0);
    }
    return req;
  }

  // Signs in and keeps an offer stream open; on its end signs in again and reopens it, on the
  // next router after UNAVAILABLE, with backoff.
  void ReadLoop() {
    const SimulatedCentreOptions& o = options();
    const absl::Time started = absl::Now();
    Backoff backoff(o.backoff_min, o.backoff_max);
    for (int round = 0; round < o.max_reconnects && !stop_.load(); ++round) {
      if (absl::Now() - started > kMaxLifetime) break;
      const size_t addr = address();
      const std::string& where = o.router_addresses[addr % o.router_addresses.size()];
      auto stub = v1::HandlerService::NewStub(centre_->channel(addr));
      v1::Handler signed_in;
      auto sign_in_ctx = CallContext(o.call_deadline);
      const grpc::Status s = stub->SignIn(sign_in_ctx.get(), SignInRequest(), &signed_in);
      if (!s.ok()) {
        Record(HandlerEventKind::kStreamEnded, "", o.channel,
               absl::StrCat("sign-in at ", where, " failed: ", FromGrpc(s).ToString()));
        // Calls wait for a connection up to their deadline, so an unreachable router shows as
        // DEADLINE_EXCEEDED as often as UNAVAILABLE.
        if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
            s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
          NextAddress(addr);
        }
        SleepUnless(stop_, backoff.Next());
        continue;
      }
      Record(HandlerEventKind::kSignedIn, "", o.channel, where);
      if (round > 0) {
        absl::MutexLock lock(&mu_);
        reconcile_ = true;
      }
      auto ctx = CallContext(kMaxLifetime);
      {
        absl::MutexLock lock(&mu_);
        if (stop_.load()) break;
        stream_ctx_ = ctx.get();
      }
      v1::StreamOffersRequest req;
      req.set_tenant(o.tenant);
      req.set_handler_id(id_);
      const absl::Time opened = absl::Now();
      auto reader = stub->StreamOffers(ctx.get(), req);
      signed_in_ = true;
      v1::Offer offer;
      while (reader->Read(&offer)) {
        absl::MutexLock lock(&mu_);
        inbox_.push_back(offer);
      }
      const grpc::Status finished = reader->Finish();
      {
        absl::MutexLock lock(&mu_);
        stream_ctx_ = nullptr;
      }
      if (stop_.load()) break;
      Record(HandlerEventKind::kStreamEnded, "", o.channel,
             absl::StrCat("stream at ", where, " ended: ", FromGrpc(finished).ToString()));
      if (finished.error_code() == grpc::StatusCode::UNAVAILABLE) NextAddress(addr);
      if (absl::Now() - opened > absl::Seconds(1)) backoff.Reset();
      SleepUnless(stop_, backoff.Next());
    }
  }

  void NextAddress(size_t failed) {
    absl::MutexLock lock(&mu_);
    if (address_ == failed) address_ = failed + 1;
  }

  // Takes offers from the inbox and works on whatever is due, one call at a time.
  void WorkLoop() {
    const absl::Time started = absl::Now();
    while (!stop_.load() && absl::Now() - started < kMaxLifetime) {
      absl::Time next_due = absl::Now() + absl::Milliseconds(100);
      auto due_it = items_.end();
      for (auto it = items_.begin(); it != items_.end(); ++it) {
        if (it->second.due < next_due) {
          next_due = it->second.due;
          due_it = it;
        }
      }
      std::deque<v1::Offer> offers;
      bool reconcile = false;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return !inbox_.empty() || reconcile_;
        };
        const absl::Duration wait = next_due - absl::Now();
        if (wait > absl::ZeroDuration()) mu_.AwaitWithTimeout(absl::Condition(&ready), wait);
        offers.swap(inbox_);
        std::swap(reconcile, reconcile_);
      }
      if (reconcile) Reconcile();
      if (!offers.empty()) {
        for (const v1::Offer& offer : offers) Take(offer);
        continue;  // the items changed: look again for what is due
      }
      if (due_it != items_.end() && due_it->second.due <= absl::Now()) Advance(due_it);
    }
  }

  // After a sign-in again: the contacts the router says this handler holds but the worker does
  // not have in hand (a reply lost in a crash) are taken up again, as a desk application would on
  // reconnecting.
  void Reconcile() {
    v1::GetHandlerRequest req;
    req.set_tenant(options().tenant);
    req.set_handler_id(id_);
    v1::Handler handler;
    CallOutcome out =
        CallWithRetries([&](std::shared_ptr<grpc::Channel> ch, grpc::ClientContext* ctx) {
          return v1::HandlerService::NewStub(ch)->GetHandler(ctx, req, &handler);
        });
    if (!out.status.ok()) return;
    const absl::Time now = absl::Now();
    for (const std::string& id : handler.contact_ids()) {
      if (items_.contains(id)) continue;
      absl::StatusOr<v1::ContactRecord> record = LookUp(id);
      if (!record.ok()) continue;
      const v1::Channel channel = record->channel();
      if (record->state() == v1::CONTACT_STATE_OFFERED && record->handler_id() == id_) {
        Record(HandlerEventKind::kOffered, id, channel, "adopted after sign-in");
        items_[id] = Item{Stage::kOffered, now + options().accept_delay, channel};
      } else if (record->state() == v1::CONTACT_STATE_CONNECTED && record->handler_id() == id_) {
        Record(HandlerEventKind::kAccepted, id, channel, "adopted after sign-in");
        items_[id] = Item{Stage::kHeld, now + options().talk_time, channel};
      } else if (record->state() == v1::CONTACT_STATE_COMPLETED) {
        items_[id] = Item{Stage::kWrapUp, now, channel};  // its wrap-up: release the slot
      }
    }
  }

  void Take(const v1::Offer& offer) {
    const std::string& id = offer.contact_id();
    auto it = items_.find(id);
    if (offer.kind() == v1::Offer::KIND_WITHDRAWN) {
      if (it != items_.end() && it->second.stage == Stage::kOffered) {
        Record(HandlerEventKind::kWithdrawn, id, it->second.channel);
        items_.erase(it);
      } else {
        Record(HandlerEventKind::kWithdrawn, id, options().channel,
               it == items_.end() ? "not in hand" : "ignored: already accepted");
      }
      return;
    }
    const v1::Channel channel = offer.contact().channel() != v1::CHANNEL_UNSPECIFIED
                                    ? offer.contact().channel()
                                    : options().channel;
    if (it != items_.end()) {
      Record(HandlerEventKind::kRedundantOffer, id, channel);
      return;
    }
    Record(HandlerEventKind::kOffered, id, channel,
           absl::StrCat("expires ", absl::FormatTime(ToTime(offer.expires_at()))));
    items_[id] = Item{Stage::kOffered, absl::Now() + options().accept_delay, channel};
  }

  // Runs `call` (on router address `address() + attempt - 1`) until it returns OK or an error
  // that is not transient, at most max_call_attempts times.
  template <typename Call>
  CallOutcome CallWithRetries(Call call) {
    const SimulatedCentreOptions& o = options();
    Backoff backoff(o.backoff_min, o.backoff_max);
    CallOutcome out;
    for (int attempt = 1; attempt <= o.max_call_attempts && !stop_.load(); ++attempt) {
      out.attempts = attempt;
      auto ctx = CallContext(o.call_deadline);
      out.status = FromGrpc(call(centre_->channel(address() + attempt - 1), ctx.get()));
      if (out.status.ok() || !MayBeTransient(out.status.code())) return out;
      SleepUnless(stop_, backoff.Next());
    }
    if (out.attempts == 0) out.status = absl::CancelledError("handler stopping");
    return out;
  }

  // After an ambiguous failure: the contact as the router has it now.
  absl::StatusOr<v1::ContactRecord> LookUp(const std::string& contact_id) {
    v1::GetContactRequest req;
    req.set_tenant(options().tenant);
    req.set_contact_id(contact_id);
    v1::ContactRecord record;
    CallOutcome out =
        CallWithRetries([&](std::shared_ptr<grpc::Channel> ch, grpc::ClientContext* ctx) {
          return v1::RoutingService::NewStub(ch)->GetContact(ctx, req, &record);
        });
    if (!out.status.ok()) return out.status;
    return record;
  }

  void Advance(std::map<std::string, Item>::iterator it) {
    const std::string id = it->first;
    Item& item = it->second;
    const SimulatedCentreOptions& o = options();
    switch (item.stage) {
      case Stage::kOffered: {
        v1::OfferResponseRequest req;
        req.set_tenant(o.tenant);
        req.set_handler_id(id_);
        req.set_contact_id(id);
        v1::ContactRecord record;
        CallOutcome out =
            CallWithRetries([&](std::shared_ptr<grpc::Channel> ch, grpc::ClientContext* ctx) {
              return v1::HandlerService::NewStub(ch)->AcceptOffer(ctx, req, &record);
            });
        if (!out.status.ok() && MayBeTransient(out.status.code())) {
          // The router is away; one of the attempts may have been applied. Come back to it.
          item.ambiguous = true;
          item.due = absl::Now() + o.backoff_max;
          return;
        }
        std::string confirmed;
        if (!out.status.ok() && (out.attempts > 1 || item.ambiguous)) {
          // An earlier attempt may have been applied before the failure.
          absl::StatusOr<v1::ContactRecord> now = LookUp(id);
          if (now.ok() && now->state() == v1::CONTACT_STATE_CONNECTED && now->handler_id() == id_) {
            confirmed = absl::StrCat("confirmed by GetContact after: ", out.status.ToString());
          }
        }
        if (out.status.ok() || !confirmed.empty()) {
          Record(HandlerEventKind::kAccepted, id, item.channel, confirmed);
          item = Item{Stage::kHeld, absl::Now() + o.talk_time, item.channel};
        } else {
          Record(HandlerEventKind::kAcceptFailed, id, item.channel, out.status.ToString());
          items_.erase(it);
        }
        return;
      }
      case Stage::kHeld: {
        v1::CompleteContactRequest req;
        req.set_tenant(o.tenant);
        req.set_contact_id(id);
        v1::ContactRecord record;
        CallOutcome out =
            CallWithRetries([&](std::shared_ptr<grpc::Channel> ch, grpc::ClientContext* ctx) {
              return v1::RoutingService::NewStub(ch)->CompleteContact(ctx, req, &record);
            });
        if (!out.status.ok() && MayBeTransient(out.status.code())) {
          item.ambiguous = true;
          item.due = absl::Now() + o.backoff_max;  // the router is away; come back to it
          return;
        }
        std::string confirmed;
        if (!out.status.ok() && (out.attempts > 1 || item.ambiguous)) {
          absl::StatusOr<v1::ContactRecord> now = LookUp(id);
          if (now.ok() && now->state() == v1::CONTACT_STATE_COMPLETED) {
            for (const v1::ContactEvent& ev : now->history()) {
              if (ev.state() == v1::CONTACT_STATE_COMPLETED && ev.reason().empty() &&
                  ev.handler_id() == id_) {
                confirmed = absl::StrCat("confirmed by GetContact after: ", out.status.ToString());
              }
            }
          }
        }
        if (out.status.ok() || !confirmed.empty()) {
          Record(HandlerEventKind::kCompleted, id, item.channel, confirmed);
        } else {
          Record(HandlerEventKind::kCompleteFailed, id, item.channel, out.status.ToString());
        }
        item = Item{Stage::kWrapUp, absl::Now() + o.wrap_up_time, item.channel};
        return;
      }
      case Stage::kWrapUp: {
        if (!item.releasing_recorded) {
          // Before the first send: from here the router may free the slot at any moment.
          Record(HandlerEventKind::kReleasing, id, item.channel);
          item.releasing_recorded = true;
        }
        v1::FinishWrapUpRequest req;
        req.set_tenant(o.tenant);
        req.set_handler_id(id_);
        req.set_contact_id(id);
        v1::Handler handler;
        CallOutcome out =
            CallWithRetries([&](std::shared_ptr<grpc::Channel> ch, grpc::ClientContext* ctx) {
              return v1::HandlerService::NewStub(ch)->FinishWrapUp(ctx, req, &handler);
            });
        if (!out.status.ok() && MayBeTransient(out.status.code())) {
          item.ambiguous = true;
          item.due = absl::Now() + o.backoff_max;
          return;
        }
        if (out.status.ok()) {
          Record(HandlerEventKind::kReleased, id, item.channel);
        } else if (out.attempts > 1 || item.ambiguous) {
          Record(HandlerEventKind::kReleased, id, item.channel,
                 absl::StrCat("an earlier attempt applied: ", out.status.ToString()));
        } else {
          Record(HandlerEventKind::kReleaseFailed, id, item.channel, out.status.ToString());
        }
        items_.erase(it);
        return;
      }
    }
  }

  SimulatedCentre* const centre_;
  const std::string id_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> signed_in_{false};
  std::thread reader_;
  std::thread worker_;

  mutable absl::Mutex mu_;
  std::deque<v1::Offer> inbox_ ABSL_GUARDED_BY(mu_);
  bool reconcile_ ABSL_GUARDED_BY(mu_) = false;  // signed in again: compare with the router
  grpc::ClientContext* stream_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t address_ ABSL_GUARDED_BY(mu_);  // index into router_addresses (mod its size)

  // The contacts in hand: the worker thread's own.
  std::map<std::string, Item> items_;
};

// ---------------------------------------------------------------------------------------------

namespace {

grpc::ChannelArguments ChannelArgs() {
  grpc::ChannelArguments args;
  // Reconnect quickly to a restarted router (gRPC's default backoff grows to two minutes).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  // In this gRPC (1.51) the "minimum reconnect backoff" is the timeout of one connection
  // attempt: set low, a busy router just restarted never completes a handshake in time.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 5000);
  return args;
}

}  // namespace

SimulatedCentre::SimulatedCentre(SimulatedCentreOptions options, ContactHistory* history)
    : options_(std::move(options)), history_(history) {
  for (const std::string& address : options_.router_addresses) {
    channels_.push_back(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), ChannelArgs()));
  }
  if (options_.router_addresses.size() > 1) {
    // One channel over every router, balanced by gRPC over those that are up.
    grpc::ChannelArguments args = ChannelArgs();
    args.SetServiceConfigJSON(R"({"loadBalancingConfig": [{"round_robin": {}}]})");
    any_router_target_ = "ipv4:" + absl::StrJoin(options_.router_addresses, ",");
    any_router_ =
        grpc::CreateCustomChannel(any_router_target_, grpc::InsecureChannelCredentials(), args);
  } else if (!channels_.empty()) {
    any_router_target_ = options_.router_addresses[0];
    any_router_ = channels_[0];
  }
}

SimulatedCentre::~SimulatedCentre() {
  StopProducers();
  StopHandlers();
}

std::shared_ptr<grpc::Channel> SimulatedCentre::channel(size_t index) const {
  return channels_[index % channels_.size()];
}

absl::Status SimulatedCentre::Start(absl::Duration timeout) {
  if (options_.router_addresses.empty()) {
    return absl::InvalidArgumentError("router_addresses: at least one is required");
  }
  if (options_.topics.empty()) return absl::InvalidArgumentError("topics: at least one");
  for (int i = 0; i < options_.handlers; ++i) {
    handlers_.push_back(std::make_unique<SimulatedHandler>(this, i));
    handlers_.back()->Start();
  }
  const absl::Time give_up = absl::Now() + timeout;
  for (int i = 0; i < 100000 && absl::Now() < give_up; ++i) {
    if (std::all_of(handlers_.begin(), handlers_.end(),
                    [](const auto& h) { return h->signed_in(); })) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  for (const auto& h : handlers_) {
    if (!h->signed_in()) {
      return absl::DeadlineExceededError(absl::StrCat("handler ", h->id(), " did not sign in"));
    }
  }
  for (int i = 0; i < options_.producers; ++i) {
    producers_.push_back(std::make_unique<Producer>(this, i));
    producers_.back()->Start();
  }
  return absl::OkStatus();
}

void SimulatedCentre::StopProducers() {
  for (auto& p : producers_) p->Stop();
}

std::vector<std::string> SimulatedCentre::Drain(absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  std::vector<std::string> open = history_->AcknowledgedNotCompleted();
  for (int i = 0; i < 100000 && absl::Now() < give_up; ++i) {
    if (open.empty() && history_->HeldNow() == 0) break;
    absl::SleepFor(absl::Milliseconds(50));
    open = history_->AcknowledgedNotCompleted();
  }
  return open;
}

void SimulatedCentre::ReplayAcknowledged(double fraction) {
  std::vector<v1::RouteContactRequest> all;
  for (const auto& p : producers_) {
    std::vector<v1::RouteContactRequest> mine = p->acknowledged();
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::mt19937_64 rng(options_.seed);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::vector<v1::RouteContactRequest> chosen;
  for (v1::RouteContactRequest& r : all) {
    if (coin(rng) < fraction) chosen.push_back(std::move(r));
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (auto& p : producers_) {
    Producer* producer = p.get();
    threads.emplace_back([&, producer] {
      for (size_t i = next++; i < chosen.size(); i = next++) {
        producer->Send(chosen[i], /*duplicate=*/true);
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

void SimulatedCentre::StopHandlers() {
  for (auto& h : handlers_) h->Stop();
}

absl::flat_hash_map<std::string, absl::StatusOr<v1::ContactRecord>>
SimulatedCentre::FetchStoredContacts(const std::vector<std::string>& extra_ids,
                                     absl::Duration timeout) {
  absl::flat_hash_set<std::string> wanted(extra_ids.begin(), extra_ids.end());
  ContactHistory::Log log = history_->Snapshot();
  for (const RouteAttempt& a : log.routes) {
    if (a.status.ok()) wanted.insert(a.contact_id);
  }
  for (const HandlerEvent& e : log.handler_events) {
    if (!e.contact_id.empty()) wanted.insert(e.contact_id);
  }
  std::vector<std::string> ids(wanted.begin(), wanted.end());
  std::vector<absl::StatusOr<v1::ContactRecord>> results(ids.size(),
                                                         absl::UnknownError("not fetched"));
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(options_.producers, 1); ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = next++; i < ids.size(); i = next++) {
        v1::GetContactRequest req;
        req.set_tenant(options_.tenant);
        req.set_contact_id(ids[i]);
        const absl::Time give_up = absl::Now() + timeout;
        for (int attempt = 0; attempt < 1000; ++attempt) {
          v1::ContactRecord record;
          auto ctx = CallContext(options_.call_deadline);
          const grpc::Status s =
              v1::RoutingService::NewStub(any_router_)->GetContact(ctx.get(), req, &record);
          if (s.ok()) {
            results[i] = std::move(record);
            break;
          }
          results[i] = FromGrpc(s);
          if (!MayBeTransient(results[i].status().code()) || absl::Now() > give_up) break;
          absl::SleepFor(absl::Milliseconds(100));
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  absl::flat_hash_map<std::string, absl::StatusOr<v1::ContactRecord>> out;
  for (size_t i = 0; i < ids.size(); ++i) out.emplace(ids[i], std::move(results[i]));
  return out;
}

std::vector<std::string> SimulatedCentre::HandlerIds() const {
  std::vector<std::string> ids;
  for (const auto& h : handlers_) ids.push_back(h->id());
  return ids;
}

absl::flat_hash_map<std::string, absl::flat_hash_map<int, int>> SimulatedCentre::Capacities()
    const {
  absl::flat_hash_map<std::string, absl::flat_hash_map<int, int>> out;
  for (const auto& h : handlers_) out[h->id()][options_.channel] = options_.capacity;
  return out;
}

FaultReport SimulatedCentre::Finish(absl::Duration drain_timeout, double replay_fraction,
                                    std::function<std::vector<std::string>()> extra_ids) {
  StopProducers();
  Drain(drain_timeout);
  if (replay_fraction > 0) ReplayAcknowledged(replay_fraction);
  StopHandlers();
  HistoryCheckInput input;
  input.stored = FetchStoredContacts(extra_ids ? extra_ids() : std::vector<std::string>{});
  input.log = history_->Snapshot();
  input.capacity = Capacities();
  return CheckHistory(input);
}

}  // namespace wissel::testing
