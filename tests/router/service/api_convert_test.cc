// Tests the contact record as the API returns it from a stored payload.
#include "router/service/api_convert.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "router/service/request_validation.h"

namespace wissel::service {
namespace {

v1::Contact Request() {
  v1::Contact c;
  c.set_tenant("gemeente-test");
  c.set_channel(v1::CHANNEL_CHAT);
  c.set_topic("wmo-hulpmiddelen");
  c.set_idempotency_key("chat:42");
  c.set_priority(20);
  c.set_language("ar");
  c.add_needs(v1::NEED_VULNERABLE_SITUATION);
  c.add_needs(v1::NEED_LANGUAGE_BARRIER);
  c.set_wants_person(true);
  c.set_case_reference("Z-2026-000123");
  c.mutable_party()->set_bsn("111222333");
  c.mutable_party()->set_digid_level(v1::DIGID_LEVEL_MIDDEN);
  (*c.mutable_attributes())["page"] = "/wmo";
  return c;
}

// The tenant's list for Request(): `page` only.
AttributePolicy PageOnly() {
  return *AttributePolicy::Create("gemeente-test", {{"page", 40, false}}, "");
}

// The contact as the core makes it from a NewContact (router/core/router.cc, Route).
core::Contact AsRouted(const core::NewContact& in) {
  core::Contact c;
  c.id = in.id;
  c.channel = in.channel;
  c.topic = in.topic;
  c.queue = "wmo";
  c.priority = 35;  // e.g. raised by a rule: the record shows the contact's
  c.party_pseudonym = in.party_pseudonym;
  c.payload = in.payload;
  c.handler_id = "h-1";
  c.state = core::ContactState::kOffered;
  return c;
}

// The payload leaves out what the contact stores itself; the record has it all the same.
TEST(ApiConvertTest, RecordIsCompletedFromTheContact) {
  privacy::Pseudonymizer pseudonymizer =
      *privacy::Pseudonymizer::Create("0123456789abcdef0123456789abcdef");
  const absl::Time now = absl::FromUnixMicros(1700000000123456);
  absl::StatusOr<core::NewContact> prepared =
      PrepareContact(Request(), pseudonymizer, PageOnly(), "c-1", now);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  v1::ContactRecord payload;
  ASSERT_TRUE(payload.ParseFromString(prepared->payload));
  EXPECT_TRUE(payload.contact_id().empty());
  EXPECT_TRUE(payload.tenant().empty());
  EXPECT_TRUE(payload.topic().empty());
  EXPECT_TRUE(payload.party_pseudonym().empty());
  EXPECT_EQ(payload.priority(), 0);

  absl::StatusOr<v1::ContactRecord> record = ToContactRecord("gemeente-test", AsRouted(*prepared));
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->contact_id(), "c-1");
  EXPECT_EQ(record->tenant(), "gemeente-test");
  EXPECT_EQ(record->channel(), v1::CHANNEL_CHAT);
  EXPECT_EQ(record->topic(), "wmo-hulpmiddelen");
  EXPECT_EQ(record->party_pseudonym(), prepared->party_pseudonym);
  EXPECT_EQ(record->party_pseudonym().size(), 64u);
  EXPECT_EQ(record->party_kind(), "bsn");
  EXPECT_EQ(record->digid_level(), v1::DIGID_LEVEL_MIDDEN);
  EXPECT_EQ(record->language(), "ar");
  EXPECT_THAT(record->needs(),
              ::testing::ElementsAre(v1::NEED_VULNERABLE_SITUATION, v1::NEED_LANGUAGE_BARRIER));
  EXPECT_EQ(record->case_reference(), "Z-2026-000123");
  EXPECT_EQ(record->priority(), 35);
  EXPECT_EQ(record->attributes().at("page"), "/wmo");
  EXPECT_EQ(record->state(), v1::CONTACT_STATE_OFFERED);
  EXPECT_EQ(record->queue(), "wmo");
  EXPECT_EQ(record->handler_id(), "h-1");
  EXPECT_TRUE(record->wants_person());
  EXPECT_EQ(record->created_at().seconds(), 1700000000);
  EXPECT_EQ(record->created_at().nanos(), 123456000);

