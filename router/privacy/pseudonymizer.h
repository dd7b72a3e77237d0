// Keyed pseudonyms for personal identifiers (BSN, phone number, e-mail, ...).
//
// Wissel never stores a personal identifier in clear: it keys state on
// HMAC-SHA256(tenant secret, kind + ":" + normalised value), written as 64 lower-case hex digits.
// Properties the rest of the engine relies on:
//   - Deterministic: the same kind and value under the same secret always give the same
//     pseudonym, across processes and restarts. That is what lets a call, a chat and a counter
//     visit of one resident find the same contact person ("een contactpersoon").
//   - Tenant-separated: each tenant (gemeente) has its own secret, so one resident gets
//     unrelated pseudonyms in different tenants and their data cannot be joined across them.
//   - Kind-separated: the kind ("bsn", "phone", ...) is part of the input, so a BSN and an RSIN
//     with the same digits give different pseudonyms.
//   - One-way without the secret: a BSN has only ~10^8 valid values, so an unkeyed hash would be
//     reversible by enumeration; the secret is what makes the pseudonym safe to store.
// Callers normalise the value first (see party_identifier.h); the pseudonym is only as stable as
// the normalisation.
//
// Thread-safety: a Pseudonymizer is immutable after Create(); all const methods may be called
// concurrently. It is copyable and movable; copies share the keyed HMAC state, which OpenSSL
// cleanses when the last copy is destroyed. The secret itself is wiped as soon as the key is set.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wissel::privacy {

// Kinds of identifier, as they appear in ContactRecord.party_kind and in the pseudonym input.
inline constexpr absl::string_view kKindBsn = "bsn";
inline constexpr absl::string_view kKindRsin = "rsin";
inline constexpr absl::string_view kKindKvk = "kvk";
inline constexpr absl::string_view kKindPhone = "phone";
inline constexpr absl::string_view kKindEmail = "email";

// Raw HMAC-SHA256 of `message` under `key`, as 64 lower-case hex digits. Exposed for the
// RFC 4231 test vectors and for tools; production code uses Pseudonymizer.
std::string HmacSha256Hex(absl::string_view key, absl::string_view message);

class Pseudonymizer {
 public:
  // Minimum secret length in bytes: the SHA-256 block of security the HMAC can offer.
  static constexpr size_t kMinSecretBytes = 32;

  // Creates a pseudonymizer for one tenant. `secret` is raw bytes (not hex) of at least
  // kMinSecretBytes, generated randomly per tenant and kept out of the repository. Returns
  // InvalidArgument when the secret is too short; the message never contains the secret.
  static absl::StatusOr<Pseudonymizer> Create(std::string secret);

  // A moved-from object may only be destroyed or assigned to.
  Pseudonymizer(const Pseudonymizer&) = default;
  Pseudonymizer& operator=(const Pseudonymizer&) = default;
  Pseudonymizer(Pseudonymizer&&) noexcept = default;
  Pseudonymizer& operator=(Pseudonymizer&&) noexcept = default;
  ~Pseudonymizer();

  // Returns HmacSha256Hex(secret, kind + ":" + normalized_value). `kind` is one of the kK*
  // constants above (it must not contain ':'); `normalized_value` is the validated and
  // normalised identifier. Never fails, never blocks; safe to call concurrently.
  std::string Pseudonym(absl::string_view kind, absl::string_view normalized_value) const;

  // The raw 32 bytes of HMAC-SHA256(secret, purpose + "#" + value): a keyed digest of something
  // that is not a party identifier (e.g. the contact id derived from an idempotency key). The
  // separator '#' keeps these inputs apart from every Pseudonym() input (kind ":" value; no kind
  // contains '#'), so a digest can never equal a pseudonym. `purpose` must contain neither ':'
  // nor '#'. Deterministic and tenant-separated like Pseudonym().
  std::string Digest(absl::string_view purpose, absl::string_view value) const;

 private:
  // HMAC-SHA256 with the secret as its key, set up once: OpenSSL's one-shot HMAC() looks the
  // algorithm up and hashes the key on every call, several times the work of a short message,
  // and every routed contact needs two or three MACs.
  class KeyedMac;
  explicit Pseudonymizer(std::shared_ptr<const KeyedMac> mac) : mac_(std::move(mac)) {}

  std::shared_ptr<const KeyedMac> mac_;
};

}  // namespace wissel::privacy
