// End-to-end tests of wisselctl against fake services on a real in-process grpc::Server: the
// CLI's requests, output, exit codes and the handler demo's call sequence and stop behaviour.
#include "router/cli/wisselctl.h"

#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "router/cli/stop_signal.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/operator_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::cli {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// The calls the fake services received, in order, e.g. "AcceptOffer h-1 c-1".
class CallLog {
 public:
  void Add(std::string call) {
    absl::MutexLock lock(&mu_);
    calls_.push_back(std::move(call));
  }
  std::vector<std::string> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  // Waits until `call` has been logged; false after `timeout`.
  bool WaitFor(const std::string& call, absl::Duration timeout = absl::Seconds(10)) const {
    absl::MutexLock lock(&mu_);
    auto logged = [this, &call]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const std::string& c : calls_) {
        if (c == call) return true;
      }
      return false;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&logged), timeout);
  }

  v1::RouteContactRequest last_route ABSL_GUARDED_BY(mu_);
  mutable absl::Mutex mu_;

 private:
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
};

class FakeRouting final : public v1::RoutingService::Service {
 public:
  explicit FakeRouting(CallLog* log) : log_(log) {}

  grpc::Status RouteContact(grpc::ServerContext*, const v1::RouteContactRequest* request,
                            v1::RouteContactResponse* response) override {
    {
      absl::MutexLock lock(&log_->mu_);
      log_->last_route = *request;
    }
    log_->Add("RouteContact");
    if (request->contact().party().bsn() == "123456789") {
      google::rpc::Status details;
      details.set_code(grpc::StatusCode::INVALID_ARGUMENT);
      details.set_message("contact.party.bsn: BSN fails the 11-proef (check digit)");
      google::rpc::BadRequest bad_request;
      auto* violation = bad_request.add_field_violations();
      violation->set_field("contact.party.bsn");
      violation->set_description("BSN fails the 11-proef (check digit)");
      details.add_details()->PackFrom(bad_request);
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, details.message(),
                          details.SerializeAsString());
    }
    response->set_contact_id("c-1");
    v1::Decision* decision = response->mutable_decision();
    decision->set_outcome(v1::Decision::OUTCOME_QUEUED);
    decision->set_queue("wmo");
    decision->set_position(2);
    decision->mutable_expected_wait()->set_seconds(90);
    decision->add_reasons("topic wmo-aanvraag routes to queue wmo");
    return grpc::Status::OK;
  }

  grpc::Status GetContact(grpc::ServerContext*, const v1::GetContactRequest* request,
                          v1::ContactRecord* record) override {
    log_->Add(absl::StrCat("GetContact ", request->tenant(), " ", request->contact_id()));
    if (request->contact_id() != "c-1") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such contact");
    }
    record->set_contact_id("c-1");
    record->set_state(v1::CONTACT_STATE_QUEUED);
    record->set_channel(v1::CHANNEL_PHONE);
    return grpc::Status::OK;
  }

  grpc::Status CancelContact(grpc::ServerContext*, const v1::CancelContactRequest* request,
                             v1::ContactRecord* record) override {
    log_->Add(absl::StrCat("CancelContact ", request->contact_id(), " ", request->reason()));
    record->set_contact_id(request->contact_id());
    record->set_state(v1::CONTACT_STATE_ABANDONED);
    return grpc::Status::OK;
  }

  grpc::Status CompleteContact(grpc::ServerContext*, const v1::CompleteContactRequest* request,
                               v1::ContactRecord* record) override {
    log_->Add(absl::StrCat("CompleteContact ", request->contact_id()));
    record->set_contact_id(request->contact_id());
    record->set_state(v1::CONTACT_STATE_COMPLETED);
    record->set_handler_id("h-1");
    return grpc::Status::OK;
  }

 private:
  CallLog* log_;
};

class FakeOperator final : public v1::OperatorService::Service {
 public:
  explicit FakeOperator(CallLog* log) : log_(log) {}

  grpc::Status GetQueueStats(grpc::ServerContext*, const v1::GetQueueStatsRequest* request,
                             v1::GetQueueStatsResponse* response) override {
    log_->Add(absl::StrCat("GetQueueStats ", request->tenant(), " ", request->queue()));
    v1::QueueStats* stats = response->add_queues();
    stats->set_queue("wmo");
    stats->set_waiting(4);
    stats->set_handlers_signed_in(2);
    return grpc::Status::OK;
  }

