// The event stream (WatchEvents) of a router in process against a real redis-server: every
// decision and state change in order, resumable by offset, bounded by retention, refused clearly
// for a bad offset, never naming the resident; and `wisselctl events` on it.
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/cli/event_follower.h"
#include "router/cli/wisselctl.h"
#include "router/state/redis_keys.h"
#include "tests/integration/router_harness.h"

namespace wissel::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class EventStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { harness_.SetUp(); }
  void TearDown() override { harness_.TearDown(); }

  std::string Route(const std::string& key, const std::string& bsn = "") {
    v1::RouteContactRequest req;
    v1::Contact& c = *req.mutable_contact();
    c.set_tenant(kTenant);
    c.set_channel(v1::CHANNEL_PHONE);
    c.set_topic("paspoort");
    c.set_idempotency_key(key);
    if (!bsn.empty()) c.mutable_party()->set_bsn(bsn);
    v1::RouteContactResponse resp;
    grpc::Status s = harness_.routing().RouteContact(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.contact_id();
  }

  void SignIn(const std::string& id) {
    v1::SignInRequest req;
    req.mutable_handler()->set_tenant(kTenant);
    req.mutable_handler()->set_handler_id(id);
    req.mutable_handler()->add_skills("burgerzaken");
    v1::Handler resp;
    ASSERT_TRUE(harness_.handlers().SignIn(Ctx().get(), req, &resp).ok());
  }

  // Every event after `after` up to the newest (until_newest), or the call's error.
  grpc::Status ReadAll(const std::string& after, std::vector<v1::Event>* events,
                       const std::string& tenant = kTenant) {
    v1::WatchEventsRequest req;
    req.set_tenant(tenant);
    req.set_after(after);
    req.set_until_newest(true);
    auto ctx = Ctx(absl::Seconds(10));
    auto reader = harness_.operators().WatchEvents(ctx.get(), req);
    v1::Event e;
    while (reader->Read(&e)) events->push_back(e);
    return reader->Finish();
  }

  std::vector<v1::EventType> Types(const std::vector<v1::Event>& events) {
    std::vector<v1::EventType> types;
    for (const v1::Event& e : events) types.push_back(e.type());
    return types;
  }

  RouterHarness harness_;
};

TEST_F(EventStreamTest, EveryChangeOfAContactInOrder) {
  SignIn("h1");
  const std::string id = Route("call-1");
  v1::OfferResponseRequest accept;
  accept.set_tenant(kTenant);
  accept.set_handler_id("h1");
  accept.set_contact_id(id);
  v1::ContactRecord record;
  ASSERT_TRUE(harness_.handlers().AcceptOffer(Ctx().get(), accept, &record).ok());
  v1::CompleteContactRequest complete;
  complete.set_tenant(kTenant);
  complete.set_contact_id(id);
  ASSERT_TRUE(harness_.routing().CompleteContact(Ctx().get(), complete, &record).ok());

  std::vector<v1::Event> events;
  grpc::Status s = ReadAll("0", &events);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(Types(events), ElementsAre(v1::EVENT_TYPE_HANDLER_PRESENCE, v1::EVENT_TYPE_ROUTED,
                                         v1::EVENT_TYPE_OFFERED, v1::EVENT_TYPE_ACCEPTED,
                                         v1::EVENT_TYPE_COMPLETED));
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].handler_id(), "h1");
  EXPECT_EQ(events[0].presence(), v1::PRESENCE_AVAILABLE);
  const v1::Event& routed = events[1];
  EXPECT_EQ(routed.contact_id(), id);
  EXPECT_EQ(routed.queue(), "burgerzaken");
  EXPECT_EQ(routed.channel(), v1::CHANNEL_PHONE);
  EXPECT_EQ(routed.topic(), "paspoort");
  EXPECT_EQ(routed.state(), v1::CONTACT_STATE_QUEUED);
  EXPECT_NE(routed.digital_first(), v1::DIGITAL_FIRST_UNSPECIFIED);
  EXPECT_TRUE(routed.has_time());
  // The events that do not carry the contact get its queue, channel and topic from the store.
  for (size_t i = 2; i < events.size(); ++i) {
    EXPECT_EQ(events[i].contact_id(), id) << i;
    EXPECT_EQ(events[i].handler_id(), "h1") << i;
    EXPECT_EQ(events[i].queue(), "burgerzaken") << i;
    EXPECT_EQ(events[i].channel(), v1::CHANNEL_PHONE) << i;
    EXPECT_EQ(events[i].topic(), "paspoort") << i;
  }
  // Offsets increase.
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_LT(events[i - 1].offset(), events[i].offset()) << i;
  }
}

