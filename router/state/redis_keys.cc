#include "router/state/redis_keys.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace wissel::state::keys {
namespace {

std::string Prefix(absl::string_view tenant) { return absl::StrCat("w:{", tenant, "}:"); }

// The 32 bytes of the SHA-256 of `bytes`.
std::string Sha256(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// An idempotency key's digest (IdempotencyDigest) from its SHA-256.
std::string ShortDigest(absl::string_view sha256) {
  return absl::WebSafeBase64Escape(sha256.substr(0, 16));
}

}  // namespace

bool ValidTenant(absl::string_view tenant) {
  if (tenant.empty() || tenant.size() > 64) return false;
  for (char c : tenant) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool ValidId(absl::string_view id) {
  if (id.empty() || id.size() > 256) return false;
  for (char c : id) {
    if (c <= ' ' || c > '~') return false;
    if (c == ':' || c == ',' || c == '|' || c == '{' || c == '}') return false;
  }
  return true;
}

bool ValidPseudonym(absl::string_view pseudonym) {
  if (pseudonym.size() != 64) return false;
  for (char c : pseudonym) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string Contact(absl::string_view tenant, absl::string_view contact_id) {
  return absl::StrCat(Prefix(tenant), "c:", contact_id);
}

std::string History(absl::string_view tenant, absl::string_view contact_id) {
  return absl::StrCat(Prefix(tenant), "c:", contact_id, ":h");
}

std::string Live(absl::string_view tenant) { return absl::StrCat(Prefix(tenant), "live"); }

IdempotencyNames IdempotencyKeys(absl::string_view tenant, absl::string_view idempotency_key) {
  const std::string sha256 = Sha256(idempotency_key);
  IdempotencyNames names;
  names.digest = ShortDigest(sha256);
  names.key = absl::StrCat(Prefix(tenant), "i:", names.digest);
  names.legacy_key = absl::StrCat(Prefix(tenant), "idem:", absl::BytesToHexString(sha256));
  return names;
}

std::string Idempotency(absl::string_view tenant, absl::string_view idempotency_key) {
  return IdempotencyKeys(tenant, idempotency_key).key;
}

std::string LegacyIdempotency(absl::string_view tenant, absl::string_view idempotency_key) {
  return IdempotencyKeys(tenant, idempotency_key).legacy_key;
}

std::string IdempotencyDigest(absl::string_view idempotency_key) {
  return ShortDigest(Sha256(idempotency_key));
}

std::string Handler(absl::string_view tenant, absl::string_view handler_id) {
  return absl::StrCat(Prefix(tenant), "h:", handler_id);
}

std::string Held(absl::string_view tenant, absl::string_view handler_id) {
  return absl::StrCat(Prefix(tenant), "h:", handler_id, ":held");
}

std::string Handlers(absl::string_view tenant) { return absl::StrCat(Prefix(tenant), "handlers"); }

std::string ContactPerson(absl::string_view tenant, absl::string_view pseudonym,
                          absl::string_view domain) {
  return absl::StrCat(Prefix(tenant), "cp:", pseudonym, ":", domain);
}

std::string ContactPersons(absl::string_view tenant) { return absl::StrCat(Prefix(tenant), "cps"); }

std::string ResidentIndex(absl::string_view tenant, absl::string_view pseudonym) {
  return absl::StrCat(Prefix(tenant), "p:", pseudonym);
}

std::string Audit(absl::string_view tenant) { return absl::StrCat(Prefix(tenant), "audit"); }
std::string Events(absl::string_view tenant) { return absl::StrCat(Prefix(tenant), "events"); }

std::string Owner(absl::string_view tenant) { return absl::StrCat(Prefix(tenant), "owner"); }

std::string OwnerEpoch(absl::string_view tenant) { return absl::StrCat(Prefix(tenant), "epoch"); }

}  // namespace wissel::state::keys
