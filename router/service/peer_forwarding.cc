#include "router/service/peer_forwarding.h"

#include <atomic>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "router/service/call_guard.h"
#include "router/transport/tls_options.h"

namespace wissel::service {
namespace {

// A forwarded call never waits longer than this for the deciding router, whatever the
// caller's own deadline.
constexpr auto kMaxForwardedCall = std::chrono::seconds(30);

// One relayed StreamOffers: the caller's server stream and the upstream client stream to the
// deciding router. Reads one offer, writes it, then reads the next (one outstanding operation
// on each side, as gRPC requires). Whichever side ends first ends the other; the object
// deletes itself when both have called OnDone.
class OfferStreamRelay final : public grpc::ServerWriteReactor<v1::Offer> {
 public:
  OfferStreamRelay(const PeerStubs& peers, PeerStubs::Peer& peer,
                   const grpc::CallbackServerContext* context, v1::StreamOffersRequest request)
      : peers_(peers),
        client_context_(ForwardingContext(context)),
        request_(std::move(request)),
        upstream_(this) {
    // Offer streams live for a shift: no deadline upstream.
    client_context_->set_deadline(std::chrono::system_clock::time_point::max());
    peer.handlers->async()->StreamOffers(client_context_.get(), &request_, &upstream_);
    upstream_.StartRead(&offer_);
    upstream_.StartCall();
  }

  void OnWriteDone(bool ok) override {
    if (ok) {
      upstream_.StartRead(&offer_);
    } else {
      client_context_->TryCancel();  // the caller went away
    }
  }
  void OnCancel() override { client_context_->TryCancel(); }
  void OnDone() override { Release(); }

 private:
  class Upstream final : public grpc::ClientReadReactor<v1::Offer> {
   public:
    explicit Upstream(OfferStreamRelay* relay) : relay_(relay) {}
    void OnReadDone(bool ok) override {
      if (ok) relay_->StartWrite(&relay_->offer_);
      // else: the stream ended; OnDone follows with its status.
    }
    void OnDone(const grpc::Status& status) override {
      if (status.error_code() == grpc::StatusCode::UNAVAILABLE) relay_->peers_.ReportUnreachable();
      relay_->Finish(status);
      relay_->Release();
    }

   private:
    OfferStreamRelay* const relay_;
  };

  void Release() {
    if (done_.fetch_add(1) == 1) delete this;
  }

  const PeerStubs& peers_;
  std::unique_ptr<grpc::ClientContext> client_context_;
  const v1::StreamOffersRequest request_;
  v1::Offer offer_;
  Upstream upstream_;
  std::atomic<int> done_{0};
};

// An offer stream that cannot be relayed: finished at once, deleted when done.
class RefusedStream final : public grpc::ServerWriteReactor<v1::Offer> {
 public:
  void OnDone() override { delete this; }
};

}  // namespace

absl::StatusOr<PeerStubs::Peer*> PeerStubs::Get(const std::string& address) {
  if (credentials_ == nullptr) {
    return absl::FailedPreconditionError(
        "the tenant is decided by another router, and this router has no TLS credentials for "
        "its peers (tls.peer_ca_file or tls.client_ca_file)");
  }
  if (loopback_only_ && !transport::IsLoopbackAddress(address)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the tenant is decided by the router at ", address,
        ", which is not on loopback, and this router's peers are configured plaintext"));
  }
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Peer>& peer = peers_[address];
  if (peer == nullptr) {
    peer = std::make_unique<Peer>();
    peer->channel = grpc::CreateChannel(address, credentials_);
    peer->routing = v1::RoutingService::NewStub(peer->channel);
    peer->handlers = v1::HandlerService::NewStub(peer->channel);
    peer->operators = v1::OperatorService::NewStub(peer->channel);
  }
  return peer.get();
}

std::unique_ptr<grpc::ClientContext> ForwardingContext(const grpc::CallbackServerContext* context) {
  auto client = std::make_unique<grpc::ClientContext>();
  client->set_deadline(
      std::min(context->deadline(), std::chrono::system_clock::now() + kMaxForwardedCall));
  client->AddMetadata(kForwardedMetadata, "1");
  // The caller's own credentials travel with the call; the deciding router checks them again
  // (call_guard.h), trusting this router only to pass them on.
  const auto& metadata = context->client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    client->AddMetadata("authorization", std::string(it->second.data(), it->second.size()));
  }
  for (const std::string& name : CertificateNames(*context)) {
    client->AddMetadata(kForwardedCertificateMetadata, name);
  }
  return client;
}

grpc::ServerWriteReactor<v1::Offer>* RelayOfferStream(PeerStubs& peers, const std::string& address,
                                                      grpc::CallbackServerContext* context,
                                                      const v1::StreamOffersRequest* request) {
  absl::StatusOr<PeerStubs::Peer*> peer = peers.Get(address);
  if (!peer.ok()) {
    auto* refusal = new RefusedStream();
    refusal->Finish(
        grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, std::string(peer.status().message())));
    return refusal;
  }
  return new OfferStreamRelay(peers, **peer, context, *request);
}

}  // namespace wissel::service
