// The gRPC RoutingService: validates requests, hands them to the routing engine and replies
// once the result is durable. Thread-safe (gRPC callback API; no blocking on the store except
// for reads of closed contacts).
#pragma once

#include "router/service/service_context.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::service {

class RoutingServiceImpl final : public v1::RoutingService::CallbackService {
 public:
  // `ctx` is not owned and must outlive the service.
  explicit RoutingServiceImpl(ServiceContext* ctx) : ctx_(ctx) {}

  grpc::ServerUnaryReactor* RouteContact(grpc::CallbackServerContext* context,
                                         const v1::RouteContactRequest* request,
                                         v1::RouteContactResponse* response) override;
  grpc::ServerUnaryReactor* GetContact(grpc::CallbackServerContext* context,
                                       const v1::GetContactRequest* request,
                                       v1::ContactRecord* response) override;
  grpc::ServerUnaryReactor* CancelContact(grpc::CallbackServerContext* context,
                                          const v1::CancelContactRequest* request,
                                          v1::ContactRecord* response) override;
  grpc::ServerUnaryReactor* CompleteContact(grpc::CallbackServerContext* context,
                                            const v1::CompleteContactRequest* request,
                                            v1::ContactRecord* response) override;
  grpc::ServerUnaryReactor* TransferContact(grpc::CallbackServerContext* context,
                                            const v1::TransferContactRequest* request,
                                            v1::RouteContactResponse* response) override;
  grpc::ServerUnaryReactor* SetContactPerson(grpc::CallbackServerContext* context,
                                             const v1::SetContactPersonRequest* request,
                                             v1::SetContactPersonResponse* response) override;

 private:
  ServiceContext* ctx_;
};

}  // namespace wissel::service
