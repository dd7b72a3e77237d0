// Tests the contact and history encoding of the state layer.
#include "router/state/contact_codec.h"

#include <string>

#include "absl/strings/str_cat.h"
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
  c.domain = "sociaal_domein";
  c.needs = core::NeedBit(core::Need::kLanguageBarrier) | core::NeedBit(core::Need::kVulnerable);
  c.digid = core::DigidLevel::kSubstantieel;
  c.language = "tr";
  c.wants_person = true;
  c.case_reference = "Z-2026-0042|x,y";
  c.confidential = true;
  c.callback = true;
  c.escalation_level = 2;
  c.min_proficiency = 3;
  c.overflow_queues = {"kcc", "wmo.team-b"};
  c.required_skills = {{"wmo", 4}, {"taal.tr", 2}, {"a@b_c-d", 5}};
  c.reserved_for = "h-9";
  c.reserved_until = absl::FromUnixMicros(1700000060000001);
  return c;
}

// Every stored field of core::Contact, compared one by one.
void ExpectSameContact(const core::Contact& a, const core::Contact& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.channel, b.channel);
  EXPECT_EQ(a.topic, b.topic);
  EXPECT_EQ(a.queue, b.queue);
  EXPECT_EQ(a.priority, b.priority);
  // Not idempotency_key: it is not stored (the service derives the id from it).
  EXPECT_EQ(a.party_pseudonym, b.party_pseudonym);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.enqueued_at, b.enqueued_at);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.handler_id, b.handler_id);
  EXPECT_EQ(a.offer_deadline, b.offer_deadline);
  EXPECT_EQ(a.declined_by, b.declined_by);
  EXPECT_EQ(a.payload, b.payload);
  EXPECT_EQ(a.domain, b.domain);
  EXPECT_EQ(a.needs, b.needs);
  EXPECT_EQ(a.digid, b.digid);
  EXPECT_EQ(a.language, b.language);
  EXPECT_EQ(a.wants_person, b.wants_person);
  EXPECT_EQ(a.case_reference, b.case_reference);
  EXPECT_EQ(a.confidential, b.confidential);
  EXPECT_EQ(a.callback, b.callback);
  EXPECT_EQ(a.escalation_level, b.escalation_level);
  EXPECT_EQ(a.min_proficiency, b.min_proficiency);
  EXPECT_EQ(a.overflow_queues, b.overflow_queues);
  EXPECT_EQ(a.required_skills, b.required_skills);
  EXPECT_EQ(a.reserved_for, b.reserved_for);
  EXPECT_EQ(a.reserved_until, b.reserved_until);
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
  // The id is the key's name and the idempotency key is not stored (contact_codec.h).
  EXPECT_FALSE(fields.contains("id"));
  EXPECT_FALSE(fields.contains("idem"));
  absl::StatusOr<core::Contact> back = DecodeContact(c.id, fields);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->id, c.id);
  EXPECT_EQ(back->channel, c.channel);
  EXPECT_EQ(back->topic, c.topic);
  EXPECT_EQ(back->queue, c.queue);
  EXPECT_EQ(back->priority, c.priority);
  EXPECT_TRUE(back->idempotency_key.empty());
  EXPECT_EQ(back->party_pseudonym, c.party_pseudonym);
  EXPECT_EQ(back->created_at, c.created_at);
  EXPECT_EQ(back->enqueued_at, c.enqueued_at);
  EXPECT_EQ(back->state, c.state);
  EXPECT_EQ(back->handler_id, c.handler_id);
  EXPECT_EQ(back->offer_deadline, c.offer_deadline);
  EXPECT_THAT(back->declined_by, ElementsAre("h-2", "h-3"));
  EXPECT_EQ(back->payload, c.payload);
  EXPECT_EQ(back->payload.size(), 12u);
  ExpectSameContact(*back, c);
  // The new fields' encoding.
  EXPECT_EQ(fields["needs"], "10");
  EXPECT_EQ(fields["digid"], "substantieel");
  EXPECT_EQ(fields["wants_person"], "1");
  EXPECT_EQ(fields["confidential"], "1");
  EXPECT_EQ(fields["callback"], "1");
  EXPECT_EQ(fields["escalation"], "2");
  EXPECT_EQ(fields["min_proficiency"], "3");
  EXPECT_EQ(fields["overflow"], "kcc,wmo.team-b");
  EXPECT_EQ(fields["required_skills"], "wmo:4,taal.tr:2,a@b_c-d:5");
  EXPECT_EQ(fields["reserved_for"], "h-9");
  EXPECT_EQ(fields["reserved_until"], "1700000060000001");
  EXPECT_EQ(fields["case_ref"], "Z-2026-0042|x,y");
}

