// CorsPolicy: which web origins (the municipality's own sites, e.g. https://www.wisseloord.nl)
// may call an HTTP adapter from a browser page, and the CORS headers that say so.
//
//   - Only configured origins get Access-Control-Allow-Origin (their own origin, never "*");
//     every answer carries "Vary: Origin" so that caches keep the answers apart.
//   - A preflight (OPTIONS with Access-Control-Request-Method) is answered for configured
//     origins and the adapters' methods only; any other preflight is refused.
//   - A state-changing request (not GET, HEAD or OPTIONS) whose Origin header names another
//     origin is refused outright (403): CORS only stops the page from reading the answer, not
//     the request from having its effect. Requests without an Origin header (servers, curl,
//     kiosks) are not browser cross-origin requests and pass.
//
// A value type, immutable after Create(); thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wissel::adapters {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class CorsPolicy {
 public:
  // No origin allowed.
  CorsPolicy() = default;

  // `origins` as configured: "https://host" or "https://host:port" (lower-cased here; a trailing
  // "/" is dropped); http:// only for localhost and 127.0.0.1 (development). InvalidArgument
  // naming the entry for "*", "null", a path, a query, or anything else.
  static absl::StatusOr<CorsPolicy> Create(const std::vector<std::string>& origins);

  const std::vector<std::string>& origins() const { return origins_; }

  // True when `origin` (an Origin header value) is configured.
  bool Allows(absl::string_view origin) const;

  // True when the request must be refused with 403: `method` changes state and `origin` is
  // present but not configured.
  bool RefusesRequest(absl::string_view method, absl::string_view origin) const;

  // Headers for an answer to a request with `origin` (empty when it had none).
  HeaderList ResponseHeaders(absl::string_view origin) const;

  // True for a CORS preflight: OPTIONS with an Origin and an Access-Control-Request-Method.
  static bool IsPreflight(absl::string_view method, absl::string_view origin,
                          absl::string_view request_method);

  // The headers of a successful preflight answer (204), or InvalidArgument/PermissionDenied
  // when the origin or the requested method is not allowed.
  absl::StatusOr<HeaderList> Preflight(absl::string_view origin,
                                       absl::string_view request_method) const;

 private:
  std::vector<std::string> origins_;
};

}  // namespace wissel::adapters
