#include "router/cli/handler_demo.h"

#include <chrono>
#include <memory>
#include <ostream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "router/cli/format.h"
#include "router/cli/stop_signal.h"

namespace wissel::cli {
namespace {

class Demo {
 public:
  Demo(const HandlerDemoConfig& config, v1::HandlerService::StubInterface& handlers,
       v1::RoutingService::StubInterface& routing, StopSignal& stop, std::ostream& out,
       std::ostream& err)
      : config_(config),
        tenant_(config.sign_in.handler().tenant()),
        handler_id_(config.sign_in.handler().handler_id()),
        handlers_(handlers),
        routing_(routing),
        stop_(stop),
        out_(out),
        err_(err) {}

  int Run() {
    if (!SignIn()) return 1;
    int exit_code = ServeOffers() ? 0 : 1;
    if (!SignOut()) exit_code = 1;
    return exit_code;
  }

 private:
  // A progress line, in text mode only: "[09:30:12] text".
  void Say(absl::string_view text) {
    if (config_.json) return;
    out_ << "[" << absl::FormatTime("%H:%M:%S", absl::Now(), config_.time_zone) << "] "
         << absl::StripTrailingAsciiWhitespace(text) << std::endl;
  }

  // A response, in JSON mode only: one object per line.
  void Emit(const google::protobuf::Message& message) {
    if (config_.json) out_ << FormatJson(message, /*multiline=*/false) << std::flush;
  }

  void Fail(absl::string_view what, const grpc::Status& status) {
    err_ << what << " failed: " << FormatRpcError(status) << std::flush;
  }

  std::unique_ptr<grpc::ClientContext> UnaryContext() const {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() +
                          absl::ToChronoNanoseconds(config_.rpc_timeout));
    return context;
  }

  bool SignIn() {
    v1::Handler handler;
    grpc::Status status = handlers_.SignIn(UnaryContext().get(), config_.sign_in, &handler);
    if (!status.ok()) {
      Fail("sign-in", status);
      return false;
    }
    Emit(handler);
    Say(absl::StrCat("signed in handler ", handler_id_, " (tenant ", tenant_, "), ",
                     PresenceLabel(handler.presence()),
                     ", skills: ", absl::StrJoin(handler.skills(), ", ")));
    return true;
  }

  bool SignOut() {
    v1::SignOutRequest request;
    request.set_tenant(tenant_);
    request.set_handler_id(handler_id_);
    v1::Handler handler;
    grpc::Status status = handlers_.SignOut(UnaryContext().get(), request, &handler);
    if (!status.ok()) {
      Fail("sign-out", status);
      return false;
    }
    Emit(handler);
    Say(absl::StrCat("signed out handler ", handler_id_));
    return true;
  }

  // Reads offers until the stream ends, the limit is reached or a stop; false when the stream
  // failed.
  bool ServeOffers() {
    grpc::ClientContext context;  // no deadline: the stream lives as long as the demo
    v1::StreamOffersRequest request;
    request.set_tenant(tenant_);
    request.set_handler_id(handler_id_);
    std::unique_ptr<grpc::ClientReaderInterface<v1::Offer>> reader =
        handlers_.StreamOffers(&context, request);
    bool limit_reached = false;
    bool stream_ended = false;  // Read() returned false: the status is ready for Finish()
    {
      ScopedCancelHook hook(&stop_, [&context] { context.TryCancel(); });
      Say("waiting for offers (Ctrl-C to stop)");
      int handled = 0;
      v1::Offer offer;
      while (!stop_.stopped()) {
        if (!reader->Read(&offer)) {
          stream_ended = true;
          break;
        }
        Emit(offer);
        Say(FormatOffer(offer, config_.time_zone));
        if (offer.kind() != v1::Offer::KIND_OFFER) continue;
        if (HandleOffer(offer.contact_id())) ++handled;
        if (config_.max_contacts > 0 && handled >= config_.max_contacts) {
          Say(absl::StrCat("handled ", handled, " contact(s), the limit; stopping"));
          limit_reached = true;
          break;
        }
      }
    }
    const bool stopped = stop_.stopped();
    if (!stream_ended) {
      // We leave early: cancel the stream and drain it. (Cancelling a stream that already
      // ended would turn its status into CANCELLED.)
      context.TryCancel();
      v1::Offer unread;
      while (reader->Read(&unread)) {
      }
    }
    const grpc::Status status = reader->Finish();
    if (status.ok()) {
      Say("the router ended the offer stream");
      return true;
    }
    if (status.error_code() == grpc::StatusCode::CANCELLED && (stopped || limit_reached)) {
      if (stopped) Say("stopping");
      return true;
    }
    Fail("offer stream", status);
    return false;
  }

  // Accepts, handles and wraps up one offered contact; true when the contact was handled.
  bool HandleOffer(const std::string& contact_id) {
    v1::OfferResponseRequest offer_response;
    offer_response.set_tenant(tenant_);
    offer_response.set_handler_id(handler_id_);
    offer_response.set_contact_id(contact_id);
    v1::ContactRecord record;

    if (stop_.WaitFor(config_.accept_after)) {
      grpc::Status status = handlers_.RejectOffer(UnaryContext().get(), offer_response, &record);
      if (!status.ok()) {
        Fail(absl::StrCat("reject of contact ", contact_id), status);
      } else {
        Emit(record);
        Say(absl::StrCat("rejected contact ", contact_id, " (stopping)"));
      }
      return false;
    }

    grpc::Status status = handlers_.AcceptOffer(UnaryContext().get(), offer_response, &record);
    if (!status.ok()) {
      // Typically the offer expired or was withdrawn meanwhile; wait for the next one.
      Fail(absl::StrCat("accept of contact ", contact_id), status);
      return false;
    }
    Emit(record);
    Say(absl::StrCat("accepted contact ", contact_id, "; handling for ",
                     absl::FormatDuration(config_.handle_time)));

    const bool cut_short = stop_.WaitFor(config_.handle_time);
    v1::CompleteContactRequest complete;
    complete.set_tenant(tenant_);
    complete.set_contact_id(contact_id);
    status = routing_.CompleteContact(UnaryContext().get(), complete, &record);
    if (!status.ok()) {
      Fail(absl::StrCat("complete of contact ", contact_id), status);
      return false;
    }
    Emit(record);
    Say(absl::StrCat("completed contact ", contact_id, cut_short ? " early (stopping)" : "",
                     "; wrap-up"));

    if (!cut_short) stop_.WaitFor(config_.wrap_up);
    v1::FinishWrapUpRequest finish;
    finish.set_tenant(tenant_);
    finish.set_handler_id(handler_id_);
    finish.set_contact_id(contact_id);
    v1::Handler handler;
    status = handlers_.FinishWrapUp(UnaryContext().get(), finish, &handler);
    if (!status.ok()) {
      Fail(absl::StrCat("finish wrap-up of contact ", contact_id), status);
      return true;
    }
    Emit(handler);
    Say(absl::StrCat("finished wrap-up of contact ", contact_id));
    return true;
  }

  const HandlerDemoConfig& config_;
  const std::string tenant_;
  const std::string handler_id_;
  v1::HandlerService::StubInterface& handlers_;
  v1::RoutingService::StubInterface& routing_;
  StopSignal& stop_;
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace

int RunHandlerDemo(const HandlerDemoConfig& config, v1::HandlerService::StubInterface& handlers,
                   v1::RoutingService::StubInterface& routing, StopSignal& stop, std::ostream& out,
                   std::ostream& err) {
  return Demo(config, handlers, routing, stop, out, err).Run();
}

}  // namespace wissel::cli
