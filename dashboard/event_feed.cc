#include "dashboard/event_feed.h"

#include <glog/logging.h>

#include <algorithm>
#include <utility>

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

std::string Describe(const grpc::Status& status) {
  return absl::StrCat("WatchEvents: ", status.error_code(), " ", status.error_message());
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
  bool caught_up = false;
  absl::Duration retry = options_.retry_initial;
  while (!stop_.stopped()) {
    grpc::ClientContext context;  // no deadline: the stream lives as long as the dashboard
    v1::WatchEventsRequest request;
    request.set_tenant(options_.tenant);
    request.set_after(after);
    // Until the retained events are read, ask for them only: the end of that stream says the
    // figures are complete.
    request.set_until_newest(!caught_up);
    std::unique_ptr<grpc::ClientReaderInterface<v1::Event>> reader =
        stub_->WatchEvents(&context, request);
    bool said_connected = false;
    {
      cli::ScopedCancelHook hook(&stop_, [&context] { context.TryCancel(); });
      if (caught_up) {
        // A following stream has no first event to wait for: it is open once it is asked.
        state_->SetFeedStatus(true, true, "");
        said_connected = true;
      }
      v1::Event event;
      while (reader->Read(&event)) {
        if (!said_connected) {
          state_->SetFeedStatus(true, caught_up, "");
          said_connected = true;
        }
        state_->AddEvent(event);
        after = event.offset();
        retry = options_.retry_initial;
      }
    }
    const grpc::Status status = reader->Finish();
    if (stop_.stopped()) break;
    if (status.ok() && !caught_up) {
      // Every retained event is in: from here on, follow. "0" again when there were none, so
      // that an event written between the two calls is not missed.
      caught_up = true;
      retry = options_.retry_initial;
      LOG(INFO) << "dashboard: read the retained events of " << options_.tenant
                << "; following from " << after;
      continue;
    }
    if (status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
      LOG(WARNING) << "dashboard: the router no longer retains the events after " << after
                   << "; starting again from the retained events";
      state_->Reset();
      after = "0";
      caught_up = false;
      continue;
    }
    const std::string error = status.ok() ? "WatchEvents: the stream ended" : Describe(status);
    state_->SetFeedStatus(false, caught_up, error);
    LOG(WARNING) << "dashboard: " << error << "; resuming after " << after << " in "
                 << absl::FormatDuration(retry);
    if (stop_.WaitFor(retry)) break;
    // A refusal will not go away by itself soon: retry at the longest interval.
    retry = Transient(status) ? std::min(retry * 2, options_.retry_max) : options_.retry_max;
  }
  state_->SetFeedStatus(false, caught_up, "stopped");
}

}  // namespace wissel::dashboard
