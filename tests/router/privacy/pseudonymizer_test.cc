#include "router/privacy/pseudonymizer.h"

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::privacy {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

// 37-byte secrets for two tenants; fixed so that the known-answer test below pins the format.
constexpr char kSecretA[] = "wissel-test-secret-gemeente-aaaa-0001";
constexpr char kSecretB[] = "wissel-test-secret-gemeente-bbbb-0002";

Pseudonymizer MakePseudonymizer(const std::string& secret) {
  absl::StatusOr<Pseudonymizer> p = Pseudonymizer::Create(secret);
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

// RFC 4231 test cases 1, 2 and 6 (the last with a key longer than the SHA-256 block).
TEST(HmacSha256HexTest, Rfc4231Vectors) {
  struct Vector {
    std::string key;
    std::string data;
    std::string hmac;
  };
  const std::vector<Vector> vectors = {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
  };
  for (const Vector& v : vectors) {
    SCOPED_TRACE(v.data);
    EXPECT_EQ(HmacSha256Hex(v.key, v.data), v.hmac);
  }
}

TEST(PseudonymizerTest, CreateRefusesShortSecret) {
  const std::string short_secret(31, 's');
  absl::StatusOr<Pseudonymizer> p = Pseudonymizer::Create(short_secret);
  ASSERT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("at least 32 bytes, got 31"));
  EXPECT_THAT(p.status().message(), Not(HasSubstr(short_secret)));
  EXPECT_EQ(Pseudonymizer::Create("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PseudonymizerTest, CreateAcceptsSecretOfMinimumLength) {
  EXPECT_TRUE(Pseudonymizer::Create(std::string(32, 's')).ok());
}

// Known answer, computed once with
//   printf 'bsn:111222333' | openssl dgst -sha256 -hmac 'wissel-test-secret-gemeente-aaaa-0001'
// Pins the input format kind + ":" + value: pseudonyms are stored, so the format must not drift.
TEST(PseudonymizerTest, KnownAnswer) {
  const Pseudonymizer p = MakePseudonymizer(kSecretA);
  EXPECT_EQ(p.Pseudonym(kKindBsn, "111222333"),
            "4c34e094e63fd1d9aeb7fe8a5b7c743e95c59e6a84515cf42b59bd9b8702f23e");
  EXPECT_EQ(p.Pseudonym(kKindBsn, "111222333"), HmacSha256Hex(kSecretA, "bsn:111222333"));
}

TEST(PseudonymizerTest, IsLowerCaseHexOf64Digits) {
  const Pseudonymizer p = MakePseudonymizer(kSecretA);
  EXPECT_THAT(p.Pseudonym(kKindEmail, "jan@example.nl"), MatchesRegex("[0-9a-f]{64}"));
}

TEST(PseudonymizerTest, DeterministicAcrossInstancesAndCopies) {
  const Pseudonymizer first = MakePseudonymizer(kSecretA);
  const Pseudonymizer second = MakePseudonymizer(kSecretA);
  const Pseudonymizer copy = first;  // NOLINT(performance-unnecessary-copy-initialization)
  const std::string expected = first.Pseudonym(kKindPhone, "+31612345678");
  EXPECT_EQ(first.Pseudonym(kKindPhone, "+31612345678"), expected);
  EXPECT_EQ(second.Pseudonym(kKindPhone, "+31612345678"), expected);
  EXPECT_EQ(copy.Pseudonym(kKindPhone, "+31612345678"), expected);
}

TEST(PseudonymizerTest, AssignmentTakesTheOtherSecret) {
  Pseudonymizer a = MakePseudonymizer(kSecretA);
  const Pseudonymizer b = MakePseudonymizer(kSecretB);
  const std::string of_b = b.Pseudonym(kKindBsn, "111222333");
  a = b;
  EXPECT_EQ(a.Pseudonym(kKindBsn, "111222333"), of_b);
  Pseudonymizer c = MakePseudonymizer(kSecretA);
  c = std::move(a);
  EXPECT_EQ(c.Pseudonym(kKindBsn, "111222333"), of_b);
}

TEST(PseudonymizerTest, TenantsGetDifferentPseudonyms) {
  const Pseudonymizer tenant_a = MakePseudonymizer(kSecretA);
  const Pseudonymizer tenant_b = MakePseudonymizer(kSecretB);
  EXPECT_EQ(tenant_b.Pseudonym(kKindBsn, "111222333"),
            "928566218068c7bd9ac940ea8400b4492eb8326e04bfb792f02cbabaeab29c31");
  EXPECT_NE(tenant_a.Pseudonym(kKindBsn, "111222333"), tenant_b.Pseudonym(kKindBsn, "111222333"));
}

TEST(PseudonymizerTest, KindsAndValuesAreSeparated) {
  const Pseudonymizer p = MakePseudonymizer(kSecretA);
  // The same digits as a BSN and as an RSIN are different parties.
  EXPECT_NE(p.Pseudonym(kKindBsn, "123456782"), p.Pseudonym(kKindRsin, "123456782"));
  EXPECT_NE(p.Pseudonym(kKindBsn, "111222333"), p.Pseudonym(kKindBsn, "123456782"));
  EXPECT_NE(p.Pseudonym(kKindKvk, "69599084"), p.Pseudonym(kKindBsn, "69599084"));
}

TEST(PseudonymizerTest, NeverContainsTheValue) {
  const Pseudonymizer p = MakePseudonymizer(kSecretA);
  EXPECT_THAT(p.Pseudonym(kKindBsn, "111222333"), Not(HasSubstr("111222333")));
}

// The keyed contexts are reused call after call (re-initialised with the same key): every
// answer is still the plain HMAC of its own input, for pseudonyms and digests alike.
TEST(PseudonymizerTest, ReusedContextsGiveThePlainHmac) {
  const Pseudonymizer p = MakePseudonymizer(kSecretA);
  for (int i = 0; i < 100; ++i) {
    const std::string value = absl::StrCat("+3161234", 1000 + i);
    ASSERT_EQ(p.Pseudonym(kKindPhone, value),
              HmacSha256Hex(kSecretA, absl::StrCat(kKindPhone, ":", value)))
        << i;
    ASSERT_EQ(absl::BytesToHexString(p.Digest("contact-id", value)),
              HmacSha256Hex(kSecretA, absl::StrCat("contact-id#", value)))
        << i;
  }
}

TEST(PseudonymizerTest, ConcurrentUseGivesTheSameAnswer) {
  const Pseudonymizer p = MakePseudonymizer(kSecretA);
  const std::string expected = p.Pseudonym(kKindBsn, "111222333");
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&p, &expected, &mismatches, t] {
      for (int i = 0; i < 1000; ++i) {
        if (p.Pseudonym(kKindBsn, "111222333") != expected) ++mismatches[t];
        // Interleaved with other inputs, so that contexts change hands between threads.
        if (p.Digest("contact-id", absl::StrCat(t, "-", i)).size() != 32) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace wissel::privacy
