#include "router/service/grpc_metrics_interceptor.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
// The services' descriptors must be in the generated pool before the factory looks them up.
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/operator_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::service {
namespace {

constexpr absl::string_view kUnknownMethod = "unknown";

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(RouterMetrics* metrics, absl::string_view method, bool unary)
      : metrics_(metrics),
        method_(method),
        unary_(unary),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      absl::Duration duration = -absl::InfiniteDuration();
      if (unary_) {
        duration = absl::FromChrono(std::chrono::steady_clock::now() - start_);
      }
      metrics_->RpcFinished(method_, GrpcCodeName(status.error_code()), duration);
    }
    methods->Proceed();
  }

 private:
  RouterMetrics* const metrics_;
  const absl::string_view method_;  // owned by the factory, which outlives the calls
  const bool unary_;
  const std::chrono::steady_clock::time_point start_;
};

}  // namespace

absl::string_view GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "OTHER";
  }
}

MetricsInterceptorFactory::MetricsInterceptorFactory(RouterMetrics* metrics) : metrics_(metrics) {
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  for (absl::string_view service_name :
       {v1::RoutingService::service_full_name(), v1::HandlerService::service_full_name(),
        v1::OperatorService::service_full_name()}) {
    const google::protobuf::ServiceDescriptor* service =
        pool->FindServiceByName(std::string(service_name));
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string& method = service->method(i)->name();
      methods_.emplace(absl::StrCat("/", service->full_name(), "/", method),
                       absl::StrCat(service->name(), "/", method));
    }
  }
  // Served by gRPC itself (grpc::EnableDefaultHealthCheckService, the reflection plugin).
  methods_.emplace("/grpc.health.v1.Health/Check", "Health/Check");
  methods_.emplace("/grpc.health.v1.Health/Watch", "Health/Watch");
  methods_.emplace("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                   "ServerReflection/ServerReflectionInfo");
}

absl::string_view MetricsInterceptorFactory::MethodLabel(absl::string_view full_name) const {
  auto it = methods_.find(full_name);
  return it == methods_.end() ? kUnknownMethod : absl::string_view(it->second);
}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  const char* method = info->method();
  return new MetricsInterceptor(metrics_, MethodLabel(method != nullptr ? method : ""),
                                info->type() == grpc::experimental::ServerRpcInfo::Type::UNARY);
}

}  // namespace wissel::service
