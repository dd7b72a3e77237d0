#include "router/security/jwt_verifier.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "router/security/base64url.h"
#include "tests/router/security/token_minter.h"

namespace wissel::security {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::KeyType;
using ::testing::Not;
using testing::StandardClaims;
using testing::TokenMinter;
using Json = nlohmann::json;

constexpr char kIssuer[] = "https://idp.wisseloord.example/realms/kcc";
constexpr char kAudience[] = "wissel";

class JwtVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TokenMinter(TokenMinter::Create(KeyType::kRsa, "rsa-1"));
    ec_ = new TokenMinter(TokenMinter::Create(KeyType::kEc256, "ec-1"));
    ed_ = new TokenMinter(TokenMinter::Create(KeyType::kEd25519, "ed-1"));
    jwks_ = new Jwks(*Jwks::Parse(TokenMinter::JwksJson({rsa_, ec_, ed_})));
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ec_;
    delete ed_;
    delete jwks_;
  }

  JwtVerifierTest() {
    options_.issuer = kIssuer;
    options_.audience = kAudience;
    options_.jwks_file = "/unused";
  }

  Json Claims() const { return StandardClaims(kIssuer, kAudience, now_); }

  absl::StatusOr<TokenClaims> Verify(const std::string& token) const {
    return VerifyJwt(token, *jwks_, options_, now_);
  }

  // The refusal of `token`: UNAUTHENTICATED with a message containing `reason`.
  void ExpectRefused(const std::string& token, const std::string& reason) const {
    absl::StatusOr<TokenClaims> claims = Verify(token);
    ASSERT_FALSE(claims.ok()) << "accepted: " << token;
    EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated) << claims.status();
    EXPECT_THAT(std::string(claims.status().message()), HasSubstr(reason));
  }

  static std::string B64(absl::string_view text) { return Base64UrlEncode(text); }
  static std::vector<std::string> Segments(const std::string& token) {
    return absl::StrSplit(token, '.');
  }

  static TokenMinter* rsa_;
  static TokenMinter* ec_;
  static TokenMinter* ed_;
  static Jwks* jwks_;
  OidcOptions options_;
  absl::Time now_ = absl::FromUnixSeconds(1'790'000'000);
};

TokenMinter* JwtVerifierTest::rsa_ = nullptr;
TokenMinter* JwtVerifierTest::ec_ = nullptr;
TokenMinter* JwtVerifierTest::ed_ = nullptr;
Jwks* JwtVerifierTest::jwks_ = nullptr;

TEST_F(JwtVerifierTest, AcceptsRs256Es256AndEdDsa) {
  for (const TokenMinter* minter : {rsa_, ec_, ed_}) {
    SCOPED_TRACE(minter->alg());
    Json claims = Claims();
    claims["sub"] = "user-42";
    claims["groups"] = {"kcc-medewerkers", "kcc-supervisors"};
    claims["preferred_username"] = "mdw-001";
    absl::StatusOr<TokenClaims> verified = Verify(minter->Mint(claims));
    ASSERT_TRUE(verified.ok()) << verified.status();
    EXPECT_EQ(verified->issuer, kIssuer);
    EXPECT_EQ(verified->subject, "user-42");
    EXPECT_EQ(verified->expires_at, now_ + absl::Minutes(5));
    EXPECT_EQ(verified->not_before, now_);
    EXPECT_THAT(verified->groups, ElementsAre("kcc-medewerkers", "kcc-supervisors"));
    EXPECT_EQ(verified->handler_id, "mdw-001");
  }
}

TEST_F(JwtVerifierTest, OptionalClaimsMayBeAbsent) {
  Json claims = Claims();
  claims.erase("nbf");
  claims.erase("sub");
  absl::StatusOr<TokenClaims> verified = Verify(ed_->Mint(claims));
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->not_before, absl::InfinitePast());
  EXPECT_EQ(verified->subject, "");
  EXPECT_THAT(verified->groups, IsEmpty());
  EXPECT_EQ(verified->handler_id, "");
}

