// DashboardModel: events (and queue statistics) in, figures out, for days played event by event
// in the tenant's time zone (Europe/Amsterdam): the queues' waiting and service level, the
// handlers' states, "digitaal, tenzij" per domain and phase, the five-minute buckets, and the
// start of a new day at midnight.
#include "dashboard/dashboard_model.h"

#include <string>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/dashboard/event_builder.h"

namespace wissel::dashboard {
namespace {

using testing::EventBuilder;

class DashboardModelTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &zone_)); }

  // 12 May 2026 (a Tuesday), local time.
  absl::Time At(int hour, int minute, int second = 0) const {
    return absl::FromCivil(absl::CivilSecond(2026, 5, 12, hour, minute, second), zone_);
  }

  DashboardModelOptions Options(bool catalogue = true) const {
    DashboardModelOptions options;
    options.tenant = "gemeente-test";
    options.time_zone = zone_;
    options.has_catalogue = catalogue;
    if (catalogue) {
      options.config.name = "Gemeente Test";
      options.config.queues = {"burgerzaken", "wmo"};
      options.config.targets.sla_target["burgerzaken"] = absl::Seconds(30);
      options.config.topics["paspoort"] = {"Paspoort", "burgerzaken", ""};
      options.config.topics["rijbewijs"] = {"Rijbewijs", "burgerzaken", ""};
      options.config.topics["wmo-hulpmiddelen"] = {"Hulpmiddelen", "sociaal_domein", "maatwerk"};
      options.config.topics["wmo-begeleiding"] = {"Begeleiding", "sociaal_domein", "preventie"};
    }
    return options;
  }

  static const QueueFigures& Queue(const DashboardSnapshot& s, const std::string& name) {
    for (const QueueFigures& q : s.queues) {
      if (q.queue == name) return q;
    }
    ADD_FAILURE() << "no queue " << name;
    static const QueueFigures kNone;
    return kNone;
  }

  static const HandlerFigures* Handler(const DashboardSnapshot& s, const std::string& id) {
    for (const HandlerFigures& h : s.handlers) {
      if (h.id == id) return &h;
    }
    return nullptr;
  }

  absl::TimeZone zone_;
  EventBuilder events_;
};

TEST_F(DashboardModelTest, ServiceLevelAndCountsPerQueueToday) {
  DashboardModel model(Options(), At(8, 0));
  // c1 answered in 30 s (within burgerzaken's 30 s), c2 in 45 s (not), c3 abandoned, c4 steered
  // to the digital alternative, c5 to wmo (default target 60 s) answered in 50 s.
  model.AddEvent(events_.Routed(At(9, 0), "c1", "burgerzaken", "paspoort"));
  model.AddEvent(events_.Routed(At(9, 1), "c2", "burgerzaken", "rijbewijs"));
  model.AddEvent(events_.Routed(At(9, 2), "c3", "burgerzaken", "paspoort"));
  model.AddEvent(events_.Steered(At(9, 3), "c4", "burgerzaken", "paspoort"));
  model.AddEvent(events_.Routed(At(9, 4), "c5", "wmo", "wmo-hulpmiddelen"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_OFFERED, At(9, 0, 20), "c1", "h1", "burgerzaken"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ACCEPTED, At(9, 0, 30), "c1", "h1", "burgerzaken"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_OFFERED, At(9, 1, 40), "c2", "h2", "burgerzaken"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ACCEPTED, At(9, 1, 45), "c2", "h2", "burgerzaken"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ABANDONED, At(9, 3, 10), "c3", "", "burgerzaken"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_OFFERED, At(9, 4, 40), "c5", "h3", "wmo"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ACCEPTED, At(9, 4, 50), "c5", "h3", "wmo"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_COMPLETED, At(9, 6), "c1", "h1", "burgerzaken"));

  const DashboardSnapshot s = model.Snapshot(At(9, 10));
  EXPECT_EQ(s.tenant_name, "Gemeente Test");
  ASSERT_EQ(s.queues.size(), 2u);
  EXPECT_EQ(s.queues[0].queue, "burgerzaken");  // the configuration's order
  const QueueFigures& b = Queue(s, "burgerzaken");
  EXPECT_EQ(b.routed, 4);
  EXPECT_EQ(b.handled, 2);
  EXPECT_EQ(b.abandoned, 1);
  EXPECT_EQ(b.sla_base, 3);  // handled + abandoned; the steered contact is not offered
  EXPECT_EQ(b.within_sla, 1);
  EXPECT_EQ(b.sla_target, absl::Seconds(30));
  EXPECT_EQ(b.mean_wait, absl::Seconds((30 + 45) / 2) + absl::Milliseconds(500));
  EXPECT_EQ(b.waiting, 0);
  EXPECT_EQ(b.longest_wait, absl::ZeroDuration());
  const QueueFigures& w = Queue(s, "wmo");
  EXPECT_EQ(w.sla_target, absl::Seconds(60));
  EXPECT_EQ(w.within_sla, 1);
  EXPECT_EQ(w.sla_base, 1);
  EXPECT_EQ(s.totals.routed, 5);
  EXPECT_EQ(s.totals.offered, 4);
  EXPECT_EQ(s.totals.handled, 3);
  EXPECT_EQ(s.totals.abandoned, 1);
  EXPECT_EQ(s.totals.steered, 1);
  EXPECT_EQ(s.totals.sla_base, 4);
  EXPECT_EQ(s.totals.within_sla, 2);
}

