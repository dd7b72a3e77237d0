#include "benchmarks/load/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace wissel::load {

// Indices 0 .. 2K-1 hold the values 0 .. 2K-1 exactly (K = kSubBuckets). A larger value v with
// highest set bit e (e > kSubBucketBits) keeps its top kSubBucketBits + 1 bits: sub = v >> shift
// with shift = e - kSubBucketBits, so sub is in [K, 2K), and lands at index shift * K + sub.
// Consecutive ranges are thus contiguous in the array, and the last index belongs to
// kMaxTrackable.
size_t LatencyHistogram::BucketIndex(int64_t value) {
  if (value < 0) value = 0;
  if (value > kMaxTrackable) value = kMaxTrackable;
  const auto v = static_cast<uint64_t>(value);
  if (v < static_cast<uint64_t>(2 * kSubBuckets)) return static_cast<size_t>(v);
  const int highest_bit = static_cast<int>(std::bit_width(v)) - 1;
  const int shift = highest_bit - kSubBucketBits;
  return static_cast<size_t>(shift) * kSubBuckets + static_cast<size_t>(v >> shift);
}

int64_t LatencyHistogram::LowestEquivalent(size_t index) {
  const auto i = static_cast<int64_t>(index);
  if (i < 2 * kSubBuckets) return i;
  const int64_t shift = i / kSubBuckets - 1;
  const int64_t sub = i % kSubBuckets + kSubBuckets;
  return sub << shift;
}

int64_t LatencyHistogram::HighestEquivalent(size_t index) {
  const auto i = static_cast<int64_t>(index);
  if (i < 2 * kSubBuckets) return i;
  const int64_t shift = i / kSubBuckets - 1;
  const int64_t sub = i % kSubBuckets + kSubBuckets;
  return ((sub + 1) << shift) - 1;
}

size_t LatencyHistogram::BucketCount() { return BucketIndex(kMaxTrackable) + 1; }

LatencyHistogram::LatencyHistogram() : counts_(BucketCount(), 0) {}

void LatencyHistogram::Record(int64_t value) {
  if (value < 0) value = 0;
  ++counts_[BucketIndex(value)];
  if (count_ == 0 || value < min_) min_ = value;
  if (value > max_) max_ = value;
  ++count_;
  sum_ += static_cast<double>(value);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void LatencyHistogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = 0;
  max_ = 0;
  sum_ = 0;
}

double LatencyHistogram::Mean() const {
  return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_);
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  if (count_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  if (percentile == 0.0) return min_;
  // The rank of the wanted value, 1-based; ceil so that p50 of {1, 2} is 1, as HdrHistogram.
  auto rank = static_cast<int64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<int64_t>(rank, 1, count_);
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(HighestEquivalent(i), max_);
  }
  return max_;
}

}  // namespace wissel::load
