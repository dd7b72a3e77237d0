#include "metrics/scrape_token.h"

#include <glog/logging.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace wissel::metrics {
namespace {

// The token in `text` (surrounding whitespace dropped), or InvalidArgument saying what is wrong.
absl::StatusOr<std::string> CheckToken(absl::string_view text) {
  const std::string token(absl::StripAsciiWhitespace(text));
  if (token.size() < kMinScrapeTokenBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the token is shorter than ", kMinScrapeTokenBytes, " characters"));
  }
  if (token.size() > kMaxScrapeTokenBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the token is longer than ", kMaxScrapeTokenBytes, " characters"));
  }
  if (!base::BearerToken(absl::StrCat("Bearer ", token))) {
    return absl::InvalidArgumentError(
        "the token has characters a bearer token cannot carry (RFC 6750 token68: letters, "
        "digits, -._~+/ and final =)");
  }
  return token;
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read '", path, "'"));
  std::ostringstream text;
  text << in.rdbuf();
  return CheckToken(text.str());
}

}  // namespace

bool ScrapeToken::Stamp::operator==(const Stamp& other) const {
  return present == other.present && device == other.device && inode == other.inode &&
         size == other.size && modified.tv_sec == other.modified.tv_sec &&
         modified.tv_nsec == other.modified.tv_nsec;
}

ScrapeToken::ScrapeToken(std::string path, absl::Duration recheck_interval,
                         base::TokenDigest digest, Stamp stamp)
    : path_(std::move(path)),
      recheck_interval_(recheck_interval),
      digest_(digest),
      stamp_(stamp),
      last_check_(absl::Now()) {}

ScrapeToken::Stamp ScrapeToken::StampOf(const std::string& path) {
  Stamp stamp;
  struct stat st = {};
  if (stat(path.c_str(), &st) != 0) return stamp;
  stamp.present = true;
  stamp.device = st.st_dev;
  stamp.inode = st.st_ino;
  stamp.size = st.st_size;
  stamp.modified = st.st_mtim;
  return stamp;
}

absl::StatusOr<std::unique_ptr<ScrapeToken>> ScrapeToken::FromFile(
    std::string path, absl::string_view field, absl::Duration recheck_interval) {
  const Stamp stamp = StampOf(path);
  absl::StatusOr<std::string> token = ReadTokenFile(path);
  if (!token.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", token.status().message(), " (", path, ")"));
  }
  return std::unique_ptr<ScrapeToken>(
      new ScrapeToken(std::move(path), recheck_interval, base::DigestOf(*token), stamp));
}

absl::StatusOr<std::unique_ptr<ScrapeToken>> ScrapeToken::FromEnvironment(const std::string& name,
                                                                          absl::string_view field) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": the environment variable ", name, " is not set"));
  }
  absl::StatusOr<std::string> token = CheckToken(value);
  if (!token.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", token.status().message(), " (environment variable ", name, ")"));
  }
  return std::unique_ptr<ScrapeToken>(
      new ScrapeToken("", absl::InfiniteDuration(), base::DigestOf(*token), Stamp{}));
}

base::TokenDigest ScrapeToken::Current() {
  absl::MutexLock lock(&mu_);
  if (path_.empty()) return digest_;
  const absl::Time now = absl::Now();
  if (now - last_check_ < recheck_interval_) return digest_;
  last_check_ = now;
  const Stamp stamp = StampOf(path_);
  if (stamp == stamp_) return digest_;
  absl::StatusOr<std::string> token = ReadTokenFile(path_);
  if (!token.ok()) {
    // A Secret being replaced may be briefly missing or half-written: keep the old token and
    // look again at the next check.
    LOG(WARNING) << "metrics: the scrape token file changed but cannot be used, keeping the "
                    "previous token: "
                 << token.status().message();
    return digest_;
  }
  stamp_ = stamp;
  digest_ = base::DigestOf(*token);
  LOG(INFO) << "metrics: scrape token reloaded from " << path_;
  return digest_;
}

bool ScrapeToken::Matches(absl::string_view authorization) {
  const std::optional<std::string> presented = base::BearerToken(authorization);
  // Hash something even without a token, so that the answer takes about as long either way.
  return base::TokenMatches(Current(), presented.value_or("")) && presented.has_value();
}

}  // namespace wissel::metrics
