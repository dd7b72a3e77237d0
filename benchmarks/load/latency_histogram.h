// LatencyHistogram: an HdrHistogram-style histogram of non-negative integer values (the load
// generator records latencies in nanoseconds) with log-spaced buckets.
//
// Why: a load run records millions of latencies; keeping and sorting them all would cost memory
// and time that grow with the run. Here memory is fixed at construction (about 34 KiB) and a
// value is recorded with a few shifts and one increment. Values below 2 * 2^kSubBucketBits are
// exact; above, each power-of-two range is split into 2^kSubBucketBits equal buckets, so a
// reported percentile is within 1/128 (0.8 %) of the true value. Values above kMaxTrackable are
// counted in the top bucket; max() stays exact.
//
// Thread-safety: none; give each thread its own histogram and Merge() them, or guard one with a
// mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wissel::load {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr int64_t kSubBuckets = int64_t{1} << kSubBucketBits;
  // About 18 minutes in nanoseconds; enough for any latency a run can see.
  static constexpr int64_t kMaxTrackable = (int64_t{1} << 40) - 1;

  LatencyHistogram();

  // Counts `value` once. Negative values count as 0.
  void Record(int64_t value);
  // Adds every count of `other` to this histogram.
  void Merge(const LatencyHistogram& other);
  // Forgets every value; memory is kept.
  void Reset();

  int64_t count() const { return count_; }
  // 0 when empty.
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double Mean() const;

  // The smallest recorded value v such that at least `percentile` % of the values are <= v,
  // reported as the highest value equivalent to v's bucket (never above max()). `percentile` is
  // clamped to 0..100; 0 gives min(). 0 when empty.
  int64_t ValueAtPercentile(double percentile) const;

  // The bucket a value falls into, and the range of values that bucket holds; exposed for tests.
  static size_t BucketIndex(int64_t value);
  static int64_t LowestEquivalent(size_t index);
  static int64_t HighestEquivalent(size_t index);
  static size_t BucketCount();

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace wissel::load
