// The door of every RPC: establishes who is calling (the verified client certificate's names,
// the bearer token), resolves what that caller may do (router/access/access_policy.h) and checks
// the call against the table of router/access/rpc_permissions.h — before anything else happens.
//
// A call forwarded by another router (peer_forwarding.h) carries its original caller: the
// token in the authorization header as it came, and the caller's certificate names in
// `wissel-forwarded-certificate`. Both, and the forwarded mark itself, are honoured only when the
// sending router holds the peer role for the tenant; from anyone else they are ignored.
//
// The token is verified on every call (from the verifier's cache after its first call, see
// router/security/token_verifier.h), and what the caller may do is found in the PrincipalCache of
// the current policy (principal_cache.h), so that a known caller costs two lookups, not a
// resolution of its grants.
//
// Denials are counted and logged with the caller's label (access_policy.h IdentityLabel), the
// RPC and the code — never a resident's data or a token. Thread-safe.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "router/access/access_policy.h"
#include "router/access/principal.h"
#include "router/access/rpc_permissions.h"
#include "router/security/token_claims.h"
#include "router/service/principal_cache.h"

namespace wissel::service {

inline constexpr char kForwardedCertificateMetadata[] = "wissel-forwarded-certificate";

// Verifies a bearer token and returns its claims (never null), or UNAUTHENTICATED with the
// reason. For a token it has verified before it should return the same object (as
// security::TokenVerifier::Verify does): CallGuard remembers the caller's rights by that object.
using TokenCheck = std::function<absl::StatusOr<std::shared_ptr<const security::TokenClaims>>(
    absl::string_view token)>;

// What a call shows of its caller, as read from its gRPC context (CallGuard::Admit).
struct CallerProof {
  // The value of the authorization header; nullopt without one.
  std::optional<absl::string_view> authorization;
  // The verified client certificate's names (CertificateNames).
  std::vector<std::string> certificate_names;
  // The call carries the forwarded mark (kForwardedMetadata) ...
  bool forwarded = false;
  // ... and these original caller's certificate names (kForwardedCertificateMetadata).
  std::vector<std::string> forwarded_certificate_names;
};

// A call let in.
struct Admission {
  // What the caller may do; never null. Shared with the other calls of the same caller.
  std::shared_ptr<const access::Principal> principal;
  access::ContactScope scope;
  // Forwarded by a peer router: not to be forwarded again.
  bool forwarded = false;
};

class CallGuard {
 public:
  // Without `check_token`, calls with a bearer token are refused (UNAUTHENTICATED).
  CallGuard(access::AccessPolicy policy, TokenCheck check_token)
      : principals_(std::make_shared<const PrincipalCache>(std::move(policy))),
        check_token_(std::move(check_token)) {}

  // A reloaded configuration's grants; calls admitted from now on are checked against them (with
  // a new PrincipalCache: nothing resolved under the old grants is used again).
  void SetPolicy(access::AccessPolicy policy) {
    auto next = std::make_shared<const PrincipalCache>(std::move(policy));
    absl::MutexLock lock(&mu_);
    principals_ = std::move(next);
  }

  // The call's caller as its context shows it (CallerProof), admitted or refused for `rpc` on
  // `target`: UNAUTHENTICATED for a token that does not verify or a caller that proved nothing,
  // PERMISSION_DENIED when its rights do not allow the call.
  absl::StatusOr<Admission> Admit(const grpc::ServerContextBase& context, access::Rpc rpc,
                                  const access::CallTarget& target) const;
  // The same for a caller given directly.
  absl::StatusOr<Admission> Admit(CallerProof caller, access::Rpc rpc,
                                  const access::CallTarget& target) const;

  int64_t unauthenticated() const { return unauthenticated_.load(std::memory_order_relaxed); }
  int64_t permission_denied() const { return denied_.load(std::memory_order_relaxed); }

 private:
  // `label`: the caller's (Principal::label), empty for a caller not yet identified.
  absl::Status Deny(absl::Status status, absl::string_view label, access::Rpc rpc) const;

  std::shared_ptr<const PrincipalCache> principals() const {
    absl::ReaderMutexLock lock(&mu_);
    return principals_;
  }

  mutable absl::Mutex mu_;
  std::shared_ptr<const PrincipalCache> principals_ ABSL_GUARDED_BY(mu_);
  const TokenCheck check_token_;
  mutable std::atomic<int64_t> unauthenticated_{0};
  mutable std::atomic<int64_t> denied_{0};
};

// The verified subject alternative names (DNS and URI) of the caller's client certificate.
std::vector<std::string> CertificateNames(const grpc::ServerContextBase& context);

}  // namespace wissel::service
