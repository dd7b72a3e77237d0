#include "dashboard/event_feed.h"

#include <glog/logging.h>

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"

namespace wissel::dashboard {
namespace {

// Worth connecting again after at once (with the short backoff): the router went away or
// stops, Redis is briefly unreachable, or the router serves as many watches as it can.
bool Transient(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

// "WatchEvents: PERMISSION_DENIED: ..." (gRPC's codes are absl's).
std::string Describe(const grpc::Status& status) {
  return absl::StrCat(
      "WatchEvents: ", absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
      ": ", status.error_message());
}

}  // namespace

EventFeed::EventFeed(EventFeedOptions options, v1::OperatorService::StubInterface* stub,
                     DashboardState* state)
    : options_(std::move(options)), stub_(stub), state_(state) {}

EventFeed::~EventFeed() { Stop(); }

void EventFeed::Start() {
  thread_ = std::thread([this] { Run(); });
}

void EventFeed::Stop() {
  stop_.Stop();
  if (thread_.joinable()) thread_.join();
}

void EventFeed::Run() {
  std::string after = "0";
  // The model holds every retained event (stays true once it is).
  bool complete = false;
  // This connection has read up to the newest event: follow. Every connection first reads up
  // to the newest (until_newest), so the stream is known to be open when that ends, also when
  // no event comes: only then does the page say "live".
  bool following = false;
  absl::Duration retry = options_.retry_initial;
  while (!stop_.stopped()) {
    grpc::ClientContext context;  // no deadline: the stream lives as long as the dashboard
    v1::WatchEventsRequest request;
    request.set_tenant(options_.tenant);
    request.set_after(after);
    request.set_until_newest(!following);
    std::unique_ptr<grpc::ClientReaderInterface<v1::Event>> reader =
        stub_->WatchEvents(&context, request);
    {
      cli::ScopedCancelHook hook(&stop_, [&context] { context.TryCancel(); });
      v1::Event event;
      bool first = true;
      while (reader->Read(&event)) {
        if (first && !complete) state_->SetFeedStatus(true, false, "");  // loading
        first = false;
        state_->AddEvent(event);
        after = event.offset();
        if (following) retry = options_.retry_initial;
      }
    }
    const grpc::Status status = reader->Finish();
    if (stop_.stopped()) break;
    if (status.ok() && !following) {
      // Read up to the newest: from here on, follow ("0" again when there were none, so that
      // an event written between the two calls is not missed).
      if (!complete) {
        LOG(INFO) << "dashboard: read the retained events of " << options_.tenant
                  << "; following after " << after;
      }
      following = true;
      complete = true;
      state_->SetFeedStatus(true, true, "");
      continue;
    }
    following = false;
    if (status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
      LOG(WARNING) << "dashboard: the router no longer retains the events after " << after
                   << "; starting again from the retained events";
      state_->Reset();
      after = "0";
      complete = false;
      continue;
    }
    const std::string error = status.ok() ? "WatchEvents: the stream ended" : Describe(status);
    state_->SetFeedStatus(false, complete, error);
    LOG(WARNING) << "dashboard: " << error << "; resuming after " << after << " in "
                 << absl::FormatDuration(retry);
    if (stop_.WaitFor(retry)) break;
    // A refusal will not go away by itself soon: retry at the longest interval.
    retry = Transient(status) ? std::min(retry * 2, options_.retry_max) : options_.retry_max;
  }
  state_->SetFeedStatus(false, complete, "stopped");
}

}  // namespace wissel::dashboard
