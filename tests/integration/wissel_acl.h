// The router's least-privilege Redis ACL as documented in config/redis/wissel.acl.example,
// for integration tests that start a redis-server with it: so that the tests check the very
// line operators are told to install, not a copy of it.
#pragma once

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "tests/integration/redis_server.h"

namespace wissel::testing {

// The example file's placeholder for the password.
inline constexpr char kAclPasswordPlaceholder[] = ">CHANGE-ME";
// The test's administrator (the default user), for the fixture's own connections.
inline constexpr char kAclAdminPassword[] = "test-admin-password";

// The `user wissel ...` line of `source_dir`/config/redis/wissel.acl.example with `password`
// in place of the placeholder. NotFound / FailedPrecondition when the file or the line is
// missing or does not have exactly one placeholder.
inline absl::StatusOr<std::string> WisselAclLine(const std::string& source_dir,
                                                 const std::string& password) {
  const std::string path = absl::StrCat(source_dir, "/config/redis/wissel.acl.example");
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> users;
  for (absl::string_view line : absl::StrSplit(text.str(), '\n', absl::SkipWhitespace())) {
    if (absl::StartsWith(line, "user wissel ")) users.emplace_back(line);
  }
  if (users.size() != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": expected one 'user wissel' line, found ", users.size()));
  }
  const std::vector<std::string> words = absl::StrSplit(users[0], ' ', absl::SkipEmpty());
  if (std::count(words.begin(), words.end(), kAclPasswordPlaceholder) != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": expected the placeholder ", kAclPasswordPlaceholder, " once"));
  }
  return absl::StrReplaceAll(users[0], {{kAclPasswordPlaceholder, absl::StrCat(">", password)}});
}

// Options for a redis-server that requires AUTH: the default user is the test's administrator
// (password kAclAdminPassword, everything allowed), and `wissel` has the documented ACL with
// `password`.
inline absl::StatusOr<RedisServerOptions> AclServerOptions(const std::string& source_dir,
                                                           const std::string& password) {
  absl::StatusOr<std::string> wissel = WisselAclLine(source_dir, password);
  if (!wissel.ok()) return wissel.status();
  RedisServerOptions options;
  options.acl_lines = {absl::StrCat("user default on >", kAclAdminPassword, " ~* &* +@all"),
                       *wissel};
  options.admin_password = kAclAdminPassword;
  return options;
}

}  // namespace wissel::testing
