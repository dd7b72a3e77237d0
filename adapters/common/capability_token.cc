#include "adapters/common/capability_token.h"

#include <openssl/rand.h>

#include <array>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"

namespace wissel::adapters {

absl::StatusOr<std::string> NewCapabilityToken() {
  std::array<unsigned char, kCapabilityTokenBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return absl::InternalError("no randomness for a capability token");
  }
  std::string token = absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  bytes.fill(0);
  return token;
}

}  // namespace wissel::adapters