TEST_F(DashboardModelTest, WaitingFromEventsAndFromTheRouterBetweenItsAnswers) {
  DashboardModel model(Options(), At(8, 0));
  model.AddEvent(events_.Routed(At(9, 0), "c1", "burgerzaken", "paspoort"));
  model.AddEvent(events_.Routed(At(9, 2), "c2", "burgerzaken", "paspoort"));

  // Only events: two wait, the first for four minutes; the handlers are unknown.
  DashboardSnapshot s = model.Snapshot(At(9, 4));
  EXPECT_EQ(Queue(s, "burgerzaken").waiting, 2);
  EXPECT_EQ(Queue(s, "burgerzaken").longest_wait, absl::Minutes(4));
  EXPECT_FALSE(Queue(s, "burgerzaken").live_from_router);
  EXPECT_FALSE(Queue(s, "burgerzaken").handlers_available.has_value());

  // The router's answer counts, aged by the time since it came.
  v1::GetQueueStatsResponse stats;
  v1::QueueStats* q = stats.add_queues();
  q->set_queue("burgerzaken");
  q->set_waiting(2);
  q->mutable_longest_wait()->set_seconds(240);
  q->set_handlers_available(0);
  q->set_handlers_signed_in(3);
  model.SetQueueStats(stats, At(9, 4));
  s = model.Snapshot(At(9, 4, 3));
  EXPECT_TRUE(Queue(s, "burgerzaken").live_from_router);
  EXPECT_EQ(Queue(s, "burgerzaken").waiting, 2);
  EXPECT_EQ(Queue(s, "burgerzaken").longest_wait, absl::Seconds(243));
  EXPECT_EQ(Queue(s, "burgerzaken").handlers_signed_in, 3);
  EXPECT_EQ(s.feed.stats_time, At(9, 4));

  // An event after the answer changed the queue: the events say how it is now; the handlers
  // still come from the answer.
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_OFFERED, At(9, 4, 5), "c1", "h1", "burgerzaken"));
  s = model.Snapshot(At(9, 4, 6));
  EXPECT_FALSE(Queue(s, "burgerzaken").live_from_router);
  EXPECT_EQ(Queue(s, "burgerzaken").waiting, 1);
  EXPECT_EQ(Queue(s, "burgerzaken").offered, 1);
  EXPECT_EQ(Queue(s, "burgerzaken").longest_wait, absl::Seconds(126));
  EXPECT_EQ(Queue(s, "burgerzaken").handlers_available, 0);

  // An answer too old is not used at all.
  s = model.Snapshot(At(9, 5));
  EXPECT_FALSE(Queue(s, "burgerzaken").handlers_available.has_value());

  // The offer is rejected: c1 waits again, since it was routed.
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_REJECTED, At(9, 5), "c1", "h1", "burgerzaken"));
  s = model.Snapshot(At(9, 6));
  EXPECT_EQ(Queue(s, "burgerzaken").waiting, 2);
  EXPECT_EQ(Queue(s, "burgerzaken").offered, 0);
  EXPECT_EQ(Queue(s, "burgerzaken").longest_wait, absl::Minutes(6));
}

