#include "adapters/common/grpc_router_client.h"

#include <glog/logging.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "adapters/common/bad_request.h"
#include "adapters/common/http_api.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "router/transport/grpc_credentials.h"

namespace wissel::adapters {

absl::StatusOr<std::shared_ptr<grpc::Channel>> RouterChannel(
    const GrpcRouterClientOptions& options) {
  grpc::ChannelArguments args;
  const int max_backoff_ms =
      static_cast<int>(absl::ToInt64Milliseconds(options.max_reconnect_backoff));
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, std::min(250, max_backoff_ms));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, max_backoff_ms);
  // Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC takes it as the time a connection attempt may
  // take (TCP and the TLS handshake, default 20 s). Set to a fraction of a second it made every
  // attempt give up before a handshake with a client certificate had finished on a busy machine,
  // and a channel to a restarted router never connected again (found by the dashboard's
  // end-to-end test). A refused connection fails at once anyway, so attempts still come every
  // 250 ms .. max_reconnect_backoff while the router is down.
  return transport::CreateChannel(options.target, options.tls, "--router", args);
}

namespace {

std::shared_ptr<grpc::Channel> MakeChannel(const GrpcRouterClientOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = RouterChannel(options);
  // The options were checked where they were read (RouterOptionsFromFlags); a client that
  // cannot make a secure channel must not fall back to an insecure one.
  CHECK(channel.ok()) << channel.status();
  return *std::move(channel);
}

void SetDeadline(grpc::ClientContext* ctx, absl::Duration timeout) {
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::microseconds(absl::ToInt64Microseconds(timeout)));
}

template <typename Response, typename Call>
absl::StatusOr<Response> Unary(absl::Duration deadline, Call call) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx, deadline);
  Response response;
  const grpc::Status status = call(&ctx, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  google::rpc::Status rpc_status;
  if (code == absl::StatusCode::kInvalidArgument && !status.error_details().empty() &&
      rpc_status.ParseFromString(status.error_details())) {
    for (const auto& detail : rpc_status.details()) {
      google::rpc::BadRequest bad_request;
      if (detail.UnpackTo(&bad_request) && bad_request.field_violations_size() > 0) {
        const auto& violation = bad_request.field_violations(0);
        return WithBadRequest(
            absl::Status(code, absl::StrCat(violation.field(), ": ", violation.description())),
            bad_request);
      }
    }
  }
  return {code, status.error_message()};
}

GrpcRouterClient::GrpcRouterClient(const GrpcRouterClientOptions& options)
    : GrpcRouterClient(options, MakeChannel(options)) {}

GrpcRouterClient::GrpcRouterClient(GrpcRouterClientOptions options,
                                   std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)),
      channel_(std::move(channel)),
      stub_(v1::RoutingService::NewStub(channel_)),
      handlers_(v1::HandlerService::NewStub(channel_)) {}

absl::StatusOr<v1::RouteContactResponse> GrpcRouterClient::RouteContact(
    const v1::RouteContactRequest& request) {
  return Unary<v1::RouteContactResponse>(
      options_.deadline, [&](grpc::ClientContext* ctx, v1::RouteContactResponse* response) {
        return stub_->RouteContact(ctx, request, response);
      });
}

absl::StatusOr<v1::ContactRecord> GrpcRouterClient::GetContact(
    const v1::GetContactRequest& request) {
  return Unary<v1::ContactRecord>(options_.deadline,
                                  [&](grpc::ClientContext* ctx, v1::ContactRecord* response) {
                                    return stub_->GetContact(ctx, request, response);
                                  });
}

absl::StatusOr<v1::ContactRecord> GrpcRouterClient::CancelContact(
    const v1::CancelContactRequest& request) {
  return Unary<v1::ContactRecord>(options_.deadline,
                                  [&](grpc::ClientContext* ctx, v1::ContactRecord* response) {
                                    return stub_->CancelContact(ctx, request, response);
                                  });
}

absl::StatusOr<v1::ContactRecord> GrpcRouterClient::CompleteContact(
    const v1::CompleteContactRequest& request) {
  return Unary<v1::ContactRecord>(options_.deadline,
                                  [&](grpc::ClientContext* ctx, v1::ContactRecord* response) {
                                    return stub_->CompleteContact(ctx, request, response);
                                  });
}

absl::StatusOr<v1::Handler> GrpcRouterClient::GetHandler(const v1::GetHandlerRequest& request) {
  return Unary<v1::Handler>(options_.deadline,
                            [&](grpc::ClientContext* ctx, v1::Handler* response) {
                              return handlers_->GetHandler(ctx, request, response);
                            });
}

absl::Status GrpcRouterClient::CheckHealth() {
  // grpc.health.v1.Health/Check through the generic stub: HealthCheckRequest{service: ""}
  // serialises to nothing, and the answer is read with a wire-compatible message.
  grpc::GenericStub stub(channel_);
  grpc::Slice empty("", 0);
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext ctx;
  SetDeadline(&ctx, options_.health_deadline);
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();  // bounded by the deadline
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat("router health check failed: ", status.error_message()));
  }
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return absl::UnavailableError("unreadable health answer");
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  api::GrpcHealthCheckResponse health;
  if (!health.ParseFromString(bytes)) return absl::UnavailableError("unreadable health answer");
  if (health.status() != 1) return absl::UnavailableError("router is not serving");
  return absl::OkStatus();
}

}  // namespace wissel::adapters
