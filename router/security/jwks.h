// A parsed JSON Web Key Set (RFC 7517): the identity provider's public signing keys, by key id.
//
// Accepted keys: RSA (n, e; a modulus of at least 2048 bits), EC on P-256 (x, y; a point on the
// curve) and OKP Ed25519 (x). Keys marked "use":"enc" and keys of other types or curves are
// skipped (providers publish encryption and other keys beside their signing keys); a key that
// claims a supported type but is malformed makes the whole set invalid, so that a broken
// provider document is noticed instead of silently losing keys.
//
// Thread-safety: immutable after Parse; copies share the OpenSSL key objects, which OpenSSL
// allows to be used for verification from several threads at once.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wissel::security {

enum class JwkType {
  kRsa,      // "kty":"RSA": RS256
  kEc256,    // "kty":"EC", "crv":"P-256": ES256
  kEd25519,  // "kty":"OKP", "crv":"Ed25519": EdDSA
};

// One public key of the set.
class JsonWebKey {
 public:
  JsonWebKey(std::string kid, JwkType type, std::string alg, std::shared_ptr<EVP_PKEY> key)
      : kid_(std::move(kid)), type_(type), alg_(std::move(alg)), key_(std::move(key)) {}

  const std::string& kid() const { return kid_; }
  JwkType type() const { return type_; }
  // The JWK's "alg" member, empty if it has none; when set, a token must use exactly this alg.
  const std::string& alg() const { return alg_; }
  // The OpenSSL public key; never null.
  EVP_PKEY* evp_pkey() const { return key_.get(); }

 private:
  std::string kid_;
  JwkType type_;
  std::string alg_;
  std::shared_ptr<EVP_PKEY> key_;
};

class Jwks {
 public:
  // At most this many keys in a set, and this many bytes of JSON: a provider publishes a
  // handful; more is a mistake or an attack on the refresh path.
  static constexpr size_t kMaxKeys = 100;
  static constexpr size_t kMaxJsonBytes = 1 << 20;

  // The set in `json` ({"keys":[...]}), or InvalidArgument naming the key index and member
  // ("keys[2].n: ...") for: non-JSON, a missing "keys" array, a key that is not an object, a
  // missing, empty or duplicate "kid", a member of the wrong type, bad base64url, an RSA modulus
  // under 2048 bits, an EC point off the curve, private key members ("d", ...), and a set with
  // no usable signing key.
  static absl::StatusOr<Jwks> Parse(absl::string_view json);

  // The key for `kid`, or nullptr. The pointer lives as long as this set.
  const JsonWebKey* Find(absl::string_view kid) const;
  // Usable signing keys in the set.
  size_t size() const { return keys_.size(); }
  // Keys skipped because of "use":"enc" or an unsupported type or curve.
  size_t skipped() const { return skipped_; }

 private:
  absl::flat_hash_map<std::string, JsonWebKey> keys_;
  size_t skipped_ = 0;
};

}  // namespace wissel::security
