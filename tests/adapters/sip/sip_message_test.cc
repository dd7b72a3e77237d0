// libosip2 helpers: parsing, salvaging a broken request, building responses.
#include "adapters/sip/sip_message.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/sip/sip_test_util.h"

namespace wissel::adapters::sip::testing {
namespace {

using ::testing::HasSubstr;

TEST(SipMessageTest, ParsesAndReadsHeaders) {
  RequestParts p;
  p.extra_headers = {"X-IVR-Choice: 2"};
  absl::StatusOr<OsipMessagePtr> message = ParseSipMessage(Request(p));
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(GenericHeader(**message, "x-ivr-choice"), "2");
  EXPECT_EQ(GenericHeader(**message, "X-IVR-CHOICE"), "2");
  EXPECT_EQ(GenericHeader(**message, "X-Absent"), "");
  EXPECT_EQ(UriUser((*message)->req_uri), "140123");
  EXPECT_FALSE(ParseSipMessage("").ok());
  EXPECT_FALSE(ParseSipMessage("hello").ok());
}

TEST(SipMessageTest, BuildsAResponsePerRfc3261) {
  absl::StatusOr<OsipMessagePtr> invite = ParseSipMessage(Invite());
  ASSERT_TRUE(invite.ok());
  ResponseSpec spec;
  spec.code = 302;
  spec.to_tag = "abc";
  spec.contact = "sip:wacht@pbx.test";
  spec.headers = {{"X-Wissel-Outcome", "queued"}};
  absl::StatusOr<std::string> bytes = BuildResponse(**invite, spec);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_THAT(*bytes, ::testing::StartsWith("SIP/2.0 302 Moved Temporarily\r\n"));
  EXPECT_THAT(*bytes, HasSubstr("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\n"));
  EXPECT_THAT(*bytes, HasSubstr(";tag=abc"));
  EXPECT_THAT(*bytes, HasSubstr("Contact: <sip:wacht@pbx.test>\r\n"));
  EXPECT_THAT(*bytes, HasSubstr("X-Wissel-Outcome: queued\r\n"));
  EXPECT_THAT(*bytes, HasSubstr("Content-Length: 0\r\n"));
  EXPECT_THAT(*bytes, ::testing::EndsWith("\r\n\r\n"));

  spec.headers = {{"X-Bad", "a\r\nInjected: yes"}};
  EXPECT_FALSE(BuildResponse(**invite, spec).ok());
  spec.headers = {};
  spec.contact = "sip:a@b>\r\nX: y";
  EXPECT_FALSE(BuildResponse(**invite, spec).ok());
}

TEST(SipMessageTest, TryingHasNoToTag) {
  absl::StatusOr<OsipMessagePtr> invite = ParseSipMessage(Invite());
  ASSERT_TRUE(invite.ok());
  ResponseSpec spec;
  spec.code = 100;
  spec.to_tag = "abc";
  absl::StatusOr<std::string> bytes = BuildResponse(**invite, spec);
  ASSERT_TRUE(bytes.ok());
  EXPECT_THAT(*bytes, ::testing::Not(HasSubstr("tag=abc")));
}

TEST(SipMessageTest, SalvagesTheHeadersOfABrokenRequest) {
  const std::string broken =
      "INVITE sip:140123@pbx SIP/2.0\r\nVia: SIP/2.0/UDP h:5060;branch=z9hG4bK1\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:140123@pbx>\r\ni: compact@id\r\n"
      "CSeq: 1 INVITE\r\nContact: <<<broken\r\n\r\n";
  ASSERT_FALSE(ParseSipMessage(broken).ok());
  std::string problem;
  absl::StatusOr<OsipMessagePtr> salvaged = SalvageRequest(broken, 16384, &problem);
  ASSERT_TRUE(salvaged.ok());
  EXPECT_EQ(problem, "malformed Contact header");
  EXPECT_STREQ((*salvaged)->call_id->number, "compact");
  EXPECT_STREQ((*salvaged)->call_id->host, "id");
  EXPECT_EQ(osip_list_size(&(*salvaged)->vias), 1);
  EXPECT_FALSE(SalvageRequest("SIP/2.0 200 OK\r\n\r\n", 100, nullptr).ok());
  EXPECT_FALSE(SalvageRequest("no line end", 100, nullptr).ok());
  EXPECT_FALSE(SalvageRequest("\x01\x02\r\n", 100, nullptr).ok());
}

TEST(SipMessageTest, ParsesAsUri) {
  EXPECT_TRUE(ParsesAsUri("sip:a@b"));
  EXPECT_FALSE(ParsesAsUri("sip:@"));
  EXPECT_FALSE(ParsesAsUri("sip:a@b\r\n"));
}

}  // namespace
}  // namespace wissel::adapters::sip::testing
