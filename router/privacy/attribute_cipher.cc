#include "router/privacy/attribute_cipher.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace wissel::privacy {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// The tenant and the attribute name, length-prefixed so that no two pairs give the same bytes.
std::string AssociatedData(absl::string_view tenant, absl::string_view name) {
  return absl::StrCat(tenant.size(), ":", tenant, name);
}

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

// The raw key, cleansed when the last cipher sharing it goes.
class AttributeCipher::Key {
 public:
  explicit Key(absl::string_view raw) { std::copy(raw.begin(), raw.end(), bytes_.begin()); }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
  const unsigned char* data() const { return bytes_.data(); }

 private:
  std::array<unsigned char, kKeyBytes> bytes_{};
};

absl::StatusOr<AttributeCipher> AttributeCipher::Create(std::string key) {
  if (key.size() != kKeyBytes) {
    const size_t size = key.size();
    OPENSSL_cleanse(key.data(), key.capacity());
    return absl::InvalidArgumentError(
        absl::StrCat("attribute key must be exactly ", kKeyBytes, " bytes, got ", size));
  }
  auto shared = std::make_shared<const Key>(key);
  OPENSSL_cleanse(key.data(), key.capacity());
  return AttributeCipher(std::move(shared));
}

bool AttributeCipher::IsEncrypted(absl::string_view value) {
  return absl::StartsWith(value, kPrefix);
}

absl::StatusOr<std::string> AttributeCipher::Encrypt(absl::string_view tenant,
                                                     absl::string_view name,
                                                     absl::string_view plaintext) const {
  std::string raw(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  const std::string aad = AssociatedData(tenant, name);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  if (RAND_bytes(out, static_cast<int>(kNonceBytes)) != 1 || ctx == nullptr ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key_->data(), out) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out + kNonceBytes, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out + kNonceBytes + len, &final_len) != 1 ||
      static_cast<size_t>(len) + static_cast<size_t>(final_len) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          out + kNonceBytes + plaintext.size()) != 1) {
    OPENSSL_cleanse(raw.data(), raw.size());
    return absl::InternalError("attribute encryption failed");
  }
  return absl::StrCat(kPrefix, absl::Base64Escape(raw));
}

absl::StatusOr<std::string> AttributeCipher::Decrypt(absl::string_view tenant,
                                                     absl::string_view name,
                                                     absl::string_view stored) const {
  std::string raw;
  if (!IsEncrypted(stored) || !absl::Base64Unescape(stored.substr(kPrefix.size()), &raw) ||
      raw.size() < kNonceBytes + kTagBytes) {
    return absl::DataLossError(
        absl::StrCat("attribute '", name, "': not an encrypted value (", kPrefix, "...)"));
  }
  const size_t text_size = raw.size() - kNonceBytes - kTagBytes;
  auto* in = reinterpret_cast<unsigned char*>(raw.data());
  const std::string aad = AssociatedData(tenant, name);
  std::string plaintext(text_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key_->data(), in) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &len, in + kNonceBytes, static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          in + kNonceBytes + text_size) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + len, &final_len) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return absl::DataLossError(absl::StrCat(
        "attribute '", name, "': does not decrypt (wrong attribute key, or changed in the store)"));
  }
  return plaintext;
}

}  // namespace wissel::privacy