TEST_F(DashboardModelTest, TransferAndRequeueMoveTheWaitingContact) {
  DashboardModel model(Options(), At(8, 0));
  model.AddEvent(events_.Presence(At(8, 30), "h1", v1::PRESENCE_AVAILABLE));
  model.AddEvent(events_.Routed(At(9, 0), "c1", "burgerzaken", "paspoort"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_OFFERED, At(9, 1), "c1", "h1", "burgerzaken"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ACCEPTED, At(9, 1), "c1", "h1", "burgerzaken"));
  model.AddEvent(events_.Transferred(At(9, 5), "c1", "h1", "burgerzaken", "wmo"));
  DashboardSnapshot s = model.Snapshot(At(9, 6));
  EXPECT_EQ(Queue(s, "burgerzaken").waiting, 0);
  EXPECT_EQ(Queue(s, "wmo").waiting, 1);
  EXPECT_EQ(Queue(s, "wmo").longest_wait, absl::Minutes(1));  // since the transfer
  ASSERT_NE(Handler(s, "h1"), nullptr);
  EXPECT_EQ(Handler(s, "h1")->in_conversation, 0);

  v1::Event requeued = events_.Contact(v1::EVENT_TYPE_REQUEUED, At(9, 7), "c1", "", "burgerzaken");
  model.AddEvent(requeued);
  s = model.Snapshot(At(9, 8));
  EXPECT_EQ(Queue(s, "wmo").waiting, 0);
  EXPECT_EQ(Queue(s, "burgerzaken").waiting, 1);
}

TEST_F(DashboardModelTest, HandlersByPresenceAndByWhatTheyHold) {
  DashboardModel model(Options(), At(8, 0));
  // h5 signed out yesterday: not part of today's figures.
  model.AddEvent(events_.Presence(At(8, 0) - absl::Hours(10), "h5", v1::PRESENCE_OFFLINE));
  model.AddEvent(events_.Presence(At(8, 30), "h1", v1::PRESENCE_AVAILABLE));
  model.AddEvent(events_.Presence(At(8, 31), "h2", v1::PRESENCE_BUSY));
  model.AddEvent(events_.Presence(At(8, 32), "h3", v1::PRESENCE_AWAY));
  model.AddEvent(events_.Presence(At(8, 33), "h4", v1::PRESENCE_AVAILABLE));
  model.AddEvent(events_.Presence(At(8, 50), "h4", v1::PRESENCE_OFFLINE));
  DashboardSnapshot s = model.Snapshot(At(9, 0));
  EXPECT_EQ(s.handler_counts.available, 1);
  EXPECT_EQ(s.handler_counts.busy, 1);
  EXPECT_EQ(s.handler_counts.away, 1);
  EXPECT_EQ(s.handler_counts.offline, 1);
  ASSERT_EQ(s.handlers.size(), 3u);  // the signed-in ones
  EXPECT_EQ(Handler(s, "h1")->state, HandlerState::kAvailable);
  EXPECT_EQ(Handler(s, "h1")->presence_since, At(8, 30));

  model.AddEvent(events_.Routed(At(9, 0), "c1", "burgerzaken", "paspoort"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_OFFERED, At(9, 0, 5), "c1", "h1", "burgerzaken"));
  s = model.Snapshot(At(9, 1));
  EXPECT_EQ(Handler(s, "h1")->state, HandlerState::kOffered);
  EXPECT_EQ(s.handler_counts.offered, 1);
  EXPECT_EQ(s.handler_counts.available, 0);

  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ACCEPTED, At(9, 1), "c1", "h1", "burgerzaken"));
  s = model.Snapshot(At(9, 2));
  EXPECT_EQ(Handler(s, "h1")->state, HandlerState::kInConversation);
  EXPECT_EQ(s.handler_counts.in_conversation, 1);
  EXPECT_EQ(s.handler_counts.offered, 0);

  model.AddEvent(events_.Contact(v1::EVENT_TYPE_COMPLETED, At(9, 5), "c1", "h1", "burgerzaken"));
  s = model.Snapshot(At(9, 5));
  EXPECT_EQ(Handler(s, "h1")->state, HandlerState::kWrapUp);
  EXPECT_EQ(s.handler_counts.wrap_up, 1);

  model.AddEvent(
      events_.Contact(v1::EVENT_TYPE_WRAP_UP_FINISHED, At(9, 6), "c1", "h1", "burgerzaken"));
  s = model.Snapshot(At(9, 6));
  EXPECT_EQ(Handler(s, "h1")->state, HandlerState::kAvailable);
  EXPECT_EQ(s.handler_counts.available, 1);
  EXPECT_EQ(s.handler_counts.wrap_up, 0);
  EXPECT_EQ(s.handler_counts.in_conversation, 0);
}

