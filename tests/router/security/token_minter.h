// Test helper: an identity provider in a box. Makes a signing key in the test (RSA-2048, P-256
// or Ed25519 via OpenSSL), publishes its public JWK, and signs tokens with it, including tokens
// that must be refused (arbitrary header and payload text, HS256 with the public key as the
// secret). Reusable by every test that needs bearer tokens (router/security, the gRPC layer).
//
// Fails the test process (CHECK-like abort) on an OpenSSL error: a broken test environment, not
// a test outcome. Copies share the key. Thread-safe for concurrent Sign/Mint.
#pragma once

#include <openssl/types.h>

#include <initializer_list>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace wissel::security::testing {

enum class KeyType {
  kRsa,      // RSA-2048, RS256
  kEc256,    // P-256, ES256
  kEd25519,  // Ed25519, EdDSA
};

class TokenMinter {
 public:
  // A fresh key of `type` with key id `kid`.
  static TokenMinter Create(KeyType type, std::string kid);
  // A fresh RSA key of `bits` bits (e.g. 1024, to test that weak keys are refused).
  static TokenMinter CreateRsa(int bits, std::string kid);

  const std::string& kid() const { return kid_; }
  KeyType type() const { return type_; }
  // "RS256", "ES256" or "EdDSA".
  std::string alg() const;

  // The public key as a JWK object: kty, kid, use "sig" and the key members (n/e, crv/x/y, crv/x).
  nlohmann::json Jwk() const;
  // {"keys":[...]} of the given minters' JWKs, serialised.
  static std::string JwksJson(std::initializer_list<const TokenMinter*> minters);
  // The public key in PEM (SubjectPublicKeyInfo): what an attacker would use as an HMAC secret.
  std::string PublicKeyPem() const;

  // base64url(header_json) "." base64url(payload_json) "." base64url(signature), signed with
  // this key under its alg (ES256 as JOSE r || s), whatever the texts say.
  std::string Sign(absl::string_view header_json, absl::string_view payload_json) const;
  // A token with header {"alg": alg(), "kid": kid(), "typ": "JWT"} and `claims` as payload.
  std::string Mint(const nlohmann::json& claims) const;

  // A token signed with HMAC-SHA256 under `secret`, for the refusal tests.
  static std::string SignHs256(absl::string_view secret, absl::string_view header_json,
                               absl::string_view payload_json);

 private:
  TokenMinter(KeyType type, std::string kid, std::shared_ptr<EVP_PKEY> key)
      : type_(type), kid_(std::move(kid)), key_(std::move(key)) {}

  KeyType type_;
  std::string kid_;
  std::shared_ptr<EVP_PKEY> key_;
};

// Claims that pass OidcOptions{issuer, audience}: iss, aud, sub, iat = now, nbf = now,
// exp = now + lifetime.
nlohmann::json StandardClaims(const std::string& issuer, const std::string& audience,
                              absl::Time now, absl::Duration lifetime = absl::Minutes(5));

}  // namespace wissel::security::testing