TEST_F(EventStreamTest, ResumingAfterAnOffsetGivesTheRestExactlyOnce) {
  for (int i = 0; i < 10; ++i) Route(absl::StrCat("call-", i));
  std::vector<v1::Event> all;
  ASSERT_TRUE(ReadAll("0", &all).ok());
  ASSERT_EQ(all.size(), 10u);
  std::vector<v1::Event> rest;
  ASSERT_TRUE(ReadAll(all[3].offset(), &rest).ok());
  ASSERT_EQ(rest.size(), 6u);
  for (size_t i = 0; i < rest.size(); ++i) EXPECT_EQ(rest[i].offset(), all[4 + i].offset());
  std::vector<v1::Event> none;
  ASSERT_TRUE(ReadAll(all.back().offset(), &none).ok());
  EXPECT_TRUE(none.empty());
}

TEST_F(EventStreamTest, AFollowerSeesNewEventsAsTheyHappen) {
  Route("before");  // not seen: the follower asks for events from now on
  v1::WatchEventsRequest req;
  req.set_tenant(kTenant);
  auto ctx = Ctx(absl::Seconds(20));
  auto reader = harness_.operators().WatchEvents(ctx.get(), req);
  // The watch starts at the newest offset when the router takes the call; give it that moment.
  absl::SleepFor(absl::Milliseconds(300));
  std::vector<std::string> routed;
  std::thread producer([&] {
    for (int i = 0; i < 5; ++i) routed.push_back(Route(absl::StrCat("live-", i)));
  });
  std::vector<std::string> seen;
  v1::Event e;
  while (seen.size() < 5 && reader->Read(&e)) seen.push_back(e.contact_id());
  producer.join();
  ctx->TryCancel();
  while (reader->Read(&e)) {
  }
  EXPECT_EQ(seen, routed);
}

TEST_F(EventStreamTest, BadOffsetsAreRefusedClearly) {
  Route("call-1");
  Route("call-2");
  std::vector<v1::Event> events;
  grpc::Status s = ReadAll("yesterday", &events);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("after"));
  s = ReadAll("99999999999999-0", &events);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(s.error_message(), HasSubstr("beyond the newest"));
  s = ReadAll("0", &events, "gemeente-onbekend");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("tenant"));
  EXPECT_TRUE(events.empty());
}

TEST_F(EventStreamTest, AnOffsetOlderThanWhatIsRetainedIsOutOfRange) {
  for (int i = 0; i < 4; ++i) Route(absl::StrCat("call-", i));
  std::vector<v1::Event> all;
  ASSERT_TRUE(ReadAll("0", &all).ok());
  ASSERT_EQ(all.size(), 4u);
  // What trimming by retention does, exactly: the two oldest events are gone.
  auto trimmed =
      harness_.redis().Command({"XTRIM", state::keys::Events(kTenant), "MINID", all[2].offset()});
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  std::vector<v1::Event> events;
  grpc::Status s = ReadAll(all[0].offset(), &events);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(s.error_message(), HasSubstr("no longer retained"));
  // From the oldest retained on, nothing is missing.
  events.clear();
  ASSERT_TRUE(ReadAll(all[2].offset(), &events).ok());
  EXPECT_EQ(events.size(), 1u);
  events.clear();
  ASSERT_TRUE(ReadAll("0", &events).ok());
  EXPECT_EQ(events.size(), 2u);
}

