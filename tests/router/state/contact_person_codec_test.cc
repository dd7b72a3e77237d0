// Tests the contact-person encoding of the state layer.
#include "router/state/contact_person_codec.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::state {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kPseudonym(64, 'a');

TEST(ContactPersonCodecTest, RoundTrip) {
  core::ContactPersonMapping m;
  m.party_pseudonym = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  m.domain = "sociaal_domein";
  m.handler_id = "h-7@team.b";
  m.expires_at = absl::FromUnixMicros(1800000000000001);
  const std::string member = ContactPersonMember(m.party_pseudonym, m.domain);
  const std::string value = EncodeContactPerson(m);
  EXPECT_EQ(member, m.party_pseudonym + ":sociaal_domein");
  EXPECT_EQ(value, "h-7@team.b|1800000000000001");
  absl::StatusOr<core::ContactPersonMapping> back = DecodeContactPerson(member, value);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->party_pseudonym, m.party_pseudonym);
  EXPECT_EQ(back->domain, m.domain);
  EXPECT_EQ(back->handler_id, m.handler_id);
  EXPECT_EQ(back->expires_at, m.expires_at);
}

TEST(ContactPersonCodecTest, MalformedIsDataLossWithoutThePseudonym) {
  const std::string member = ContactPersonMember(kPseudonym, "wmo");
  for (const auto& [bad_member, bad_value] : std::vector<std::pair<std::string, std::string>>{
           {"123456782:wmo", "h|1"},                // a BSN, not a pseudonym
           {std::string(64, 'A') + ":wmo", "h|1"},  // upper-case hex
           {kPseudonym, "h|1"},                     // no domain
           {kPseudonym + ":", "h|1"},               // empty domain
           {kPseudonym + ":a:b", "h|1"},
           {member, "h"},
           {member, "|1"},
           {member, "h|soon"},
           {member, "h|1|2"},
           {member, "h,i|1"},
       }) {
    absl::StatusOr<core::ContactPersonMapping> back = DecodeContactPerson(bad_member, bad_value);
    EXPECT_EQ(back.status().code(), absl::StatusCode::kDataLoss) << bad_member << " " << bad_value;
    EXPECT_THAT(std::string(back.status().message()), Not(HasSubstr("123456782")));
    EXPECT_THAT(std::string(back.status().message()), Not(HasSubstr(kPseudonym)));
  }
}

}  // namespace
}  // namespace wissel::state
