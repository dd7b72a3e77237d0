// The caller's number from an INVITE.
#include "adapters/sip/caller_id.h"

#include "gtest/gtest.h"
#include "tests/adapters/sip/sip_test_util.h"

namespace wissel::adapters::sip::testing {
namespace {

TEST(CallerIdTest, NormalizesPlausibleNumbers) {
  EXPECT_EQ(NormalizeCallerNumber("0612345678"), "0612345678");
  EXPECT_EQ(NormalizeCallerNumber("06-123 456.78"), "0612345678");
  EXPECT_EQ(NormalizeCallerNumber("+31612345678"), "+31612345678");
  EXPECT_EQ(NormalizeCallerNumber("0031612345678"), "+31612345678");
  EXPECT_EQ(NormalizeCallerNumber("anonymous"), std::nullopt);
  EXPECT_EQ(NormalizeCallerNumber("1042"), std::nullopt);
  EXPECT_EQ(NormalizeCallerNumber(""), std::nullopt);
  EXPECT_EQ(NormalizeCallerNumber("+0123456789"), std::nullopt);
  EXPECT_EQ(NormalizeCallerNumber("+1234567890123456"), std::nullopt);
  EXPECT_EQ(NormalizeCallerNumber("061234567"), std::nullopt);
}

std::optional<std::string> CallerOf(const RequestParts& parts, bool trust = true) {
  absl::StatusOr<OsipMessagePtr> message = ParseSipMessage(Request(parts));
  if (!message.ok()) return "unparsed";
  return CallerNumber(**message, trust);
}

TEST(CallerIdTest, FromAssertedIdentityThenFrom) {
  RequestParts p;
  EXPECT_EQ(CallerOf(p), "0612345678");
  p.extra_headers = {"P-Asserted-Identity: \"X\" <sip:+31201234567@pbx;user=phone>"};
  EXPECT_EQ(CallerOf(p), "+31201234567");
  EXPECT_EQ(CallerOf(p, /*trust=*/false), "0612345678");
  p.extra_headers = {"P-Asserted-Identity: <sip:agent@pbx>, <tel:+31201234567>"};
  EXPECT_EQ(CallerOf(p), "+31201234567");
  p.extra_headers = {"P-Asserted-Identity: garbage<<"};
  EXPECT_EQ(CallerOf(p), "0612345678");
  p.extra_headers = {};
  p.from_user = "anonymous";
  EXPECT_EQ(CallerOf(p), std::nullopt);
}

TEST(CallerIdTest, TelUriInFrom) {
  const std::string invite =
      "INVITE sip:140123@pbx SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "From: <tel:+31612345678;foo=bar>;tag=1\r\nTo: <sip:140123@pbx>\r\nCall-ID: a\r\n"
      "CSeq: 1 INVITE\r\n\r\n";
  absl::StatusOr<OsipMessagePtr> message = ParseSipMessage(invite);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(CallerNumber(**message, true), "+31612345678");
}

}  // namespace
}  // namespace wissel::adapters::sip::testing
