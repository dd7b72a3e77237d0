// What one caller may do: the rights its identity's grants give it, per tenant. Made by
// AccessPolicy::Resolve once per call; cheap to query.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "router/access/role.h"
#include "router/core/channel.h"

namespace wissel::access {

struct Right {
  Role role = Role::kChannel;
  // A tenant id, or "*" for every tenant.
  std::string tenant;
  // kChannel: the channels it may route and read; all true unless the grant lists some.
  core::PerChannel<bool> channels{true};
  // kHandler: the one handler it speaks for.
  std::string handler_id;

  bool CoversTenant(absl::string_view t) const { return tenant == "*" || tenant == t; }
};

class Principal {
 public:
  Principal() = default;
  // `label` names the caller in logs without personal data (see AccessPolicy::Resolve).
  Principal(std::vector<Right> rights, std::string label, bool authenticated)
      : rights_(std::move(rights)), label_(std::move(label)), authenticated_(authenticated) {}

  // Every role on every tenant: the development mode `access.allow_anonymous`.
  static Principal Unrestricted(std::string label);

  // Whether the caller presented a certificate or token that verified, or is the unrestricted
  // development caller.
  bool authenticated() const { return authenticated_; }
  const std::string& label() const { return label_; }
  const std::vector<Right>& rights() const { return rights_; }

  bool Has(Role role, absl::string_view tenant) const;
  // kChannel for `tenant` including `channel`.
  bool HasChannel(absl::string_view tenant, core::Channel channel) const;
  // kHandler for `tenant` speaking for `handler_id`.
  bool IsHandler(absl::string_view tenant, absl::string_view handler_id) const;
  // Any role at all for `tenant`.
  bool Knows(absl::string_view tenant) const;

 private:
  std::vector<Right> rights_;
  std::string label_;
  bool authenticated_ = false;
};

}  // namespace wissel::access