TEST_F(DashboardModelTest, AbandonedWhileOfferedFreesTheHandler) {
  DashboardModel model(Options(), At(8, 0));
  model.AddEvent(events_.Presence(At(8, 30), "h1", v1::PRESENCE_AVAILABLE));
  model.AddEvent(events_.Routed(At(9, 0), "c1", "burgerzaken", "paspoort"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_OFFERED, At(9, 0, 5), "c1", "h1", "burgerzaken"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ABANDONED, At(9, 0, 9), "c1", "h1", "burgerzaken"));
  const DashboardSnapshot s = model.Snapshot(At(9, 1));
  EXPECT_EQ(Handler(s, "h1")->state, HandlerState::kAvailable);
  EXPECT_EQ(Queue(s, "burgerzaken").waiting, 0);
  EXPECT_EQ(Queue(s, "burgerzaken").offered, 0);
  EXPECT_EQ(Queue(s, "burgerzaken").abandoned, 1);
}

TEST_F(DashboardModelTest, DigitalFirstPerDomainAndPhase) {
  DashboardModel model(Options(), At(8, 0));
  model.AddEvent(events_.Steered(At(9, 0), "c1", "burgerzaken", "paspoort"));
  model.AddEvent(events_.Steered(At(9, 1), "c2", "burgerzaken", "rijbewijs"));
  model.AddEvent(events_.Routed(At(9, 2), "c3", "burgerzaken", "paspoort",
                                v1::DIGITAL_FIRST_EXEMPT_WANTS_PERSON));
  model.AddEvent(events_.Routed(At(9, 3), "c4", "burgerzaken", "paspoort",
                                v1::DIGITAL_FIRST_OFFERED_AND_ROUTED));
  model.AddEvent(
      events_.Routed(At(9, 4), "c5", "wmo", "wmo-hulpmiddelen", v1::DIGITAL_FIRST_EXEMPT_NEED));
  model.AddEvent(events_.Routed(At(9, 5), "c6", "wmo", "wmo-begeleiding"));
  // A topic no longer in the catalogue is shown on its own.
  model.AddEvent(events_.Routed(At(9, 6), "c7", "wmo", "oud-onderwerp"));

  DashboardSnapshot s = model.Snapshot(At(9, 10));
  EXPECT_FALSE(s.digital_first_by_topic);
  ASSERT_EQ(s.digital_first.size(), 4u);
  const DigitalFirstRow& burgerzaken = s.digital_first[0];
  EXPECT_EQ(burgerzaken.domain, "burgerzaken");
  EXPECT_EQ(burgerzaken.phase, "");
  EXPECT_EQ(burgerzaken.routed, 4);
  EXPECT_EQ(burgerzaken.steered, 2);
  EXPECT_EQ(burgerzaken.exempt_wants_person, 1);
  EXPECT_EQ(burgerzaken.offered_and_routed, 1);
  EXPECT_EQ(burgerzaken.exempt_need, 0);
  EXPECT_EQ(s.digital_first[1].domain, "oud-onderwerp");
  EXPECT_EQ(s.digital_first[2].domain, "sociaal_domein");
  EXPECT_EQ(s.digital_first[2].phase, "maatwerk");
  EXPECT_EQ(s.digital_first[2].exempt_need, 1);
  EXPECT_EQ(s.digital_first[3].phase, "preventie");
  EXPECT_EQ(s.digital_first[3].routed, 1);
  EXPECT_EQ(s.digital_first_total.routed, 7);
  EXPECT_EQ(s.digital_first_total.steered, 2);
  EXPECT_EQ(s.digital_first_total.exempt_need, 1);

  // Without a catalogue: per topic.
  DashboardModel plain(Options(/*catalogue=*/false), At(8, 0));
  plain.AddEvent(events_.Steered(At(9, 0), "c1", "burgerzaken", "paspoort"));
  plain.AddEvent(events_.Steered(At(9, 1), "c2", "burgerzaken", "rijbewijs"));
  s = plain.Snapshot(At(9, 10));
  EXPECT_TRUE(s.digital_first_by_topic);
  ASSERT_EQ(s.digital_first.size(), 2u);
  EXPECT_EQ(s.digital_first[0].domain, "paspoort");
  EXPECT_EQ(s.digital_first[1].domain, "rijbewijs");
  EXPECT_EQ(s.tenant_name, "gemeente-test");
  // Without a configuration the queues are those the events and the router name.
  ASSERT_EQ(s.queues.size(), 1u);
  EXPECT_EQ(s.queues[0].queue, "burgerzaken");
  EXPECT_EQ(s.queues[0].sla_target, absl::Seconds(60));
}

