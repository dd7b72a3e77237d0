#include "metrics/registry.h"

#include <glog/logging.h>

#include <algorithm>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace wissel::metrics {
namespace {

// Separates label values in a family's lookup key; never part of a bounded value.
constexpr char kKeySeparator = '\x1f';

prometheus::MetricType ToPrometheus(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return prometheus::MetricType::Counter;
    case MetricType::kGauge:
      return prometheus::MetricType::Gauge;
    case MetricType::kHistogram:
      return prometheus::MetricType::Histogram;
  }
  return prometheus::MetricType::Untyped;
}

}  // namespace

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> WaitBuckets() {
  return {5, 10, 20, 30, 45, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 86400, 5 * 86400};
}

std::vector<double> SizeBuckets() {
  std::vector<double> buckets;
  for (int b = 1; b <= 1024; b *= 2) buckets.push_back(b);
  return buckets;
}

template <typename T>
Family<T>::Family(prometheus::Family<T>* family, std::vector<std::string> label_names,
                  size_t max_series, std::vector<double> buckets)
    : family_(family),
      label_names_(std::move(label_names)),
      max_series_(max_series),
      buckets_(std::move(buckets)) {}

template <>
prometheus::Histogram& Family<prometheus::Histogram>::Add(const prometheus::Labels& labels) {
  return family_->Add(labels, buckets_);
}

template <typename T>
T& Family<T>::Add(const prometheus::Labels& labels) {
  return family_->Add(labels);
}

template <typename T>
T& Family<T>::With(std::initializer_list<absl::string_view> values) {
  std::string key;
  if (values.size() == label_names_.size()) {
    for (absl::string_view v : values) {
      absl::StrAppend(&key, BoundedLabelValue(v), absl::string_view(&kKeySeparator, 1));
    }
  }
  absl::MutexLock lock(&mu_);
  if (values.size() == label_names_.size()) {
    if (auto it = series_.find(key); it != series_.end()) return *it->second;
    if (series_.size() < max_series_) {
      prometheus::Labels labels;
      size_t i = 0;
      for (absl::string_view v : values) {
        labels.emplace(label_names_[i++], std::string(BoundedLabelValue(v)));
      }
      T& series = Add(labels);
      series_.emplace(std::move(key), &series);
      return series;
    }
  }
  if (other_ == nullptr) {
    LOG(WARNING) << "metrics: more than " << max_series_
                 << " label combinations (or a wrong number of labels) in a family with labels "
                 << absl::StrJoin(label_names_, ",") << "; the rest are counted as 'other'";
    prometheus::Labels labels;
    for (const std::string& name : label_names_) labels.emplace(name, kOtherLabelValue);
    other_ = &Add(labels);
  }
  return *other_;
}

template class Family<prometheus::Counter>;
template class Family<prometheus::Gauge>;
template class Family<prometheus::Histogram>;

Registry::Registry() : registry_(std::make_shared<prometheus::Registry>()) {}

Registry::~Registry() = default;

absl::Status Registry::Reserve(absl::string_view name, MetricType type,
                               const std::vector<std::string>& label_names) {
  if (absl::Status s = CheckMetricName(name, type); !s.ok()) return s;
  absl::flat_hash_set<std::string> seen;
  for (const std::string& label : label_names) {
    if (absl::Status s = CheckLabelName(label); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("metric '", name, "': ", s.message()));
    }
    if (!seen.insert(label).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("metric '", name, "': label '", label, "' given twice"));
    }
  }
  absl::MutexLock lock(&mu_);
  if (!names_.insert(std::string(name)).second) {
    return absl::AlreadyExistsError(absl::StrCat("metric '", name, "' is registered already"));
  }
  return absl::OkStatus();
}

