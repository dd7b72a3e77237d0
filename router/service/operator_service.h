// The gRPC OperatorService: queue statistics for wallboards and operators. Thread-safe.
#pragma once

#include "router/service/service_context.h"
#include "wissel/v1/operator_service.grpc.pb.h"

namespace wissel::service {

class OperatorServiceImpl final : public v1::OperatorService::CallbackService {
 public:
  // `ctx` is not owned and must outlive the service.
  explicit OperatorServiceImpl(ServiceContext* ctx) : ctx_(ctx) {}

  grpc::ServerUnaryReactor* GetQueueStats(grpc::CallbackServerContext* context,
                                          const v1::GetQueueStatsRequest* request,
                                          v1::GetQueueStatsResponse* response) override;

 private:
  ServiceContext* ctx_;
};

}  // namespace wissel::service
