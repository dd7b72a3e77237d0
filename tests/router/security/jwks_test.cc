#include "router/security/jwks.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "router/security/base64url.h"
#include "tests/router/security/token_minter.h"

namespace wissel::security {
namespace {

using ::testing::HasSubstr;
using testing::KeyType;
using ::testing::StartsWith;
using testing::TokenMinter;
using Json = nlohmann::json;

class JwksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TokenMinter(TokenMinter::Create(KeyType::kRsa, "rsa-1"));
    ec_ = new TokenMinter(TokenMinter::Create(KeyType::kEc256, "ec-1"));
    ed_ = new TokenMinter(TokenMinter::Create(KeyType::kEd25519, "ed-1"));
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ec_;
    delete ed_;
  }

  static std::string SetOf(const Json& key) { return Json{{"keys", Json::array({key})}}.dump(); }

  // The InvalidArgument message of parsing a set holding only `key`.
  static std::string ErrorOf(const Json& key) {
    absl::StatusOr<Jwks> jwks = Jwks::Parse(SetOf(key));
    EXPECT_FALSE(jwks.ok());
    if (jwks.ok()) return "";
    EXPECT_EQ(jwks.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(jwks.status().message());
  }

  static TokenMinter* rsa_;
  static TokenMinter* ec_;
  static TokenMinter* ed_;
};

TokenMinter* JwksTest::rsa_ = nullptr;
TokenMinter* JwksTest::ec_ = nullptr;
TokenMinter* JwksTest::ed_ = nullptr;

TEST_F(JwksTest, ParsesRsaEcAndEd25519KeysByKid) {
  Json rsa = rsa_->Jwk();
  rsa["alg"] = "RS256";
  absl::StatusOr<Jwks> jwks =
      Jwks::Parse(Json{{"keys", Json::array({rsa, ec_->Jwk(), ed_->Jwk()})}}.dump());
  ASSERT_TRUE(jwks.ok()) << jwks.status();
  EXPECT_EQ(jwks->size(), 3U);
  EXPECT_EQ(jwks->skipped(), 0U);
  ASSERT_NE(jwks->Find("rsa-1"), nullptr);
  EXPECT_EQ(jwks->Find("rsa-1")->type(), JwkType::kRsa);
  EXPECT_EQ(jwks->Find("rsa-1")->alg(), "RS256");
  ASSERT_NE(jwks->Find("ec-1"), nullptr);
  EXPECT_EQ(jwks->Find("ec-1")->type(), JwkType::kEc256);
  EXPECT_EQ(jwks->Find("ec-1")->alg(), "");
  ASSERT_NE(jwks->Find("ed-1"), nullptr);
  EXPECT_EQ(jwks->Find("ed-1")->type(), JwkType::kEd25519);
  EXPECT_NE(jwks->Find("ed-1")->evp_pkey(), nullptr);
  EXPECT_EQ(jwks->Find("nope"), nullptr);
  EXPECT_EQ(jwks->Find(""), nullptr);
}

TEST_F(JwksTest, SkipsEncryptionKeysAndUnsupportedTypes) {
  Json enc = rsa_->Jwk();
  enc["use"] = "enc";
  enc["kid"] = "ec-1";  // an encryption key may share a kid with a signing key
  const Json p384 = {{"kty", "EC"}, {"crv", "P-384"}, {"kid", "p384"}, {"x", "AA"}, {"y", "AA"}};
  const Json x25519 = {{"kty", "OKP"}, {"crv", "X25519"}, {"kid", "x"}, {"x", "AA"}};
  const Json unknown = {{"kty", "XYZ"}, {"kid", "u"}};
  absl::StatusOr<Jwks> jwks =
      Jwks::Parse(Json{{"keys", Json::array({enc, p384, ec_->Jwk(), x25519, unknown})}}.dump());
  ASSERT_TRUE(jwks.ok()) << jwks.status();
  EXPECT_EQ(jwks->size(), 1U);
  EXPECT_EQ(jwks->skipped(), 4U);
  EXPECT_EQ(jwks->Find("ec-1")->type(), JwkType::kEc256);
}

TEST_F(JwksTest, RefusesDocumentsThatAreNotAKeySet) {
  for (const char* text : {"", "not json", "[]", "{\"keys\":{}}", "{}", "{\"keys\":\"x\"}",
                           "{\"keys\":[1]}", "{\"keys\":[]}", "{\"keys\":[{\"kty\":\"RSA\",}]}"}) {
    SCOPED_TRACE(text);
    absl::StatusOr<Jwks> jwks = Jwks::Parse(text);
    ASSERT_FALSE(jwks.ok());
    EXPECT_EQ(jwks.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_THAT(std::string(Jwks::Parse("{\"keys\":[1]}").status().message()),
              StartsWith("keys[0]: "));
  EXPECT_THAT(std::string(Jwks::Parse("{\"keys\":[]}").status().message()), HasSubstr("no usable"));
  // Only skipped keys: nothing to verify with.
  Json enc = rsa_->Jwk();
  enc["use"] = "enc";
  EXPECT_THAT(std::string(Jwks::Parse(SetOf(enc)).status().message()), HasSubstr("no usable"));
}

TEST_F(JwksTest, RefusesMissingEmptyOrDuplicateKid) {
  Json key = ec_->Jwk();
  key.erase("kid");
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].kid: "));
  key["kid"] = "";
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].kid: "));
  key["kid"] = 7;
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].kid: must be a string"));
  Json other = ed_->Jwk();
  other["kid"] = "ec-1";
  absl::StatusOr<Jwks> jwks = Jwks::Parse(Json{{"keys", Json::array({ec_->Jwk(), other})}}.dump());
  ASSERT_FALSE(jwks.ok());
  EXPECT_THAT(std::string(jwks.status().message()), StartsWith("keys[1].kid: duplicate"));
}