  // An anonymous contact stays anonymous.
  v1::Contact anonymous = Request();
  anonymous.clear_party();
  prepared = PrepareContact(anonymous, pseudonymizer, PageOnly(), "c-2", now);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  record = ToContactRecord("gemeente-test", AsRouted(*prepared));
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_TRUE(record->party_pseudonym().empty());
  EXPECT_TRUE(record->party_kind().empty());
}

// A payload stored before (the whole record) reads as it did.
TEST(ApiConvertTest, FullPayloadOfBeforeReadsUnchanged) {
  v1::ContactRecord old;
  old.set_contact_id("c-9");
  old.set_tenant("gemeente-test");
  old.set_channel(v1::CHANNEL_PHONE);
  old.set_topic("paspoort");
  old.set_party_pseudonym(std::string(64, 'a'));
  old.set_party_kind("bsn");
  old.set_language("nl");
  old.set_priority(10);
  old.mutable_decision()->add_reasons("queued");
  core::Contact c;
  c.id = "c-9";
  c.topic = "paspoort";
  c.party_pseudonym = std::string(64, 'a');
  c.queue = "burgerzaken";
  c.priority = 10;
  c.payload = old.SerializeAsString();
  absl::StatusOr<v1::ContactRecord> record = ToContactRecord("gemeente-test", c);
  ASSERT_TRUE(record.ok()) << record.status();
  v1::ContactRecord expected = old;
  expected.set_queue("burgerzaken");
  expected.set_state(v1::CONTACT_STATE_QUEUED);
  EXPECT_EQ(record->SerializeAsString(), expected.SerializeAsString());

  c.payload = "\xff not a record";
  EXPECT_EQ(ToContactRecord("gemeente-test", c).status().code(), absl::StatusCode::kInternal);
}

// The decision appended to a prepared payload reads as the record serialized with it, and the
// stored contact's record carries it.
TEST(ApiConvertTest, DecisionAppendedToThePayloadReadsAsSet) {
  privacy::Pseudonymizer pseudonymizer =
      *privacy::Pseudonymizer::Create("0123456789abcdef0123456789abcdef");
  absl::StatusOr<core::NewContact> prepared = PrepareContact(
      Request(), pseudonymizer, PageOnly(), "c-1", absl::FromUnixMicros(1700000000123456));
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  v1::Decision decision;
  decision.set_queue("wmo");
  decision.set_outcome(v1::Decision::OUTCOME_QUEUED);
  decision.set_position(3);
  decision.add_reasons("topic wmo-hulpmiddelen goes to wmo");
  // Long enough that its length takes two bytes.
  for (int i = 0; i < 20; ++i) {
    v1::TraceStep* step = decision.add_trace();
    step->set_kind("rule");
    step->set_name(absl::StrCat("rule-", i));
    step->set_detail("matched: needs include vulnerable_situation");
  }
  ASSERT_GT(decision.ByteSizeLong(), 127u);

  v1::ContactRecord expected;
  ASSERT_TRUE(expected.ParseFromString(prepared->payload));
  *expected.mutable_decision() = decision;
  const std::string payload = WithDecision(prepared->payload, decision);
  v1::ContactRecord parsed;
  ASSERT_TRUE(parsed.ParseFromString(payload));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, expected));

  core::NewContact routed = *prepared;
  routed.payload = payload;
  absl::StatusOr<v1::ContactRecord> record = ToContactRecord("gemeente-test", AsRouted(routed));
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(record->decision(), decision));
  EXPECT_EQ(record->language(), "ar");
}

}  // namespace
}  // namespace wissel::service