TEST(ContactCodecTest, EveryDigidLevelRoundTrips) {
  for (core::DigidLevel level :
       {core::DigidLevel::kNone, core::DigidLevel::kBasis, core::DigidLevel::kMidden,
        core::DigidLevel::kSubstantieel, core::DigidLevel::kHoog}) {
    core::Contact c = FullContact();
    c.digid = level;
    absl::StatusOr<core::Contact> back = DecodeContact(c.id, ToMap(EncodeContact(c)));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->digid, level) << DigidLevelName(level);
    EXPECT_EQ(ParseDigidLevel(DigidLevelName(level)), level);
  }
  EXPECT_FALSE(ParseDigidLevel("Hoog").has_value());
}

TEST(ContactCodecTest, EmptyListsAndInfiniteTimesRoundTrip) {
  for (absl::Time reserved_until : {absl::InfinitePast(), absl::InfiniteFuture()}) {
    core::Contact c = FullContact();
    c.overflow_queues.clear();
    c.required_skills.clear();
    c.declined_by.clear();
    c.reserved_for.clear();
    c.reserved_until = reserved_until;
    c.enqueued_at = absl::InfinitePast();
    c.offer_deadline = absl::InfiniteFuture();
    c.needs = 0;
    c.wants_person = false;
    c.confidential = false;
    c.callback = false;
    FieldMap fields = ToMap(EncodeContact(c));
    EXPECT_EQ(fields["overflow"], "");
    EXPECT_EQ(fields["required_skills"], "");
    absl::StatusOr<core::Contact> back = DecodeContact(c.id, fields);
    ASSERT_TRUE(back.ok()) << back.status();
    ExpectSameContact(*back, c);
  }
  // A single entry and the extremes of the integers.
  core::Contact c = FullContact();
  c.overflow_queues = {"q"};
  c.required_skills = {{"s", 1}};
  c.needs = ~0u;
  c.escalation_level = 0;
  c.min_proficiency = core::kMaxProficiency;
  absl::StatusOr<core::Contact> back = DecodeContact(c.id, ToMap(EncodeContact(c)));
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameContact(*back, c);
}

TEST(ContactCodecTest, RoutingFieldsAreASubsetOfTheContact) {
  const core::Contact c = FullContact();
  const FieldMap all = ToMap(EncodeContact(c));
  const FieldList routing = EncodeRoutingFields(c);
  std::vector<std::string> names;
  for (const auto& [name, value] : routing) {
    names.push_back(name);
    ASSERT_TRUE(all.contains(name)) << name;
    EXPECT_EQ(all.at(name), value) << name;
  }
  EXPECT_THAT(names,
              ::testing::UnorderedElementsAre("queue", "priority", "enqueued_at", "callback",
                                              "escalation", "min_proficiency", "overflow",
                                              "required_skills", "reserved_for", "reserved_until"));
}

// A hash written before the policy fields existed decodes with core::Contact's defaults.
TEST(ContactCodecTest, OldHashDecodesWithDefaults) {
  const FieldMap old = {{"id", "c-old"},     {"channel", "phone"}, {"topic", "paspoort"},
                        {"queue", "q"},      {"priority", "50"},   {"idem", "k-old"},
                        {"party", "p"},      {"created_at", "10"}, {"enqueued_at", "11"},
                        {"state", "queued"}, {"handler", ""},      {"offer_deadline", "inf"},
                        {"declined", "h-1"}, {"payload", "x"}};
  absl::StatusOr<core::Contact> back = DecodeContact("c-old", old);
  ASSERT_TRUE(back.ok()) << back.status();
  // Its id and idempotency key fields are read (the id must be the key's).
  EXPECT_EQ(back->id, "c-old");
  EXPECT_EQ(back->idempotency_key, "k-old");
  absl::StatusOr<core::Contact> misplaced = DecodeContact("c-other", old);
  EXPECT_EQ(misplaced.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(misplaced.status().message()), ::testing::HasSubstr("'id'"));
  const core::Contact defaults;
  EXPECT_EQ(back->domain, defaults.domain);
  EXPECT_EQ(back->needs, defaults.needs);
  EXPECT_EQ(back->digid, core::DigidLevel::kNone);
  EXPECT_EQ(back->language, defaults.language);
  EXPECT_FALSE(back->wants_person);
  EXPECT_TRUE(back->case_reference.empty());
  EXPECT_FALSE(back->confidential);
  EXPECT_FALSE(back->callback);
  EXPECT_EQ(back->escalation_level, 0);
  EXPECT_EQ(back->min_proficiency, core::kMinProficiency);
  EXPECT_TRUE(back->overflow_queues.empty());
  EXPECT_TRUE(back->required_skills.empty());
  EXPECT_TRUE(back->reserved_for.empty());
  EXPECT_EQ(back->reserved_until, absl::InfinitePast());
  EXPECT_THAT(back->declined_by, ElementsAre("h-1"));
}

