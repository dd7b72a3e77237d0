#include "adapters/chat/session_directory.h"

#include "gtest/gtest.h"

namespace wissel::adapters::chat {
namespace {

TEST(SessionDirectoryTest, RemembersAndForgets) {
  SessionDirectory sessions(10);
  sessions.Put("t", "s1", {"c-1", "paspoort"});
  ASSERT_TRUE(sessions.Find("t", "s1").has_value());
  EXPECT_EQ(sessions.Find("t", "s1")->contact_id, "c-1");
  EXPECT_FALSE(sessions.Find("u", "s1").has_value());  // tenants apart
  sessions.Erase("t", "s1");
  EXPECT_FALSE(sessions.Find("t", "s1").has_value());
}

TEST(SessionDirectoryTest, BoundedLeastRecentlyUsedGoesFirst) {
  SessionDirectory sessions(2);
  sessions.Put("t", "a", {"c-a", ""});
  sessions.Put("t", "b", {"c-b", ""});
  EXPECT_TRUE(sessions.Find("t", "a").has_value());  // a is now the most recent
  sessions.Put("t", "c", {"c-c", ""});
  EXPECT_EQ(sessions.size(), 2u);
  EXPECT_TRUE(sessions.Find("t", "a").has_value());
  EXPECT_FALSE(sessions.Find("t", "b").has_value());
  EXPECT_TRUE(sessions.Find("t", "c").has_value());
  sessions.Put("t", "c", {"c-c2", ""});  // refresh, no growth
  EXPECT_EQ(sessions.size(), 2u);
  EXPECT_EQ(sessions.Find("t", "c")->contact_id, "c-c2");
}

TEST(SessionDirectoryTest, InsertKeepsTheFirstToken) {
  SessionDirectory sessions(10);
  EXPECT_TRUE(sessions.Insert("t", "s1", {"c-1", "paspoort", DigestOf("first-token")}));
  EXPECT_FALSE(sessions.Insert("t", "s1", {"c-1", "paspoort", DigestOf("second-token")}));
  ASSERT_TRUE(sessions.Find("t", "s1").has_value());
  EXPECT_TRUE(TokenMatches(sessions.Find("t", "s1")->token, "first-token"));
  EXPECT_FALSE(TokenMatches(sessions.Find("t", "s1")->token, "second-token"));
  EXPECT_EQ(sessions.size(), 1u);
}

}  // namespace
}  // namespace wissel::adapters::chat
