// Tests the contact and history encoding of the state layer.
#include "router/state/contact_codec.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::state {
namespace {

using ::testing::ElementsAre;

core::Contact FullContact() {
  core::Contact c;
  c.id = "c-1";
  c.channel = core::Channel::kWebForm;
  c.topic = "parkeren";
  c.queue = "burgerzaken";
  c.priority = 70;
  c.idempotency_key = "idem|key,with:separators";
  c.party_pseudonym = "p-abc";
  c.created_at = absl::FromUnixMicros(1700000000123456);
  c.enqueued_at = absl::FromUnixMicros(1700000000223456);
  c.state = core::ContactState::kOffered;
  c.handler_id = "h-1";
  c.offer_deadline = absl::FromUnixMicros(1700000030223456);
  c.declined_by = {"h-2", "h-3"};
  c.payload = std::string("bin\0ary\xff|,:", 12);
  return c;
}

FieldMap ToMap(const FieldList& list) { return FieldMap(list.begin(), list.end()); }

TEST(ContactCodecTest, TimeRoundTrip) {
  for (absl::Time t : {absl::FromUnixMicros(0), absl::FromUnixMicros(1700000000123456),
                       absl::FromUnixMicros(-5), absl::InfiniteFuture(), absl::InfinitePast()}) {
    std::optional<absl::Time> back = DecodeTime(EncodeTime(t));
    ASSERT_TRUE(back.has_value()) << EncodeTime(t);
    EXPECT_EQ(*back, t);
  }
  EXPECT_EQ(EncodeTime(absl::FromUnixMicros(1700000000123456)), "1700000000123456");
  EXPECT_EQ(EncodeTime(absl::InfiniteFuture()), "inf");
  EXPECT_EQ(EncodeTime(absl::InfinitePast()), "-inf");
  EXPECT_FALSE(DecodeTime("").has_value());
  EXPECT_FALSE(DecodeTime("12x").has_value());
  EXPECT_FALSE(DecodeTime("1.5").has_value());
}

TEST(ContactCodecTest, StateNames) {
  EXPECT_EQ(ParseContactState("queued"), core::ContactState::kQueued);
  EXPECT_EQ(ParseContactState("abandoned"), core::ContactState::kAbandoned);
  EXPECT_FALSE(ParseContactState("Queued").has_value());
  EXPECT_TRUE(IsLive(core::ContactState::kConnected));
  EXPECT_FALSE(IsLive(core::ContactState::kCompleted));
}

TEST(ContactCodecTest, ContactRoundTrip) {
  const core::Contact c = FullContact();
  FieldMap fields = ToMap(EncodeContact(c));
  EXPECT_EQ(fields["channel"], "web_form");
  EXPECT_EQ(fields["state"], "offered");
  EXPECT_EQ(fields["declined"], "h-2,h-3");
  EXPECT_EQ(fields["created_at"], "1700000000123456");
  absl::StatusOr<core::Contact> back = DecodeContact(fields);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->id, c.id);
  EXPECT_EQ(back->channel, c.channel);
  EXPECT_EQ(back->topic, c.topic);
  EXPECT_EQ(back->queue, c.queue);
  EXPECT_EQ(back->priority, c.priority);
  EXPECT_EQ(back->idempotency_key, c.idempotency_key);
  EXPECT_EQ(back->party_pseudonym, c.party_pseudonym);
  EXPECT_EQ(back->created_at, c.created_at);
  EXPECT_EQ(back->enqueued_at, c.enqueued_at);
  EXPECT_EQ(back->state, c.state);
  EXPECT_EQ(back->handler_id, c.handler_id);
  EXPECT_EQ(back->offer_deadline, c.offer_deadline);
  EXPECT_THAT(back->declined_by, ElementsAre("h-2", "h-3"));
  EXPECT_EQ(back->payload, c.payload);
  EXPECT_EQ(back->payload.size(), 12u);
}

TEST(ContactCodecTest, DefaultsRoundTrip) {
  core::Contact c;
  c.id = "c-2";
  c.queue = "q";
  c.created_at = absl::FromUnixMicros(1);
  c.enqueued_at = absl::FromUnixMicros(2);
  absl::StatusOr<core::Contact> back = DecodeContact(ToMap(EncodeContact(c)));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->offer_deadline, absl::InfiniteFuture());
  EXPECT_TRUE(back->declined_by.empty());
  EXPECT_TRUE(back->payload.empty());
  EXPECT_TRUE(back->handler_id.empty());
}

TEST(ContactCodecTest, OptionalFieldsMayBeMissing) {
  FieldMap fields = {{"id", "c"},           {"channel", "chat"},          {"queue", "q"},
                     {"priority", "5"},     {"state", "queued"},          {"created_at", "10"},
                     {"enqueued_at", "11"}, {"unknown_future_field", "x"}};
  absl::StatusOr<core::Contact> back = DecodeContact(fields);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->channel, core::Channel::kChat);
  EXPECT_EQ(back->offer_deadline, absl::InfiniteFuture());
}

TEST(ContactCodecTest, MalformedFieldsAreDataLoss) {
  const FieldMap good = ToMap(EncodeContact(FullContact()));
  for (const auto& [field, bad] : std::vector<std::pair<std::string, std::string>>{
           {"channel", "pigeon"},
           {"state", "lost"},
           {"priority", "high"},
           {"created_at", "yesterday"},
           {"enqueued_at", ""},
           {"offer_deadline", "soon"},
       }) {
    FieldMap fields = good;
    fields[field] = bad;
    absl::StatusOr<core::Contact> back = DecodeContact(fields);
    EXPECT_EQ(back.status().code(), absl::StatusCode::kDataLoss) << field;
    EXPECT_THAT(std::string(back.status().message()), ::testing::HasSubstr(field));
  }
  for (const char* required :
       {"id", "channel", "queue", "priority", "state", "created_at", "enqueued_at"}) {
    FieldMap fields = good;
    fields.erase(required);
    EXPECT_EQ(DecodeContact(fields).status().code(), absl::StatusCode::kDataLoss) << required;
  }
  EXPECT_EQ(DecodeContact({}).status().code(), absl::StatusCode::kDataLoss);
}

TEST(ContactCodecTest, HistoryRoundTrip) {
  HistoryEntry e;
  e.time = absl::FromUnixMicros(1700000000000001);
  e.state = core::ContactState::kQueued;
  e.handler_id = "h-1";
  e.reason = "offer_timeout|with|pipes";
  const std::string text = EncodeHistoryEntry(e);
  EXPECT_EQ(text, "1700000000000001|queued|h-1|offer_timeout|with|pipes");
  absl::StatusOr<HistoryEntry> back = DecodeHistoryEntry(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->time, e.time);
  EXPECT_EQ(back->state, e.state);
  EXPECT_EQ(back->handler_id, e.handler_id);
  EXPECT_EQ(back->reason, e.reason);

  absl::StatusOr<HistoryEntry> empty = DecodeHistoryEntry("5|completed||");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->handler_id.empty());
  EXPECT_TRUE(empty->reason.empty());
}

TEST(ContactCodecTest, MalformedHistoryIsDataLoss) {
  for (const char* bad : {"", "1|queued|h", "x|queued|h|r", "1|nope|h|r", "|queued|h|r"}) {
    EXPECT_EQ(DecodeHistoryEntry(bad).status().code(), absl::StatusCode::kDataLoss) << bad;
  }
}

}  // namespace
}  // namespace wissel::state
