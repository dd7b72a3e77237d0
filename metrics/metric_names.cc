#include "metrics/metric_names.h"

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace wissel::metrics {
namespace {

constexpr std::array<absl::string_view, 11> kLabelNames = {"tenant",  "channel", "queue", "topic",
                                                           "outcome", "reason",  "state", "method",
                                                           "route",   "status",  "code"};

bool IsSnakeCase(absl::string_view name) {
  if (name.empty() || name.front() == '_' || name.back() == '_') return false;
  char previous = 0;
  for (char c : name) {
    const bool ok = absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_';
    if (!ok || (c == '_' && previous == '_')) return false;
    previous = c;
  }
  return true;
}

}  // namespace

absl::Status CheckMetricName(absl::string_view name, MetricType type) {
  auto refuse = [name](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("metric name '", name, "': ", why));
  };
  if (!absl::StartsWith(name, kMetricPrefix) || name.size() == kMetricPrefix.size()) {
    return refuse(absl::StrCat("must start with '", kMetricPrefix, "' and name something"));
  }
  if (!IsSnakeCase(name)) return refuse("must be snake_case (a-z, 0-9, single '_')");
  for (absl::string_view reserved : {"_bucket", "_count", "_sum"}) {
    if (absl::EndsWith(name, reserved)) {
      return refuse(absl::StrCat("must not end in '", reserved, "' (reserved by Prometheus)"));
    }
  }
  const bool total = absl::EndsWith(name, "_total");
  if (type == MetricType::kCounter && !total) return refuse("a counter must end in '_total'");
  if (type != MetricType::kCounter && total) return refuse("only counters end in '_total'");
  return absl::OkStatus();
}

absl::Status CheckLabelName(absl::string_view label) {
  for (absl::string_view allowed : kLabelNames) {
    if (label == allowed) return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "label '", label,
      "': not a bounded label (tenant, channel, queue, topic, outcome, reason, state, method, "
      "route, status, code); never label by contact, handler or resident"));
}

absl::string_view BoundedLabelValue(absl::string_view value) {
  if (value.empty() || value.size() > kMaxLabelValueBytes) return kInvalidLabelValue;
  for (char c : value) {
    const bool ok = absl::ascii_isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':' ||
                    c == '/' || c == '{' || c == '}';
    if (!ok) return kInvalidLabelValue;
  }
  return value;
}

}  // namespace wissel::metrics