TEST(ContactCodecTest, DefaultsRoundTrip) {
  core::Contact c;
  c.id = "c-2";
  c.queue = "q";
  c.created_at = absl::FromUnixMicros(1);
  c.enqueued_at = absl::FromUnixMicros(2);
  absl::StatusOr<core::Contact> back = DecodeContact(c.id, ToMap(EncodeContact(c)));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->offer_deadline, absl::InfiniteFuture());
  EXPECT_TRUE(back->declined_by.empty());
  EXPECT_TRUE(back->payload.empty());
  EXPECT_TRUE(back->handler_id.empty());
}

TEST(ContactCodecTest, OptionalFieldsMayBeMissing) {
  FieldMap fields = {{"channel", "chat"},          {"queue", "q"},       {"priority", "5"},
                     {"state", "queued"},          {"created_at", "10"}, {"enqueued_at", "11"},
                     {"unknown_future_field", "x"}};
  absl::StatusOr<core::Contact> back = DecodeContact("c", fields);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->channel, core::Channel::kChat);
  EXPECT_EQ(back->offer_deadline, absl::InfiniteFuture());
}

// A new contact's hash holds the required fields and only those others that are not
// core::Contact's defaults; it decodes to the same contact.
TEST(ContactCodecTest, DefaultValuesAreNotWritten) {
  core::Contact c;
  c.id = "c-3";
  c.queue = "q";
  c.created_at = absl::FromUnixMicros(1);
  c.enqueued_at = absl::FromUnixMicros(2);
  std::vector<std::string> names;
  for (const auto& [name, value] : EncodeContact(c)) names.push_back(name);
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("channel", "created_at", "state", "queue",
                                                     "priority", "enqueued_at"));
  absl::StatusOr<core::Contact> back = DecodeContact(c.id, ToMap(EncodeContact(c)));
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameContact(*back, c);

  // Enqueued as it was created (the usual case): enqueued_at is left out and decodes back.
  c.enqueued_at = c.created_at;
  names.clear();
  for (const auto& [name, value] : EncodeContact(c)) names.push_back(name);
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("channel", "created_at", "state", "queue",
                                                     "priority"));
  back = DecodeContact(c.id, ToMap(EncodeContact(c)));
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameContact(*back, c);

  // Every field of a contact without defaults is written: all but id and idempotency_key.
  EXPECT_EQ(ToMap(EncodeContact(FullContact())).size(), 26u);
}

// ContactUpdated must be able to put a routing field back to its default: all are written.
TEST(ContactCodecTest, RoutingFieldsIncludeDefaults) {
  core::Contact c;
  EXPECT_EQ(EncodeRoutingFields(c).size(), 10u);
}

TEST(ContactCodecTest, PayloadIsStoredInChunksThatFitAListpack) {
  core::Contact c = FullContact();
  std::string payload;
  for (int i = 0; i < 130; ++i) payload.push_back(static_cast<char>(i * 7));
  c.payload = payload;
  FieldMap fields = ToMap(EncodeContact(c));
  EXPECT_EQ(fields.at("payload"), payload.substr(0, 64));
  EXPECT_EQ(fields.at("p1"), payload.substr(64, 64));
  EXPECT_EQ(fields.at("p2"), payload.substr(128));
  EXPECT_FALSE(fields.contains("p3"));
  for (const auto& [name, value] : fields) EXPECT_LE(value.size(), kPayloadChunk) << name;
  absl::StatusOr<core::Contact> back = DecodeContact(c.id, fields);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->payload, c.payload);

  // Exactly one chunk: no continuation.
  c.payload = std::string(kPayloadChunk, 'x');
  EXPECT_FALSE(ToMap(EncodeContact(c)).contains("p1"));

  // A lost chunk in the middle is data loss, not a shorter payload.
  fields.erase("p1");
  EXPECT_EQ(DecodeContact(c.id, fields).status().code(), absl::StatusCode::kDataLoss);

  // Too long for a listpack anyway: stored whole.
  c.payload = std::string(kPayloadChunk * kMaxPayloadChunks + 1, 'y');
  fields = ToMap(EncodeContact(c));
  EXPECT_EQ(fields.at("payload").size(), c.payload.size());
  EXPECT_FALSE(fields.contains("p1"));
  back = DecodeContact(c.id, fields);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->payload, c.payload);
  // The longest that is still chunked.
  c.payload = std::string(kPayloadChunk * kMaxPayloadChunks, 'z');
  fields = ToMap(EncodeContact(c));
  EXPECT_TRUE(fields.contains(absl::StrCat("p", kMaxPayloadChunks - 1)));
  EXPECT_EQ(DecodeContact(c.id, fields)->payload, c.payload);
}