  grpc::Status ReadAudit(grpc::ServerContext*, const v1::ReadAuditRequest* request,
                         v1::ReadAuditResponse* response) override {
    log_->Add(absl::StrCat("ReadAudit ", request->tenant(), " limit=", request->limit(),
                           " since=", request->has_since() ? "set" : "unset"));
    v1::AuditEntry* e = response->add_entries();
    e->set_action("erase_resident");
    e->set_actor("spiffe://gemeente/operator");
    e->mutable_time()->set_seconds(1767225600);  // 2026-01-01T00:00:00Z
    e->set_subject("0123456789abcdef0123456789abcdef");
    e->set_detail("contacts=3 mappings=1");
    return grpc::Status::OK;
  }

 private:
  CallLog* log_;
};

class FakeHandlers final : public v1::HandlerService::Service {
 public:
  explicit FakeHandlers(CallLog* log) : log_(log) {}

  // Offers StreamOffers sends; then it ends the stream, or with hold_open waits for the
  // client to cancel it.
  std::vector<v1::Offer> offers;
  bool hold_open = false;

  grpc::Status SignIn(grpc::ServerContext*, const v1::SignInRequest* request,
                      v1::Handler* handler) override {
    log_->Add(absl::StrCat("SignIn ", request->handler().handler_id()));
    *handler = request->handler();
    return grpc::Status::OK;
  }
  grpc::Status SignOut(grpc::ServerContext*, const v1::SignOutRequest* request,
                       v1::Handler* handler) override {
    log_->Add(absl::StrCat("SignOut ", request->handler_id()));
    handler->set_handler_id(request->handler_id());
    handler->set_presence(v1::PRESENCE_OFFLINE);
    return grpc::Status::OK;
  }
  grpc::Status SetPresence(grpc::ServerContext*, const v1::SetPresenceRequest* request,
                           v1::Handler* handler) override {
    log_->Add(absl::StrCat("SetPresence ", request->handler_id(), " ",
                           v1::Presence_Name(request->presence())));
    handler->set_handler_id(request->handler_id());
    handler->set_presence(request->presence());
    return grpc::Status::OK;
  }
  grpc::Status GetHandler(grpc::ServerContext* context, const v1::GetHandlerRequest* request,
                          v1::Handler* handler) override {
    log_->Add(absl::StrCat("GetHandler ", request->handler_id()));
    // "h-slow" never answers: the client's deadline has to end the call.
    while (request->handler_id() == "h-slow" && !context->IsCancelled()) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    handler->set_handler_id(request->handler_id());
    return grpc::Status::OK;
  }
  grpc::Status StreamOffers(grpc::ServerContext* context, const v1::StreamOffersRequest* request,
                            grpc::ServerWriter<v1::Offer>* writer) override {
    log_->Add(absl::StrCat("StreamOffers ", request->handler_id()));
    for (const v1::Offer& offer : offers) writer->Write(offer);
    while (hold_open && !context->IsCancelled()) absl::SleepFor(absl::Milliseconds(5));
    return grpc::Status::OK;
  }
  grpc::Status AcceptOffer(grpc::ServerContext*, const v1::OfferResponseRequest* request,
                           v1::ContactRecord* record) override {
    log_->Add(absl::StrCat("AcceptOffer ", request->contact_id()));
    if (request->contact_id() == "c-gone") {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "offer expired");
    }
    record->set_contact_id(request->contact_id());
    record->set_state(v1::CONTACT_STATE_CONNECTED);
    return grpc::Status::OK;
  }
  grpc::Status RejectOffer(grpc::ServerContext*, const v1::OfferResponseRequest* request,
                           v1::ContactRecord* record) override {
    log_->Add(absl::StrCat("RejectOffer ", request->contact_id()));
    record->set_contact_id(request->contact_id());
    record->set_state(v1::CONTACT_STATE_QUEUED);
    return grpc::Status::OK;
  }
  grpc::Status FinishWrapUp(grpc::ServerContext*, const v1::FinishWrapUpRequest* request,
                            v1::Handler* handler) override {
    log_->Add(absl::StrCat("FinishWrapUp ", request->contact_id()));
    handler->set_handler_id(request->handler_id());
    return grpc::Status::OK;
  }

 private:
  CallLog* log_;
};

