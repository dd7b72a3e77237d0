#include "router/security/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "router/security/base64url.h"

namespace wissel::security {
namespace {

using Json = nlohmann::json;

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};

constexpr int kMinRsaBits = 2048;
// Larger moduli only cost verification time; no provider uses more.
constexpr int kMaxRsaBits = 16384;
constexpr size_t kMaxKidBytes = 256;

// Members that only a private key has: a set containing them was exported wrongly.
constexpr const char* kPrivateMembers[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

absl::Status Bad(size_t index, absl::string_view member, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("keys[", index, "]", member.empty() ? "" : ".", member, ": ", what));
}

// The optional string member `name` of `key`: nullopt if absent, an error if not a string.
absl::StatusOr<std::optional<std::string>> OptionalString(const Json& key, size_t index,
                                                          const char* name) {
  const auto it = key.find(name);
  if (it == key.end()) return std::optional<std::string>();
  if (!it->is_string()) return Bad(index, name, "must be a string");
  return std::optional<std::string>(it->get_ref<const std::string&>());
}

// The required base64url member `name`, decoded.
absl::StatusOr<std::string> RequiredBytes(const Json& key, size_t index, const char* name) {
  const auto it = key.find(name);
  if (it == key.end()) return Bad(index, name, "missing");
  if (!it->is_string()) return Bad(index, name, "must be a string");
  std::optional<std::string> bytes = Base64UrlDecode(it->get_ref<const std::string&>());
  if (!bytes.has_value()) return Bad(index, name, "not unpadded base64url");
  if (bytes->empty()) return Bad(index, name, "empty");
  return *std::move(bytes);
}

std::shared_ptr<EVP_PKEY> Share(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, [](EVP_PKEY* k) { EVP_PKEY_free(k); });
}

// An OpenSSL key from parameters built by `build`, for key type `name` ("RSA", "EC").
template <typename Build>
EVP_PKEY* FromData(const char* name, Build build) {
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr || !build(bld.get())) return nullptr;
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, name, nullptr));
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return nullptr;
  }
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return nullptr;
  return key;
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> RsaKey(const Json& key, size_t index) {
  absl::StatusOr<std::string> n = RequiredBytes(key, index, "n");
  if (!n.ok()) return n.status();
  absl::StatusOr<std::string> e = RequiredBytes(key, index, "e");
  if (!e.ok()) return e.status();
  std::unique_ptr<BIGNUM, BnFree> bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                                                 static_cast<int>(n->size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                                                 static_cast<int>(e->size()), nullptr));
  if (bn_n == nullptr || bn_e == nullptr) return absl::InternalError("out of memory");
  const int bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaBits) return Bad(index, "n", "RSA modulus under 2048 bits");
  if (bits > kMaxRsaBits) return Bad(index, "n", "RSA modulus over 16384 bits");
  if (!BN_is_odd(bn_n.get())) return Bad(index, "n", "RSA modulus must be odd");
  // 3 <= e < 2^64 and odd: what RSA public exponents are in practice.
  if (!BN_is_odd(bn_e.get()) || BN_num_bits(bn_e.get()) < 2 || BN_num_bits(bn_e.get()) > 64) {
    return Bad(index, "e", "not a usable RSA public exponent");
  }
  EVP_PKEY* pkey = FromData("RSA", [&](OSSL_PARAM_BLD* bld) {
    return OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1;
  });
  if (pkey == nullptr) return Bad(index, "n", "not a valid RSA public key");
  return Share(pkey);
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> Ec256Key(const Json& key, size_t index) {
  absl::StatusOr<std::string> x = RequiredBytes(key, index, "x");
  if (!x.ok()) return x.status();
  absl::StatusOr<std::string> y = RequiredBytes(key, index, "y");
  if (!y.ok()) return y.status();
  if (x->size() != 32) return Bad(index, "x", "must be 32 bytes for P-256");
  if (y->size() != 32) return Bad(index, "y", "must be 32 bytes for P-256");
  // The uncompressed point encoding (SEC 1): 0x04 || x || y.
  const std::string point = absl::StrCat("\x04", *x, *y);
  EVP_PKEY* raw = FromData("EC", [&](OSSL_PARAM_BLD* bld) {
    return OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
           OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                            point.size()) == 1;
  });
  if (raw == nullptr) return Bad(index, "x", "not a point on P-256");
  std::shared_ptr<EVP_PKEY> pkey = Share(raw);
  // A point off the curve would allow invalid-curve attacks; OpenSSL's import checks it, and
  // this says so explicitly.
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    return Bad(index, "x", "not a point on P-256");
  }
  return pkey;
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> Ed25519Key(const Json& key, size_t index) {
  absl::StatusOr<std::string> x = RequiredBytes(key, index, "x");
  if (!x.ok()) return x.status();
  if (x->size() != 32) return Bad(index, "x", "must be 32 bytes for Ed25519");
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x->data()), x->size());
  if (raw == nullptr) return Bad(index, "x", "not a valid Ed25519 public key");
  return Share(raw);
}

}  // namespace