TEST_F(DashboardModelTest, FiveMinuteBucketsOfTheChartWindow) {
  DashboardModelOptions options = Options();
  options.chart_window = absl::Hours(1);
  DashboardModel model(options, At(8, 0));
  // 9:00-9:05: three routed, peak of three waiting; one handled at 9:04.
  model.AddEvent(events_.Routed(At(9, 0), "c1", "burgerzaken", "paspoort"));
  model.AddEvent(events_.Routed(At(9, 1), "c2", "burgerzaken", "paspoort"));
  model.AddEvent(events_.Routed(At(9, 2), "c3", "wmo", "wmo-hulpmiddelen"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_OFFERED, At(9, 3), "c1", "h1", "burgerzaken"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ACCEPTED, At(9, 4), "c1", "h1", "burgerzaken"));
  // 9:10-9:15: c2 abandoned; the one still waiting (c3) carries into the buckets after.
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ABANDONED, At(9, 12), "c2", "", "burgerzaken"));
  // A second acceptance of the same contact (after a transfer) is not a second handled.
  model.AddEvent(events_.Transferred(At(9, 13), "c1", "h1", "burgerzaken", "wmo"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_OFFERED, At(9, 14), "c1", "h2", "wmo"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ACCEPTED, At(9, 14), "c1", "h2", "wmo"));

  const DashboardSnapshot s = model.Snapshot(At(9, 31));
  EXPECT_EQ(s.bucket_width, absl::Minutes(5));
  // 8:30 .. 9:30: every bucket with a part in the hour up to now.
  ASSERT_EQ(s.buckets.size(), 13u);
  EXPECT_EQ(s.buckets.front().start, At(8, 30));
  EXPECT_EQ(s.buckets.back().start, At(9, 30));
  const Bucket& nine = s.buckets[6];
  EXPECT_EQ(nine.start, At(9, 0));
  EXPECT_EQ(nine.routed, 3);
  EXPECT_EQ(nine.handled, 1);
  EXPECT_EQ(nine.abandoned, 0);
  EXPECT_EQ(nine.waiting, 3);
  EXPECT_EQ(s.buckets[7].waiting, 2);  // 9:05: c2 and c3 wait throughout
  const Bucket& ten = s.buckets[8];
  EXPECT_EQ(ten.abandoned, 1);
  EXPECT_EQ(ten.handled, 0);
  EXPECT_EQ(ten.waiting, 2);           // two at its start; c1's transfer makes it two again
  EXPECT_EQ(s.buckets[9].waiting, 1);  // 9:15: c3
  EXPECT_EQ(s.buckets[12].waiting, 1);
  EXPECT_EQ(s.buckets[5].waiting, 0);  // 8:55
}

