// The snapshot as the page reads it (JSON, one line, times in the tenant's zone, null where a
// figure has no base) and the Server-Sent Events framing of /api/stream.
#include "dashboard/snapshot_json.h"

#include <string>

#include "absl/time/civil_time.h"
#include "dashboard/server_sent_events.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace wissel::dashboard {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class SnapshotJsonTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &zone_)); }
  absl::Time At(int hour, int minute, int second = 0) const {
    return absl::FromCivil(absl::CivilSecond(2026, 5, 12, hour, minute, second), zone_);
  }
  absl::TimeZone zone_;
};

TEST_F(SnapshotJsonTest, EveryFigureOnOneLine) {
  DashboardSnapshot s;
  s.tenant = "gemeente-test";
  s.tenant_name = "Gemeente Test";
  s.now = At(10, 15, 3);
  s.time_zone = zone_;
  s.feed.connected = true;
  s.feed.caught_up = true;
  s.feed.last_offset = "1778573703000-0";
  s.feed.stats_time = At(10, 15, 1);
  s.totals.routed = 12;
  s.totals.sla_base = 8;
  s.totals.within_sla = 7;
  s.totals.mean_wait = absl::Seconds(42) + absl::Milliseconds(600);
  QueueFigures q;
  q.queue = "burgerzaken";
  q.waiting = 2;
  q.longest_wait = absl::Seconds(95);
  q.handlers_available = 1;
  q.sla_target = absl::Seconds(30);
  s.queues.push_back(q);
  QueueFigures empty;
  empty.queue = "wmo";
  s.queues.push_back(empty);
  HandlerFigures h;
  h.id = "mw-0001";
  h.state = HandlerState::kWrapUp;
  h.wrap_up = 1;
  h.presence_since = At(8, 2);
  s.handlers.push_back(h);
  s.handler_counts.wrap_up = 1;
  DigitalFirstRow row;
  row.domain = "sociaal_domein";
  row.phase = "maatwerk";
  row.routed = 3;
  row.exempt_need = 2;
  s.digital_first.push_back(row);
  s.digital_first_total = row;
  Bucket b;
  b.start = At(10, 15);
  b.routed = 4;
  b.waiting = 2;
  s.buckets.push_back(b);

  const std::string text = SnapshotJson(s);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  const Json j = Json::parse(text);
  EXPECT_EQ(j["tenant"], "gemeente-test");
  EXPECT_EQ(j["tenant_name"], "Gemeente Test");
  EXPECT_EQ(j["date"], "dinsdag 12 mei 2026");
  EXPECT_EQ(j["time"], "10:15:03");
  EXPECT_EQ(j["now"], "2026-05-12T10:15:03+02:00");
  EXPECT_EQ(j["feed"]["connected"], true);
  EXPECT_EQ(j["feed"]["stats_age_s"], 2);
  EXPECT_EQ(j["feed"]["last_offset"], "1778573703000-0");
  EXPECT_EQ(j["totals"]["routed"], 12);
  EXPECT_DOUBLE_EQ(j["totals"]["service_level_pct"].get<double>(), 87.5);
  EXPECT_EQ(j["totals"]["mean_wait_s"], 42);
  ASSERT_EQ(j["queues"].size(), 2u);
  EXPECT_EQ(j["queues"][0]["queue"], "burgerzaken");
  EXPECT_EQ(j["queues"][0]["waiting"], 2);
  EXPECT_EQ(j["queues"][0]["longest_wait_s"], 95);
  EXPECT_EQ(j["queues"][0]["sla_target_s"], 30);
  EXPECT_EQ(j["queues"][0]["handlers_available"], 1);
  EXPECT_TRUE(j["queues"][0]["handlers_signed_in"].is_null());
  EXPECT_TRUE(j["queues"][1]["service_level_pct"].is_null());
  EXPECT_EQ(j["handlers"]["counts"]["wrap_up"], 1);
  EXPECT_EQ(j["handlers"]["counts"]["available"], 0);
  EXPECT_EQ(j["handlers"]["list"][0]["id"], "mw-0001");
  EXPECT_EQ(j["handlers"]["list"][0]["state"], "wrap_up");
  EXPECT_EQ(j["handlers"]["list"][0]["presence_since"], "08:02");
  EXPECT_EQ(j["digital_first"]["by"], "domain");
  EXPECT_EQ(j["digital_first"]["rows"][0]["phase"], "maatwerk");
  EXPECT_EQ(j["digital_first"]["rows"][0]["exempt_need"], 2);
  EXPECT_EQ(j["digital_first"]["total"]["routed"], 3);
  EXPECT_EQ(j["chart"]["bucket_minutes"], 5);
  EXPECT_EQ(j["chart"]["buckets"][0]["start"], "10:15");
  EXPECT_EQ(j["chart"]["buckets"][0]["routed"], 4);
  EXPECT_EQ(j["chart"]["buckets"][0]["waiting"], 2);
}

