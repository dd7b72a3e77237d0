// The gRPC HandlerService: sign-in, presence, the offer stream, accept/reject and wrap-up.
// Thread-safe (gRPC callback API).
#pragma once

#include "router/service/service_context.h"
#include "wissel/v1/handler_service.grpc.pb.h"

namespace wissel::service {

class HandlerServiceImpl final : public v1::HandlerService::CallbackService {
 public:
  // `ctx` is not owned and must outlive the service.
  explicit HandlerServiceImpl(ServiceContext* ctx) : ctx_(ctx) {}

  grpc::ServerUnaryReactor* SignIn(grpc::CallbackServerContext* context,
                                   const v1::SignInRequest* request,
                                   v1::Handler* response) override;
  grpc::ServerUnaryReactor* SignOut(grpc::CallbackServerContext* context,
                                    const v1::SignOutRequest* request,
                                    v1::Handler* response) override;
  grpc::ServerUnaryReactor* SetPresence(grpc::CallbackServerContext* context,
                                        const v1::SetPresenceRequest* request,
                                        v1::Handler* response) override;
  grpc::ServerUnaryReactor* GetHandler(grpc::CallbackServerContext* context,
                                       const v1::GetHandlerRequest* request,
                                       v1::Handler* response) override;
  grpc::ServerWriteReactor<v1::Offer>* StreamOffers(
      grpc::CallbackServerContext* context, const v1::StreamOffersRequest* request) override;
  grpc::ServerUnaryReactor* AcceptOffer(grpc::CallbackServerContext* context,
                                        const v1::OfferResponseRequest* request,
                                        v1::ContactRecord* response) override;
  grpc::ServerUnaryReactor* RejectOffer(grpc::CallbackServerContext* context,
                                        const v1::OfferResponseRequest* request,
                                        v1::ContactRecord* response) override;
  grpc::ServerUnaryReactor* FinishWrapUp(grpc::CallbackServerContext* context,
                                         const v1::FinishWrapUpRequest* request,
                                         v1::Handler* response) override;

 private:
  grpc::ServerUnaryReactor* RespondToOffer(grpc::CallbackServerContext* context,
                                           const v1::OfferResponseRequest* request,
                                           v1::ContactRecord* response, bool accept);
  ServiceContext* ctx_;
};

}  // namespace wissel::service
