// SupervisorTokens: who may look at the dashboard. Each supervisor (team lead) has a bearer
// token of their own; the dashboard is given only the tokens' SHA-256 digests, so its host, its
// configuration and its memory never hold a working token. A presented token is hashed and
// compared with every digest in constant time (base/bearer_token.h).
//
// The list, from a file (--supervisor_tokens_file) or an environment variable, is entries
// "NAME=SHA256HEX" separated by new lines or commas; '#' starts a comment up to the end of the
// line; white space around entries is ignored:
//
//   # printf %s "$TOKEN" | sha256sum
//   teamleider-burgerzaken=2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
//
// Immutable after Parse(); thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/bearer_token.h"

namespace wissel::dashboard {

class SupervisorTokens {
 public:
  SupervisorTokens() = default;  // nobody is let in

  // Parses the list; `source` (a file name or variable name) labels errors, which name the
  // entry by its position and never show a digest. InvalidArgument for a malformed entry, a
  // name that is not [A-Za-z0-9._@-]{1,64}, a digest that is not 64 hex digits, a name or a
  // digest listed twice (two supervisors must not share a token), or an empty list.
  static absl::StatusOr<SupervisorTokens> Parse(absl::string_view text, absl::string_view source);

  // The supervisor whose token `token` is; nullopt for any other. Every digest is compared, so
  // the time taken says nothing about which one matched or how closely.
  std::optional<std::string> Find(absl::string_view token) const;

  size_t size() const { return entries_.size(); }

 private:
  std::vector<std::pair<std::string, base::TokenDigest>> entries_;
};

}  // namespace wissel::dashboard
