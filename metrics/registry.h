// Registry: the metrics of one process (wisseld, an adapter), on prometheus-cpp's core library,
// and their exposition in the Prometheus text format (served by endpoint.h).
//
// Every family is checked against the naming scheme when it is added (metric_names.h) and is
// bounded: at most `max_series` label combinations; the ones beyond are all counted under
// "other" in every label (and logged once), so a bug that labels by something unbounded costs
// one series, not memory and a monitoring system's patience. Label values outside the token
// syntax are exported as "invalid".
//
// Two kinds of family: those the program updates as things happen (counters, gauges and
// histograms: Family<T>::With returns the series to update), and those read when scraped
// (AddCallback: values kept elsewhere, e.g. queue depths computed by the routing thread).
//
// Thread-safe: families may be added and updated, and the registry serialised, from any thread.
// A Family and the series it returns live as long as the Registry.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "metrics/metric_names.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace wissel::metrics {

// Label combinations a family holds by default.
inline constexpr size_t kDefaultMaxSeries = 2000;

// Histogram buckets (upper bounds, in the metric's unit) used across Wissel.
// Latencies of calls and round trips, in seconds: 0.5 ms to 10 s.
std::vector<double> LatencyBuckets();
// How long residents wait, in seconds: 5 s to 5 days (web forms wait for days).
std::vector<double> WaitBuckets();
// Sizes (operations per batch, ...): 1 to 1024, powers of two.
std::vector<double> SizeBuckets();

// One family of series of type T (prometheus::Counter, Gauge or Histogram).
template <typename T>
class Family {
 public:
  // The series for `values`, one per label name in the order given when the family was added.
  // The values are made bounded (BoundedLabelValue); a combination beyond the family's bound,
  // or a wrong number of values, returns the "other" series.
  T& With(std::initializer_list<absl::string_view> values);

  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  friend class Registry;
  Family(prometheus::Family<T>* family, std::vector<std::string> label_names, size_t max_series,
         std::vector<double> buckets);
  T& Add(const prometheus::Labels& labels);

  prometheus::Family<T>* const family_;
  const std::vector<std::string> label_names_;
  const size_t max_series_;
  const std::vector<double> buckets_;  // histograms only
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, T*> series_ ABSL_GUARDED_BY(mu_);
  T* other_ ABSL_GUARDED_BY(mu_) = nullptr;
};

using CounterFamily = Family<prometheus::Counter>;
using GaugeFamily = Family<prometheus::Gauge>;
using HistogramFamily = Family<prometheus::Histogram>;

class Registry {
 public:
  // How a callback family reports one series: its label values (one per label name) and value.
  using Emit = std::function<void(std::initializer_list<absl::string_view> values, double value)>;
  // Reads the current values at scrape time; must be quick and thread-safe.
  using Read = std::function<void(const Emit& emit)>;

  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Adds a family. InvalidArgument for a name or label outside the scheme (metric_names.h),
  // AlreadyExists for a name added before.
  absl::StatusOr<CounterFamily*> AddCounter(absl::string_view name, absl::string_view help,
                                            std::vector<std::string> label_names,
                                            size_t max_series = kDefaultMaxSeries);
  absl::StatusOr<GaugeFamily*> AddGauge(absl::string_view name, absl::string_view help,
                                        std::vector<std::string> label_names,
                                        size_t max_series = kDefaultMaxSeries);
  // `buckets`: increasing upper bounds (the +Inf bucket is implicit).
  absl::StatusOr<HistogramFamily*> AddHistogram(absl::string_view name, absl::string_view help,
                                                std::vector<std::string> label_names,
                                                std::vector<double> buckets,
                                                size_t max_series = kDefaultMaxSeries);
  // A family whose series are read at scrape time by `read` (type kCounter or kGauge). Series
  // beyond `max_series` in one scrape are dropped.
  absl::Status AddCallback(absl::string_view name, absl::string_view help, MetricType type,
                           std::vector<std::string> label_names, Read read,
                           size_t max_series = kDefaultMaxSeries);

  // Every family in the Prometheus text exposition format 0.0.4.
  std::string Serialize() const;

 private:
  struct Callback {
    std::string name;
    std::string help;
    MetricType type;
    std::vector<std::string> label_names;
    Read read;
    size_t max_series;
  };

  // Checks name and labels and reserves the name.
  absl::Status Reserve(absl::string_view name, MetricType type,
                       const std::vector<std::string>& label_names);

  const std::shared_ptr<prometheus::Registry> registry_;
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> names_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<CounterFamily>> counters_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<GaugeFamily>> gauges_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<HistogramFamily>> histograms_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<const Callback>> callbacks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wissel::metrics