TEST(ContactCodecTest, MalformedFieldsAreDataLoss) {
  const FieldMap good = ToMap(EncodeContact(FullContact()));
  for (const auto& [field, bad] : std::vector<std::pair<std::string, std::string>>{
           {"channel", "pigeon"},
           {"state", "lost"},
           {"priority", "high"},
           {"created_at", "yesterday"},
           {"enqueued_at", "soon"},
           {"offer_deadline", "soon"},
           {"needs", "-1"},
           {"needs", "lots"},
           {"digid", "DigiD"},
           {"wants_person", "yes"},
           {"confidential", "true"},
           {"callback", "2"},
           {"escalation", "1.5"},
           {"min_proficiency", "high"},
           {"required_skills", "wmo"},
           {"required_skills", "wmo:x"},
           {"required_skills", ":3"},
           {"required_skills", "wmo:3,taal"},
           {"reserved_until", "later"},
       }) {
    FieldMap fields = good;
    fields[field] = bad;
    absl::StatusOr<core::Contact> back = DecodeContact("c-1", fields);
    EXPECT_EQ(back.status().code(), absl::StatusCode::kDataLoss) << field;
    EXPECT_THAT(std::string(back.status().message()), ::testing::HasSubstr(field));
  }
  for (const char* required : {"channel", "queue", "priority", "state", "created_at"}) {
    FieldMap fields = good;
    fields.erase(required);
    EXPECT_EQ(DecodeContact("c-1", fields).status().code(), absl::StatusCode::kDataLoss)
        << required;
  }
  EXPECT_EQ(DecodeContact("c-1", {}).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeContact("", good).status().code(), absl::StatusCode::kDataLoss);
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

// The first history entry (h0) is only the state's name when it is the plain "created" entry,
// and the full entry otherwise; both read back, as does the full form hashes hold from before.
TEST(ContactCodecTest, FirstHistoryEntryIsShortWhenPlain) {
  core::Contact c;
  c.created_at = absl::FromUnixMicros(1700000000000001);
  const HistoryEntry plain{c.created_at, core::ContactState::kQueued, "",
                           std::string(kCreatedReason)};
  EXPECT_EQ(EncodeFirstHistoryEntry(c, plain), "queued");
  const HistoryEntry offered{c.created_at, core::ContactState::kOffered, "h-1",
                             std::string(kCreatedReason)};
  const HistoryEntry steered{c.created_at, core::ContactState::kCompleted, "",
                             "steered_to_digital"};
  const HistoryEntry later{c.created_at + absl::Microseconds(1), core::ContactState::kQueued, "",
                           std::string(kCreatedReason)};
  const std::vector<HistoryEntry> entries = {plain, offered, steered, later};
  for (size_t i = 0; i < entries.size(); ++i) {
    const HistoryEntry& e = entries[i];
    const std::string text = EncodeFirstHistoryEntry(c, e);
    if (i > 0) {
      EXPECT_EQ(text, EncodeHistoryEntry(e));
    }
    absl::StatusOr<HistoryEntry> back = DecodeFirstHistoryEntry(c, text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status();
    EXPECT_EQ(back->time, e.time) << text;
    EXPECT_EQ(back->state, e.state) << text;
    EXPECT_EQ(back->handler_id, e.handler_id) << text;
    EXPECT_EQ(back->reason, e.reason) << text;
  }
  for (const char* bad : {"", "Queued", "1|queued|h", "x|queued||created"}) {
    EXPECT_EQ(DecodeFirstHistoryEntry(c, bad).status().code(), absl::StatusCode::kDataLoss) << bad;
  }
}

}  // namespace
}  // namespace wissel::state
