// Encryption of personal contact attributes (a resident's name, a callback note, ...) at rest.
//
// A tenant that allows a personal attribute stores its value only as
// "enc:v1:" + base64(nonce | ciphertext | tag): AES-256-GCM under the tenant's attribute key, a
// random 96-bit nonce per value, and the tenant id and attribute name as additional
// authenticated data, so a value copied to another tenant or another attribute does not
// decrypt. Redis, its dumps and its replicas hold only ciphertext; the router decrypts when it
// hands a contact record to a caller allowed to read it.
//
// Pure computation (OpenSSL EVP, no I/O). Thread-safety: immutable after Create(); all const
// methods may be called concurrently. Copies share the key, which is cleansed when the last
// copy is destroyed.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wissel::privacy {

class AttributeCipher {
 public:
  // AES-256: the key is exactly 32 raw bytes.
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kNonceBytes = 12;
  static constexpr size_t kTagBytes = 16;
  // What every stored encrypted value starts with; the version names the algorithm and layout.
  static constexpr absl::string_view kPrefix = "enc:v1:";

  // Returns InvalidArgument unless `key` is exactly kKeyBytes bytes; the message never contains
  // the key. The argument is cleansed either way.
  static absl::StatusOr<AttributeCipher> Create(std::string key);

  // Whether `value` has the stored form's prefix (not whether it decrypts).
  static bool IsEncrypted(absl::string_view value);

  // Encrypts `plaintext` for attribute `name` of `tenant` with a fresh random nonce: two calls
  // with the same input give different outputs. Internal only if OpenSSL fails (no entropy).
  absl::StatusOr<std::string> Encrypt(absl::string_view tenant, absl::string_view name,
                                      absl::string_view plaintext) const;

  // The plaintext of `stored` (Encrypt's output for the same tenant and name). DataLoss when
  // `stored` is not in the stored form, or does not authenticate (wrong key, wrong tenant or
  // name, a changed byte). The message never contains the value.
  absl::StatusOr<std::string> Decrypt(absl::string_view tenant, absl::string_view name,
                                      absl::string_view stored) const;

 private:
  class Key;
  explicit AttributeCipher(std::shared_ptr<const Key> key) : key_(std::move(key)) {}

  std::shared_ptr<const Key> key_;
};

}  // namespace wissel::privacy
