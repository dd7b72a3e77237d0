// The parts of a JWKS URL that an HTTP client needs, and the rule for which URLs are allowed:
// https to any host, plain http only to a loopback host (tests and development), because keys
// fetched over plain HTTP from elsewhere could be replaced by anyone on the path. Pure,
// thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wissel::security {

struct JwksUrl {
  bool https = true;
  std::string host;  // a name, an IPv4 address, or an IPv6 address without brackets
  int port = 443;    // 443 or 80 by default
  std::string path;  // starts with '/', includes the query if any; "/" when absent
};

// The parts of `url`, or InvalidArgument ("jwks_url: ...") for: a scheme other than https/http,
// http to a host that is not loopback, user info, a fragment, an empty host, a bad port, spaces
// or control characters.
absl::StatusOr<JwksUrl> ParseJwksUrl(absl::string_view url);

// Whether `host` (as in JwksUrl::host) is a loopback address or "localhost".
bool IsLoopbackHost(absl::string_view host);

}  // namespace wissel::security
