#include "router/cli/event_follower.h"

#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "router/cli/format.h"

namespace wissel::cli {
namespace {

// Worth connecting again after: the router went away or stops, Redis is briefly unreachable, or
// the router serves as many watches as it can.
bool Retryable(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

}  // namespace

int RunEventFollower(const EventFollowerConfig& config, v1::OperatorService::StubInterface& stub,
                     StopSignal& stop, std::ostream& out, std::ostream& err) {
  std::string after = config.after;
  absl::Duration retry = config.retry_initial;
  absl::Time broken_since = absl::InfiniteFuture();  // when the last stream broke
  auto report_offset = [&] {
    if (!after.empty()) {
      err << "last offset: " << after << " (resume with --after " << after << ")\n";
    }
  };
  while (!stop.stopped()) {
    grpc::ClientContext context;  // no deadline: the stream lives as long as we follow
    v1::WatchEventsRequest request;
    request.set_tenant(config.tenant);
    request.set_after(after);
    request.set_until_newest(!config.follow);
    std::unique_ptr<grpc::ClientReaderInterface<v1::Event>> reader =
        stub.WatchEvents(&context, request);
    {
      ScopedCancelHook hook(&stop, [&context] { context.TryCancel(); });
      v1::Event event;
      while (reader->Read(&event)) {
        if (config.json) {
          out << FormatJson(event, /*multiline=*/false);
        } else {
          out << FormatEvent(event, config.time_zone);
        }
        out << std::flush;
        after = event.offset();
        broken_since = absl::InfiniteFuture();
        retry = config.retry_initial;
      }
    }
    const grpc::Status status = reader->Finish();
    if (status.ok()) return 0;  // until_newest: everything up to the newest was printed
    if (stop.stopped()) {
      report_offset();
      return 0;
    }
    if (!config.follow || !Retryable(status)) {
      err << "events: " << FormatRpcError(status) << std::flush;
      report_offset();
      return 1;
    }
    const absl::Time now = absl::Now();
    if (broken_since == absl::InfiniteFuture()) broken_since = now;
    if (config.give_up_after > absl::ZeroDuration() && now - broken_since >= config.give_up_after) {
      err << "events: no stream for " << absl::FormatDuration(now - broken_since)
          << ", giving up: " << FormatRpcError(status) << std::flush;
      report_offset();
      return 1;
    }
    err << "events: stream broken (" << absl::StripTrailingAsciiWhitespace(FormatRpcError(status))
        << "), resuming after " << (after.empty() ? "the start" : after) << " in "
        << absl::FormatDuration(retry) << "\n"
        << std::flush;
    if (stop.WaitFor(retry)) break;
    retry = std::min(retry * 2, config.retry_max);
  }
  report_offset();
  return 0;
}

}  // namespace wissel::cli
