#include "benchmarks/load/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace wissel::load {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.ValueAtPercentile(50), 0);
  EXPECT_EQ(h.Mean(), 0.0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 100);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 100);
  EXPECT_EQ(h.ValueAtPercentile(50), 50);
  EXPECT_EQ(h.ValueAtPercentile(90), 90);
  EXPECT_EQ(h.ValueAtPercentile(99), 99);
  EXPECT_EQ(h.ValueAtPercentile(100), 100);
  EXPECT_EQ(h.ValueAtPercentile(0), 1);
  EXPECT_DOUBLE_EQ(h.Mean(), 50.5);
}

TEST(LatencyHistogramTest, BucketsAreContiguousAndCoverTheRange) {
  // Every bucket starts right after the previous one ends, so no value is lost or counted twice.
  EXPECT_EQ(LatencyHistogram::LowestEquivalent(0), 0);
  for (size_t i = 1; i < LatencyHistogram::BucketCount(); ++i) {
    ASSERT_EQ(LatencyHistogram::LowestEquivalent(i), LatencyHistogram::HighestEquivalent(i - 1) + 1)
        << "bucket " << i;
  }
  EXPECT_EQ(LatencyHistogram::HighestEquivalent(LatencyHistogram::BucketCount() - 1),
            LatencyHistogram::kMaxTrackable);
}

TEST(LatencyHistogramTest, EveryValueFallsIntoTheBucketThatHoldsIt) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    const int64_t v = static_cast<int64_t>(rng() % (uint64_t{1} << (1 + i % 40)));
    const size_t b = LatencyHistogram::BucketIndex(v);
    ASSERT_LE(LatencyHistogram::LowestEquivalent(b), v);
    ASSERT_GE(LatencyHistogram::HighestEquivalent(b), v);
  }
}

TEST(LatencyHistogramTest, RelativeErrorIsBelowOnePercent) {
  // Latencies from 1 us to 1 s in nanoseconds, log-uniform: each percentile from the histogram
  // must be within 1/128 of the exact one from sorting.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(3.0, 9.0);
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 200000; ++i) {
    const int64_t v = static_cast<int64_t>(std::pow(10.0, exponent(rng)));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * values.size()));
    const double exact = static_cast<double>(values[rank - 1]);
    const double got = static_cast<double>(h.ValueAtPercentile(p));
    EXPECT_GE(got, exact) << "p" << p;
    EXPECT_LE(got, exact * (1.0 + 1.0 / 128)) << "p" << p;
  }
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.ValueAtPercentile(100), values.back());
}

TEST(LatencyHistogramTest, OutOfRangeValuesAreClampedButMaxIsExact) {
  LatencyHistogram h;
  h.Record(-5);
  h.Record(LatencyHistogram::kMaxTrackable * 4);
  EXPECT_EQ(h.count(), 2);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), LatencyHistogram::kMaxTrackable * 4);
  EXPECT_EQ(h.ValueAtPercentile(50), 0);
  EXPECT_EQ(h.ValueAtPercentile(100), LatencyHistogram::kMaxTrackable);
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int64_t v = 0; v < 5000; ++v) {
    (v % 3 == 0 ? a : b).Record(v * 997);
    all.Record(v * 997);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_DOUBLE_EQ(a.Mean(), all.Mean());
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    EXPECT_EQ(a.ValueAtPercentile(p), all.ValueAtPercentile(p)) << "p" << p;
  }
}

TEST(LatencyHistogramTest, ResetForgetsEverything) {
  LatencyHistogram h;
  h.Record(123456);
  h.Reset();
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.max(), 0);
  h.Record(7);
  EXPECT_EQ(h.ValueAtPercentile(50), 7);
  EXPECT_EQ(h.min(), 7);
}

}  // namespace
}  // namespace wissel::load
