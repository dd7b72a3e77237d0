#include "router/privacy/pseudonymizer.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace wissel::privacy {

std::string HmacSha256Hex(absl::string_view key, absl::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  const unsigned char* result = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), digest, &digest_len);
  // HMAC() fails only when OpenSSL cannot allocate or SHA-256 is unavailable: the process
  // cannot pseudonymise anything, and continuing could store identifiers under a wrong key.
  if (result == nullptr) std::abort();
  std::string hex =
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), digest_len));
  OPENSSL_cleanse(digest, sizeof(digest));
  return hex;
}

// A pool of HMAC-SHA256 contexts keyed with one secret. Each call takes an idle context (or a
// copy of the keyed one), re-initialises it with the same key (cheap: the key's inner and outer
// hash states are kept) and puts it back, so concurrent callers never share a context.
class Pseudonymizer::KeyedMac {
 public:
  explicit KeyedMac(absl::string_view key) {
    mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac_ == nullptr) std::abort();
    keyed_ = EVP_MAC_CTX_new(mac_);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    // Failing here means OpenSSL cannot allocate or lacks SHA-256: nothing can be pseudonymised,
    // and continuing could store identifiers under a wrong key.
    if (keyed_ == nullptr ||
        EVP_MAC_init(keyed_, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     params) != 1) {
      std::abort();
    }
  }
  KeyedMac(const KeyedMac&) = delete;
  KeyedMac& operator=(const KeyedMac&) = delete;
  // EVP_MAC_CTX_free cleanses the key material.
  ~KeyedMac() {
    for (EVP_MAC_CTX* ctx : idle_) EVP_MAC_CTX_free(ctx);
    EVP_MAC_CTX_free(keyed_);
    EVP_MAC_free(mac_);
  }

  // The raw MAC of `message` (32 bytes).
  std::string Compute(absl::string_view message) const {
    EVP_MAC_CTX* ctx = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (!idle_.empty()) {
        ctx = idle_.back();
        idle_.pop_back();
      }
    }
    if (ctx == nullptr) ctx = EVP_MAC_CTX_dup(keyed_);
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t out_len = 0;
    // A NULL key re-initialises with the key set before.
    if (ctx == nullptr || EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1 ||
        EVP_MAC_final(ctx, out, &out_len, sizeof(out)) != 1) {
      std::abort();
    }
    std::string raw(reinterpret_cast<const char*>(out), out_len);
    OPENSSL_cleanse(out, sizeof(out));
    {
      absl::MutexLock lock(&mu_);
      if (idle_.size() < kMaxIdle) {
        idle_.push_back(ctx);
        ctx = nullptr;
      }
    }
    if (ctx != nullptr) EVP_MAC_CTX_free(ctx);
    return raw;
  }

 private:
  // More than the threads that route at once; extra contexts are freed after use.
  static constexpr size_t kMaxIdle = 64;

  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* keyed_ = nullptr;  // keyed once, only ever copied
  mutable absl::Mutex mu_;
  mutable std::vector<EVP_MAC_CTX*> idle_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<Pseudonymizer> Pseudonymizer::Create(std::string secret) {
  if (secret.size() < kMinSecretBytes) {
    const size_t size = secret.size();
    OPENSSL_cleanse(secret.data(), secret.size());
    return absl::InvalidArgumentError(absl::StrCat("pseudonymization secret must be at least ",
                                                   kMinSecretBytes, " bytes, got ", size));
  }
  auto mac = std::make_shared<const KeyedMac>(secret);
  // The whole capacity, not only size(): bytes of a longer earlier value may lie past size().
  OPENSSL_cleanse(secret.data(), secret.capacity());
  return Pseudonymizer(std::move(mac));
}

Pseudonymizer::~Pseudonymizer() = default;

std::string Pseudonymizer::Pseudonym(absl::string_view kind,
                                     absl::string_view normalized_value) const {
  std::string input = absl::StrCat(kind, ":", normalized_value);
  std::string raw = mac_->Compute(input);
  OPENSSL_cleanse(input.data(), input.size());
  std::string pseudonym = absl::BytesToHexString(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return pseudonym;
}

std::string Pseudonymizer::Digest(absl::string_view purpose, absl::string_view value) const {
  std::string input = absl::StrCat(purpose, "#", value);
  std::string digest = mac_->Compute(input);
  OPENSSL_cleanse(input.data(), input.size());
  return digest;
}

}  // namespace wissel::privacy
