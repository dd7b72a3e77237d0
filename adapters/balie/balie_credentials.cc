#include "adapters/balie/balie_credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace wissel::adapters::balie {
namespace {

// The secret `source` names; `key` (e.g. "desks[0]") labels errors, which never show a value.
absl::StatusOr<std::string> ReadSecret(const SecretSource& source, const std::string& key,
                                       const EnvironmentLookup& env) {
  std::string value;
  std::string where;
  if (!source.env.empty()) {
    where = absl::StrCat(key, ".token_env (", source.env, ")");
    std::optional<std::string> found = env(source.env);
    if (!found) return absl::InvalidArgumentError(absl::StrCat(where, ": is not set"));
    value = *std::move(found);
  } else {
    where = absl::StrCat(key, ".token_file (", source.file, ")");
    std::ifstream in(source.file);
    if (!in) return absl::InvalidArgumentError(absl::StrCat(where, ": cannot be read"));
    std::stringstream text;
    text << in.rdbuf();
    value = text.str();
  }
  // A file usually ends with a newline; a token never holds white space.
  value = std::string(absl::StripAsciiWhitespace(value));
  if (value.size() < kMinTokenLength) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": the token must be at least ", kMinTokenLength, " characters"));
  }
  if (!base::BearerToken(absl::StrCat("Bearer ", value))) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": the token must be of [A-Za-z0-9-._~+/] (e.g. openssl rand -base64 32)"));
  }
  return value;
}

absl::Status Check(const base::TokenDigest* expected, absl::string_view authorization,
                   absl::string_view who) {
  const std::optional<std::string> token = base::BearerToken(authorization);
  if (!token) {
    return absl::UnauthenticatedError(
        absl::StrCat("Authorization: the ", who, "'s bearer token is required"));
  }
  if (expected == nullptr || !base::TokenMatches(*expected, *token)) {
    return absl::PermissionDeniedError(
        absl::StrCat("Authorization: the token is not the ", who, "'s"));
  }
  return absl::OkStatus();
}

}  // namespace

std::optional<std::string> ProcessEnvironment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

absl::StatusOr<BalieCredentials> BalieCredentials::Load(const BalieConfig& config,
                                                        const EnvironmentLookup& env) {
  BalieCredentials credentials;
  std::vector<std::pair<std::string, base::TokenDigest>> seen;
  auto add = [&](const SecretSource& source,
                 const std::string& key) -> absl::StatusOr<base::TokenDigest> {
    absl::StatusOr<std::string> token = ReadSecret(source, key, env);
    if (!token.ok()) return token.status();
    const base::TokenDigest digest = base::DigestOf(*token);
    for (const auto& [other, other_digest] : seen) {
      if (base::SameDigest(digest, other_digest)) {
        return absl::InvalidArgumentError(absl::StrCat(key, ": has the same token as ", other,
                                                       "; every desk and the kiosk "
                                                       "need their own"));
      }
    }
    seen.emplace_back(key, digest);
    return digest;
  };
  for (size_t i = 0; i < config.desks.size(); ++i) {
    absl::StatusOr<base::TokenDigest> digest =
        add(config.desks[i].token, absl::StrCat("desks[", i, "]"));
    if (!digest.ok()) return digest.status();
    credentials.desks_[config.desks[i].id] = *digest;
  }
  absl::StatusOr<base::TokenDigest> kiosk = add(config.kiosk_token, "kiosk");
  if (!kiosk.ok()) return kiosk.status();
  credentials.kiosk_ = *kiosk;
  return credentials;
}

absl::Status BalieCredentials::CheckKiosk(absl::string_view authorization) const {
  return Check(kiosk_ ? &*kiosk_ : nullptr, authorization, "kiosk");
}

absl::Status BalieCredentials::CheckDesk(absl::string_view desk_id,
                                         absl::string_view authorization) const {
  const auto it = desks_.find(std::string(desk_id));
  return Check(it == desks_.end() ? nullptr : &it->second, authorization, "desk");
}

absl::Status BalieCredentials::CheckAnyDesk(absl::string_view authorization) const {
  const std::optional<std::string> token = base::BearerToken(authorization);
  if (!token) {
    return absl::UnauthenticatedError("Authorization: a desk's bearer token is required");
  }
  const base::TokenDigest presented = base::DigestOf(*token);
  bool any = false;
  // Every digest is compared (no early exit), so the time says nothing about which matched.
  for (const auto& [id, digest] : desks_) any = base::SameDigest(digest, presented) || any;
  if (!any) return absl::PermissionDeniedError("Authorization: the token is not a desk's");
  return absl::OkStatus();
}

}  // namespace wissel::adapters::balie
