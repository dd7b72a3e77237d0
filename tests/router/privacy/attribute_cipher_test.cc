// AttributeCipher: round trip, the stored form, and every way a stored value must fail to
// decrypt (wrong key, changed nonce, ciphertext or tag, another tenant or attribute, bad form).
#include "router/privacy/attribute_cipher.h"

#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::privacy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Test keys, 32 bytes each; not used anywhere else.
constexpr char kKeyA[] = "wissel-test-attribute-key-aaaa01";
constexpr char kKeyB[] = "wissel-test-attribute-key-bbbb02";
constexpr char kTenant[] = "gemeente-wisseloord";

AttributeCipher MakeCipher(const std::string& key) {
  absl::StatusOr<AttributeCipher> c = AttributeCipher::Create(key);
  EXPECT_TRUE(c.ok()) << c.status();
  return *std::move(c);
}

std::string EncryptOk(const AttributeCipher& cipher, absl::string_view name,
                      absl::string_view value) {
  absl::StatusOr<std::string> stored = cipher.Encrypt(kTenant, name, value);
  EXPECT_TRUE(stored.ok()) << stored.status();
  return stored.ok() ? *stored : "";
}

// The stored value with one byte of the decoded (nonce | ciphertext | tag) flipped.
std::string FlipByte(const std::string& stored, size_t index) {
  std::string raw;
  EXPECT_TRUE(absl::Base64Unescape(stored.substr(AttributeCipher::kPrefix.size()), &raw));
  raw[index] = static_cast<char>(raw[index] ^ 0x01);
  return absl::StrCat(AttributeCipher::kPrefix, absl::Base64Escape(raw));
}

TEST(AttributeCipherTest, RoundTrip) {
  const AttributeCipher cipher = MakeCipher(kKeyA);
  for (const std::string& value : {std::string("A. Inwoner"), std::string(), std::string(4096, 'x'),
                                   std::string("\xc3\xa9\xc3\xa9n \0 nul", 12)}) {
    const std::string stored = EncryptOk(cipher, "naam", value);
    EXPECT_THAT(stored, StartsWith("enc:v1:"));
    EXPECT_TRUE(AttributeCipher::IsEncrypted(stored));
    if (!value.empty()) {
      EXPECT_THAT(stored, Not(HasSubstr(value)));
    }
    absl::StatusOr<std::string> back = cipher.Decrypt(kTenant, "naam", stored);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, value);
  }
}

TEST(AttributeCipherTest, StoredFormIsNonceCiphertextTag) {
  const AttributeCipher cipher = MakeCipher(kKeyA);
  const std::string stored = EncryptOk(cipher, "naam", "A. Inwoner");
  std::string raw;
  ASSERT_TRUE(absl::Base64Unescape(stored.substr(AttributeCipher::kPrefix.size()), &raw));
  EXPECT_EQ(raw.size(), AttributeCipher::kNonceBytes + std::string("A. Inwoner").size() +
                            AttributeCipher::kTagBytes);
}

TEST(AttributeCipherTest, CopiesShareTheKey) {
  const AttributeCipher cipher = MakeCipher(kKeyA);
  const AttributeCipher copy = cipher;  // NOLINT(performance-unnecessary-copy-initialization)
  const std::string stored = EncryptOk(cipher, "naam", "A. Inwoner");
  EXPECT_EQ(copy.Decrypt(kTenant, "naam", stored).value_or(""), "A. Inwoner");
}

TEST(AttributeCipherTest, NonceIsFreshPerValue) {
  const AttributeCipher cipher = MakeCipher(kKeyA);
  std::set<std::string> nonces;
  std::set<std::string> stored_values;
  for (int i = 0; i < 1000; ++i) {
    const std::string stored = EncryptOk(cipher, "naam", "A. Inwoner");
    std::string raw;
    ASSERT_TRUE(absl::Base64Unescape(stored.substr(AttributeCipher::kPrefix.size()), &raw));
    nonces.insert(raw.substr(0, AttributeCipher::kNonceBytes));
    stored_values.insert(stored);
  }
  EXPECT_EQ(nonces.size(), 1000u);
  EXPECT_EQ(stored_values.size(), 1000u);
}

TEST(AttributeCipherTest, WrongKeyFails) {
  const std::string stored = EncryptOk(MakeCipher(kKeyA), "naam", "A. Inwoner");
  absl::StatusOr<std::string> back = MakeCipher(kKeyB).Decrypt(kTenant, "naam", stored);
  EXPECT_EQ(back.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(back.status().message(), Not(HasSubstr("Inwoner")));
}

TEST(AttributeCipherTest, OtherTenantOrAttributeFails) {
  const AttributeCipher cipher = MakeCipher(kKeyA);
  const std::string stored = EncryptOk(cipher, "naam", "A. Inwoner");
  EXPECT_EQ(cipher.Decrypt("gemeente-andersoord", "naam", stored).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(cipher.Decrypt(kTenant, "adres", stored).status().code(), absl::StatusCode::kDataLoss);
  // The length prefix keeps ("ab", "c") and ("a", "bc") apart.
  const std::string split = *cipher.Encrypt("ab", "c", "x");
  EXPECT_FALSE(cipher.Decrypt("a", "bc", split).ok());
}

TEST(AttributeCipherTest, TamperedNonceCiphertextOrTagFails) {
  const AttributeCipher cipher = MakeCipher(kKeyA);
  const std::string stored = EncryptOk(cipher, "naam", "A. Inwoner");
  const size_t raw_size =
      AttributeCipher::kNonceBytes + std::string("A. Inwoner").size() + AttributeCipher::kTagBytes;
  for (size_t index : {size_t{0}, AttributeCipher::kNonceBytes, AttributeCipher::kNonceBytes + 3,
                       raw_size - AttributeCipher::kTagBytes, raw_size - 1}) {
    SCOPED_TRACE(index);
    EXPECT_EQ(cipher.Decrypt(kTenant, "naam", FlipByte(stored, index)).status().code(),
              absl::StatusCode::kDataLoss);
  }
}

TEST(AttributeCipherTest, BadStoredFormFails) {
  const AttributeCipher cipher = MakeCipher(kKeyA);
  const std::string stored = EncryptOk(cipher, "naam", "A. Inwoner");
  for (const std::string& bad :
       {std::string("A. Inwoner"), std::string("enc:v1:"),
        std::string("enc:v2:") + stored.substr(7), std::string("enc:v1:!!!not base64!!!"),
        absl::StrCat("enc:v1:", absl::Base64Escape(std::string(27, 'a'))),
        stored.substr(0, stored.size() - 8)}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(cipher.Decrypt(kTenant, "naam", bad).status().code(), absl::StatusCode::kDataLoss);
  }
}

TEST(AttributeCipherTest, KeyMustBe32Bytes) {
  for (const std::string& key : {std::string(), std::string(31, 'k'), std::string(33, 'k')}) {
    absl::StatusOr<AttributeCipher> c = AttributeCipher::Create(key);
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(c.status().message(), HasSubstr("32 bytes"));
  }
}

}  // namespace
}  // namespace wissel::privacy
