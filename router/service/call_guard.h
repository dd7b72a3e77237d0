// The door of every RPC: establishes who is calling (the verified client certificate's names,
// the bearer token), resolves what that caller may do (router/access/access_policy.h) and checks
// the call against the table of router/access/rpc_permissions.h — before anything else happens.
//
// A call forwarded by another router (peer_forwarding.h) carries its original caller: the
// token in the authorization header as it came, and the caller's certificate names in
// `wissel-forwarded-certificate`. Both, and the forwarded mark itself, are honoured only when the
// sending router holds the peer role for the tenant; from anyone else they are ignored.
//
// Denials are counted and logged with the caller's label (access_policy.h IdentityLabel), the
// RPC and the code — never a resident's data or a token. Thread-safe.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "router/access/access_policy.h"
#include "router/access/identity.h"
#include "router/access/rpc_permissions.h"

namespace wissel::service {

inline constexpr char kForwardedCertificateMetadata[] = "wissel-forwarded-certificate";

// Verifies a bearer token and returns the identity it proves (has_token set), or
// UNAUTHENTICATED with the reason.
using TokenCheck = std::function<absl::StatusOr<access::Identity>(absl::string_view token)>;

// A call let in.
struct Admission {
  access::Principal principal;
  access::ContactScope scope;
  // Forwarded by a peer router: not to be forwarded again.
  bool forwarded = false;
};

class CallGuard {
 public:
  // Without `check_token`, calls with a bearer token are refused (UNAUTHENTICATED).
  CallGuard(access::AccessPolicy policy, TokenCheck check_token)
      : policy_(std::make_shared<const access::AccessPolicy>(std::move(policy))),
        check_token_(std::move(check_token)) {}

  // A reloaded configuration's grants; calls admitted from now on are checked against them.
  void SetPolicy(access::AccessPolicy policy) {
    auto next = std::make_shared<const access::AccessPolicy>(std::move(policy));
    absl::MutexLock lock(&mu_);
    policy_ = std::move(next);
  }

  absl::StatusOr<Admission> Admit(const grpc::ServerContextBase& context, access::Rpc rpc,
                                  const access::CallTarget& target) const;

  int64_t unauthenticated() const { return unauthenticated_.load(std::memory_order_relaxed); }
  int64_t permission_denied() const { return denied_.load(std::memory_order_relaxed); }

 private:
  absl::Status Deny(absl::Status status, const access::Principal& principal, access::Rpc rpc) const;

  std::shared_ptr<const access::AccessPolicy> policy() const {
    absl::ReaderMutexLock lock(&mu_);
    return policy_;
  }

  mutable absl::Mutex mu_;
  std::shared_ptr<const access::AccessPolicy> policy_ ABSL_GUARDED_BY(mu_);
  const TokenCheck check_token_;
  mutable std::atomic<int64_t> unauthenticated_{0};
  mutable std::atomic<int64_t> denied_{0};
};

// The verified subject alternative names (DNS and URI) of the caller's client certificate.
std::vector<std::string> CertificateNames(const grpc::ServerContextBase& context);

}  // namespace wissel::service
