#include "router/security/jwks_source.h"

#include <httplib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "router/security/jwks.h"
#include "router/security/jwks_url.h"

namespace wissel::security {
namespace {

class FileJwksSource final : public JwksSource {
 public:
  explicit FileJwksSource(std::string path) : path_(std::move(path)) {}

  absl::StatusOr<std::string> Fetch() override {
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(absl::StrCat("jwks_file ", path_, ": cannot open"));
    }
    std::string data;
    char buffer[8192];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      data.append(buffer, static_cast<size_t>(in.gcount()));
      if (data.size() > Jwks::kMaxJsonBytes) {
        return absl::ResourceExhaustedError(absl::StrCat("jwks_file ", path_, ": over 1 MiB"));
      }
    }
    if (in.bad()) {
      return absl::FailedPreconditionError(absl::StrCat("jwks_file ", path_, ": read error"));
    }
    return data;
  }

 private:
  const std::string path_;
};

class HttpJwksSource final : public JwksSource {
 public:
  HttpJwksSource(std::string url, JwksUrl parts, std::string ca_file, absl::Duration timeout)
      : url_(std::move(url)),
        parts_(std::move(parts)),
        ca_file_(std::move(ca_file)),
        timeout_(timeout) {}

  absl::StatusOr<std::string> Fetch() override {
    // A new connection per fetch: a fetch happens every few minutes at most, and a fresh
    // connection never carries state from an earlier failure.
    std::unique_ptr<httplib::ClientImpl> client;
    if (parts_.https) {
      auto ssl = std::make_unique<httplib::SSLClient>(parts_.host, parts_.port);
      if (!ca_file_.empty()) ssl->set_ca_cert_path(ca_file_);
      ssl->enable_server_certificate_verification(true);
      client = std::move(ssl);
    } else {
      client = std::make_unique<httplib::ClientImpl>(parts_.host, parts_.port);
    }
    const auto timeout = absl::ToChronoMicroseconds(timeout_);
    client->set_connection_timeout(timeout);
    client->set_read_timeout(timeout);
    client->set_write_timeout(timeout);
    client->set_follow_location(false);
    std::string body;
    bool too_large = false;
    const httplib::Result result =
        client->Get(parts_.path, httplib::Headers{{"Accept", "application/json"}},
                    [&](const char* data, size_t length) {
                      if (body.size() + length > Jwks::kMaxJsonBytes) {
                        too_large = true;
                        return false;
                      }
                      body.append(data, length);
                      return true;
                    });
    if (too_large) {
      return absl::ResourceExhaustedError(absl::StrCat("jwks_url ", url_, ": over 1 MiB"));
    }
    if (!result) {
      return absl::UnavailableError(
          absl::StrCat("jwks_url ", url_, ": ", httplib::to_string(result.error())));
    }
    if (result->status != 200) {
      return absl::UnavailableError(
          absl::StrCat("jwks_url ", url_, ": HTTP status ", result->status));
    }
    return body;
  }

 private:
  const std::string url_;
  const JwksUrl parts_;
  const std::string ca_file_;
  const absl::Duration timeout_;
};

}  // namespace

std::unique_ptr<JwksSource> MakeFileJwksSource(std::string path) {
  return std::make_unique<FileJwksSource>(std::move(path));
}

absl::StatusOr<std::unique_ptr<JwksSource>> MakeHttpJwksSource(const std::string& url,
                                                               std::string ca_file,
                                                               absl::Duration timeout) {
  absl::StatusOr<JwksUrl> parts = ParseJwksUrl(url);
  if (!parts.ok()) return parts.status();
  return std::make_unique<HttpJwksSource>(url, *std::move(parts), std::move(ca_file), timeout);
}

}  // namespace wissel::security