absl::StatusOr<CounterFamily*> Registry::AddCounter(absl::string_view name, absl::string_view help,
                                                    std::vector<std::string> label_names,
                                                    size_t max_series) {
  if (absl::Status s = Reserve(name, MetricType::kCounter, label_names); !s.ok()) return s;
  auto& family = prometheus::BuildCounter()
                     .Name(std::string(name))
                     .Help(std::string(help))
                     .Register(*registry_);
  absl::MutexLock lock(&mu_);
  counters_.push_back(std::unique_ptr<CounterFamily>(
      new CounterFamily(&family, std::move(label_names), max_series, {})));
  return counters_.back().get();
}

absl::StatusOr<GaugeFamily*> Registry::AddGauge(absl::string_view name, absl::string_view help,
                                                std::vector<std::string> label_names,
                                                size_t max_series) {
  if (absl::Status s = Reserve(name, MetricType::kGauge, label_names); !s.ok()) return s;
  auto& family =
      prometheus::BuildGauge().Name(std::string(name)).Help(std::string(help)).Register(*registry_);
  absl::MutexLock lock(&mu_);
  gauges_.push_back(std::unique_ptr<GaugeFamily>(
      new GaugeFamily(&family, std::move(label_names), max_series, {})));
  return gauges_.back().get();
}

absl::StatusOr<HistogramFamily*> Registry::AddHistogram(absl::string_view name,
                                                        absl::string_view help,
                                                        std::vector<std::string> label_names,
                                                        std::vector<double> buckets,
                                                        size_t max_series) {
  for (size_t i = 1; i < buckets.size(); ++i) {
    if (!(buckets[i - 1] < buckets[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("metric '", name, "': histogram buckets must increase"));
    }
  }
  if (absl::Status s = Reserve(name, MetricType::kHistogram, label_names); !s.ok()) return s;
  auto& family = prometheus::BuildHistogram()
                     .Name(std::string(name))
                     .Help(std::string(help))
                     .Register(*registry_);
  absl::MutexLock lock(&mu_);
  histograms_.push_back(std::unique_ptr<HistogramFamily>(
      new HistogramFamily(&family, std::move(label_names), max_series, std::move(buckets))));
  return histograms_.back().get();
}

absl::Status Registry::AddCallback(absl::string_view name, absl::string_view help, MetricType type,
                                   std::vector<std::string> label_names, Read read,
                                   size_t max_series) {
  if (type == MetricType::kHistogram) {
    return absl::InvalidArgumentError(
        absl::StrCat("metric '", name, "': a callback family is a counter or a gauge"));
  }
  if (absl::Status s = Reserve(name, type, label_names); !s.ok()) return s;
  auto callback =
      std::make_shared<Callback>(Callback{std::string(name), std::string(help), type,
                                          std::move(label_names), std::move(read), max_series});
  absl::MutexLock lock(&mu_);
  callbacks_.push_back(std::move(callback));
  return absl::OkStatus();
}

std::string Registry::Serialize() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  std::vector<std::shared_ptr<const Callback>> callbacks;
  {
    absl::MutexLock lock(&mu_);
    callbacks = callbacks_;
  }
  for (const std::shared_ptr<const Callback>& callback : callbacks) {
    prometheus::MetricFamily family;
    family.name = callback->name;
    family.help = callback->help;
    family.type = ToPrometheus(callback->type);
    const Emit emit = [&family, &callback](std::initializer_list<absl::string_view> values,
                                           double value) {
      if (values.size() != callback->label_names.size()) return;
      if (family.metric.size() >= callback->max_series) return;
      prometheus::ClientMetric metric;
      size_t i = 0;
      for (absl::string_view v : values) {
        metric.label.push_back({callback->label_names[i++], std::string(BoundedLabelValue(v))});
      }
      // In name order, as prometheus-cpp writes the labels of its own families.
      std::sort(metric.label.begin(), metric.label.end());
      if (callback->type == MetricType::kCounter) {
        metric.counter.value = value;
      } else {
        metric.gauge.value = value;
      }
      family.metric.push_back(std::move(metric));
    };
    callback->read(emit);
    families.push_back(std::move(family));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace wissel::metrics
