#include "router/privacy/pseudonymizer.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace wissel::privacy {

namespace {

// HMAC-SHA256 of `message` under `key`, raw.
std::string HmacSha256(absl::string_view key, absl::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  const unsigned char* result = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), digest, &digest_len);
  // HMAC() fails only when OpenSSL cannot allocate or SHA-256 is unavailable: the process
  // cannot pseudonymise anything, and continuing could store identifiers under a wrong key.
  if (result == nullptr) std::abort();
  std::string raw(reinterpret_cast<const char*>(digest), digest_len);
  OPENSSL_cleanse(digest, sizeof(digest));
  return raw;
}

}  // namespace

std::string HmacSha256Hex(absl::string_view key, absl::string_view message) {
  std::string raw = HmacSha256(key, message);
  std::string hex = absl::BytesToHexString(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return hex;
}

absl::StatusOr<Pseudonymizer> Pseudonymizer::Create(std::string secret) {
  if (secret.size() < kMinSecretBytes) {
    const size_t size = secret.size();
    OPENSSL_cleanse(secret.data(), secret.size());
    return absl::InvalidArgumentError(absl::StrCat("pseudonymization secret must be at least ",
                                                   kMinSecretBytes, " bytes, got ", size));
  }
  return Pseudonymizer(std::move(secret));
}

Pseudonymizer& Pseudonymizer::operator=(const Pseudonymizer& other) {
  if (this != &other) {
    Wipe();
    secret_ = other.secret_;
  }
  return *this;
}

Pseudonymizer& Pseudonymizer::operator=(Pseudonymizer&& other) noexcept {
  if (this != &other) {
    Wipe();
    secret_ = std::move(other.secret_);
    other.Wipe();
  }
  return *this;
}

Pseudonymizer::~Pseudonymizer() { Wipe(); }

void Pseudonymizer::Wipe() noexcept {
  // The whole capacity, not only size(): bytes of a longer earlier value may lie past size().
  if (secret_.capacity() > 0) OPENSSL_cleanse(secret_.data(), secret_.capacity());
  secret_.clear();
}

std::string Pseudonymizer::Pseudonym(absl::string_view kind,
                                     absl::string_view normalized_value) const {
  std::string input = absl::StrCat(kind, ":", normalized_value);
  std::string pseudonym = HmacSha256Hex(secret_, input);
  OPENSSL_cleanse(input.data(), input.size());
  return pseudonym;
}

std::string Pseudonymizer::Digest(absl::string_view purpose, absl::string_view value) const {
  std::string input = absl::StrCat(purpose, "#", value);
  std::string digest = HmacSha256(secret_, input);
  OPENSSL_cleanse(input.data(), input.size());
  return digest;
}

}  // namespace wissel::privacy
