// The SIP adapter's own metrics, in the adapter's registry (adapters/common/adapter_metrics.h)
// and served by its authenticated metrics endpoint:
//   wissel_sip_responses_total{method, code}  every response sent (not its retransmissions), by
//                                             the request's method and the status code
//   wissel_sip_*_total                        the redirector's counters (SipRedirectorStats),
//                                             read at scrape time
// Methods outside the ones SIP defines are counted as "other", so the labels stay bounded.
#pragma once

#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "adapters/sip/sip_redirector.h"
#include "metrics/registry.h"

namespace wissel::adapters::sip {

// "INVITE", "ACK", ... for the methods of RFC 3261 and its extensions, else "other".
absl::string_view SipMethodLabel(absl::string_view method);

// Adds wissel_sip_responses_total to `registry` and returns the function that counts a
// response, for SipRedirectorOptions::on_response. `registry` must outlive the function.
absl::StatusOr<std::function<void(absl::string_view method, int code)>> AddSipResponseCounter(
    metrics::Registry* registry);

// Adds the redirector's counters, read from `redirector` at scrape time; it must outlive
// `registry`'s scrapes.
absl::Status AddSipRedirectorCounters(metrics::Registry* registry, const SipRedirector* redirector);

}  // namespace wissel::adapters::sip
