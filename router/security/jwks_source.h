// Where a TokenVerifier loads its JSON Web Key Set from: a file, or the identity provider's JWKS
// URL (cpp-httplib, with OpenSSL for https). A seam: tests may pass their own source.
//
// Thread-safety: Fetch may be called from any thread, but a TokenVerifier never runs two
// Fetches of one source at once. Fetch blocks (file read, or an HTTP request with timeouts).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace wissel::security {

class JwksSource {
 public:
  virtual ~JwksSource() = default;
  // The current JWKS document (not yet parsed), or an error: NotFound/PermissionDenied/
  // FailedPrecondition for a file, Unavailable for a failed or non-200 HTTP request. A document
  // over Jwks::kMaxJsonBytes is refused (ResourceExhausted).
  virtual absl::StatusOr<std::string> Fetch() = 0;
};

// Reads `path` on every Fetch.
std::unique_ptr<JwksSource> MakeFileJwksSource(std::string path);

// GETs `url` (see ParseJwksUrl for what is allowed) on every Fetch, verifying the server's
// certificate and host name against `ca_file` (PEM) or, if empty, the system's trust store.
// `timeout` bounds connecting and each read. InvalidArgument for a URL ParseJwksUrl refuses.
absl::StatusOr<std::unique_ptr<JwksSource>> MakeHttpJwksSource(
    const std::string& url, std::string ca_file, absl::Duration timeout = absl::Seconds(5));

}  // namespace wissel::security
