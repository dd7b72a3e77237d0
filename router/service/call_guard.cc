#include "router/service/call_guard.h"

#include <glog/logging.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "router/service/peer_forwarding.h"

namespace wissel::service {
namespace {

constexpr char kAuthorization[] = "authorization";

absl::string_view View(const grpc::string_ref& s) { return {s.data(), s.size()}; }

}  // namespace

std::vector<std::string> CertificateNames(const grpc::ServerContextBase& context) {
  std::vector<std::string> names;
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return names;
  for (const char* property : {GRPC_PEER_DNS_PROPERTY_NAME, GRPC_PEER_URI_PROPERTY_NAME}) {
    for (const grpc::string_ref& value : auth->FindPropertyValues(property)) {
      names.emplace_back(View(value));
    }
  }
  return names;
}

absl::StatusOr<Admission> CallGuard::Admit(const grpc::ServerContextBase& context, access::Rpc rpc,
                                           const access::CallTarget& target) const {
  const auto& metadata = context.client_metadata();
  CallerProof caller;
  if (auto it = metadata.find(kAuthorization); it != metadata.end()) {
    caller.authorization = View(it->second);
  }
  caller.certificate_names = CertificateNames(context);
  if (metadata.count(kForwardedMetadata) > 0) {
    caller.forwarded = true;
    for (auto [it, end] = metadata.equal_range(kForwardedCertificateMetadata); it != end; ++it) {
      caller.forwarded_certificate_names.emplace_back(View(it->second));
    }
  }
  return Admit(std::move(caller), rpc, target);
}

absl::StatusOr<Admission> CallGuard::Admit(CallerProof caller, access::Rpc rpc,
                                           const access::CallTarget& target) const {
  std::shared_ptr<const security::TokenClaims> token;
  if (caller.authorization.has_value()) {
    absl::string_view value = *caller.authorization;
    if (!absl::ConsumePrefix(&value, "Bearer ") && !absl::ConsumePrefix(&value, "bearer ")) {
      return Deny(absl::UnauthenticatedError("authorization: only Bearer tokens are accepted"), "",
                  rpc);
    }
    if (!check_token_) {
      return Deny(absl::UnauthenticatedError(
                      "authorization: bearer tokens are not accepted here (no identity provider "
                      "configured)"),
                  "", rpc);
    }
    absl::StatusOr<std::shared_ptr<const security::TokenClaims>> verified = check_token_(value);
    if (!verified.ok()) {
      return Deny(
          absl::UnauthenticatedError(absl::StrCat("authorization: ", verified.status().message())),
          "", rpc);
    }
    token = *std::move(verified);
  }

  const std::shared_ptr<const PrincipalCache> principals = this->principals();
  Admission admission;
  if (caller.forwarded && principals->Resolve(nullptr, caller.certificate_names)
                              ->Has(access::Role::kPeer, target.tenant)) {
    // A peer router passing on its caller: that caller's rights apply.
    admission.principal = principals->Resolve(token, std::move(caller.forwarded_certificate_names));
    admission.forwarded = true;
  } else {
    admission.principal = principals->Resolve(token, std::move(caller.certificate_names));
  }
  absl::StatusOr<access::ContactScope> scope = access::Authorize(*admission.principal, rpc, target);
  if (!scope.ok()) return Deny(scope.status(), admission.principal->label(), rpc);
  admission.scope = *std::move(scope);
  return admission;
}

absl::Status CallGuard::Deny(absl::Status status, absl::string_view label, access::Rpc rpc) const {
  const int64_t n = status.code() == absl::StatusCode::kUnauthenticated
                        ? unauthenticated_.fetch_add(1, std::memory_order_relaxed)
                        : denied_.fetch_add(1, std::memory_order_relaxed);
  // The first denials in full, then one in a hundred: a scan must not flood the log.
  if (n < 20 || n % 100 == 0) {
    LOG(WARNING) << "denied " << access::RpcName(rpc) << " to "
                 << (label.empty() ? "an unverified caller" : label) << ": "
                 << absl::StatusCodeToString(status.code()) << " (" << n + 1 << " so far)";
  }
  return status;
}

}  // namespace wissel::service
