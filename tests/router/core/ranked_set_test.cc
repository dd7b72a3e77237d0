#include "router/core/ranked_set.h"

#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "router/core/node_recycler.h"

namespace wissel::core {
namespace {

TEST(RankedSetTest, CountsElementsBelowAKey) {
  RankedSet<int> s;
  for (int v : {50, 10, 40, 20, 30}) EXPECT_TRUE(s.insert(v).second);
  EXPECT_FALSE(s.insert(30).second);
  EXPECT_EQ(s.size(), 5u);
  EXPECT_EQ(std::vector<int>(s.begin(), s.end()), (std::vector<int>{10, 20, 30, 40, 50}));
  EXPECT_EQ(s.CountLess(5), 0u);
  EXPECT_EQ(s.CountLess(10), 0u);
  EXPECT_EQ(s.CountLess(11), 1u);
  EXPECT_EQ(s.CountLess(30), 2u);
  EXPECT_EQ(s.CountLess(99), 5u);
  EXPECT_EQ(s.erase(30), 1u);
  EXPECT_EQ(s.erase(30), 0u);
  EXPECT_EQ(s.CountLess(45), 3u);
  EXPECT_TRUE(s.Valid());
}

// Random inserts, erases, extracts and node reinserts against std::set: same elements in the
// same order, the same counts, and a valid tree (sizes, heights, balance) after every step.
TEST(RankedSetTest, MatchesStdSetUnderRandomOperations) {
  for (int seed : {1, 2, 3}) {
    std::mt19937 rng(seed);
    RankedSet<std::string> s;
    std::set<std::string> reference;
    NodeRecycler<RankedSet<std::string>> recycler;
    for (int step = 0; step < 4000; ++step) {
      // Keys with long shared prefixes, so strings are heap-allocated and reused.
      const std::string key = absl::StrCat("contact-key-", rng() % 300);
      switch (rng() % 4) {
        case 0:
          s.insert(key);
          reference.insert(key);
          break;
        case 1:
          recycler.Insert(s, key);
          reference.insert(key);
          break;
        case 2:
          EXPECT_EQ(s.erase(key), reference.erase(key));
          break;
        default:
          recycler.Erase(s, key);
          reference.erase(key);
          break;
      }
      ASSERT_TRUE(s.Valid()) << "seed " << seed << " step " << step;
      ASSERT_EQ(s.size(), reference.size());
      if (step % 50 == 0) {
        ASSERT_TRUE(std::equal(s.begin(), s.end(), reference.begin(), reference.end()));
      }
      const std::string probe = absl::StrCat("contact-key-", rng() % 300);
      ASSERT_EQ(s.CountLess(probe), static_cast<size_t>(std::distance(
                                        reference.begin(), reference.lower_bound(probe))));
      ASSERT_EQ(s.find(probe) != s.end(), reference.count(probe) == 1);
    }
  }
}

TEST(RankedSetTest, ExtractedNodeMovesToAnotherSet) {
  RankedSet<int> a;
  RankedSet<int> b;
  for (int v = 0; v < 100; ++v) a.insert(v);
  auto node = a.extract(a.find(0));
  EXPECT_EQ(node.value(), 0);
  EXPECT_EQ(*a.begin(), 1);
  node.value() = 7;
  auto r = b.insert(std::move(node));
  EXPECT_TRUE(r.inserted);
  EXPECT_EQ(*r.position, 7);
  // An equal key gives the node back.
  auto again = a.extract(a.find(7));
  auto refused = b.insert(std::move(again));
  EXPECT_FALSE(refused.inserted);
  EXPECT_FALSE(refused.node.empty());
  EXPECT_EQ(*refused.position, 7);
  // Moving a set keeps its elements and iterators.
  auto it = a.find(50);
  RankedSet<int> moved = std::move(a);
  EXPECT_EQ(*it, 50);
  EXPECT_EQ(moved.size(), 98u);
  EXPECT_EQ(moved.CountLess(50), 48u);  // 1..49 without 7
  EXPECT_TRUE(moved.Valid());
  EXPECT_TRUE(b.Valid());
}

}  // namespace
}  // namespace wissel::core
