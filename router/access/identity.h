// Who is calling, as the transport and the token verifier established it — before any
// configuration says what that caller may do (access_policy.h).
#pragma once

#include <string>
#include <vector>

namespace wissel::access {

struct Identity {
  // The subject alternative names (DNS and URI, e.g. "chat.wissel.svc" or
  // "spiffe://gemeente.example/wissel/chat") of a client certificate that verified against the
  // configured CA. Empty without one.
  std::vector<std::string> certificate_names;
  // From a verified bearer token (JWT); all empty without one.
  bool has_token = false;
  std::string token_subject;
  std::vector<std::string> token_groups;
  // The handler id the token speaks for (its configured handler claim), if any.
  std::string token_handler_id;

  bool anonymous() const { return certificate_names.empty() && !has_token; }
};

}  // namespace wissel::access
