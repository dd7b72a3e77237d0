// libFuzzer harness for bearer-token and key-set parsing: arbitrary bytes as a compact JWT
// (verified against a fixed Ed25519 key set at a fixed time) and as a JWKS document.
// Properties: no crash, no sanitizer report; every token refusal is UNAUTHENTICATED with a
// message of at most 64 bytes that does not contain the input; every key-set refusal is
// INVALID_ARGUMENT; an accepted token passed the issuer and validity checks. The seed corpus
// holds a token signed with the fixed key (its private key is not kept), so mutations start from
// a token that verifies.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "router/security/jwks.h"
#include "router/security/jwt_verifier.h"
#include "router/security/oidc_options.h"

namespace {

using wissel::security::Jwks;
using wissel::security::OidcOptions;
using wissel::security::TokenClaims;

void Check(bool condition) {
  if (!condition) std::abort();
}

constexpr char kJwks[] = R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"fuzz-ed",)"
                         R"("x":"ycKXQoXKevwOm5ldClEj_Ar0gpIiW2YcVmrukwLoaZw"}]})";

const Jwks& Keys() {
  static const Jwks* const keys = new Jwks(*Jwks::Parse(kJwks));
  return *keys;
}

const OidcOptions& Options() {
  static const OidcOptions* const options = [] {
    auto* o = new OidcOptions;
    o->issuer = "https://idp.example/realms/kcc";
    o->audience = "wissel";
    o->groups_claim = "realm_access.roles";
    o->jwks_file = "/unused";
    return o;
  }();
  return *options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const absl::Time now = absl::FromUnixSeconds(1'790'000'000);

  absl::StatusOr<TokenClaims> claims = wissel::security::VerifyJwt(input, Keys(), Options(), now);
  if (claims.ok()) {
    Check(claims->issuer == Options().issuer);
    Check(now < claims->expires_at + Options().clock_skew);
    Check(claims->not_before - Options().clock_skew <= now);
  } else {
    Check(claims.status().code() == absl::StatusCode::kUnauthenticated);
    Check(claims.status().message().size() <= 64);
    // Never echoes the token. Every refusal is a fixed text without a '.', and every token has
    // one: an input with a '.' found in the message was echoed. (An input without one may be a
    // piece of a refusal's own text, such as "three segme".)
    Check(input.size() < 8 || !absl::StrContains(input, '.') ||
          !absl::StrContains(claims.status().message(), input));
  }

  absl::StatusOr<Jwks> jwks = Jwks::Parse(input);
  if (jwks.ok()) {
    Check(jwks->size() > 0 && jwks->size() <= Jwks::kMaxKeys);
  } else {
    Check(jwks.status().code() == absl::StatusCode::kInvalidArgument);
  }
  return 0;
}
