// A gRPC server interceptor that counts every call the router finishes, by method and status
// code, and times the unary ones (RouterMetrics::RpcFinished): one place that sees every RPC,
// those refused by the access check or forwarded to another router included.
//
// The method label is "Service/Method" for the router's own services (wissel.v1), health
// checking and reflection, and "unknown" for anything else, so a client calling made-up method
// names cannot create series. Registered only when metrics are on (server.cc).
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <string>

#include "absl/container/flat_hash_map.h"
#include "router/service/router_metrics.h"

namespace wissel::service {

// The name of a gRPC status code as in the gRPC documentation ("OK", "UNAVAILABLE", ...).
absl::string_view GrpcCodeName(grpc::StatusCode code);

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `metrics` must outlive the server the factory is registered with.
  explicit MetricsInterceptorFactory(RouterMetrics* metrics);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  // The method label of a full method name ("/wissel.v1.RoutingService/RouteContact").
  absl::string_view MethodLabel(absl::string_view full_name) const;

 private:
  RouterMetrics* const metrics_;
  // Full method name -> "Service/Method", for the methods the router serves.
  absl::flat_hash_map<std::string, std::string> methods_;
};

}  // namespace wissel::service
