// The metric registry: the naming scheme and the bounded labels refused or enforced at
// registration, series bounded per family, label values that cannot inject text, callback
// families read at scrape time, and the text exposition format.
#include "metrics/registry.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "metrics/metric_names.h"

namespace wissel::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricNamesTest, NamesFollowTheScheme) {
  EXPECT_TRUE(CheckMetricName("wissel_contacts_routed_total", MetricType::kCounter).ok());
  EXPECT_TRUE(CheckMetricName("wissel_queue_waiting", MetricType::kGauge).ok());
  EXPECT_TRUE(CheckMetricName("wissel_redis_round_trip_seconds", MetricType::kHistogram).ok());

  EXPECT_FALSE(CheckMetricName("contacts_routed_total", MetricType::kCounter).ok());  // prefix
  EXPECT_FALSE(CheckMetricName("wissel_", MetricType::kGauge).ok());
  EXPECT_FALSE(CheckMetricName("wissel_contacts_routed", MetricType::kCounter).ok());
  EXPECT_FALSE(CheckMetricName("wissel_queue_waiting_total", MetricType::kGauge).ok());
  EXPECT_FALSE(CheckMetricName("wissel_Queue_waiting", MetricType::kGauge).ok());
  EXPECT_FALSE(CheckMetricName("wissel_queue__waiting", MetricType::kGauge).ok());
  EXPECT_FALSE(CheckMetricName("wissel_queue-waiting", MetricType::kGauge).ok());
  EXPECT_FALSE(CheckMetricName("wissel_wait_bucket", MetricType::kGauge).ok());
  EXPECT_FALSE(CheckMetricName("wissel_wait_sum", MetricType::kHistogram).ok());
  EXPECT_THAT(std::string(CheckMetricName("wissel_routed", MetricType::kCounter).message()),
              HasSubstr("_total"));
}

TEST(MetricNamesTest, OnlyBoundedLabels) {
  for (const char* label : {"tenant", "channel", "queue", "topic", "outcome", "reason", "state",
                            "method", "route", "status", "code"}) {
    EXPECT_TRUE(CheckLabelName(label).ok()) << label;
  }
  for (const char* label : {"contact_id", "handler", "handler_id", "bsn", "resident", "party",
                            "path", "le", "__name__", ""}) {
    EXPECT_FALSE(CheckLabelName(label).ok()) << label;
  }
  EXPECT_THAT(std::string(CheckLabelName("handler_id").message()), HasSubstr("never label by"));
}

TEST(MetricNamesTest, LabelValuesAreShortTokens) {
  EXPECT_EQ(BoundedLabelValue("gemeente-wisseloord"), "gemeente-wisseloord");
  EXPECT_EQ(BoundedLabelValue("/v1/chat/sessions/{id}"), "/v1/chat/sessions/{id}");
  EXPECT_EQ(BoundedLabelValue("UNAVAILABLE"), "UNAVAILABLE");
  EXPECT_EQ(BoundedLabelValue(""), kInvalidLabelValue);
  EXPECT_EQ(BoundedLabelValue("a\"} 1\nwissel_fake 2"), kInvalidLabelValue);
  EXPECT_EQ(BoundedLabelValue("Jan Jansen"), kInvalidLabelValue);
  EXPECT_EQ(BoundedLabelValue(std::string(65, 'a')), kInvalidLabelValue);
  EXPECT_EQ(BoundedLabelValue(std::string(64, 'a')), std::string(64, 'a'));
}

