// Tests the handler and held-contact encoding of the state layer.
#include "router/state/handler_codec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::state {
namespace {

using ::testing::ElementsAre;

FieldMap ToMap(const FieldList& list) { return FieldMap(list.begin(), list.end()); }

TEST(HandlerCodecTest, CapacityRoundTrip) {
  core::PerChannel<int> capacity(0);
  capacity[core::Channel::kPhone] = 1;
  capacity[core::Channel::kChat] = 3;
  capacity[core::Channel::kEmail] = 10;
  EXPECT_EQ(EncodeCapacity(capacity), "1,3,0,0,10");
  EXPECT_EQ(DecodeCapacity("1,3,0,0,10"), capacity);
  core::PerChannel<int> short_form(0);
  short_form[core::Channel::kPhone] = 2;
  EXPECT_EQ(DecodeCapacity("2"), short_form);
  EXPECT_FALSE(DecodeCapacity("").has_value());
  EXPECT_FALSE(DecodeCapacity("1,2,3,4,5,6").has_value());
  EXPECT_FALSE(DecodeCapacity("1,,3").has_value());
  EXPECT_FALSE(DecodeCapacity("a").has_value());
}

TEST(HandlerCodecTest, NamesRoundTrip) {
  for (core::HoldState s :
       {core::HoldState::kOffered, core::HoldState::kConnected, core::HoldState::kWrapUp}) {
    EXPECT_EQ(ParseHoldState(HoldStateName(s)), s);
  }
  EXPECT_EQ(HoldStateName(core::HoldState::kWrapUp), "wrap_up");
  for (core::Presence p : {core::Presence::kAvailable, core::Presence::kBusy, core::Presence::kAway,
                           core::Presence::kOffline}) {
    EXPECT_EQ(ParsePresence(core::PresenceName(p)), p);
  }
  EXPECT_FALSE(ParsePresence("asleep").has_value());
}

TEST(HandlerCodecTest, HandlerRoundTrip) {
  core::Handler h;
  h.id = "h-1";
  h.display_name = "Anne de Vries";
  h.address = "sip:anne@gemeente.nl";
  h.skills = {"parkeren", "afval"};
  h.teams = {"burgerzaken"};
  h.capacity = core::PerChannel<int>(0);
  h.capacity[core::Channel::kChat] = 2;
  h.presence = core::Presence::kBusy;
  h.last_offer_at = absl::FromUnixMicros(1700000000000000);
  h.held.push_back(core::HeldContact{"c-1", core::Channel::kChat, core::HoldState::kOffered});
  FieldMap fields = ToMap(EncodeHandler(h));
  EXPECT_FALSE(fields.contains("held"));
  EXPECT_EQ(fields["skills"], "parkeren,afval");
  EXPECT_EQ(fields["presence"], "busy");
  absl::StatusOr<core::Handler> back = DecodeHandler(fields);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->id, h.id);
  EXPECT_EQ(back->display_name, h.display_name);
  EXPECT_EQ(back->address, h.address);
  EXPECT_THAT(back->skills, ElementsAre("parkeren", "afval"));
  EXPECT_THAT(back->teams, ElementsAre("burgerzaken"));
  EXPECT_EQ(back->capacity, h.capacity);
  EXPECT_EQ(back->presence, h.presence);
  EXPECT_EQ(back->last_offer_at, h.last_offer_at);
  EXPECT_TRUE(back->held.empty());
}

TEST(HandlerCodecTest, NeverOfferedHandler) {
  core::Handler h;
  h.id = "h-2";
  absl::StatusOr<core::Handler> back = DecodeHandler(ToMap(EncodeHandler(h)));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->last_offer_at, absl::InfinitePast());
  EXPECT_TRUE(back->skills.empty());
}

TEST(HandlerCodecTest, MalformedHandlerIsDataLoss) {
  core::Handler h;
  h.id = "h-1";
  const FieldMap good = ToMap(EncodeHandler(h));
  for (const auto& [field, bad] : std::vector<std::pair<std::string, std::string>>{
           {"capacity", "lots"}, {"presence", "asleep"}, {"last_offer_at", "noon"}, {"id", ""}}) {
    FieldMap fields = good;
    fields[field] = bad;
    EXPECT_EQ(DecodeHandler(fields).status().code(), absl::StatusCode::kDataLoss) << field;
  }
  for (const char* required : {"id", "capacity", "presence"}) {
    FieldMap fields = good;
    fields.erase(required);
    EXPECT_EQ(DecodeHandler(fields).status().code(), absl::StatusCode::kDataLoss) << required;
  }
}

TEST(HandlerCodecTest, HeldRoundTrip) {
  core::HeldContact held{"c-9", core::Channel::kBalie, core::HoldState::kWrapUp,
                         absl::FromUnixMicros(1700000000000099)};
  const std::string value = EncodeHeld(held);
  EXPECT_EQ(value, "balie|wrap_up|1700000000000099");
  absl::StatusOr<core::HeldContact> back = DecodeHeld("c-9", value);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->contact_id, "c-9");
  EXPECT_EQ(back->channel, held.channel);
  EXPECT_EQ(back->state, held.state);
  EXPECT_EQ(back->wrap_up_deadline, held.wrap_up_deadline);
  EXPECT_EQ(EncodeHeld(core::HeldContact{"c", core::Channel::kPhone, core::HoldState::kOffered}),
            "phone|offered|inf");
}

TEST(HandlerCodecTest, MalformedHeldIsDataLoss) {
  for (const char* bad : {"", "phone|offered", "fax|offered|inf", "phone|lunch|inf",
                          "phone|offered|never", "phone|offered|inf|extra"}) {
    EXPECT_EQ(DecodeHeld("c", bad).status().code(), absl::StatusCode::kDataLoss) << bad;
  }
  EXPECT_EQ(DecodeHeld("", "phone|offered|inf").status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace wissel::state
