#include "adapters/sip/grpc_routing_client.h"

#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"

namespace wissel::adapters::sip {
namespace {

void SetDeadline(grpc::ClientContext* context, absl::Duration timeout) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::microseconds(absl::ToInt64Microseconds(timeout)));
}

// grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING
constexpr int kServing = 1;

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

GrpcRoutingClient::GrpcRoutingClient(GrpcRoutingClientOptions options)
    : options_(std::move(options)) {
  grpc::ChannelArguments args;
  // Reconnect quickly after the router restarts, so that 503s end soon after it is back.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  channel_ = grpc::CreateCustomChannel(options_.target, grpc::InsecureChannelCredentials(), args);
  routing_ = v1::RoutingService::NewStub(channel_);
  handlers_ = v1::HandlerService::NewStub(channel_);
  generic_ = std::make_unique<grpc::GenericStub>(channel_);
}

absl::StatusOr<v1::RouteContactResponse> GrpcRoutingClient::RouteContact(
    const v1::Contact& contact) {
  grpc::ClientContext context;
  SetDeadline(&context, options_.deadline);
  v1::RouteContactRequest request;
  *request.mutable_contact() = contact;
  v1::RouteContactResponse response;
  const grpc::Status status = routing_->RouteContact(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<v1::ContactRecord> GrpcRoutingClient::CancelContact(absl::string_view tenant,
                                                                   absl::string_view contact_id,
                                                                   absl::string_view reason) {
  grpc::ClientContext context;
  SetDeadline(&context, options_.deadline);
  v1::CancelContactRequest request;
  request.set_tenant(std::string(tenant));
  request.set_contact_id(std::string(contact_id));
  request.set_reason(std::string(reason));
  v1::ContactRecord response;
  const grpc::Status status = routing_->CancelContact(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<v1::Handler> GrpcRoutingClient::GetHandler(absl::string_view tenant,
                                                          absl::string_view handler_id) {
  grpc::ClientContext context;
  SetDeadline(&context, options_.deadline);
  v1::GetHandlerRequest request;
  request.set_tenant(std::string(tenant));
  request.set_handler_id(std::string(handler_id));
  v1::Handler response;
  const grpc::Status status = handlers_->GetHandler(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::Status GrpcRoutingClient::CheckHealth() {
  // grpc.health.v1.Health/Check with an empty HealthCheckRequest (service ""), encoded by hand:
  // Debian ships no generated health stubs, and the messages are one field each.
  grpc::ClientContext context;
  SetDeadline(&context, options_.health_deadline);
  grpc::Slice empty_message("");  // HealthCheckRequest{service: ""} encodes to no bytes
  grpc::ByteBuffer request(&empty_message, 1);  // a default ByteBuffer is not a valid message
  grpc::ByteBuffer response;
  grpc::Status status;
  absl::Notification done;
  generic_->UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                      &response, [&](grpc::Status s) {
                        status = std::move(s);
                        done.Notify();
                      });
  done.WaitForNotification();
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat("router health check: ", status.error_message()));
  }
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return absl::UnavailableError("unreadable health reply");
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  // HealthCheckResponse { ServingStatus status = 1; } -> 0x08 <varint>.
  if (bytes.size() >= 2 && bytes[0] == 0x08 && bytes[1] == kServing) return absl::OkStatus();
  return absl::UnavailableError("router is not serving");
}

}  // namespace wissel::adapters::sip
