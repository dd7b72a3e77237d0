// BoundedDirectory: tenants apart, least recently used forgotten first, Insert keeps the first.
#include "adapters/common/bounded_directory.h"

#include <string>

#include "base/bearer_token.h"
#include "gtest/gtest.h"

namespace wissel::adapters {
namespace {

struct Entry {
  std::string contact_id;
  base::TokenDigest token;
};

TEST(BoundedDirectoryTest, RemembersAndForgets) {
  BoundedDirectory<Entry> directory(10);
  directory.Put("t", "s1", {"c-1"});
  ASSERT_TRUE(directory.Find("t", "s1").has_value());
  EXPECT_EQ(directory.Find("t", "s1")->contact_id, "c-1");
  EXPECT_FALSE(directory.Find("u", "s1").has_value());  // tenants apart
  directory.Erase("t", "s1");
  EXPECT_FALSE(directory.Find("t", "s1").has_value());
}

TEST(BoundedDirectoryTest, BoundedLeastRecentlyUsedGoesFirst) {
  BoundedDirectory<Entry> directory(2);
  directory.Put("t", "a", {"c-a"});
  directory.Put("t", "b", {"c-b"});
  EXPECT_TRUE(directory.Find("t", "a").has_value());  // a is now the most recent
  directory.Put("t", "c", {"c-c"});
  EXPECT_EQ(directory.size(), 2u);
  EXPECT_TRUE(directory.Find("t", "a").has_value());
  EXPECT_FALSE(directory.Find("t", "b").has_value());
  EXPECT_TRUE(directory.Find("t", "c").has_value());
  directory.Put("t", "c", {"c-c2"});  // refresh, no growth
  EXPECT_EQ(directory.size(), 2u);
  EXPECT_EQ(directory.Find("t", "c")->contact_id, "c-c2");
  EXPECT_TRUE(directory.Insert("t", "d", {"c-d"}));  // Insert makes room the same way
  EXPECT_EQ(directory.size(), 2u);
  EXPECT_FALSE(directory.Find("t", "a").has_value());
}

TEST(BoundedDirectoryTest, InsertKeepsTheFirstToken) {
  BoundedDirectory<Entry> directory(10);
  EXPECT_TRUE(directory.Insert("t", "s1", {"c-1", base::DigestOf("first-token")}));
  EXPECT_FALSE(directory.Insert("t", "s1", {"c-1", base::DigestOf("second-token")}));
  ASSERT_TRUE(directory.Find("t", "s1").has_value());
  EXPECT_TRUE(base::TokenMatches(directory.Find("t", "s1")->token, "first-token"));
  EXPECT_FALSE(base::TokenMatches(directory.Find("t", "s1")->token, "second-token"));
  EXPECT_EQ(directory.size(), 1u);
}

TEST(BoundedDirectoryTest, ZeroCapacityStillKeepsOne) {
  BoundedDirectory<Entry> directory(0);
  directory.Put("t", "a", {"c-a"});
  EXPECT_TRUE(directory.Find("t", "a").has_value());
}

}  // namespace
}  // namespace wissel::adapters
