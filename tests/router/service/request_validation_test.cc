#include "router/service/request_validation.h"

#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::StartsWith;

privacy::Pseudonymizer TestPseudonymizer() {
  return *privacy::Pseudonymizer::Create("0123456789abcdef0123456789abcdef");
}

// A test key (32 bytes), not used anywhere else.
constexpr char kAttributeKey[] = "wissel-test-attribute-key-rv0001";

// The tenant's list: `page` (non-personal) and `naam` (personal, encrypted).
AttributePolicy TestAttributes() {
  absl::StatusOr<AttributePolicy> policy = AttributePolicy::Create(
      "gemeente-test", {{"page", 40, false}, {"naam", 100, true}}, kAttributeKey);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return *std::move(policy);
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
  auto prepared =
      PrepareContact(Valid(), TestPseudonymizer(), TestAttributes(), "c1", absl::UnixEpoch());
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

TEST(RequestValidationTest, PersonalAttributesAreStoredEncryptedAndHiddenFromRules) {
  v1::Contact c = Valid();
  (*c.mutable_attributes())["naam"] = "A. Inwoner";
  auto prepared = PrepareContact(c, TestPseudonymizer(), TestAttributes(), "c1", absl::UnixEpoch());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  // The rules see only the non-personal attribute.
  EXPECT_THAT(prepared->attributes, ElementsAre(Pair("page", "/wmo")));
  EXPECT_THAT(prepared->payload, Not(HasSubstr("A. Inwoner")));
  v1::ContactRecord record;
  ASSERT_TRUE(record.ParseFromString(prepared->payload));
  EXPECT_EQ(record.attributes().at("page"), "/wmo");
  EXPECT_THAT(record.attributes().at("naam"), StartsWith("enc:v1:"));
  // Decrypted again for a reader.
  ASSERT_TRUE(TestAttributes().Reveal(record.mutable_attributes()).ok());
  EXPECT_EQ(record.attributes().at("naam"), "A. Inwoner");
}

TEST(RequestValidationTest, AttributesOutsideTheTenantsListAreRefusedByName) {
  struct Case {
    std::string name;
    std::string value;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"onbekend", "x", "contact.attributes[onbekend]: not allowed for this tenant"},
      {"page", std::string(41, 'x'), "contact.attributes[page]: longer than 40 bytes"},
      {"naam", std::string(101, 'x'), "contact.attributes[naam]: longer than 100 bytes"},
      {"page", "enc:v1:AAAA", "contact.attributes[page]: must not start with 'enc:v1:'"},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.name);
    v1::Contact c = Valid();
    (*c.mutable_attributes())[test.name] = test.value;
    auto prepared =
        PrepareContact(c, TestPseudonymizer(), TestAttributes(), "c1", absl::UnixEpoch());
    EXPECT_EQ(prepared.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(prepared.status().message(), test.message);
  }
}

TEST(RequestValidationTest, WithoutAListNoAttributeIsAllowed) {
  auto prepared = PrepareContact(Valid(), TestPseudonymizer(), AttributePolicy("gemeente-test"),
                                 "c1", absl::UnixEpoch());
  EXPECT_EQ(prepared.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(prepared.status().message(), "contact.attributes[page]: not allowed for this tenant");
  v1::Contact without = Valid();
  without.clear_attributes();
  EXPECT_TRUE(PrepareContact(without, TestPseudonymizer(), AttributePolicy("gemeente-test"), "c1",
                             absl::UnixEpoch())
                  .ok());
}

TEST(RequestValidationTest, APersonalAttributeNeedsAKey) {
  EXPECT_EQ(AttributePolicy::Create("gemeente-test", {{"naam", 100, true}}, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      AttributePolicy::Create("gemeente-test", {{"naam", 100, true}}, "short").status().code(),
      absl::StatusCode::kInvalidArgument);
  // A stored encrypted value cannot be revealed without the key, nor with another.
  v1::Contact c = Valid();
  (*c.mutable_attributes())["naam"] = "A. Inwoner";
  auto prepared = PrepareContact(c, TestPseudonymizer(), TestAttributes(), "c1", absl::UnixEpoch());
  ASSERT_TRUE(prepared.ok());
  v1::ContactRecord record;
  ASSERT_TRUE(record.ParseFromString(prepared->payload));
  v1::ContactRecord copy = record;
  EXPECT_EQ(AttributePolicy("gemeente-test").Reveal(copy.mutable_attributes()).code(),
            absl::StatusCode::kDataLoss);
  const AttributePolicy other = *AttributePolicy::Create("gemeente-test", {{"naam", 100, true}},
                                                         "wissel-test-attribute-key-rv0002");
  EXPECT_EQ(other.Reveal(record.mutable_attributes()).code(), absl::StatusCode::kDataLoss);
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
    auto prepared =
        PrepareContact(c, TestPseudonymizer(), TestAttributes(), "c1", absl::UnixEpoch());
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
