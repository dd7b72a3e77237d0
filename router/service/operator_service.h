// The gRPC OperatorService: queue statistics for wallboards and operators, and the residents'
// rights (AVG art. 15 export and art. 17 erasure) and the audit log for operators, and the event
// stream for supervisors and operators. Thread-safe.
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
  // On the routing thread: the core ends the resident's live contacts and appends the store's
  // erasure (core::Router::EraseResident); replies once the store has deleted everything.
  grpc::ServerUnaryReactor* EraseResident(grpc::CallbackServerContext* context,
                                          const v1::EraseResidentRequest* request,
                                          v1::EraseResidentResponse* response) override;
  // Reads the store (any router of the tenant may answer) and records the export.
  grpc::ServerUnaryReactor* ExportResident(grpc::CallbackServerContext* context,
                                           const v1::ExportResidentRequest* request,
                                           v1::ExportResidentResponse* response) override;
  grpc::ServerUnaryReactor* ReadAudit(grpc::CallbackServerContext* context,
                                      const v1::ReadAuditRequest* request,
                                      v1::ReadAuditResponse* response) override;
  // Any router of the tenant serves it, from the stream in Redis (event_watches.h).
  grpc::ServerWriteReactor<v1::Event>* WatchEvents(grpc::CallbackServerContext* context,
                                                   const v1::WatchEventsRequest* request) override;

 private:
  ServiceContext* ctx_;
};

}  // namespace wissel::service
