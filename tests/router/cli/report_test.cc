// Tests the figures of `wisselctl report` from a scripted stream of events.
#include "router/cli/report.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::cli {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1796716800);  // 2026-12-08 08:00 UTC

class ReportTest : public ::testing::Test {
 protected:
  v1::Event At(absl::Duration offset, v1::EventType type, const std::string& contact) {
    v1::Event e;
    e.set_offset(absl::StrCat(++n_, "-0"));
    e.set_type(type);
    const absl::Time t = kStart + offset;
    e.mutable_time()->set_seconds(absl::ToUnixSeconds(t));
    e.set_contact_id(contact);
    return e;
  }
  v1::Event Routed(absl::Duration offset, const std::string& contact, const std::string& queue,
                   v1::Channel channel = v1::CHANNEL_PHONE,
                   v1::ContactState state = v1::CONTACT_STATE_QUEUED,
                   v1::DigitalFirst digital_first = v1::DIGITAL_FIRST_NOT_APPLICABLE) {
    v1::Event e = At(offset, v1::EVENT_TYPE_ROUTED, contact);
    e.set_queue(queue);
    e.set_channel(channel);
    e.set_topic("paspoort");
    e.set_state(state);
    e.set_digital_first(digital_first);
    return e;
  }
  v1::Event Accepted(absl::Duration offset, const std::string& contact, const std::string& by) {
    v1::Event e = At(offset, v1::EVENT_TYPE_ACCEPTED, contact);
    e.set_handler_id(by);
    return e;
  }

  int n_ = 0;
};

TEST_F(ReportTest, CountsWaitsAndServiceLevelPerQueue) {
  ReportOptions options;
  options.by = ReportGrouping::kQueue;
  options.targets.sla_target["burgerzaken"] = absl::Seconds(30);
  options.targets.answer_within[{"paspoort", v1::CHANNEL_PHONE}] = absl::Seconds(20);
  ReportBuilder b(options);
  // c1 answered after 10 s, handled 120 s; c2 answered after 40 s (over the target);
  // c3 abandoned; c4 still waiting; c5 in another queue, answered after 5 s.
  b.Add(Routed(absl::Seconds(0), "c1", "burgerzaken"));
  b.Add(Routed(absl::Seconds(1), "c2", "burgerzaken"));
  b.Add(Routed(absl::Seconds(2), "c3", "burgerzaken"));
  b.Add(Routed(absl::Seconds(3), "c4", "burgerzaken"));
  b.Add(Routed(absl::Seconds(4), "c5", "wmo", v1::CHANNEL_CHAT));
  b.Add(Accepted(absl::Seconds(10), "c1", "h1"));
  b.Add(Accepted(absl::Seconds(9), "c5", "h2"));
  b.Add(At(absl::Seconds(20), v1::EVENT_TYPE_ABANDONED, "c3"));
  b.Add(Accepted(absl::Seconds(41), "c2", "h1"));
  b.Add(At(absl::Seconds(130), v1::EVENT_TYPE_COMPLETED, "c1"));
  std::vector<ReportRow> rows = b.Rows();
  ASSERT_EQ(rows.size(), 2u);
  const ReportRow& bz = rows[0];
  EXPECT_EQ(bz.group, "burgerzaken");
  EXPECT_EQ(bz.routed, 4);
  EXPECT_EQ(bz.offered, 4);
  EXPECT_EQ(bz.handled, 2);
  EXPECT_EQ(bz.abandoned, 1);
  EXPECT_EQ(bz.sla_base, 3);  // c4 still waits: not counted yet
  EXPECT_EQ(bz.within_sla, 1);
  EXPECT_EQ(bz.norm_base, 3);
  EXPECT_EQ(bz.within_norm, 1);
  EXPECT_EQ(bz.total_wait, absl::Seconds(10 + 40));
  EXPECT_EQ(bz.completed, 1);
  EXPECT_EQ(bz.total_handling, absl::Seconds(120));
  const ReportRow& wmo = rows[1];
  EXPECT_EQ(wmo.group, "wmo");
  EXPECT_EQ(wmo.within_sla, 1);  // the default target, 60 s
  EXPECT_EQ(wmo.norm_base, 0);   // no norm for chat

  const std::string text = FormatReportText(rows);
  EXPECT_THAT(text, HasSubstr("burgerzaken"));
  EXPECT_THAT(text, HasSubstr("33.3"));  // SL% of burgerzaken
  EXPECT_THAT(text, HasSubstr("25.0"));  // mean wait
  const std::string csv = FormatReportCsv(rows);
  EXPECT_THAT(csv, HasSubstr("group,routed,offered,handled,abandoned,closed,service_level_pct"));
  EXPECT_THAT(csv, HasSubstr("\"burgerzaken\",4,4,2,1,0,33.3,33.3,25.0,120.0"));
  const std::string json = FormatReportJson(rows);
  EXPECT_THAT(json, HasSubstr("\"group\":\"wmo\",\"routed\":1"));
  EXPECT_THAT(json, HasSubstr("\"contact_person_hit_pct\":null"));
}

