// AttributePolicy: which contact attributes a tenant accepts (config::AttributeSpec, by name
// and length) and how they are kept — personal ones only encrypted (privacy::AttributeCipher).
// AttributePolicies: the current policy of every tenant, replaced on a configuration reload.
//
// At routing (Apply) an attribute not in the list, or too long, is refused with
// INVALID_ARGUMENT naming it; personal values are encrypted into the stored payload and are
// not handed to the routing rules. When a record goes to a caller allowed to read it (Reveal),
// the values are decrypted again.
//
// Thread-safety: an AttributePolicy is immutable after Create(); AttributePolicies is
// thread-safe (readers take a shared_ptr to a policy, which a reload never changes).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/map.h"
#include "router/config/router_config.h"
#include "router/privacy/attribute_cipher.h"

namespace wissel::service {

using AttributeMap = google::protobuf::Map<std::string, std::string>;

class AttributePolicy {
 public:
  // A policy that accepts no attributes at all (the default of a tenant without a list).
  explicit AttributePolicy(std::string tenant) : tenant_(std::move(tenant)) {}

  // The policy of `tenant`. `key` is the 32-byte attribute key, or empty when none is
  // configured. InvalidArgument when a spec is personal and there is no valid key (the config
  // loader refuses that already; this guards other callers).
  static absl::StatusOr<AttributePolicy> Create(std::string tenant,
                                                std::vector<config::AttributeSpec> specs,
                                                std::string key);

  // Checks `in` against the list: every name listed, every value at most its max_length bytes,
  // no non-personal value in the encrypted form (it could not be told from one). On success
  // `*for_rules` holds the non-personal attributes sorted by name (what the routing rules may
  // read) and `*stored` every attribute, personal ones encrypted. Errors: InvalidArgument
  // "contact.attributes[NAME]: ..." (the value is never repeated); Internal if encryption
  // fails. Nothing is written on error.
  absl::Status Apply(const AttributeMap& in,
                     std::vector<std::pair<std::string, std::string>>* for_rules,
                     AttributeMap* stored) const;

  // Decrypts, in place, every value of `attributes` in the encrypted form. DataLoss naming the
  // attribute when one does not decrypt (wrong key, changed in the store) or the tenant has no
  // key.
  absl::Status Reveal(AttributeMap* attributes) const;

  const std::string& tenant() const { return tenant_; }

 private:
  AttributePolicy(std::string tenant, std::vector<config::AttributeSpec> specs,
                  std::optional<privacy::AttributeCipher> cipher)
      : tenant_(std::move(tenant)), specs_(std::move(specs)), cipher_(std::move(cipher)) {}

  const config::AttributeSpec* Find(absl::string_view name) const;

  std::string tenant_;
  std::vector<config::AttributeSpec> specs_;
  std::optional<privacy::AttributeCipher> cipher_;
};

class AttributePolicies {
 public:
  // Installs (or replaces) the policy of `tenant`.
  void Set(const std::string& tenant, std::shared_ptr<const AttributePolicy> policy);
  // The policy of `tenant`; one that accepts nothing for a tenant never Set. Never null.
  std::shared_ptr<const AttributePolicy> Get(const std::string& tenant) const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const AttributePolicy>> policies_
      ABSL_GUARDED_BY(mu_);
};

// The policy for `tenant` of a loaded configuration.
absl::StatusOr<std::shared_ptr<const AttributePolicy>> MakeAttributePolicy(
    const config::TenantSettings& tenant);

}  // namespace wissel::service
