#include "tests/router/security/token_minter.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "router/security/base64url.h"

namespace wissel::security::testing {
namespace {

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "TokenMinter: OpenSSL failed: %s\n", what);
    std::abort();
  }
}

std::shared_ptr<EVP_PKEY> Share(EVP_PKEY* key) {
  Require(key != nullptr, "key generation");
  return std::shared_ptr<EVP_PKEY>(key, [](EVP_PKEY* k) { EVP_PKEY_free(k); });
}

std::string BnBytes(const EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  Require(EVP_PKEY_get_bn_param(key, name, &bn) == 1, name);
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

}  // namespace

TokenMinter TokenMinter::Create(KeyType type, std::string kid) {
  switch (type) {
    case KeyType::kRsa:
      return CreateRsa(2048, std::move(kid));
    case KeyType::kEc256:
      return TokenMinter(type, std::move(kid),
                         Share(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")));
    case KeyType::kEd25519:
      return TokenMinter(type, std::move(kid),
                         Share(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")));
  }
  std::abort();
}

TokenMinter TokenMinter::CreateRsa(int bits, std::string kid) {
  return TokenMinter(KeyType::kRsa, std::move(kid),
                     Share(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits))));
}

std::string TokenMinter::alg() const {
  switch (type_) {
    case KeyType::kRsa:
      return "RS256";
    case KeyType::kEc256:
      return "ES256";
    case KeyType::kEd25519:
      return "EdDSA";
  }
  std::abort();
}

nlohmann::json TokenMinter::Jwk() const {
  nlohmann::json jwk = {{"kid", kid_}, {"use", "sig"}};
  switch (type_) {
    case KeyType::kRsa:
      jwk["kty"] = "RSA";
      jwk["n"] = Base64UrlEncode(BnBytes(key_.get(), OSSL_PKEY_PARAM_RSA_N));
      jwk["e"] = Base64UrlEncode(BnBytes(key_.get(), OSSL_PKEY_PARAM_RSA_E));
      break;
    case KeyType::kEc256: {
      std::string x = BnBytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X);
      std::string y = BnBytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
      // Coordinates are fixed-width (32 bytes) in a JWK, leading zeros included.
      x.insert(0, 32 - x.size(), '\0');
      y.insert(0, 32 - y.size(), '\0');
      jwk["kty"] = "EC";
      jwk["crv"] = "P-256";
      jwk["x"] = Base64UrlEncode(x);
      jwk["y"] = Base64UrlEncode(y);
      break;
    }
    case KeyType::kEd25519: {
      std::string x(32, '\0');
      size_t length = x.size();
      Require(EVP_PKEY_get_raw_public_key(key_.get(), reinterpret_cast<unsigned char*>(x.data()),
                                          &length) == 1,
              "raw public key");
      jwk["kty"] = "OKP";
      jwk["crv"] = "Ed25519";
      jwk["x"] = Base64UrlEncode(x);
      break;
    }
  }
  return jwk;
}

std::string TokenMinter::JwksJson(std::initializer_list<const TokenMinter*> minters) {
  nlohmann::json keys = nlohmann::json::array();
  for (const TokenMinter* minter : minters) keys.push_back(minter->Jwk());
  return nlohmann::json{{"keys", keys}}.dump();
}

std::string TokenMinter::PublicKeyPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  Require(bio != nullptr && PEM_write_bio_PUBKEY(bio, key_.get()) == 1, "PEM");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  return pem;
}

std::string TokenMinter::Sign(absl::string_view header_json, absl::string_view payload_json) const {
  const std::string input =
      absl::StrCat(Base64UrlEncode(header_json), ".", Base64UrlEncode(payload_json));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = type_ == KeyType::kEd25519 ? nullptr : EVP_sha256();
  Require(ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, md, nullptr, key_.get()) == 1,
          "sign init");
  size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  Require(EVP_DigestSign(ctx, nullptr, &length, data, input.size()) == 1, "sign length");
  std::string signature(length, '\0');
  Require(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                         input.size()) == 1,
          "sign");
  signature.resize(length);
  EVP_MD_CTX_free(ctx);
  if (type_ == KeyType::kEc256) {
    // OpenSSL's DER ECDSA-Sig-Value to JOSE's fixed-width r || s.
    const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
    Require(sig != nullptr, "DER signature");
    std::string jose(64, '\0');
    auto* out = reinterpret_cast<unsigned char*>(jose.data());
    Require(BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, 32) == 32 &&
                BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + 32, 32) == 32,
            "r || s");
    ECDSA_SIG_free(sig);
    signature = std::move(jose);
  }
  return absl::StrCat(input, ".", Base64UrlEncode(signature));
}

std::string TokenMinter::Mint(const nlohmann::json& claims) const {
  const nlohmann::json header = {{"alg", alg()}, {"kid", kid_}, {"typ", "JWT"}};
  return Sign(header.dump(), claims.dump());
}

std::string TokenMinter::SignHs256(absl::string_view secret, absl::string_view header_json,
                                   absl::string_view payload_json) {
  const std::string input =
      absl::StrCat(Base64UrlEncode(header_json), ".", Base64UrlEncode(payload_json));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  Require(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
               reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
               &length) != nullptr,
          "HMAC");
  return absl::StrCat(
      input, ".", Base64UrlEncode(absl::string_view(reinterpret_cast<const char*>(mac), length)));
}

nlohmann::json StandardClaims(const std::string& issuer, const std::string& audience,
                              absl::Time now, absl::Duration lifetime) {
  return {{"iss", issuer},
          {"aud", audience},
          {"sub", "subject-1"},
          {"iat", absl::ToUnixSeconds(now)},
          {"nbf", absl::ToUnixSeconds(now)},
          {"exp", absl::ToUnixSeconds(now + lifetime)}};
}

}  // namespace wissel::security::testing