// An output stream that another thread can watch: the demo writes while the test waits for a
// line to appear.
class WatchedOutput : public std::streambuf {
 public:
  bool WaitFor(const std::string& text, absl::Duration timeout = absl::Seconds(10)) {
    absl::MutexLock lock(&mu_);
    auto seen = [this, &text]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return text_.find(text) != std::string::npos;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&seen), timeout);
  }
  std::string text() {
    absl::MutexLock lock(&mu_);
    return text_;
  }

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) {
      absl::MutexLock lock(&mu_);
      text_.push_back(static_cast<char>(c));
    }
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    absl::MutexLock lock(&mu_);
    text_.append(s, static_cast<size_t>(n));
    return n;
  }

 private:
  absl::Mutex mu_;
  std::string text_ ABSL_GUARDED_BY(mu_);
};

v1::Offer MakeOffer(v1::Offer::Kind kind, const std::string& contact_id) {
  v1::Offer offer;
  offer.set_kind(kind);
  offer.set_contact_id(contact_id);
  offer.mutable_contact()->set_channel(v1::CHANNEL_PHONE);
  offer.mutable_contact()->set_topic("wmo-aanvraag");
  return offer;
}

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class WisselctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&routing_);
    builder.RegisterService(&operator_);
    builder.RegisterService(&handlers_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }

  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }

  // Runs wisselctl against the fakes; `watched`, if given, receives the standard output.
  Result Run(std::vector<std::string> args, StopSignal* stop = nullptr,
             WatchedOutput* watched = nullptr) {
    args.insert(args.begin(), {absl::StrCat("--router=127.0.0.1:", port_), "--plaintext"});
    std::ostringstream out;
    std::ostringstream err;
    std::ostream watched_out(watched);
    CliEnvironment env;
    env.out = watched != nullptr ? &watched_out : &out;
    env.err = &err;
    env.stop = stop;
    Result result;
    result.exit_code = RunWisselctl(args, env);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  CallLog log_;
  FakeRouting routing_{&log_};
  FakeOperator operator_{&log_};
  FakeHandlers handlers_{&log_};
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(WisselctlTest, RoutePrintsTheDecision) {
  Result r = Run({"route", "--tenant=gemeente-wisseloord", "--channel=phone",
                  "--topic=wmo-aanvraag", "--bsn=111222333", "--need=low_digital_skills",
                  "--wants-person", "--idempotency-key=call-42"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "contact c-1: queued in wmo at position 2, expected wait 1m30s\n"
            "why:\n"
            "  1. topic wmo-aanvraag routes to queue wmo\n");
  EXPECT_THAT(r.err, IsEmpty());
  absl::MutexLock lock(&log_.mu_);
  const v1::Contact& sent = log_.last_route.contact();
  EXPECT_EQ(sent.tenant(), "gemeente-wisseloord");
  EXPECT_EQ(sent.channel(), v1::CHANNEL_PHONE);
  EXPECT_EQ(sent.party().bsn(), "111222333");
  EXPECT_THAT(sent.needs(), ElementsAre(v1::NEED_LOW_DIGITAL_SKILLS));
  EXPECT_TRUE(sent.wants_person());
  EXPECT_EQ(sent.idempotency_key(), "call-42");
}

TEST_F(WisselctlTest, RouteErrorShowsFieldViolations) {
  Result r = Run({"route", "--tenant=t", "--channel=phone", "--topic=x", "--bsn=123456789"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(r.err,
            "error: INVALID_ARGUMENT: contact.party.bsn: BSN fails the 11-proef (check digit)\n"
            "  contact.party.bsn: BSN fails the 11-proef (check digit)\n");
}

TEST_F(WisselctlTest, JsonOutput) {
  Result r = Run({"--json", "route", "--tenant=t", "--channel=chat", "--topic=x"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, AllOf(StartsWith("{\n"), HasSubstr("\"contactId\": \"c-1\""),
                           HasSubstr("\"outcome\": \"OUTCOME_QUEUED\""),
                           HasSubstr("\"expectedWait\": \"90s\"")));
  // Global flags may also follow the command.
  Result after = Run({"queues", "--tenant=t", "--json"});
  EXPECT_THAT(after.out, HasSubstr("\"waiting\": 4"));
}

TEST_F(WisselctlTest, ContactShowAndNotFound) {
  Result found = Run({"contact", "show", "--tenant=t", "--id=c-1"});
  EXPECT_EQ(found.exit_code, 0) << found.err;
  EXPECT_THAT(found.out, HasSubstr("state    queued\n"));
  Result missing = Run({"contact", "show", "--tenant=t", "--id=c-404"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "error: NOT_FOUND: no such contact\n");
  EXPECT_THAT(log_.calls(), ElementsAre("GetContact t c-1", "GetContact t c-404"));
}

TEST_F(WisselctlTest, ContactCancelAndComplete) {
  Result cancel = Run({"contact", "cancel", "--tenant=t", "--id=c-5", "--reason=caller_hung_up"});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_EQ(cancel.out, "contact c-5: abandoned\n");
  Result complete = Run({"contact", "complete", "--tenant", "t", "--id", "c-6"});
  EXPECT_EQ(complete.exit_code, 0) << complete.err;
  EXPECT_EQ(complete.out, "contact c-6: completed (handler h-1)\n");
  EXPECT_THAT(log_.calls(), ElementsAre("CancelContact c-5 caller_hung_up", "CompleteContact c-6"));
}

TEST_F(WisselctlTest, QueuesTable) {
  Result r = Run({"queues", "--tenant=t", "--queue=wmo"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "QUEUE  WAITING  OFFERED  LONGEST WAIT  AVAILABLE  SIGNED IN\n"
            "wmo          4        0             -          0          2\n");
  EXPECT_THAT(log_.calls(), ElementsAre("GetQueueStats t wmo"));
}

TEST_F(WisselctlTest, AuditLog) {
  Result r = Run({"audit", "--tenant=t", "--since=24h", "--limit=5"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("erase_resident  by spiffe://gemeente/operator  subject "
                               "0123456789abcdef0123456789abcdef  contacts=3 mappings=1\n"));
  Result json = Run({"audit", "--tenant=t", "--since=2026-01-01T00:00:00Z", "--json"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"action\": \"erase_resident\""));
  EXPECT_EQ(Run({"audit", "--tenant=t"}).exit_code, 0);
  EXPECT_THAT(log_.calls(),
              ElementsAre("ReadAudit t limit=5 since=set", "ReadAudit t limit=0 since=set",
                          "ReadAudit t limit=0 since=unset"));
}

TEST_F(WisselctlTest, HandlerWrappers) {
  EXPECT_EQ(Run({"handler", "signin", "--tenant=t", "--id=h-1", "--skills=wmo"}).exit_code, 0);
  Result presence = Run({"handler", "presence", "--tenant=t", "--id=h-1", "--presence=busy"});
  EXPECT_EQ(presence.exit_code, 0) << presence.err;
  EXPECT_THAT(presence.out, StartsWith("handler h-1: busy\n"));
  EXPECT_EQ(Run({"handler", "signout", "--tenant=t", "--id=h-1"}).exit_code, 0);
  EXPECT_THAT(log_.calls(),
              ElementsAre("SignIn h-1", "SetPresence h-1 PRESENCE_BUSY", "SignOut h-1"));
}

TEST_F(WisselctlTest, UsageErrorsExitTwoAndCallNothing) {
  struct Row {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Row& row : {
           Row{{}, "Usage: wisselctl"},
           Row{{"frobnicate"}, "error: unknown command 'frobnicate'"},
           Row{{"contact"}, "error: 'contact' needs a subcommand"},
           Row{{"contact", "burn"}, "error: unknown command 'contact burn'"},
           Row{{"route", "--tenant=t"}, "error: missing --channel"},
           Row{{"route", "--tenant=t", "--channel=phone", "--topic=x", "--bogus=1"},
               "error: unknown flag --bogus\nrun 'wisselctl route --help' for usage"},
           Row{{"queues", "--tenant=t", "extra"}, "error: unexpected argument 'extra'"},
           Row{{"queues", "--tenant=t", "--timeout=soon"}, "--timeout must be a duration"},
           Row{{"audit"}, "error: missing --tenant"},
           Row{{"audit", "--tenant=t", "--since=yesterday"}, "--since must be a time"},
           Row{{"audit", "--tenant=t", "--limit=0"}, "--limit must be a whole number"},
           Row{{"audit", "--tenant=t", "--limit=5000"}, "--limit must be a whole number"},
           Row{{"handler", "presence", "--tenant=t", "--id=h", "--presence=asleep"},
               "unknown presence 'asleep'"},
           Row{{"handler", "demo", "--tenant=t", "--id=h", "--max-contacts=0"},
               "--max-contacts must be a whole number of at least 1"},
           Row{{"handler", "demo", "--tenant=t", "--id=h", "--wrap-up=-1s"},
               "--wrap-up must not be negative"},
       }) {
    Result r = Run(row.args);
    EXPECT_EQ(r.exit_code, 2) << row.message;
    EXPECT_THAT(r.err, HasSubstr(row.message));
    EXPECT_THAT(r.out, IsEmpty());
  }
  EXPECT_THAT(log_.calls(), IsEmpty());
}

TEST_F(WisselctlTest, Help) {
  Result top = Run({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_THAT(top.out, AllOf(HasSubstr("Usage: wisselctl [global flags] COMMAND [flags]"),
                             HasSubstr("  handler demo "), HasSubstr("--router=HOST:PORT")));
  Result route = Run({"route", "--help"});
  EXPECT_EQ(route.exit_code, 0);
  EXPECT_THAT(route.out, AllOf(StartsWith("Usage: wisselctl route [flags]\n"),
                               HasSubstr("--wants-person"), HasSubstr("--idempotency-key=KEY")));
  EXPECT_EQ(Run({"help", "contact", "show"}).out, Run({"contact", "show", "-h"}).out);
}

TEST_F(WisselctlTest, DeadlineExceededWithHint) {
  Result r = Run({"handler", "show", "--tenant=t", "--id=h-slow", "--timeout=50ms"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, AllOf(StartsWith("error: DEADLINE_EXCEEDED"),
                           HasSubstr("hint: no reply within --timeout=50ms\n")));
}

TEST_F(WisselctlTest, StopCancelsTheCallInFlight) {
  StopSignal stop;
  Result r;
  std::thread call([&] { r = Run({"handler", "show", "--tenant=t", "--id=h-slow"}, &stop); });
  ASSERT_TRUE(log_.WaitFor("GetHandler h-slow"));
  stop.Stop();
  call.join();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: CANCELLED"));
}

TEST(WisselctlUnreachableTest, UnavailableWithHint) {
  std::ostringstream out;
  std::ostringstream err;
  CliEnvironment env;
  env.out = &out;
  env.err = &err;
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  env.default_router = "127.0.0.1:1";
  EXPECT_EQ(RunWisselctl({"queues", "--tenant=t", "--timeout=3s", "--plaintext"}, env), 1);
  EXPECT_THAT(err.str(), AllOf(StartsWith("error: UNAVAILABLE: "),
                               HasSubstr("hint: is the router at 127.0.0.1:1 running")));
}

TEST_F(WisselctlTest, HandlerDemoStopsAfterMaxContacts) {
  handlers_.offers = {MakeOffer(v1::Offer::KIND_WITHDRAWN, "c-0"),
                      MakeOffer(v1::Offer::KIND_OFFER, "c-1"),
                      MakeOffer(v1::Offer::KIND_OFFER, "c-2")};
  handlers_.hold_open = true;
  Result r = Run({"handler", "demo", "--tenant=t", "--id=h-1", "--skills=wmo", "--accept-after=0s",
                  "--handle-time=0s", "--wrap-up=0s", "--max-contacts=1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(log_.calls(), ElementsAre("SignIn h-1", "StreamOffers h-1", "AcceptOffer c-1",
                                        "CompleteContact c-1", "FinishWrapUp c-1", "SignOut h-1"));
  EXPECT_THAT(r.out, AllOf(HasSubstr("] signed in handler h-1 (tenant t), available"),
                           HasSubstr("] offer withdrawn: contact c-0\n"),
                           HasSubstr("] offer: contact c-1 (phone, topic wmo-aanvraag)\n"),
                           HasSubstr("] accepted contact c-1"),
                           HasSubstr("] completed contact c-1; wrap-up\n"),
                           HasSubstr("] finished wrap-up of contact c-1\n"),
                           HasSubstr("the limit; stopping\n"), HasSubstr("] signed out")));
  EXPECT_THAT(r.err, IsEmpty());
}

TEST_F(WisselctlTest, HandlerDemoUntilStreamEndsSkipsFailedAccept) {
  handlers_.offers = {MakeOffer(v1::Offer::KIND_OFFER, "c-gone"),
                      MakeOffer(v1::Offer::KIND_OFFER, "c-2")};
  Result r = Run({"--json", "handler", "demo", "--tenant=t", "--id=h-1", "--accept-after=0s",
                  "--handle-time=0s", "--wrap-up=0s"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(log_.calls(),
              ElementsAre("SignIn h-1", "StreamOffers h-1", "AcceptOffer c-gone", "AcceptOffer c-2",
                          "CompleteContact c-2", "FinishWrapUp c-2", "SignOut h-1"));
  EXPECT_EQ(r.err, "accept of contact c-gone failed: error: FAILED_PRECONDITION: offer expired\n");
  // JSON lines: one object per line, no progress text.
  EXPECT_THAT(r.out, StartsWith("{\"tenant\":\"t\",\"handlerId\":\"h-1\""));
  EXPECT_THAT(r.out, Not(HasSubstr("] ")));
}

TEST_F(WisselctlTest, HandlerDemoStopsOnSignalAndSignsOut) {
  handlers_.hold_open = true;
  StopSignal stop;
  Result r;
  std::thread demo([&] { r = Run({"handler", "demo", "--tenant=t", "--id=h-1"}, &stop); });
  ASSERT_TRUE(log_.WaitFor("StreamOffers h-1"));
  stop.Stop();
  demo.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(log_.calls(), ElementsAre("SignIn h-1", "StreamOffers h-1", "SignOut h-1"));
  EXPECT_THAT(r.out, HasSubstr("] stopping\n"));
}

TEST_F(WisselctlTest, HandlerDemoStopDuringHandlingCompletesTheContact) {
  handlers_.offers = {MakeOffer(v1::Offer::KIND_OFFER, "c-1")};
  handlers_.hold_open = true;
  StopSignal stop;
  Result r;
  const absl::Time start = absl::Now();
  std::thread demo([&] {
    r = Run({"handler", "demo", "--tenant=t", "--id=h-1", "--accept-after=0s", "--handle-time=10m",
             "--wrap-up=10m"},
            &stop);
  });
  ASSERT_TRUE(log_.WaitFor("AcceptOffer c-1"));
  stop.Stop();
  demo.join();
  EXPECT_LT(absl::Now() - start, absl::Minutes(5));  // the waits were cut short
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(log_.calls(), ElementsAre("SignIn h-1", "StreamOffers h-1", "AcceptOffer c-1",
                                        "CompleteContact c-1", "FinishWrapUp c-1", "SignOut h-1"));
  EXPECT_THAT(r.out, HasSubstr("] completed contact c-1 early (stopping); wrap-up\n"));
}

TEST_F(WisselctlTest, HandlerDemoStopBeforeAcceptRejects) {
  handlers_.offers = {MakeOffer(v1::Offer::KIND_OFFER, "c-1")};
  handlers_.hold_open = true;
  StopSignal stop;
  WatchedOutput out;
  Result r;
  std::thread demo([&] {
    r = Run({"handler", "demo", "--tenant=t", "--id=h-1", "--accept-after=10m"}, &stop, &out);
  });
  ASSERT_TRUE(out.WaitFor("] offer: contact c-1"));
  stop.Stop();
  demo.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(log_.calls(),
              ElementsAre("SignIn h-1", "StreamOffers h-1", "RejectOffer c-1", "SignOut h-1"));
}

}  // namespace
}  // namespace wissel::cli
