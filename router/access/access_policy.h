// The deployment's answer to "what may this caller do": grants that map an identity (a client
// certificate's name, a token's subject or one of its groups) to a role for some tenants, read
// from the `access:` section of the router's configuration.
//
// A caller gets the union of every grant it matches. Nothing matches an anonymous caller unless
// the development mode allow_anonymous is on (accepted by the configuration only for a loopback
// listen address), in which case it may do everything, as before there was access control.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "router/access/identity.h"
#include "router/access/principal.h"
#include "router/access/role.h"
#include "router/core/channel.h"

namespace wissel::access {

struct Grant {
  // Exactly one of the three: who this grant is for.
  std::string certificate;    // a subject alternative name of the client certificate
  std::string token_subject;  // a token's "sub"
  std::string token_group;    // one value of a token's groups claim
  Role role = Role::kChannel;
  // Tenant ids, or {"*"} for every tenant. At least one.
  std::vector<std::string> tenants;
  // kChannel: the channels it may route and read; empty = all.
  std::vector<core::Channel> channels;
  // kHandler: the handler it speaks for. Required for a certificate grant; for a token grant,
  // empty means the token's handler claim.
  std::string handler_id;
};

struct AccessConfig {
  std::vector<Grant> grants;
  // Development only: a caller without certificate or token may do everything.
  bool allow_anonymous = false;
};

// InvalidArgument naming "access.grants[i].field" for a grant that cannot work.
absl::Status ValidateAccessConfig(const AccessConfig& config);

class AccessPolicy {
 public:
  AccessPolicy() = default;
  explicit AccessPolicy(AccessConfig config) : config_(std::move(config)) {}

  // The rights of `identity`. An identity that matches no grant gets a Principal without
  // rights (authenticated() tells whether it proved who it is).
  Principal Resolve(const Identity& identity) const;

  const AccessConfig& config() const { return config_; }

 private:
  AccessConfig config_;
};

// A label for logs and the audit trail that tells callers apart without personal data: a
// certificate's first name as it is (a service, not a person), a token's subject as the first
// 12 hex digits of its SHA-256 ("token:3f2a9c81d0e4"), else "anonymous".
std::string IdentityLabel(const Identity& identity);

}  // namespace wissel::access
