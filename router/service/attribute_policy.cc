#include "router/service/attribute_policy.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace wissel::service {
namespace {

absl::Status AttributeError(absl::string_view name, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("contact.attributes[", name, "]: ", what));
}

}  // namespace

absl::StatusOr<AttributePolicy> AttributePolicy::Create(std::string tenant,
                                                        std::vector<config::AttributeSpec> specs,
                                                        std::string key) {
  std::optional<privacy::AttributeCipher> cipher;
  if (!key.empty()) {
    absl::StatusOr<privacy::AttributeCipher> c = privacy::AttributeCipher::Create(std::move(key));
    if (!c.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tenant ", tenant, ": attribute key: ", c.status().message()));
    }
    cipher = *std::move(c);
  }
  for (const config::AttributeSpec& spec : specs) {
    if (spec.personal && !cipher) {
      return absl::InvalidArgumentError(absl::StrCat("tenant ", tenant, ": attribute '", spec.name,
                                                     "' is personal but there is no key"));
    }
  }
  return AttributePolicy(std::move(tenant), std::move(specs), std::move(cipher));
}

const config::AttributeSpec* AttributePolicy::Find(absl::string_view name) const {
  for (const config::AttributeSpec& spec : specs_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

absl::Status AttributePolicy::Apply(const AttributeMap& in,
                                    std::vector<std::pair<std::string, std::string>>* for_rules,
                                    AttributeMap* stored) const {
  // Checked in name order, so that the error names the same field every time.
  std::vector<const AttributeMap::value_type*> sorted;
  sorted.reserve(in.size());
  for (const auto& entry : in) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : sorted) {
    const config::AttributeSpec* spec = Find(entry->first);
    if (spec == nullptr) return AttributeError(entry->first, "not allowed for this tenant");
    if (entry->second.size() > spec->max_length) {
      return AttributeError(entry->first, absl::StrCat("longer than ", spec->max_length, " bytes"));
    }
    if (!spec->personal && privacy::AttributeCipher::IsEncrypted(entry->second)) {
      return AttributeError(entry->first, absl::StrCat("must not start with '",
                                                       privacy::AttributeCipher::kPrefix, "'"));
    }
  }
  std::vector<std::pair<std::string, std::string>> rules;
  AttributeMap out;
  for (const auto* entry : sorted) {
    const config::AttributeSpec* spec = Find(entry->first);
    if (!spec->personal) {
      rules.emplace_back(entry->first, entry->second);
      out[entry->first] = entry->second;
      continue;
    }
    absl::StatusOr<std::string> encrypted = cipher_->Encrypt(tenant_, entry->first, entry->second);
    if (!encrypted.ok()) return encrypted.status();
    out[entry->first] = *std::move(encrypted);
  }
  *for_rules = std::move(rules);
  *stored = std::move(out);
  return absl::OkStatus();
}

absl::Status AttributePolicy::Reveal(AttributeMap* attributes) const {
  for (auto& [name, value] : *attributes) {
    if (!privacy::AttributeCipher::IsEncrypted(value)) continue;
    if (!cipher_) {
      return absl::DataLossError(absl::StrCat("contact.attributes[", name,
                                              "]: stored encrypted, but the tenant has no "
                                              "attribute key"));
    }
    absl::StatusOr<std::string> clear = cipher_->Decrypt(tenant_, name, value);
    if (!clear.ok()) {
      return absl::DataLossError(
          absl::StrCat("contact.attributes[", name, "]: ", clear.status().message()));
    }
    value = *std::move(clear);
  }
  return absl::OkStatus();
}

void AttributePolicies::Set(const std::string& tenant,
                            std::shared_ptr<const AttributePolicy> policy) {
  absl::MutexLock lock(&mu_);
  policies_[tenant] = std::move(policy);
}

std::shared_ptr<const AttributePolicy> AttributePolicies::Get(const std::string& tenant) const {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = policies_.find(tenant);
    if (it != policies_.end()) return it->second;
  }
  return std::make_shared<const AttributePolicy>(tenant);
}

absl::StatusOr<std::shared_ptr<const AttributePolicy>> MakeAttributePolicy(
    const config::TenantSettings& tenant) {
  absl::StatusOr<AttributePolicy> policy =
      AttributePolicy::Create(tenant.routing.id, tenant.attributes, tenant.attribute_key);
  if (!policy.ok()) return policy.status();
  return std::make_shared<const AttributePolicy>(*std::move(policy));
}

}  // namespace wissel::service