TEST_F(JwtVerifierTest, RefusesAlgNone) {
  const std::string payload = Claims().dump();
  for (const char* alg : {"none", "None", "NONE"}) {
    const Json header = {{"alg", alg}, {"kid", "rsa-1"}};
    ExpectRefused(absl::StrCat(B64(header.dump()), ".", B64(payload), "."),
                  "unsigned token refused");
    // With a signature segment that is not empty, still refused.
    ExpectRefused(absl::StrCat(B64(header.dump()), ".", B64(payload), ".", B64("sig")),
                  "unsigned token refused");
  }
}

TEST_F(JwtVerifierTest, RefusesHs256SignedWithThePublicKey) {
  // The classic confusion attack: HMAC with the RSA public key (which the attacker has) as
  // the secret, under the RSA key's kid.
  for (const TokenMinter* minter : {rsa_, ec_, ed_}) {
    const Json header = {{"alg", "HS256"}, {"kid", minter->kid()}};
    ExpectRefused(TokenMinter::SignHs256(minter->PublicKeyPem(), header.dump(), Claims().dump()),
                  "symmetric algorithm refused");
  }
  for (const char* alg : {"HS384", "HS512"}) {
    const Json header = {{"alg", alg}, {"kid", "rsa-1"}};
    ExpectRefused(TokenMinter::SignHs256(rsa_->PublicKeyPem(), header.dump(), Claims().dump()),
                  "symmetric algorithm refused");
  }
}

TEST_F(JwtVerifierTest, RefusesUnknownAlgorithms) {
  for (const char* alg : {"RS512", "PS256", "ES384", "ES256K", "Ed25519", "rs256", ""}) {
    SCOPED_TRACE(alg);
    const Json header = {{"alg", alg}, {"kid", "rsa-1"}};
    ExpectRefused(rsa_->Sign(header.dump(), Claims().dump()), "unsupported algorithm");
  }
  ExpectRefused(rsa_->Sign(Json{{"kid", "rsa-1"}}.dump(), Claims().dump()), "missing alg");
  ExpectRefused(rsa_->Sign(Json{{"alg", 256}, {"kid", "rsa-1"}}.dump(), Claims().dump()),
                "missing alg");
}

TEST_F(JwtVerifierTest, RefusesAlgorithmThatDoesNotMatchTheKey) {
  // An ES256 token naming the RSA key's kid, and the other way round.
  ExpectRefused(ec_->Sign(Json{{"alg", "ES256"}, {"kid", "rsa-1"}}.dump(), Claims().dump()),
                "algorithm does not match key");
  ExpectRefused(rsa_->Sign(Json{{"alg", "RS256"}, {"kid", "ed-1"}}.dump(), Claims().dump()),
                "algorithm does not match key");
  ExpectRefused(ed_->Sign(Json{{"alg", "EdDSA"}, {"kid", "ec-1"}}.dump(), Claims().dump()),
                "algorithm does not match key");
  // A JWK whose own "alg" differs from the token's.
  Json jwk = rsa_->Jwk();
  jwk["alg"] = "RS384";
  const Jwks pinned = *Jwks::Parse(Json{{"keys", Json::array({jwk})}}.dump());
  absl::StatusOr<TokenClaims> claims = VerifyJwt(rsa_->Mint(Claims()), pinned, options_, now_);
  ASSERT_FALSE(claims.ok());
  EXPECT_THAT(std::string(claims.status().message()), HasSubstr("algorithm does not match key"));
  jwk["alg"] = "RS256";
  const Jwks matching = *Jwks::Parse(Json{{"keys", Json::array({jwk})}}.dump());
  EXPECT_TRUE(VerifyJwt(rsa_->Mint(Claims()), matching, options_, now_).ok());
}

TEST_F(JwtVerifierTest, RefusesUnknownOrMissingKid) {
  const TokenMinter stranger = TokenMinter::Create(KeyType::kEd25519, "ed-2");
  absl::StatusOr<TokenClaims> claims = Verify(stranger.Mint(Claims()));
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(claims.status().message(), "unknown key id");
  EXPECT_TRUE(IsUnknownKeyId(claims.status()));

  // A known kid with another key's signature is a bad signature, not an unknown kid.
  const TokenMinter impostor = TokenMinter::Create(KeyType::kEd25519, "ed-1");
  claims = Verify(impostor.Mint(Claims()));
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.status().message(), "bad signature");
  EXPECT_FALSE(IsUnknownKeyId(claims.status()));

  ExpectRefused(ed_->Sign(Json{{"alg", "EdDSA"}}.dump(), Claims().dump()), "missing key id");
  ExpectRefused(ed_->Sign(Json{{"alg", "EdDSA"}, {"kid", 1}}.dump(), Claims().dump()),
                "missing key id");
  EXPECT_FALSE(IsUnknownKeyId(absl::UnauthenticatedError("unknown key id")));
}