TEST_F(DashboardModelTest, MidnightStartsANewDayButKeepsWhoIsWaiting) {
  const absl::Time late = At(23, 50);
  DashboardModel model(Options(), late);
  model.AddEvent(events_.Routed(At(23, 40), "c1", "burgerzaken", "paspoort"));
  model.AddEvent(events_.Routed(At(23, 45), "c2", "burgerzaken", "paspoort"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_OFFERED, At(23, 46), "c2", "h1", "burgerzaken"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ACCEPTED, At(23, 46), "c2", "h1", "burgerzaken"));
  DashboardSnapshot s = model.Snapshot(late);
  EXPECT_EQ(s.totals.routed, 2);
  EXPECT_EQ(s.day_start, At(0, 0));

  const absl::Time next_morning = At(23, 50) + absl::Minutes(20);  // 00:10 on 13 May
  model.AdvanceTo(next_morning);
  s = model.Snapshot(next_morning);
  EXPECT_EQ(s.day_start, At(0, 0) + absl::Hours(24));
  EXPECT_EQ(s.totals.routed, 0);
  EXPECT_EQ(Queue(s, "burgerzaken").routed, 0);
  EXPECT_EQ(Queue(s, "burgerzaken").waiting, 1);  // c1 still waits
  EXPECT_EQ(Queue(s, "burgerzaken").longest_wait, absl::Minutes(30));
  ASSERT_EQ(s.buckets.size(), 3u);  // 00:00, 00:05, 00:10
  EXPECT_EQ(s.buckets[0].waiting, 1);
  EXPECT_EQ(s.buckets[0].routed, 0);
  EXPECT_EQ(Handler(s, "h1")->state, HandlerState::kInConversation);

  // c2, routed yesterday, completes today: yesterday's contact, not today's.
  model.AddEvent(
      events_.Contact(v1::EVENT_TYPE_COMPLETED, next_morning, "c2", "h1", "burgerzaken"));
  model.AddEvent(events_.Routed(next_morning, "c3", "wmo", "wmo-hulpmiddelen"));
  s = model.Snapshot(next_morning);
  EXPECT_EQ(s.totals.routed, 1);
  EXPECT_EQ(s.totals.handled, 0);
  EXPECT_EQ(s.buckets[2].routed, 1);
  EXPECT_EQ(s.buckets[2].waiting, 2);
}

TEST_F(DashboardModelTest, EventsOfAContactRoutedBeforeTheStreamBeganAreHarmless) {
  DashboardModel model(Options(), At(8, 0));
  // Routed before the oldest retained event: the model meets c1 at its offer.
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_OFFERED, At(9, 0), "c1", "h1", "burgerzaken"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ACCEPTED, At(9, 0), "c1", "h1", "burgerzaken"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_COMPLETED, At(9, 5), "c1", "h1", "burgerzaken"));
  model.AddEvent(
      events_.Contact(v1::EVENT_TYPE_WRAP_UP_FINISHED, At(9, 6), "c1", "h1", "burgerzaken"));
  model.AddEvent(events_.Contact(v1::EVENT_TYPE_ABANDONED, At(9, 7), "c9", "", "wmo"));
  const DashboardSnapshot s = model.Snapshot(At(9, 10));
  EXPECT_EQ(Queue(s, "burgerzaken").waiting, 0);
  EXPECT_EQ(Queue(s, "burgerzaken").handled, 0);
  EXPECT_EQ(Queue(s, "wmo").waiting, 0);
  EXPECT_EQ(s.totals.routed, 0);
  for (const Bucket& b : s.buckets) EXPECT_GE(b.waiting, 0);
}

TEST_F(DashboardModelTest, FeedStatusAndLastOffset) {
  DashboardModel model(Options(), At(8, 0));
  DashboardSnapshot s = model.Snapshot(At(8, 0));
  EXPECT_FALSE(s.feed.connected);
  EXPECT_FALSE(s.feed.caught_up);
  const v1::Event routed = events_.Routed(At(8, 1), "c1", "burgerzaken", "paspoort");
  model.AddEvent(routed);
  model.SetFeedStatus(true, true, "");
  model.SetStatsError("GetQueueStats: 14 unavailable");
  s = model.Snapshot(At(8, 2));
  EXPECT_TRUE(s.feed.connected);
  EXPECT_TRUE(s.feed.caught_up);
  EXPECT_EQ(s.feed.last_offset, routed.offset());
  EXPECT_EQ(s.feed.stats_error, "GetQueueStats: 14 unavailable");
  EXPECT_EQ(s.feed.stats_time, absl::InfinitePast());
}

}  // namespace
}  // namespace wissel::dashboard
