#include "dashboard/stats_poller.h"

#include <glog/logging.h>

#include <chrono>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"

namespace wissel::dashboard {

StatsPoller::StatsPoller(StatsPollerOptions options, v1::OperatorService::StubInterface* stub,
                         DashboardState* state)
    : options_(std::move(options)), stub_(stub), state_(state) {}

StatsPoller::~StatsPoller() { Stop(); }

void StatsPoller::Start() {
  thread_ = std::thread([this] {
    bool failing = false;
    while (!stop_.stopped()) {
      const grpc::Status status = PollOnce();
      // Logged when it starts failing and when it recovers, not every few seconds.
      if (!status.ok() && !failing) {
        LOG(WARNING) << "dashboard: GetQueueStats failed: " << status.error_code() << " "
                     << status.error_message();
      } else if (status.ok() && failing) {
        LOG(INFO) << "dashboard: GetQueueStats answers again";
      }
      failing = !status.ok();
      if (stop_.WaitFor(options_.interval)) break;
    }
  });
}

void StatsPoller::Stop() {
  stop_.Stop();
  if (thread_.joinable()) thread_.join();
}

grpc::Status StatsPoller::PollOnce() {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::microseconds(absl::ToInt64Microseconds(options_.deadline)));
  v1::GetQueueStatsRequest request;
  request.set_tenant(options_.tenant);
  v1::GetQueueStatsResponse response;
  grpc::Status status = stub_->GetQueueStats(&context, request, &response);
  if (status.ok()) {
    state_->SetQueueStats(response);
  } else {
    state_->SetStatsError(
        absl::StrCat("GetQueueStats: ",
                     absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                     ": ", status.error_message()));
  }
  return status;
}

}  // namespace wissel::dashboard
