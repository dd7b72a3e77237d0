// ScrapeToken: the bearer token a metrics endpoint expects from its scrapers, kept only as its
// SHA-256 digest and compared in constant time (base/bearer_token.h).
//
// From a file (a Kubernetes Secret mounted as a volume): the file is looked at again, at most
// once a second, when a scrape arrives, and a changed token replaces the old one without a
// restart; a file that became unreadable or invalid keeps the previous token (logged). From an
// environment variable: read once.
//
// Thread-safe.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/bearer_token.h"

namespace wissel::metrics {

// Tokens shorter than this are refused: a scrape token must not be guessable.
inline constexpr size_t kMinScrapeTokenBytes = 16;
inline constexpr size_t kMaxScrapeTokenBytes = 4096;

class ScrapeToken {
 public:
  // Reads the token from `path` (surrounding whitespace, e.g. a final newline, is ignored).
  // InvalidArgument starting with `field` when the file cannot be read or the token is shorter
  // than kMinScrapeTokenBytes, longer than kMaxScrapeTokenBytes or not token68.
  static absl::StatusOr<std::unique_ptr<ScrapeToken>> FromFile(
      std::string path, absl::string_view field,
      absl::Duration recheck_interval = absl::Seconds(1));
  // Reads the token from the environment variable `name`; the same errors (and unset).
  static absl::StatusOr<std::unique_ptr<ScrapeToken>> FromEnvironment(const std::string& name,
                                                                      absl::string_view field);

  // True when `authorization` (an Authorization header value) is "Bearer <the token>".
  bool Matches(absl::string_view authorization);

 private:
  struct Stamp {
    bool present = false;
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    struct timespec modified = {};
    bool operator==(const Stamp& other) const;
  };
  ScrapeToken(std::string path, absl::Duration recheck_interval, base::TokenDigest digest,
              Stamp stamp);
  static Stamp StampOf(const std::string& path);
  // The current digest, after reloading the file when it changed and a check is due.
  base::TokenDigest Current();

  const std::string path_;  // empty: from the environment
  const absl::Duration recheck_interval_;
  absl::Mutex mu_;
  base::TokenDigest digest_ ABSL_GUARDED_BY(mu_);
  Stamp stamp_ ABSL_GUARDED_BY(mu_);
  absl::Time last_check_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wissel::metrics
