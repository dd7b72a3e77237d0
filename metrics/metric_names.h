// The naming scheme of every Wissel metric and the labels a metric may carry, checked when a
// metric is registered (registry.h), so that wisseld and every adapter export one vocabulary.
//
// Names: wissel_<part>_<what>[_<unit>] in snake_case; counters end in _total, durations are
// in seconds and end in _seconds, no name ends in a suffix Prometheus reserves for histograms
// (_bucket, _count, _sum).
//
// Labels name bounded things only: configuration (tenant, channel, queue, topic), enumerations
// (outcome, reason, state, method, route, status, code). Never a contact, handler or resident:
// their ids would make a series per person and carry personal data into the monitoring system.
// A label value is a short token (letters, digits, "_-.:/{}", at most 64 bytes); anything else is
// exported as "invalid" instead (BoundedLabelValue), so a value from a request can never inject
// text into the exposition or blow up the number of series. Pure functions; thread-safe.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace wissel::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

// Every metric name starts with this.
inline constexpr absl::string_view kMetricPrefix = "wissel_";
// The longest label value exported as given.
inline constexpr size_t kMaxLabelValueBytes = 64;
// What a label value outside the token syntax is exported as.
inline constexpr absl::string_view kInvalidLabelValue = "invalid";
// What the series beyond a family's bound are counted under (registry.h).
inline constexpr absl::string_view kOtherLabelValue = "other";

// InvalidArgument naming `name` when it does not follow the scheme above for `type`.
absl::Status CheckMetricName(absl::string_view name, MetricType type);

// InvalidArgument unless `label` is one of the bounded labels: tenant, channel, queue, topic,
// outcome, reason, state, method, route, status, code.
absl::Status CheckLabelName(absl::string_view label);

// `value` when it is a short token, else kInvalidLabelValue.
absl::string_view BoundedLabelValue(absl::string_view value);

}  // namespace wissel::metrics
