#include "router/service/request_validation.h"

#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

privacy::Pseudonymizer TestPseudonymizer() {
  return *privacy::Pseudonymizer::Create("0123456789abcdef0123456789abcdef");
}

v1::Contact Valid() {
  v1::Contact c;
  c.set_tenant("gemeente-test");
  c.set_channel(v1::CHANNEL_CHAT);
  c.set_topic("wmo-hulpmiddelen");
  c.set_idempotency_key("chat:42");
  c.set_language("ar");
  c.add_needs(v1::NEED_LANGUAGE_BARRIER);
  c.set_wants_person(true);
  c.set_case_reference("Z-2026-000123");
  c.mutable_party()->set_bsn("111222333");
  c.mutable_party()->set_digid_level(v1::DIGID_LEVEL_MIDDEN);
  (*c.mutable_attributes())["page"] = "/wmo";
  return c;
}

TEST(RequestValidationTest, PreparesWhatTheCoreRoutesWithoutClearIdentifiers) {
  auto prepared = PrepareContact(Valid(), TestPseudonymizer(), "c1", absl::UnixEpoch());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  EXPECT_EQ(prepared->channel, core::Channel::kChat);
  EXPECT_EQ(prepared->party_pseudonym.size(), 64u);
  EXPECT_EQ(prepared->case_pseudonym.size(), 64u);
  EXPECT_EQ(prepared->needs, core::NeedBit(core::Need::kLanguageBarrier));
  EXPECT_EQ(prepared->digid, core::DigidLevel::kMidden);
  EXPECT_EQ(prepared->language, "ar");
  EXPECT_TRUE(prepared->wants_person);
  EXPECT_THAT(prepared->payload, Not(HasSubstr("111222333")));
  // The case number stays readable for the handler (it opens the case with it); continuity is
  // keyed on its pseudonym, never on the number itself.
  EXPECT_THAT(prepared->case_pseudonym, Not(HasSubstr("Z-2026")));
}

TEST(RequestValidationTest, EachNeedMapsToItsCoreBit) {
  const std::vector<std::pair<v1::Need, core::Need>> pairs = {
      {v1::NEED_LOW_DIGITAL_SKILLS, core::Need::kLowDigitalSkills},
      {v1::NEED_LANGUAGE_BARRIER, core::Need::kLanguageBarrier},
      {v1::NEED_IMPAIRMENT, core::Need::kImpairment},
      {v1::NEED_VULNERABLE_SITUATION, core::Need::kVulnerable}};
  for (const auto& [api, core_need] : pairs) {
    v1::Contact c = Valid();
    c.clear_needs();
    c.add_needs(api);
    auto prepared = PrepareContact(c, TestPseudonymizer(), "c1", absl::UnixEpoch());
    ASSERT_TRUE(prepared.ok());
    EXPECT_EQ(prepared->needs, core::NeedBit(core_need)) << api;
  }
}

TEST(RequestValidationTest, IdentifiersRefuseRedisSeparators) {
  EXPECT_TRUE(ValidateIdentifier("f", "mdw-001").ok());
  EXPECT_TRUE(ValidateIdentifier("f", "anna@wisseloord").ok());
  for (const char* bad : {"", "a:b", "a,b", "a|b", "a b", "{t}"}) {
    EXPECT_EQ(ValidateIdentifier("f", bad).code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(ValidateIdentifier("f", std::string(65, 'a')).ok());
}

TEST(RequestValidationTest, SignInChecksProficiencyAndCapacity) {
  v1::Handler h;
  h.set_tenant("gemeente-test");
  h.set_handler_id("mdw-1");
  h.add_skills("wmo");
  (*h.mutable_proficiency())["wmo"] = 4;
  auto* cap = h.add_capacity();
  cap->set_channel(v1::CHANNEL_CHAT);
  cap->set_max_contacts(2);
  auto in = PrepareSignIn(h);
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(in->proficiency.at("wmo"), 4);
  EXPECT_EQ(in->capacity[core::Channel::kChat], 2);
  EXPECT_EQ(in->capacity[core::Channel::kPhone], -1);  // the tenant default

  (*h.mutable_proficiency())["wmo"] = 6;
  EXPECT_THAT(PrepareSignIn(h).status().message(), HasSubstr("handler.proficiency[wmo]"));
  (*h.mutable_proficiency())["wmo"] = 3;
  cap->set_max_contacts(-1);
  EXPECT_THAT(PrepareSignIn(h).status().message(), HasSubstr("handler.capacity[0].max_contacts"));
}

TEST(RequestValidationTest, ContactIdsFollowFromTheIdempotencyKeyAndTheTenantsSecret) {
  const privacy::Pseudonymizer pseudonymizer = TestPseudonymizer();
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string key = absl::StrCat("sip:call-", i, "@pbx");
    const std::string id = ContactIdForIdempotencyKey(pseudonymizer, key);
    ASSERT_EQ(id.size(), kContactIdLength);
    ASSERT_TRUE(ValidateIdentifier("contact_id", id).ok()) << id;
    // A retry names the same contact, on any router with the tenant's secret.
    ASSERT_EQ(ContactIdForIdempotencyKey(TestPseudonymizer(), key), id);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
  EXPECT_LE(kContactIdLength, std::string().capacity());  // fits the small-string buffer

  // Every base-62 digit occurs: the ids use the whole alphabet, not a biased part of it.
  std::set<char> digits;
  for (const std::string& id : seen) digits.insert(id.begin(), id.end());
  EXPECT_EQ(digits.size(), 62u);

  // Another tenant (another secret) gets another id for the same key, and the id is not the
  // key's pseudonym: the purpose keeps the two uses of the secret apart.
  const privacy::Pseudonymizer other =
      *privacy::Pseudonymizer::Create("fedcba9876543210fedcba9876543210");
  EXPECT_NE(ContactIdForIdempotencyKey(other, "chat:42"),
            ContactIdForIdempotencyKey(pseudonymizer, "chat:42"));
  EXPECT_NE(pseudonymizer.Digest("contact-id", "chat:42"),
            absl::HexStringToBytes(pseudonymizer.Pseudonym("contact-id", "chat:42")));
  EXPECT_EQ(pseudonymizer.Digest("contact-id", "chat:42").size(), 32u);
}

}  // namespace
}  // namespace wissel::service