TEST_F(JwtVerifierTest, RefusesTamperedPayloadHeaderOrSignature) {
  for (const TokenMinter* minter : {rsa_, ec_, ed_}) {
    SCOPED_TRACE(minter->alg());
    const std::vector<std::string> parts = Segments(minter->Mint(Claims()));
    ASSERT_EQ(parts.size(), 3U);
    Json elevated = Claims();
    elevated["groups"] = {"kcc-operators"};
    ExpectRefused(absl::StrCat(parts[0], ".", B64(elevated.dump()), ".", parts[2]),
                  "bad signature");
    const Json header = {{"alg", minter->alg()}, {"kid", minter->kid()}, {"typ", "at+jwt"}};
    ExpectRefused(absl::StrCat(B64(header.dump()), ".", parts[1], ".", parts[2]), "bad signature");
    std::string signature = *Base64UrlDecode(parts[2]);
    signature[5] = static_cast<char>(signature[5] ^ 0x10);
    ExpectRefused(absl::StrCat(parts[0], ".", parts[1], ".", B64(signature)), "bad signature");
    // Truncated and empty signatures.
    ExpectRefused(absl::StrCat(parts[0], ".", parts[1], ".", B64(signature.substr(1))),
                  "bad signature");
    ExpectRefused(absl::StrCat(parts[0], ".", parts[1], "."), "bad signature");
  }
}

TEST_F(JwtVerifierTest, RefusesEs256SignatureInDerForm) {
  // JOSE requires r || s; OpenSSL's DER form is 70-72 bytes and must not be accepted as well.
  const std::vector<std::string> parts = Segments(ec_->Mint(Claims()));
  const std::string jose = *Base64UrlDecode(parts[2]);
  ASSERT_EQ(jose.size(), 64U);
  std::string der = "\x30";
  der += static_cast<char>(68);
  der += std::string("\x02\x20", 2) + jose.substr(0, 32) + std::string("\x02\x20", 2) +
         jose.substr(32);
  ExpectRefused(absl::StrCat(parts[0], ".", parts[1], ".", B64(der)), "bad signature");
}

TEST_F(JwtVerifierTest, RefusesBadBase64Url) {
  const std::string token = ed_->Mint(Claims());
  const std::vector<std::string> parts = Segments(token);
  ExpectRefused(absl::StrCat(parts[0], "=.", parts[1], ".", parts[2]), "malformed token header");
  ExpectRefused(absl::StrCat(parts[0], ".", parts[1], "==.", parts[2]), "malformed token payload");
  ExpectRefused(absl::StrCat(parts[0], ".", parts[1], ".", parts[2], "="),
                "malformed token signature");
  std::string standard_alphabet = parts[2];
  standard_alphabet[0] = '+';
  ExpectRefused(absl::StrCat(parts[0], ".", parts[1], ".", standard_alphabet),
                "malformed token signature");
  ExpectRefused(absl::StrCat(" ", token), "malformed token header");
  ExpectRefused(absl::StrCat(token, "\n"), "malformed token signature");
}

TEST_F(JwtVerifierTest, RefusesNonJsonHeaderOrPayload) {
  ExpectRefused(ed_->Sign("not json", Claims().dump()), "malformed token header");
  ExpectRefused(ed_->Sign("[\"alg\",\"EdDSA\"]", Claims().dump()), "malformed token header");
  const std::string header = Json{{"alg", "EdDSA"}, {"kid", "ed-1"}}.dump();
  ExpectRefused(ed_->Sign(header, "not json"), "malformed token payload");
  ExpectRefused(ed_->Sign(header, "[1,2]"), "malformed token payload");
  ExpectRefused(ed_->Sign(header, "\"claims\""), "malformed token payload");
  ExpectRefused(ed_->Sign(header, Claims().dump() + " trailing"), "malformed token payload");
  ExpectRefused(ed_->Sign(header, ""), "malformed token payload");
}