TEST(RegistryTest, RefusesNamesAndLabelsOutsideTheScheme) {
  Registry registry;
  EXPECT_EQ(registry.AddCounter("wissel_offers", "x", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddGauge("wissel_handlers", "x", {"handler_id"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddGauge("wissel_handlers", "x", {"tenant", "tenant"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddHistogram("wissel_wait_seconds", "x", {}, {2, 1}).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(registry.AddCounter("wissel_offers_total", "x", {"tenant"}).ok());
  EXPECT_EQ(registry.AddCounter("wissel_offers_total", "x", {"tenant"}).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(
      registry.AddCallback("wissel_offers_total", "x", MetricType::kCounter, {}, nullptr).code(),
      absl::StatusCode::kAlreadyExists);
}

TEST(RegistryTest, SerialisesCountersGaugesAndHistograms) {
  Registry registry;
  CounterFamily* routed = *registry.AddCounter("wissel_contacts_routed_total", "Contacts routed.",
                                               {"tenant", "outcome"});
  GaugeFamily* up = *registry.AddGauge("wissel_redis_up", "Redis answers.", {});
  HistogramFamily* wait =
      *registry.AddHistogram("wissel_contact_wait_seconds", "Waits.", {"queue"}, {10, 60});
  routed->With({"gemeente-a", "assigned"}).Increment();
  routed->With({"gemeente-a", "assigned"}).Increment();
  routed->With({"gemeente-a", "digital"}).Increment();
  up->With({}).Set(1);
  wait->With({"wmo"}).Observe(30);

  const std::string text = registry.Serialize();
  EXPECT_THAT(text, HasSubstr("# HELP wissel_contacts_routed_total Contacts routed.\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE wissel_contacts_routed_total counter\n"));
  EXPECT_THAT(
      text,
      HasSubstr("wissel_contacts_routed_total{outcome=\"assigned\",tenant=\"gemeente-a\"} 2"));
  EXPECT_THAT(
      text, HasSubstr("wissel_contacts_routed_total{outcome=\"digital\",tenant=\"gemeente-a\"} 1"));
  EXPECT_THAT(text, HasSubstr("# TYPE wissel_redis_up gauge\n"));
  EXPECT_THAT(text, HasSubstr("wissel_redis_up 1"));
  EXPECT_THAT(text, HasSubstr("wissel_contact_wait_seconds_bucket{queue=\"wmo\",le=\"10\"} 0"));
  EXPECT_THAT(text, HasSubstr("wissel_contact_wait_seconds_bucket{queue=\"wmo\",le=\"60\"} 1"));
  EXPECT_THAT(text, HasSubstr("wissel_contact_wait_seconds_count{queue=\"wmo\"} 1"));
}

TEST(RegistryTest, SeriesBeyondTheBoundAreCountedAsOther) {
  Registry registry;
  CounterFamily* family =
      *registry.AddCounter("wissel_requests_total", "Requests.", {"route"}, /*max_series=*/2);
  family->With({"/a"}).Increment();
  family->With({"/b"}).Increment();
  family->With({"/c"}).Increment();
  family->With({"/d"}).Increment();
  family->With({"/a"}).Increment();
  family->With({"/a", "extra"}).Increment();  // a wrong number of values
  const std::string text = registry.Serialize();
  EXPECT_THAT(text, HasSubstr("wissel_requests_total{route=\"/a\"} 2"));
  EXPECT_THAT(text, HasSubstr("wissel_requests_total{route=\"/b\"} 1"));
  EXPECT_THAT(text, HasSubstr("wissel_requests_total{route=\"other\"} 3"));
  EXPECT_THAT(text, Not(HasSubstr("/c")));
}

TEST(RegistryTest, ValuesThatAreNoTokensCannotInjectText) {
  Registry registry;
  CounterFamily* family = *registry.AddCounter("wissel_requests_total", "Requests.", {"route"});
  family->With({"/x\"} 99\nwissel_fake_total 1"}).Increment();
  const std::string text = registry.Serialize();
  EXPECT_THAT(text, HasSubstr("wissel_requests_total{route=\"invalid\"} 1"));
  EXPECT_THAT(text, Not(HasSubstr("wissel_fake_total")));
}

TEST(RegistryTest, CallbackFamiliesAreReadAtScrapeTime) {
  Registry registry;
  double waiting = 3;
  ASSERT_TRUE(registry
                  .AddCallback("wissel_queue_waiting", "Waiting.", MetricType::kGauge,
                               {"tenant", "queue"},
                               [&waiting](const Registry::Emit& emit) {
                                 emit({"t", "wmo"}, waiting);
                                 emit({"t"}, 1);  // wrong arity: dropped
                               })
                  .ok());
  ASSERT_TRUE(registry
                  .AddCallback("wissel_sip_requests_total", "Requests.", MetricType::kCounter, {},
                               [](const Registry::Emit& emit) { emit({}, 7); })
                  .ok());
  EXPECT_THAT(registry.Serialize(),
              HasSubstr("wissel_queue_waiting{queue=\"wmo\",tenant=\"t\"} 3"));
  waiting = 5;
  const std::string text = registry.Serialize();
  EXPECT_THAT(text, HasSubstr("wissel_queue_waiting{queue=\"wmo\",tenant=\"t\"} 5"));
  EXPECT_THAT(text,
              HasSubstr("# TYPE wissel_sip_requests_total counter\nwissel_sip_requests_total 7"));
  EXPECT_EQ(
      registry.AddCallback("wissel_x_seconds", "x", MetricType::kHistogram, {}, nullptr).code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wissel::metrics