TEST_F(EventStreamTest, EventsNeverNameTheResident) {
  const std::string bsn = "123456782";
  Route("call-bsn", bsn);
  auto entries = harness_.redis().CommandArray({"XRANGE", state::keys::Events(kTenant), "-", "+"});
  ASSERT_TRUE(entries.ok()) << entries.status();
  const std::string dump = harness_.DumpRedis();
  // The contact's hash holds the party pseudonym; the event stream must not.
  auto party = harness_.redis().Keys(absl::StrCat("w:{", kTenant, "}:p:*"));
  ASSERT_TRUE(party.ok());
  ASSERT_EQ(party->size(), 1u);
  const std::string pseudonym = party->front().substr(party->front().rfind(':') + 1);
  std::vector<v1::Event> events;
  ASSERT_TRUE(ReadAll("0", &events).ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_THAT(events[0].DebugString(), Not(HasSubstr(bsn)));
  EXPECT_THAT(events[0].DebugString(), Not(HasSubstr(pseudonym)));
  for (const std::string& field : *entries) {
    EXPECT_THAT(field, Not(HasSubstr(bsn)));
    EXPECT_THAT(field, Not(HasSubstr(pseudonym)));
  }
  EXPECT_THAT(dump, Not(HasSubstr(bsn)));
}

TEST_F(EventStreamTest, WisselctlEventsPrintsWhatIsRetained) {
  SignIn("h1");
  Route("call-1");
  cli::EventFollowerConfig config;
  config.tenant = kTenant;
  config.after = "0";
  std::ostringstream out, err;
  cli::StopSignal stop;
  EXPECT_EQ(cli::RunEventFollower(config, harness_.operators(), stop, out, err), 0) << err.str();
  std::vector<std::string> lines = absl::StrSplit(out.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << out.str();
  EXPECT_THAT(lines[0], HasSubstr("handler_presence  handler=h1"));
  EXPECT_THAT(lines[1], HasSubstr("routed  contact="));
  EXPECT_THAT(lines[1], HasSubstr("queue=burgerzaken  channel=phone  topic=paspoort"));
  EXPECT_THAT(lines[2], HasSubstr("offered  contact="));

  // A refused watch is exit 1 with the error.
  config.after = "nonsense";
  std::ostringstream out2, err2;
  EXPECT_EQ(cli::RunEventFollower(config, harness_.operators(), stop, out2, err2), 1);
  EXPECT_THAT(err2.str(), HasSubstr("INVALID_ARGUMENT"));
}

TEST_F(EventStreamTest, WisselctlReportCountsFromTheStream) {
  const std::string first = Route("call-1");
  const std::string second = Route("call-2");
  Route("call-3");
  SignIn("h1");  // takes call-1 (offered at once)
  v1::OfferResponseRequest accept;
  accept.set_tenant(kTenant);
  accept.set_handler_id("h1");
  accept.set_contact_id(first);
  v1::ContactRecord record;
  ASSERT_TRUE(harness_.handlers().AcceptOffer(Ctx().get(), accept, &record).ok());
  v1::CancelContactRequest cancel;
  cancel.set_tenant(kTenant);
  cancel.set_contact_id(second);
  cancel.set_reason("caller_hung_up");
  ASSERT_TRUE(harness_.routing().CancelContact(Ctx().get(), cancel, &record).ok());

  std::ostringstream out, err;
  cli::CliEnvironment env;
  env.out = &out;
  env.err = &err;
  const int code = cli::RunWisselctl(
      {absl::StrCat("--router=127.0.0.1:", harness_.server().port()), "--plaintext", "report",
       absl::StrCat("--tenant=", kTenant), "--by=queue", "--format=csv", "--from=1h"},
      env);
  ASSERT_EQ(code, 0) << err.str();
  // One queue: 3 routed and offered, 1 handled, 1 abandoned; the handled one was answered at
  // once, within the default 60 s: service level 1 of 2 (the third still waits).
  EXPECT_THAT(out.str(), HasSubstr("\"burgerzaken\",3,3,1,1,0,50.0,")) << out.str();

  // A period with nothing in it.
  std::ostringstream empty;
  env.out = &empty;
  ASSERT_EQ(cli::RunWisselctl(
                {absl::StrCat("--router=127.0.0.1:", harness_.server().port()), "--plaintext",
                 "report", absl::StrCat("--tenant=", kTenant), "--to=2h", "--from=3h"},
                env),
            0)
      << err.str();
  EXPECT_THAT(empty.str(), HasSubstr("total"));
}

TEST_F(EventStreamTest, ASampledCompletionTriggersOneSurveyPerResidentPerQuietPeriod) {
  harness_.StopRouter();
  harness_.StartRouter("2s", [](std::string yaml) {
    return absl::StrReplaceAll(
        yaml, {{"    contact_retention: 1d\n",
                "    contact_retention: 1d\n    surveys: {rate: 1, quiet_period: 1h}\n"}});
  });
  SignIn("h1");
  // Handles one contact: routed (offered to h1 at once), accepted, completed, wrapped up.
  auto handle = [&](const std::string& key, const std::string& bsn) {
    const std::string id = Route(key, bsn);
    v1::OfferResponseRequest accept;
    accept.set_tenant(kTenant);
    accept.set_handler_id("h1");
    accept.set_contact_id(id);
    v1::ContactRecord record;
    EXPECT_TRUE(harness_.handlers().AcceptOffer(Ctx().get(), accept, &record).ok());
    v1::CompleteContactRequest complete;
    complete.set_tenant(kTenant);
    complete.set_contact_id(id);
    EXPECT_TRUE(harness_.routing().CompleteContact(Ctx().get(), complete, &record).ok());
    v1::FinishWrapUpRequest wrap;
    wrap.set_tenant(kTenant);
    wrap.set_handler_id("h1");
    wrap.set_contact_id(id);
    v1::Handler h;
    EXPECT_TRUE(harness_.handlers().FinishWrapUp(Ctx().get(), wrap, &h).ok());
    return id;
  };
  const std::string first = handle("kto-1", "123456782");
  const std::string again = handle("kto-2", "123456782");  // the same resident: no second survey
  const std::string other = handle("kto-3", "111222333");  // another resident
  const std::string anonymous = handle("kto-4", "");       // cannot be told apart: surveyed

  std::vector<v1::Event> events;
  ASSERT_TRUE(ReadAll("0", &events).ok());
  std::vector<std::string> surveyed;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].type() != v1::EVENT_TYPE_SURVEY_TRIGGERED) continue;
    surveyed.push_back(events[i].contact_id());
    // Right after the contact's completion, with what a survey tool needs.
    ASSERT_GT(i, 0u);
    EXPECT_EQ(events[i - 1].type(), v1::EVENT_TYPE_COMPLETED);
    EXPECT_EQ(events[i - 1].contact_id(), events[i].contact_id());
    EXPECT_EQ(events[i].handler_id(), "h1");
    EXPECT_EQ(events[i].channel(), v1::CHANNEL_PHONE);
    EXPECT_EQ(events[i].topic(), "paspoort");
    EXPECT_TRUE(events[i].has_time());
  }
  EXPECT_THAT(surveyed, ElementsAre(first, other, anonymous));
  EXPECT_THAT(surveyed, Not(::testing::Contains(again)));

  // The resident's survey mark goes with their erasure.
  auto marks = harness_.redis().Keys(absl::StrCat("w:{", kTenant, "}:kto:*"));
  ASSERT_TRUE(marks.ok());
  EXPECT_EQ(marks->size(), 2u);
  v1::EraseResidentRequest erase;
  erase.set_tenant(kTenant);
  erase.mutable_party()->set_bsn("123456782");
  v1::EraseResidentResponse erased;
  ASSERT_TRUE(harness_.operators().EraseResident(Ctx().get(), erase, &erased).ok());
  marks = harness_.redis().Keys(absl::StrCat("w:{", kTenant, "}:kto:*"));
  ASSERT_TRUE(marks.ok());
  EXPECT_EQ(marks->size(), 1u);
}

}  // namespace
}  // namespace wissel::testing
