// Check-in parsing, table-driven: every refusal is an InvalidArgument naming the field as the
// kiosk wrote it; an accepted check-in becomes a balie contact with the right topic, letter and
// idempotency key.
#include "adapters/balie/checkin_request.h"

#include <string>

#include "adapters/common/problem.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/balie/test_config.h"

namespace wissel::adapters::balie {
namespace {

using ::testing::HasSubstr;

TEST(CheckinRequestTest, WalkIn) {
  const BalieConfig config = testing::TestConfig();
  absl::StatusOr<Checkin> c = ParseCheckin(
      "gemeente-test",
      R"({"kiosk_id":"kiosk-1","checkin_id":"c-1","topic":"rijbewijs","language":"en",)"
      R"("needs":["language_barrier"],"wants_person":true})",
      config);
  ASSERT_TRUE(c.ok()) << c.status();
  const v1::Contact& contact = c->request.contact();
  EXPECT_EQ(c->letter, 'A');
  EXPECT_EQ(contact.tenant(), "gemeente-test");
  EXPECT_EQ(contact.channel(), v1::CHANNEL_BALIE);
  EXPECT_EQ(contact.topic(), "rijbewijs");
  EXPECT_EQ(contact.language(), "en");
  ASSERT_EQ(contact.needs_size(), 1);
  EXPECT_EQ(contact.needs(0), v1::NEED_LANGUAGE_BARRIER);
  EXPECT_TRUE(contact.wants_person());
  EXPECT_EQ(contact.idempotency_key(), "balie:kiosk-1:c-1");
  EXPECT_EQ(contact.attributes().at("visit"), "walk_in");
  EXPECT_EQ(contact.attributes().at("kiosk"), "kiosk-1");
}

TEST(CheckinRequestTest, AppointmentCodeGivesTopicAndLetter) {
  const BalieConfig config = testing::TestConfig();
  absl::StatusOr<Checkin> c =
      ParseCheckin("gemeente-test",
                   R"({"kiosk_id":"k","checkin_id":"c","appointment_code":"PAS-WMO-17"})", config);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->request.contact().topic(), "wmo-hulpmiddelen");
  EXPECT_EQ(c->letter, 'B');
  EXPECT_EQ(c->request.contact().attributes().at("visit"), "appointment");
  // The code itself is not passed on.
  EXPECT_THAT(c->request.DebugString(), ::testing::Not(HasSubstr("PAS-WMO-17")));
}

TEST(CheckinRequestTest, RefusalsNameTheField) {
  const BalieConfig config = testing::TestConfig();
  struct Case {
    std::string body;
    std::string field;
    std::string detail;
  };
  const std::string ok_ids = R"("kiosk_id":"k","checkin_id":"c")";
  const Case cases[] = {
      {"", "body", ""},
      {"{", "body", ""},
      {"[]", "body", ""},
      {"{\"kiosk_id\":\"k\"} trailing", "body", ""},
      {R"({"checkin_id":"c","topic":"paspoort"})", "kiosk_id", "is required"},
      {R"({"kiosk_id":"k","topic":"paspoort"})", "checkin_id", "is required"},
      {R"({"kiosk_id":"k:1","checkin_id":"c","topic":"paspoort"})", "kiosk_id", "may only"},
      {R"({"kiosk_id":")" + std::string(41, 'k') + R"(","checkin_id":"c","topic":"paspoort"})",
       "kiosk_id", "longer"},
      {R"({"kiosk_id":"k","checkin_id":")" + std::string(65, 'c') + R"(","topic":"paspoort"})",
       "checkin_id", "longer"},
      {R"({"kiosk_id":7,"checkin_id":"c","topic":"paspoort"})", "kiosk_id", ""},
      {"{" + ok_ids + R"(,"wants_person":[true],"topic":"paspoort"})", "wants_person", ""},
      {"{" + ok_ids + R"(,"needs":{"a":1},"topic":"paspoort"})", "needs", ""},
      {"{" + ok_ids + "}", "appointment_code", "exactly one"},
      {"{" + ok_ids + R"(,"topic":"paspoort","appointment_code":"PAS-1"})", "topic", "exactly one"},
      {"{" + ok_ids + R"(,"topic":"grofvuil"})", "topic", "not a topic served"},
      {"{" + ok_ids + R"(,"topic":"pas poort"})", "topic", ""},
      {"{" + ok_ids + R"(,"appointment_code":"XYZ-1"})", "appointment_code", "not a code"},
      {"{" + ok_ids + R"(,"appointment_code":"pas-1"})", "appointment_code", "may only"},
      {"{" + ok_ids + R"(,"appointment_code":"PAS-)" + std::string(40, '1') + R"("})",
       "appointment_code", "longer"},
      {"{" + ok_ids + R"(,"topic":"paspoort","needs":["impairment","telepathy"]})", "needs[1]", ""},
      {"{" + ok_ids + R"(,"topic":"paspoort","language":"nl_NL!"})", "language", ""},
      {"{" + ok_ids + R"(,"topic":"paspoort","party":{"bsn":"1"}})", "party", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    absl::StatusOr<Checkin> parsed = ParseCheckin("gemeente-test", c.body, config);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldOf(parsed.status().message()), c.field) << parsed.status();
    EXPECT_THAT(parsed.status().message(), HasSubstr(c.detail));
  }
}

TEST(CheckinRequestTest, TenantPath) {
  const BalieConfig config = testing::TestConfig();
  EXPECT_TRUE(ValidateTenantPath("gemeente-test", config).ok());
  EXPECT_EQ(ValidateTenantPath("Gemeente", config).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateTenantPath("gemeente-other", config).code(), absl::StatusCode::kNotFound);
}

TEST(CheckinRequestTest, ClientFieldNames) {
  EXPECT_EQ(ClientField("contact.topic"), "topic");
  EXPECT_EQ(ClientField("contact.idempotency_key"), "checkin_id");
  EXPECT_EQ(ClientField("contact.needs[0]"), "needs[0]");
  EXPECT_EQ(ClientField("contact.attributes.ticket"), "body");
}

}  // namespace
}  // namespace wissel::adapters::balie
