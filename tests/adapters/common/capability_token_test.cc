// Capability tokens: 256 random bits as base64url, never the same twice.
#include "adapters/common/capability_token.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace wissel::adapters {
namespace {

TEST(CapabilityTokenTest, IsBase64UrlOf32RandomBytes) {
  absl::StatusOr<std::string> token = NewCapabilityToken();
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->size(), 43u);
  for (char c : *token) {
    EXPECT_TRUE(absl::ascii_isalnum(c) || c == '-' || c == '_') << *token;
  }
  std::string bytes;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(*token, &bytes));
  EXPECT_EQ(bytes.size(), static_cast<size_t>(kCapabilityTokenBytes));
}

TEST(CapabilityTokenTest, NeverTheSameTwice) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    absl::StatusOr<std::string> token = NewCapabilityToken();
    ASSERT_TRUE(token.ok());
    EXPECT_TRUE(seen.insert(*token).second);
  }
}

}  // namespace
}  // namespace wissel::adapters
