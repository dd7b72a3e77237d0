#include "base/suggestion.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace wissel::base {

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

absl::string_view ClosestCandidate(absl::string_view word,
                                   absl::Span<const absl::string_view> candidates) {
  absl::string_view best;
  size_t best_distance = 3;  // suggest only close matches
  for (absl::string_view candidate : candidates) {
    const size_t d = EditDistance(word, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

std::string DidYouMean(absl::string_view word, absl::Span<const absl::string_view> candidates) {
  const absl::string_view best = ClosestCandidate(word, candidates);
  if (best.empty()) return "";
  return absl::StrCat("; did you mean '", best, "'?");
}

std::string DidYouMeanOrList(absl::string_view word,
                             absl::Span<const absl::string_view> candidates) {
  std::string suggestion = DidYouMean(word, candidates);
  if (!suggestion.empty()) return suggestion;
  return absl::StrCat("; expected one of: ", absl::StrJoin(candidates, ", "));
}

}  // namespace wissel::base
