#include "router/access/access_policy.h"

#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace wissel::access {
namespace {

bool Contains(const std::vector<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

bool Matches(const Grant& g, const Identity& id) {
  if (!g.certificate.empty()) return Contains(id.certificate_names, g.certificate);
  if (!id.has_token) return false;
  if (!g.token_subject.empty()) return id.token_subject == g.token_subject;
  if (!g.token_group.empty()) return Contains(id.token_groups, g.token_group);
  return false;
}

}  // namespace

absl::Status ValidateAccessConfig(const AccessConfig& config) {
  for (size_t i = 0; i < config.grants.size(); ++i) {
    const Grant& g = config.grants[i];
    const std::string path = absl::StrCat("access.grants[", i, "]");
    const int who = !g.certificate.empty() + !g.token_subject.empty() + !g.token_group.empty();
    if (who != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": give exactly one of certificate, token_subject, token_group"));
    }
    if (g.tenants.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ".tenants: at least one (or \"*\")"));
    }
    if (!g.channels.empty() && g.role != Role::kChannel) {
      return absl::InvalidArgumentError(absl::StrCat(path, ".channels: only for role channel"));
    }
    if (!g.handler_id.empty() && g.role != Role::kHandler) {
      return absl::InvalidArgumentError(absl::StrCat(path, ".handler_id: only for role handler"));
    }
    if (g.role == Role::kHandler && !g.certificate.empty() && g.handler_id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".handler_id: required for a handler identified by certificate"));
    }
  }
  return absl::OkStatus();
}

Principal AccessPolicy::Resolve(const Identity& identity) const {
  if (identity.anonymous()) {
    if (config_.allow_anonymous) return Principal::Unrestricted("anonymous");
    return Principal({}, "anonymous", /*authenticated=*/false);
  }
  std::vector<Right> rights;
  for (const Grant& g : config_.grants) {
    if (!Matches(g, identity)) continue;
    std::string handler_id = g.handler_id;
    if (g.role == Role::kHandler && handler_id.empty()) {
      handler_id = identity.token_handler_id;
      if (handler_id.empty()) continue;  // a handler token without a handler claim speaks for none
    }
    for (const std::string& tenant : g.tenants) {
      Right r;
      r.role = g.role;
      r.tenant = tenant;
      r.handler_id = handler_id;
      if (!g.channels.empty()) {
        r.channels = core::PerChannel<bool>(false);
        for (core::Channel c : g.channels) r.channels[c] = true;
      }
      rights.push_back(std::move(r));
    }
  }
  return Principal(std::move(rights), IdentityLabel(identity), /*authenticated=*/true);
}

std::string IdentityLabel(const Identity& identity) {
  if (!identity.certificate_names.empty()) {
    return absl::StrCat("certificate:", identity.certificate_names.front());
  }
  if (identity.has_token) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(identity.token_subject.data()),
           identity.token_subject.size(), digest);
    return absl::StrCat("token:", absl::BytesToHexString(
                                      absl::string_view(reinterpret_cast<const char*>(digest), 6)));
  }
  return "anonymous";
}

}  // namespace wissel::access
