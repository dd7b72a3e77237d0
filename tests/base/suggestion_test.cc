// "Did you mean": edit distance, the closest candidate within two edits, and the message endings.
#include "base/suggestion.h"

#include <vector>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace wissel::base {
namespace {

TEST(EditDistanceTest, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", "abc"), 0u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("queus", "queues"), 1u);    // insertion
  EXPECT_EQ(EditDistance("tenantt", "tenant"), 1u);  // deletion
  EXPECT_EQ(EditDistance("phone", "phane"), 1u);     // substitution
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("ab", "ba"), 2u);  // no transpositions
}

TEST(ClosestCandidateTest, SuggestsOnlyWithinTwoEditsAndPrefersTheFirstOnATie) {
  const std::vector<absl::string_view> keys = {"host", "port", "sentinel"};
  EXPECT_EQ(ClosestCandidate("hots", keys), "host");
  EXPECT_EQ(ClosestCandidate("sentinal", keys), "sentinel");
  EXPECT_EQ(ClosestCandidate("database", keys), "");
  EXPECT_EQ(ClosestCandidate("post", keys), "host");  // host and port are both 1 away
  EXPECT_EQ(ClosestCandidate("x", {}), "");
}

TEST(DidYouMeanTest, WordsTheSuggestionOrTheList) {
  const std::vector<absl::string_view> channels = {"phone", "chat", "email"};
  EXPECT_EQ(DidYouMean("phon", channels), "; did you mean 'phone'?");
  EXPECT_EQ(DidYouMean("telefoon", channels), "");
  EXPECT_EQ(DidYouMeanOrList("chta", channels), "; did you mean 'chat'?");
  EXPECT_EQ(DidYouMeanOrList("telefoon", channels), "; expected one of: phone, chat, email");
}

}  // namespace
}  // namespace wissel::base