TEST_F(JwtVerifierTest, RefusesOtherThanThreeSegments) {
  const std::string token = ed_->Mint(Claims());
  ExpectRefused(absl::StrCat(token, ".", B64("extra")), "not three segments");
  ExpectRefused(absl::StrCat(token, "."), "not three segments");
  const std::vector<std::string> parts = Segments(token);
  ExpectRefused(absl::StrCat(parts[0], ".", parts[1]), "not three segments");
  ExpectRefused("", "not three segments");
  // A JWE has five segments.
  ExpectRefused("a.b.c.d.e", "not three segments");
}

TEST_F(JwtVerifierTest, RefusesTokensOver8KiB) {
  Json claims = Claims();
  claims["padding"] = std::string(6000, 'x');
  const std::string big = ed_->Mint(claims);
  ASSERT_GT(big.size(), kMaxTokenBytes);
  ExpectRefused(big, "token too long");
  claims["padding"] = std::string(5000, 'x');
  const std::string fits = ed_->Mint(claims);
  ASSERT_LE(fits.size(), kMaxTokenBytes);
  EXPECT_TRUE(Verify(fits).ok());
}

TEST_F(JwtVerifierTest, RefusesCriticalHeaders) {
  const Json header = {{"alg", "EdDSA"}, {"kid", "ed-1"}, {"crit", {"exp"}}};
  ExpectRefused(ed_->Sign(header.dump(), Claims().dump()), "unsupported critical header");
}

TEST_F(JwtVerifierTest, RefusesExpiredTokensBeyondTheSkew) {
  options_.clock_skew = absl::Seconds(60);
  Json claims = Claims();
  claims["exp"] = absl::ToUnixSeconds(now_ - absl::Seconds(61));
  ExpectRefused(ed_->Mint(claims), "token expired");
  claims["exp"] = absl::ToUnixSeconds(now_ - absl::Seconds(60));  // on exp + skew: refused
  ExpectRefused(ed_->Mint(claims), "token expired");
  claims["exp"] = absl::ToUnixSeconds(now_ - absl::Seconds(59));  // within the skew
  EXPECT_TRUE(Verify(ed_->Mint(claims)).ok());
  options_.clock_skew = absl::ZeroDuration();
  claims["exp"] = absl::ToUnixSeconds(now_);
  ExpectRefused(ed_->Mint(claims), "token expired");
  claims["exp"] = absl::ToUnixSeconds(now_) + 0.5;  // a fractional NumericDate
  EXPECT_TRUE(Verify(ed_->Mint(claims)).ok());
}

TEST_F(JwtVerifierTest, RefusesTokensNotYetValidBeyondTheSkew) {
  options_.clock_skew = absl::Seconds(60);
  Json claims = Claims();
  claims["nbf"] = absl::ToUnixSeconds(now_ + absl::Seconds(61));
  ExpectRefused(ed_->Mint(claims), "token not yet valid");
  claims["nbf"] = absl::ToUnixSeconds(now_ + absl::Seconds(60));
  EXPECT_TRUE(Verify(ed_->Mint(claims)).ok());
  claims["nbf"] = "soon";
  ExpectRefused(ed_->Mint(claims), "nbf claim is not a number");
}

TEST_F(JwtVerifierTest, RefusesMissingOrNonNumericExp) {
  Json claims = Claims();
  claims.erase("exp");
  ExpectRefused(ed_->Mint(claims), "missing exp claim");
  for (const Json& exp : {Json("1790000300"), Json(true), Json(nullptr), Json::array({1})}) {
    claims["exp"] = exp;
    ExpectRefused(ed_->Mint(claims), "exp claim is not a number");
  }
}

TEST_F(JwtVerifierTest, RefusesWrongIssuer) {
  Json claims = Claims();
  for (const Json& iss :
       {Json("https://evil.example/realms/kcc"), Json(absl::StrCat(kIssuer, "/")),
        Json(absl::StrCat(kIssuer, "x")), Json(""), Json(1), Json::array({kIssuer})}) {
    claims["iss"] = iss;
    ExpectRefused(ed_->Mint(claims), "wrong issuer");
  }
  claims.erase("iss");
  ExpectRefused(ed_->Mint(claims), "missing iss claim");
}