TEST_F(ReportTest, DigitalFirstClosedAndContactPersonHits) {
  ReportBuilder b(ReportOptions{});
  b.Add(Routed(absl::Seconds(0), "steered", "q", v1::CHANNEL_PHONE, v1::CONTACT_STATE_COMPLETED,
               v1::DIGITAL_FIRST_STEERED));
  b.Add(Routed(absl::Seconds(0), "closed", "q", v1::CHANNEL_PHONE, v1::CONTACT_STATE_COMPLETED));
  b.Add(Routed(absl::Seconds(0), "need", "q", v1::CHANNEL_PHONE, v1::CONTACT_STATE_QUEUED,
               v1::DIGITAL_FIRST_EXEMPT_NEED));
  v1::Event reserved = Routed(absl::Seconds(0), "cp-hit", "q");
  reserved.set_reserved_for("h-7");
  b.Add(reserved);
  reserved = Routed(absl::Seconds(0), "cp-miss", "q");
  reserved.set_reserved_for("h-7");
  b.Add(reserved);
  b.Add(Accepted(absl::Seconds(5), "cp-hit", "h-7"));
  b.Add(Accepted(absl::Seconds(5), "cp-miss", "h-8"));
  std::vector<ReportRow> rows = b.Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].group, "total");
  EXPECT_EQ(rows[0].routed, 5);
  EXPECT_EQ(rows[0].steered, 1);
  EXPECT_EQ(rows[0].closed, 1);
  EXPECT_EQ(rows[0].offered, 3);
  EXPECT_EQ(rows[0].exempt_need, 1);
  EXPECT_EQ(rows[0].reserved, 2);
  EXPECT_EQ(rows[0].reserved_hit, 1);
}

TEST_F(ReportTest, OnlyContactsRoutedInThePeriodCountByDayInTheZone) {
  ReportOptions options;
  options.by = ReportGrouping::kDay;
  options.from = kStart;
  options.to = kStart + absl::Hours(48);
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &options.time_zone));
  ReportBuilder b(options);
  b.Add(Routed(-absl::Hours(1), "before", "q"));
  b.Add(Accepted(absl::Seconds(1), "before", "h"));  // routed before the period: ignored
  b.Add(Routed(absl::Hours(15) + absl::Minutes(30), "late", "q"));  // 23:30 UTC, 00:30 local
  b.Add(Routed(absl::Hours(1), "today", "q"));
  b.Add(Routed(absl::Hours(48), "after", "q"));
  std::vector<ReportRow> rows = b.Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].group, "2026-12-08");
  EXPECT_EQ(rows[0].routed, 1);
  EXPECT_EQ(rows[1].group, "2026-12-09");
  EXPECT_EQ(rows[1].routed, 1);
  EXPECT_EQ(rows[0].handled + rows[1].handled, 0);
}

TEST(ReportGroupingTest, NamesTheAllowedGroups) {
  EXPECT_EQ(*ParseReportGrouping("topic"), ReportGrouping::kTopic);
  absl::StatusOr<ReportGrouping> bad = ParseReportGrouping("week");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("total, day, queue, channel, topic"));
}

}  // namespace
}  // namespace wissel::cli
