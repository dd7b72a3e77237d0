// Bearer tokens: the Authorization header's token, the digest and its constant-time comparison.
#include "base/bearer_token.h"

#include "gtest/gtest.h"

namespace wissel::base {
namespace {

TEST(BearerTokenTest, TokenFromTheHeader) {
  EXPECT_EQ(BearerToken("Bearer abc-DEF_123.~+/=="), "abc-DEF_123.~+/==");
  EXPECT_EQ(BearerToken("bearer abc"), "abc");
  EXPECT_EQ(BearerToken("BEARER   abc  "), "abc");
}

TEST(BearerTokenTest, AnythingElseIsNoToken) {
  for (const char* header :
       {"", "Bearer", "Bearer ", "Basic dXNlcjpwdw==", "Bearerabc", "Bearer a b",
        "Bearer ===", "Bearer ab=c", "Bearer tök", "Token abc", "Bearer a,b"}) {
    SCOPED_TRACE(header);
    EXPECT_FALSE(BearerToken(header).has_value());
  }
}

TEST(BearerTokenTest, DigestMatchesOnlyTheSameToken) {
  const TokenDigest digest = DigestOf("desk-1-secret-0123456789");
  EXPECT_TRUE(TokenMatches(digest, "desk-1-secret-0123456789"));
  EXPECT_FALSE(TokenMatches(digest, "desk-1-secret-012345678"));
  EXPECT_FALSE(TokenMatches(digest, "desk-1-secret-01234567890"));
  EXPECT_FALSE(TokenMatches(digest, ""));
  EXPECT_TRUE(SameDigest(digest, DigestOf("desk-1-secret-0123456789")));
  EXPECT_FALSE(SameDigest(digest, TokenDigest{}));
}

TEST(BearerTokenTest, DigestIsSha256) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  const TokenDigest digest = DigestOf("abc");
  EXPECT_EQ(digest.bytes[0], 0xba);
  EXPECT_EQ(digest.bytes[1], 0x78);
  EXPECT_EQ(digest.bytes[31], 0xad);
}

}  // namespace
}  // namespace wissel::base