TEST_F(JwksTest, RefusesRsaModulusUnder2048Bits) {
  const TokenMinter weak = TokenMinter::CreateRsa(1024, "weak");
  EXPECT_THAT(ErrorOf(weak.Jwk()), StartsWith("keys[0].n: "));
}

TEST_F(JwksTest, RefusesBadRsaMembers) {
  Json key = rsa_->Jwk();
  key["n"] = key["n"].get<std::string>() + "=";  // padding
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].n: not unpadded base64url"));
  key = rsa_->Jwk();
  key.erase("e");
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].e: missing"));
  key = rsa_->Jwk();
  key["e"] = Base64UrlEncode(std::string("\x01\x00\x00", 3));  // even
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].e: "));
  key = rsa_->Jwk();
  key["n"] = 12345;
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].n: must be a string"));
  key = rsa_->Jwk();
  key["alg"] = Json::array();
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].alg: must be a string"));
  key = rsa_->Jwk();
  key["use"] = 1;
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].use: must be a string"));
}

TEST_F(JwksTest, RefusesEcPointOffTheCurveOrOfWrongSize) {
  Json key = ec_->Jwk();
  std::string y = *Base64UrlDecode(key["y"].get<std::string>());
  y[31] = static_cast<char>(y[31] ^ 1);
  key["y"] = Base64UrlEncode(y);
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].x: not a point on P-256"));
  key = ec_->Jwk();
  key["x"] = Base64UrlEncode(std::string(31, 'a'));
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].x: must be 32 bytes"));
  key = ec_->Jwk();
  key.erase("y");
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].y: missing"));
}

TEST_F(JwksTest, RefusesBadEd25519Key) {
  Json key = ed_->Jwk();
  key["x"] = Base64UrlEncode(std::string(33, 'a'));
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].x: must be 32 bytes"));
  key["x"] = "!!!!";
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].x: not unpadded base64url"));
}

TEST_F(JwksTest, RefusesPrivateKeyMaterial) {
  Json key = ed_->Jwk();
  key["d"] = Base64UrlEncode(std::string(32, 'a'));
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].d: private key material"));
  key = rsa_->Jwk();
  key["p"] = "AQAB";
  EXPECT_THAT(ErrorOf(key), StartsWith("keys[0].p: "));
}

TEST_F(JwksTest, NamesTheIndexOfTheBadKey) {
  Json bad = ec_->Jwk();
  bad["kid"] = "ec-2";
  bad["x"] = "AA";
  absl::StatusOr<Jwks> jwks =
      Jwks::Parse(Json{{"keys", Json::array({rsa_->Jwk(), ec_->Jwk(), ed_->Jwk(), bad})}}.dump());
  ASSERT_FALSE(jwks.ok());
  EXPECT_THAT(std::string(jwks.status().message()), StartsWith("keys[3].x: "));
}

TEST_F(JwksTest, RefusesTooManyKeys) {
  Json keys = Json::array();
  for (size_t i = 0; i <= Jwks::kMaxKeys; ++i) {
    Json key = ed_->Jwk();
    key["kid"] = absl::StrCat("k", i);
    keys.push_back(key);
  }
  EXPECT_THAT(std::string(Jwks::Parse(Json{{"keys", keys}}.dump()).status().message()),
              StartsWith("keys: more than"));
}

TEST(Base64UrlTest, RoundTripsAndDecodesStrictly) {
  for (const std::string& bytes : {std::string(), std::string("f"), std::string("fo"),
                                   std::string("foo"), std::string("\xff\xfe\x00\x01", 4)}) {
    const std::string encoded = Base64UrlEncode(bytes);
    EXPECT_EQ(encoded.find('='), std::string::npos);
    EXPECT_EQ(Base64UrlDecode(encoded), bytes);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("Zm8"), "fo");
  EXPECT_FALSE(Base64UrlDecode("Zm8=").has_value());  // padding
  EXPECT_FALSE(Base64UrlDecode("+/8").has_value());   // the standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Zm 8").has_value());  // whitespace
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());     // a lone sextet
  EXPECT_FALSE(Base64UrlDecode("Zm9").has_value());   // non-zero unused bits ("Zm8" is canonical)
}

}  // namespace
}  // namespace wissel::security