TEST_F(SnapshotJsonTest, NoStatisticsYetAndPerTopic) {
  DashboardSnapshot s;
  s.now = At(7, 0);
  s.time_zone = zone_;
  s.digital_first_by_topic = true;
  HandlerFigures h;
  h.id = "mw-0002";
  h.state = HandlerState::kInConversation;
  s.handlers.push_back(h);
  const Json j = Json::parse(SnapshotJson(s));
  EXPECT_TRUE(j["feed"]["stats_age_s"].is_null());
  EXPECT_TRUE(j["totals"]["service_level_pct"].is_null());
  EXPECT_EQ(j["digital_first"]["by"], "topic");
  EXPECT_TRUE(j["handlers"]["list"][0]["presence_since"].is_null());
  EXPECT_EQ(j["handlers"]["list"][0]["state"], "in_conversation");
  EXPECT_TRUE(j["queues"].is_array());
  EXPECT_TRUE(j["chart"]["buckets"].is_array());
}

TEST_F(SnapshotJsonTest, InvalidUtf8IsReplacedNotThrown) {
  DashboardSnapshot s;
  s.now = At(7, 0);
  s.time_zone = zone_;
  s.tenant_name = "Gemeente \xff";
  Json j;
  EXPECT_NO_THROW(j = Json::parse(SnapshotJson(s)));
  EXPECT_TRUE(j.contains("tenant_name"));
}

TEST(DutchDateTest, WeekdaysAndMonths) {
  absl::TimeZone zone;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &zone));
  EXPECT_EQ(DutchDate(absl::FromCivil(absl::CivilSecond(2026, 1, 4, 12, 0, 0), zone), zone),
            "zondag 4 januari 2026");
  EXPECT_EQ(DutchDate(absl::FromCivil(absl::CivilSecond(2026, 12, 31, 23, 59, 0), zone), zone),
            "donderdag 31 december 2026");
  // 23:30 UTC on 4 March is already 5 March in Amsterdam.
  EXPECT_EQ(
      DutchDate(absl::FromCivil(absl::CivilSecond(2026, 3, 4, 23, 30, 0), absl::UTCTimeZone()),
                zone),
      "donderdag 5 maart 2026");
}

TEST(ServerSentEventsTest, Framing) {
  EXPECT_EQ(SseEvent("snapshot", 7, R"({"a":1})"), "id: 7\nevent: snapshot\ndata: {\"a\":1}\n\n");
  // Each line of the data on a data line of its own, so that the browser's data is the same.
  EXPECT_EQ(SseEvent("x", 1, "a\nb\r\nc"), "id: 1\nevent: x\ndata: a\ndata: b\ndata: c\n\n");
  EXPECT_EQ(SseRetry(absl::Seconds(3)), "retry: 3000\n\n");
  EXPECT_EQ(SseComment("keep-alive"), ": keep-alive\n\n");
  EXPECT_THAT(SseEvent("snapshot", 1, ""), HasSubstr("data: \n\n"));
}

}  // namespace
}  // namespace wissel::dashboard
