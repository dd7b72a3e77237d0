// Who may look: the supervisors' token digests (parsing, constant-time lookup), the login
// sessions (expiry with a fake clock, logout, a bounded number), and the session cookie.
#include <set>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/bearer_token.h"
#include "dashboard/http_cookie.h"
#include "dashboard/login_sessions.h"
#include "dashboard/supervisor_tokens.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::dashboard {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Hex(absl::string_view token) {
  const base::TokenDigest d = base::DigestOf(token);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(d.bytes.data()), d.bytes.size()));
}

TEST(SupervisorTokensTest, ParsesLinesCommasAndComments) {
  const std::string text = absl::StrCat(
      "# team leads\n", "teamleider-bz=", Hex("token-one-0123456789"), "  # burgerzaken\n\n",
      " teamleider.wmo@wisseloord = ", Hex("token-two-0123456789"),
      " , kcc=", absl::AsciiStrToUpper(Hex("token-three-01234567")), "\n");
  absl::StatusOr<SupervisorTokens> tokens = SupervisorTokens::Parse(text, "tokens.txt");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->size(), 3u);
  EXPECT_EQ(tokens->Find("token-one-0123456789"), "teamleider-bz");
  EXPECT_EQ(tokens->Find("token-two-0123456789"), "teamleider.wmo@wisseloord");
  EXPECT_EQ(tokens->Find("token-three-01234567"), "kcc");
  EXPECT_EQ(tokens->Find("token-one-012345678"), std::nullopt);
  EXPECT_EQ(tokens->Find(""), std::nullopt);
  EXPECT_EQ(tokens->Find(Hex("token-one-0123456789")), std::nullopt);  // the digest is no token
}

TEST(SupervisorTokensTest, RefusesWhatCannotBeRight) {
  const std::string one = Hex("token-one-0123456789");
  const std::string two = Hex("token-two-0123456789");
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"", "lists no supervisor"},
      {"# nobody\n", "lists no supervisor"},
      {one, "entry 1: is not NAME=SHA256HEX"},
      {absl::StrCat("=", one), "entry 1: the name must be"},
      {absl::StrCat("team lead=", one), "entry 1: the name must be"},
      {absl::StrCat(std::string(65, 'a'), "=", one), "the name must be"},
      {"a=abc", "entry 1 (a): the digest must be the 64 hex digits"},
      {absl::StrCat("a=", one.substr(1), "g"), "the digest must be"},
      {absl::StrCat("a=", one, "\nb=", one), "entry 2 (b): has the same token as a"},
      {absl::StrCat("a=", one, ",a=", two), "entry 2: a is listed twice"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<SupervisorTokens> tokens = SupervisorTokens::Parse(c.text, "list");
    ASSERT_FALSE(tokens.ok()) << c.text;
    EXPECT_EQ(tokens.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(tokens.status().message(), HasSubstr(c.error)) << c.text;
    EXPECT_THAT(tokens.status().message(), HasSubstr("list"));
    // Never a digest in a message.
    EXPECT_THAT(tokens.status().message(), Not(HasSubstr(one.substr(0, 16))));
  }
}

TEST(LoginSessionsTest, OpenFindCloseAndExpire) {
  absl::Time now = absl::FromUnixSeconds(1778573703);
  LoginSessions sessions(10, absl::Hours(12), [&now] { return now; });
  absl::StatusOr<std::string> a = sessions.Open("teamleider-bz");
  absl::StatusOr<std::string> b = sessions.Open("kcc");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 43u);  // 256 bits, base64url
  EXPECT_NE(*a, *b);
  EXPECT_EQ(sessions.Find(*a), "teamleider-bz");
  EXPECT_EQ(sessions.Find(*b), "kcc");
  EXPECT_EQ(sessions.Find(""), std::nullopt);
  EXPECT_EQ(sessions.Find("teamleider-bz"), std::nullopt);
  sessions.Close(*b);
  EXPECT_EQ(sessions.Find(*b), std::nullopt);
  now += absl::Hours(12) - absl::Seconds(1);
  EXPECT_EQ(sessions.Find(*a), "teamleider-bz");
  now += absl::Seconds(1);
  EXPECT_EQ(sessions.Find(*a), std::nullopt);
  sessions.Close("never-opened");  // harmless
}

TEST(LoginSessionsTest, AtMostCapacityTheLeastRecentlyUsedEndsFirst) {
  LoginSessions sessions(2, absl::Hours(1));
  const std::string a = *sessions.Open("a");
  const std::string b = *sessions.Open("b");
  EXPECT_EQ(sessions.Find(a), "a");  // a is now the most recent
  const std::string c = *sessions.Open("c");
  EXPECT_EQ(sessions.Find(b), std::nullopt);
  EXPECT_EQ(sessions.Find(a), "a");
  EXPECT_EQ(sessions.Find(c), "c");
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.insert(*sessions.Open("x"));
  EXPECT_EQ(ids.size(), 100u);
}

TEST(HttpCookieTest, FindsTheNamedCookie) {
  EXPECT_EQ(CookieValue("a=1; b=2", "b"), "2");
  EXPECT_EQ(CookieValue("a=1;b=2;c=3", "a"), "1");
  EXPECT_EQ(CookieValue("__Host-x=abc-_9", "__Host-x"), "abc-_9");
  EXPECT_EQ(CookieValue("x=\"quoted\"", "x"), "quoted");
  EXPECT_EQ(CookieValue("x=1; x=2", "x"), "1");
  EXPECT_EQ(CookieValue("xx=1; x", "x"), std::nullopt);
  EXPECT_EQ(CookieValue("", "x"), std::nullopt);
  EXPECT_EQ(CookieValue("x=", "x"), "");
  EXPECT_EQ(CookieValue("ax=1", "x"), std::nullopt);
}

TEST(HttpCookieTest, SessionCookieIsHttpOnlySecureStrict) {
  EXPECT_EQ(SessionCookie("__Host-s", "abc", absl::Hours(12)),
            "__Host-s=abc; Path=/; Max-Age=43200; HttpOnly; Secure; SameSite=Strict");
  EXPECT_EQ(ExpiredCookie("__Host-s"),
            "__Host-s=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
}

}  // namespace
}  // namespace wissel::dashboard