TEST_F(JwtVerifierTest, ChecksAudienceAsStringOrArray) {
  Json claims = Claims();
  claims["aud"] = "other-app";
  ExpectRefused(ed_->Mint(claims), "wrong audience");
  claims["aud"] = {"other-app", "account"};
  ExpectRefused(ed_->Mint(claims), "wrong audience");
  claims["aud"] = Json::array();
  ExpectRefused(ed_->Mint(claims), "wrong audience");
  claims["aud"] = {1, nullptr};
  ExpectRefused(ed_->Mint(claims), "wrong audience");
  claims["aud"] = "WISSEL";
  ExpectRefused(ed_->Mint(claims), "wrong audience");
  claims["aud"] = {"account", kAudience};
  EXPECT_TRUE(Verify(ed_->Mint(claims)).ok());
  claims.erase("aud");
  ExpectRefused(ed_->Mint(claims), "missing aud claim");
}

TEST_F(JwtVerifierTest, ReasonsNeverEchoTokenValues) {
  Json claims = Claims();
  claims["iss"] = "https://attacker-controlled-value.example";
  claims["aud"] = "attacker-audience";
  claims["exp"] = 1;
  for (const std::string& token :
       {ed_->Mint(claims), ed_->Sign(Json{{"alg", "attacker-alg"}, {"kid", "ed-1"}}.dump(), "{}"),
        ed_->Sign(Json{{"alg", "EdDSA"}, {"kid", "attacker-kid"}}.dump(), "{}")}) {
    absl::StatusOr<TokenClaims> verified = Verify(token);
    ASSERT_FALSE(verified.ok());
    EXPECT_THAT(std::string(verified.status().message()), Not(HasSubstr("attacker")));
    EXPECT_THAT(std::string(verified.status().message()), Not(HasSubstr(token.substr(0, 10))));
  }
}

TEST_F(JwtVerifierTest, ReadsGroupsFromAStringAnArrayOrADottedPath) {
  Json claims = Claims();
  claims["groups"] = "kcc-medewerkers";
  EXPECT_THAT(Verify(ed_->Mint(claims))->groups, ElementsAre("kcc-medewerkers"));

  // Keycloak's realm roles.
  options_.groups_claim = "realm_access.roles";
  claims["realm_access"] = {{"roles", {"wissel-supervisor", "offline_access"}}};
  EXPECT_THAT(Verify(ed_->Mint(claims))->groups,
              ElementsAre("wissel-supervisor", "offline_access"));
  claims["realm_access"] = {{"other", 1}};
  EXPECT_THAT(Verify(ed_->Mint(claims))->groups, IsEmpty());
  claims["realm_access"] = "not an object";
  EXPECT_THAT(Verify(ed_->Mint(claims))->groups, IsEmpty());

  // A claim whose name itself has dots (a namespaced claim) is found first.
  options_.groups_claim = "https://wissel.example/roles";
  claims["https://wissel.example/roles"] = {"operator"};
  EXPECT_THAT(Verify(ed_->Mint(claims))->groups, ElementsAre("operator"));

  options_.groups_claim = "groups";
  claims["groups"] = {"a", 1};
  ExpectRefused(ed_->Mint(claims), "groups claim is not an array of strings");
  claims["groups"] = {{"a", "b"}};
  ExpectRefused(ed_->Mint(claims), "groups claim is not a string or an array of strings");

  options_.groups_claim = "";
  EXPECT_THAT(Verify(ed_->Mint(claims))->groups, IsEmpty());
}

TEST_F(JwtVerifierTest, ReadsTheHandlerClaim) {
  Json claims = Claims();
  options_.handler_claim = "wissel.handler";
  claims["wissel"] = {{"handler", "mdw-007"}};
  EXPECT_EQ(Verify(ed_->Mint(claims))->handler_id, "mdw-007");
  claims["wissel"] = {{"handler", 7}};
  ExpectRefused(ed_->Mint(claims), "handler claim is not a string");
  claims["sub"] = 7;
  claims.erase("wissel");
  ExpectRefused(ed_->Mint(claims), "sub claim is not a string");
}

}  // namespace
}  // namespace wissel::security