absl::StatusOr<Jwks> Jwks::Parse(absl::string_view json) {
  if (json.size() > kMaxJsonBytes) return absl::InvalidArgumentError("jwks: larger than 1 MiB");
  const Json doc = Json::parse(json.begin(), json.end(), /*cb=*/nullptr,
                               /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("jwks: not valid JSON");
  if (!doc.is_object()) return absl::InvalidArgumentError("jwks: must be a JSON object");
  const auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) {
    return absl::InvalidArgumentError("keys: missing, or not an array");
  }
  if (keys->size() > kMaxKeys) {
    return absl::InvalidArgumentError(absl::StrCat("keys: more than ", kMaxKeys, " keys"));
  }
  Jwks out;
  for (size_t index = 0; index < keys->size(); ++index) {
    const Json& key = (*keys)[index];
    if (!key.is_object()) return Bad(index, "", "must be a JSON object");
    absl::StatusOr<std::optional<std::string>> use = OptionalString(key, index, "use");
    if (!use.ok()) return use.status();
    if (use->has_value() && **use == "enc") {
      ++out.skipped_;
      continue;
    }
    absl::StatusOr<std::optional<std::string>> kty = OptionalString(key, index, "kty");
    if (!kty.ok()) return kty.status();
    if (!kty->has_value()) return Bad(index, "kty", "missing");
    absl::StatusOr<std::optional<std::string>> crv = OptionalString(key, index, "crv");
    if (!crv.ok()) return crv.status();
    std::optional<JwkType> type;
    if (**kty == "RSA") {
      type = JwkType::kRsa;
    } else if (**kty == "EC" && crv->value_or("") == "P-256") {
      type = JwkType::kEc256;
    } else if (**kty == "OKP" && crv->value_or("") == "Ed25519") {
      type = JwkType::kEd25519;
    }
    for (const char* member : kPrivateMembers) {
      if (key.contains(member)) return Bad(index, member, "private key material in a key set");
    }
    if (!type.has_value()) {
      // Another curve (P-384, Ed448, X25519) or type ("oct" has no business in a public set):
      // not ours to verify with.
      ++out.skipped_;
      continue;
    }
    absl::StatusOr<std::optional<std::string>> kid = OptionalString(key, index, "kid");
    if (!kid.ok()) return kid.status();
    if (!kid->has_value() || (*kid)->empty()) return Bad(index, "kid", "missing or empty");
    if ((*kid)->size() > kMaxKidBytes) return Bad(index, "kid", "longer than 256 bytes");
    absl::StatusOr<std::optional<std::string>> alg = OptionalString(key, index, "alg");
    if (!alg.ok()) return alg.status();
    absl::StatusOr<std::shared_ptr<EVP_PKEY>> pkey;
    switch (*type) {
      case JwkType::kRsa:
        pkey = RsaKey(key, index);
        break;
      case JwkType::kEc256:
        pkey = Ec256Key(key, index);
        break;
      case JwkType::kEd25519:
        pkey = Ed25519Key(key, index);
        break;
    }
    if (!pkey.ok()) return pkey.status();
    const std::string kid_value = **kid;
    const bool inserted =
        out.keys_.try_emplace(kid_value, kid_value, *type, alg->value_or(""), *std::move(pkey))
            .second;
    if (!inserted) return Bad(index, "kid", "duplicate key id");
  }
  if (out.keys_.empty()) return absl::InvalidArgumentError("keys: no usable signing key");
  return out;
}

const JsonWebKey* Jwks::Find(absl::string_view kid) const {
  const auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace wissel::security
