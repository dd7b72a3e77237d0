#include "router/privacy/pseudonym_keys.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::privacy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kOld(32, 'o');
const std::string kNew(32, 'n');

TEST(PseudonymKeysTest, OutsideARotationOneSecretDoesEverything) {
  absl::StatusOr<PseudonymKeys> keys = PseudonymKeys::Create(kNew, "");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->previous(), nullptr);
  const Pseudonymizer expected = *Pseudonymizer::Create(kNew);
  EXPECT_EQ(keys->current().Pseudonym(kKindBsn, "111222333"),
            expected.Pseudonym(kKindBsn, "111222333"));
  EXPECT_EQ(keys->ids().Digest("contact-id", "k"), expected.Digest("contact-id", "k"));
}

TEST(PseudonymKeysTest, InTheWindowBothMatchAndIdsStayThoseOfThePreviousSecret) {
  absl::StatusOr<PseudonymKeys> keys = PseudonymKeys::Create(kNew, kOld);
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_NE(keys->previous(), nullptr);
  const Pseudonymizer before = *Pseudonymizer::Create(kOld);
  const Pseudonymizer after = *Pseudonymizer::Create(kNew);
  EXPECT_EQ(keys->current().Pseudonym(kKindBsn, "111222333"),
            after.Pseudonym(kKindBsn, "111222333"));
  EXPECT_EQ(keys->previous()->Pseudonym(kKindBsn, "111222333"),
            before.Pseudonym(kKindBsn, "111222333"));
  EXPECT_NE(keys->current().Pseudonym(kKindBsn, "111222333"),
            keys->previous()->Pseudonym(kKindBsn, "111222333"));
  // A retry across the start of the window names the contact made before it.
  EXPECT_EQ(keys->ids().Digest("contact-id", "k"), before.Digest("contact-id", "k"));
}

TEST(PseudonymKeysTest, RefusesWeakOrRepeatedSecretsWithoutEchoingThem) {
  absl::Status same = PseudonymKeys::Create(kNew, kNew).status();
  EXPECT_EQ(same.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(same.message(), HasSubstr("previous pseudonym secret"));
  EXPECT_THAT(same.message(), Not(HasSubstr(kNew)));
  absl::Status short_previous = PseudonymKeys::Create(kNew, "too-short-previous").status();
  EXPECT_EQ(short_previous.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(short_previous.message(), HasSubstr("previous pseudonym secret"));
  EXPECT_THAT(short_previous.message(), Not(HasSubstr("too-short-previous")));
  EXPECT_EQ(PseudonymKeys::Create("too-short", "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wissel::privacy
