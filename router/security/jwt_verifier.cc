#include "router/security/jwt_verifier.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "router/security/base64url.h"

namespace wissel::security {
namespace {

using Json = nlohmann::json;

// The payload that marks the unknown-key-id refusal (IsUnknownKeyId).
constexpr absl::string_view kUnknownKeyIdPayload = "wissel.security/unknown-key-id";

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};

absl::Status Refuse(absl::string_view reason) { return absl::UnauthenticatedError(reason); }

enum class Alg { kRs256, kEs256, kEdDsa };

// The JOSE ES256 signature r || s (32 bytes each, big-endian) as the DER ECDSA-Sig-Value that
// OpenSSL verifies; nullopt if it is not 64 bytes.
std::optional<std::string> JoseToDer(absl::string_view jose) {
  if (jose.size() != 64) return std::nullopt;
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(jose.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(jose.data()) + 32, 32, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::string der(static_cast<size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) return std::nullopt;
  return der;
}

bool VerifySignature(const JsonWebKey& key, Alg alg, absl::string_view signing_input,
                     absl::string_view signature) {
  std::string der;
  const EVP_MD* md = EVP_sha256();
  switch (alg) {
    case Alg::kRs256:
      if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.evp_pkey()))) return false;
      break;
    case Alg::kEs256: {
      std::optional<std::string> converted = JoseToDer(signature);
      if (!converted.has_value()) return false;
      der = *std::move(converted);
      signature = der;
      break;
    }
    case Alg::kEdDsa:
      if (signature.size() != 64) return false;
      md = nullptr;  // Ed25519 hashes internally (PureEdDSA)
      break;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.evp_pkey()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

// A JSON object from one decoded segment, or nullopt.
std::optional<Json> ParseObject(absl::string_view bytes) {
  Json doc = Json::parse(bytes.begin(), bytes.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

// A NumericDate (seconds since the epoch, integer or fraction), or nullopt if not a number.
std::optional<absl::Time> NumericDate(const Json& value) {
  if (value.is_number_unsigned()) {
    const auto seconds = value.get<uint64_t>();
    if (seconds > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return absl::InfiniteFuture();
    }
    return absl::FromUnixSeconds(static_cast<int64_t>(seconds));
  }
  if (value.is_number_integer()) return absl::FromUnixSeconds(value.get<int64_t>());
  if (value.is_number_float()) {
    const auto seconds = value.get<double>();
    if (!std::isfinite(seconds)) return std::nullopt;
    return absl::UnixEpoch() + absl::Seconds(seconds);  // saturates to an infinite time
  }
  return std::nullopt;
}

// The claim at `path`: a top-level member of that exact name, else the dotted path through
// nested objects. nullptr if absent.
const Json* FindClaim(const Json& payload, const std::string& path) {
  if (const auto it = payload.find(path); it != payload.end()) return &*it;
  if (!absl::StrContains(path, '.')) return nullptr;
  const Json* current = &payload;
  for (const absl::string_view segment : absl::StrSplit(path, '.')) {
    if (!current->is_object()) return nullptr;
    const auto it = current->find(std::string(segment));
    if (it == current->end()) return nullptr;
    current = &*it;
  }
  return current;
}

bool AudienceMatches(const Json& aud, const std::string& audience) {
  if (aud.is_string()) return aud.get_ref<const std::string&>() == audience;
  if (!aud.is_array()) return false;
  for (const Json& element : aud) {
    if (element.is_string() && element.get_ref<const std::string&>() == audience) return true;
  }
  return false;
}

absl::StatusOr<TokenClaims> CheckClaims(const Json& payload, const OidcOptions& options,
                                        absl::Time now) {
  TokenClaims claims;
  const auto iss = payload.find("iss");
  if (iss == payload.end()) return Refuse("missing iss claim");
  if (!iss->is_string() || iss->get_ref<const std::string&>() != options.issuer) {
    return Refuse("wrong issuer");
  }
  claims.issuer = iss->get_ref<const std::string&>();

  const auto aud = payload.find("aud");
  if (aud == payload.end()) return Refuse("missing aud claim");
  if (!AudienceMatches(*aud, options.audience)) return Refuse("wrong audience");

  const auto exp = payload.find("exp");
  if (exp == payload.end()) return Refuse("missing exp claim");
  const std::optional<absl::Time> expires_at = NumericDate(*exp);
  if (!expires_at.has_value()) return Refuse("exp claim is not a number");
  // RFC 7519 4.1.4: not accepted on or after exp (plus the allowed skew).
  if (now >= *expires_at + options.clock_skew) return Refuse("token expired");
  claims.expires_at = *expires_at;

  if (const auto nbf = payload.find("nbf"); nbf != payload.end()) {
    const std::optional<absl::Time> not_before = NumericDate(*nbf);
    if (!not_before.has_value()) return Refuse("nbf claim is not a number");
    if (*not_before - options.clock_skew > now) return Refuse("token not yet valid");
    claims.not_before = *not_before;
  }

  if (const auto sub = payload.find("sub"); sub != payload.end()) {
    if (!sub->is_string()) return Refuse("sub claim is not a string");
    claims.subject = sub->get_ref<const std::string&>();
  }

  if (!options.groups_claim.empty()) {
    if (const Json* groups = FindClaim(payload, options.groups_claim); groups != nullptr) {
      if (groups->is_string()) {
        claims.groups.push_back(groups->get_ref<const std::string&>());
      } else if (groups->is_array()) {
        claims.groups.reserve(groups->size());
        for (const Json& group : *groups) {
          if (!group.is_string()) return Refuse("groups claim is not an array of strings");
          claims.groups.push_back(group.get_ref<const std::string&>());
        }
      } else {
        return Refuse("groups claim is not a string or an array of strings");
      }
    }
  }

  if (!options.handler_claim.empty()) {
    if (const Json* handler = FindClaim(payload, options.handler_claim); handler != nullptr) {
      if (!handler->is_string()) return Refuse("handler claim is not a string");
      claims.handler_id = handler->get_ref<const std::string&>();
    }
  }
  return claims;
}

}  // namespace

absl::StatusOr<TokenClaims> VerifyJwt(absl::string_view token, const Jwks& keys,
                                      const OidcOptions& options, absl::Time now) {
  if (token.size() > kMaxTokenBytes) return Refuse("token too long");
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Refuse("malformed token: not three segments");
  const std::optional<std::string> header_bytes = Base64UrlDecode(parts[0]);
  if (!header_bytes.has_value()) return Refuse("malformed token header: bad base64url");
  const std::optional<std::string> payload_bytes = Base64UrlDecode(parts[1]);
  if (!payload_bytes.has_value()) return Refuse("malformed token payload: bad base64url");
  const std::optional<std::string> signature = Base64UrlDecode(parts[2]);
  if (!signature.has_value()) return Refuse("malformed token signature: bad base64url");

  const std::optional<Json> header = ParseObject(*header_bytes);
  if (!header.has_value()) return Refuse("malformed token header: not a JSON object");
  const auto alg_member = header->find("alg");
  if (alg_member == header->end() || !alg_member->is_string()) return Refuse("missing alg");
  const auto& alg_name = alg_member->get_ref<const std::string&>();
  Alg alg = Alg::kRs256;
  JwkType wanted_type = JwkType::kRsa;
  if (alg_name == "RS256") {
    alg = Alg::kRs256;
    wanted_type = JwkType::kRsa;
  } else if (alg_name == "ES256") {
    alg = Alg::kEs256;
    wanted_type = JwkType::kEc256;
  } else if (alg_name == "EdDSA") {
    alg = Alg::kEdDsa;
    wanted_type = JwkType::kEd25519;
  } else if (absl::EqualsIgnoreCase(alg_name, "none")) {
    return Refuse("unsigned token refused");
  } else if (absl::StartsWithIgnoreCase(alg_name, "HS")) {
    return Refuse("symmetric algorithm refused");
  } else {
    return Refuse("unsupported algorithm");
  }
  // RFC 7515 4.1.11: extensions marked critical must be understood; none are.
  if (header->contains("crit")) return Refuse("unsupported critical header");
  const auto kid = header->find("kid");
  if (kid == header->end() || !kid->is_string()) return Refuse("missing key id");
  const JsonWebKey* key = keys.Find(kid->get_ref<const std::string&>());
  if (key == nullptr) {
    absl::Status status = Refuse("unknown key id");
    status.SetPayload(kUnknownKeyIdPayload, absl::Cord());
    return status;
  }
  if (key->type() != wanted_type || (!key->alg().empty() && key->alg() != alg_name)) {
    return Refuse("algorithm does not match key");
  }
  // The signing input is the first two segments as sent, with the dot between them.
  const absl::string_view signing_input = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!VerifySignature(*key, alg, signing_input, *signature)) return Refuse("bad signature");

  const std::optional<Json> payload = ParseObject(*payload_bytes);
  if (!payload.has_value()) return Refuse("malformed token payload: not a JSON object");
  return CheckClaims(*payload, options, now);
}

bool IsUnknownKeyId(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnauthenticated &&
         status.GetPayload(kUnknownKeyIdPayload).has_value();
}

}  // namespace wissel::security
