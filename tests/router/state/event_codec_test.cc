// Tests the event stream's encoding: every effect has its event, it decodes back, and it never
// names the resident.
#include "router/state/event_codec.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::state {
namespace {

using ::testing::Not;

const std::string kPseudonym(64, 'a');
const absl::Time kTime = absl::FromUnixMicros(1800000000000001);

StoredEvent RoundTrip(const core::Effect& effect) {
  EventFields fields = EventOf(effect);
  absl::StatusOr<StoredEvent> event = DecodeEvent("1-0", fields.fields);
  EXPECT_TRUE(event.ok()) << event.status();
  return event.ok() ? *event : StoredEvent{};
}

core::Contact Contact() {
  core::Contact c;
  c.id = "c-1";
  c.queue = "burgerzaken";
  c.channel = core::Channel::kPhone;
  c.topic = "paspoort";
  c.state = core::ContactState::kQueued;
  c.created_at = kTime;
  c.enqueued_at = kTime;
  c.party_pseudonym = kPseudonym;
  c.case_reference = std::string(64, 'b');
  c.payload = "payload with a name: Jansen";
  return c;
}

TEST(EventCodecTest, RoutedCarriesTheDecisionAndNotTheResident) {
  core::ContactCreated created{Contact(), "", core::DigitalFirst::kExemptNeed};
  created.contact.callback = true;
  EventFields fields = EventOf(created);
  EXPECT_FALSE(fields.with_contact_fields);
  for (const std::string& f : fields.fields) {
    EXPECT_THAT(f, Not(::testing::HasSubstr(kPseudonym)));
    EXPECT_THAT(f, Not(::testing::HasSubstr(std::string(64, 'b'))));
    EXPECT_THAT(f, Not(::testing::HasSubstr("Jansen")));
  }
  StoredEvent e = RoundTrip(created);
  EXPECT_EQ(e.offset, "1-0");
  EXPECT_EQ(e.type, EventType::kRouted);
  EXPECT_EQ(e.time, kTime);
  EXPECT_EQ(e.contact_id, "c-1");
  EXPECT_EQ(e.queue, "burgerzaken");
  EXPECT_EQ(e.channel, core::Channel::kPhone);
  EXPECT_EQ(e.topic, "paspoort");
  EXPECT_EQ(e.state, core::ContactState::kQueued);
  EXPECT_EQ(e.digital_first, core::DigitalFirst::kExemptNeed);
  EXPECT_TRUE(e.callback);
}

TEST(EventCodecTest, ClosedAtOnceKeepsItsReason) {
  core::Contact c = Contact();
  c.state = core::ContactState::kCompleted;
  StoredEvent e =
      RoundTrip(core::ContactCreated{c, "steered_to_digital", core::DigitalFirst::kSteered});
  EXPECT_EQ(e.state, core::ContactState::kCompleted);
  EXPECT_EQ(e.reason, "steered_to_digital");
  EXPECT_EQ(e.digital_first, core::DigitalFirst::kSteered);
  EXPECT_FALSE(e.callback);
}

TEST(EventCodecTest, OfferOutcomesHaveTheirOwnTypes) {
  const core::Channel chat = core::Channel::kChat;
  EXPECT_EQ(RoundTrip(core::ContactOffered{"c-1", "h-1", chat, kTime, kTime}).type,
            EventType::kOffered);
  EXPECT_EQ(RoundTrip(core::OfferAccepted{"c-1", "h-1", kTime}).type, EventType::kAccepted);
  EXPECT_EQ(RoundTrip(core::OfferWithdrawn{"c-1", "h-1", chat, kTime, "rejected"}).type,
            EventType::kRejected);
  EXPECT_EQ(RoundTrip(core::OfferWithdrawn{"c-1", "h-1", chat, kTime, "offer_timeout"}).type,
            EventType::kOfferTimedOut);
  StoredEvent withdrawn =
      RoundTrip(core::OfferWithdrawn{"c-1", "h-1", chat, kTime, "handler_signed_out"});
  EXPECT_EQ(withdrawn.type, EventType::kOfferWithdrawn);
  EXPECT_EQ(withdrawn.reason, "handler_signed_out");
  EXPECT_EQ(withdrawn.handler_id, "h-1");
  // The contact's queue, channel and topic come from its hash (the script adds them).
  EXPECT_TRUE(EventOf(core::ContactOffered{"c-1", "h-1", chat, kTime, kTime}).with_contact_fields);
}

TEST(EventCodecTest, EveryEffectHasADecodableEvent) {
  core::Handler h;
  h.id = "h-1";
  h.presence = core::Presence::kAway;
  core::ContactPersonMapping m{kPseudonym, "sociaal_domein", "h-2", kTime};
  const std::vector<std::pair<core::Effect, EventType>> cases = {
      {core::ContactUpdated{Contact(), kTime, "escalated"}, EventType::kRequeued},
      {core::ContactCompleted{"c-1", "h-1", core::Channel::kChat, kTime, kTime},
       EventType::kCompleted},
      {core::WrapUpFinished{"c-1", "h-1", core::Channel::kChat, kTime, "finished"},
       EventType::kWrapUpFinished},
      {core::ContactAbandoned{"c-1", "", core::Channel::kChat, core::ContactState::kQueued, kTime,
                              "caller_hung_up"},
       EventType::kAbandoned},
      {core::ContactTransferred{"c-1", "h-1", core::Channel::kChat, "wmo", kTime, kTime},
       EventType::kTransferred},
      {core::HandlerChanged{h, kTime}, EventType::kHandlerPresence},
      {core::ContactPersonSet{m, kTime, ""}, EventType::kContactPersonSet},
      {core::ResidentErased{{kPseudonym}, kTime, "operator-1"}, EventType::kResidentErased},
  };
  for (const auto& [effect, type] : cases) {
    StoredEvent e = RoundTrip(effect);
    EXPECT_EQ(e.type, type) << EventTypeName(type);
    EXPECT_EQ(e.time, kTime) << EventTypeName(type);
    for (const std::string& f : EventOf(effect).fields) {
      EXPECT_THAT(f, Not(::testing::HasSubstr(kPseudonym))) << EventTypeName(type);
    }
  }
  EXPECT_EQ(RoundTrip(core::HandlerChanged{h, kTime}).presence, core::Presence::kAway);
  StoredEvent transferred =
      RoundTrip(core::ContactTransferred{"c-1", "h-1", core::Channel::kChat, "wmo", kTime, kTime});
  EXPECT_EQ(transferred.to_queue, "wmo");
  StoredEvent person = RoundTrip(core::ContactPersonSet{m, kTime, ""});
  EXPECT_EQ(person.domain, "sociaal_domein");
  EXPECT_EQ(person.handler_id, "h-2");
}

TEST(EventCodecTest, MalformedEntriesAreRefusedNamingTheField) {
  auto error = [](const std::vector<std::string>& fields) {
    return std::string(DecodeEvent("1-0", fields).status().message());
  };
  EXPECT_THAT(error({"time", "1"}), ::testing::HasSubstr("type"));
  EXPECT_THAT(error({"type", "teleported"}), ::testing::HasSubstr("type"));
  EXPECT_THAT(error({"type", "routed", "time", "yesterday"}), ::testing::HasSubstr("time"));
  EXPECT_THAT(error({"type", "routed", "channel", "pigeon"}), ::testing::HasSubstr("channel"));
  EXPECT_THAT(error({"type", "routed", "digital_first", "x"}),
              ::testing::HasSubstr("digital_first"));
  // A field of a newer router is ignored.
  EXPECT_TRUE(DecodeEvent("1-0", {"type", "routed", "mood", "calm"}).ok());
}

TEST(EventCodecTest, StreamIdsOrder) {
  EXPECT_EQ(ParseStreamId("5-3"), (StreamId{5, 3}));
  EXPECT_EQ(ParseStreamId("5"), (StreamId{5, 0}));
  EXPECT_LT(*ParseStreamId("5-3"), *ParseStreamId("5-10"));
  EXPECT_LT(*ParseStreamId("5-10"), *ParseStreamId("6-0"));
  for (const char* bad : {"", "-", "a-1", "1-", " 1-2", "1-2 ", "+1-2", "1--2", "1-2-3"}) {
    EXPECT_FALSE(ParseStreamId(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace wissel::state
