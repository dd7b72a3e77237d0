// "Did you mean" suggestions for a mistyped name: the edit distance between two words and the
// closest of a set of candidates, with the message endings the config loaders and the rule
// condition compiler append to their "unknown ..." errors.
//
// Plain functions, no state; thread-safe. No I/O, so the routing core may use them.
#pragma once

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace wissel::base {

// The Levenshtein distance: the number of single-character insertions, deletions and
// substitutions that turn `a` into `b`. Quadratic in the lengths; meant for short names.
size_t EditDistance(absl::string_view a, absl::string_view b);

// The candidate closest to `word` that is at most 2 edits away (the first one on a tie), or an
// empty view when none is that close. Only close matches are suggested: a far one misleads.
absl::string_view ClosestCandidate(absl::string_view word,
                                   absl::Span<const absl::string_view> candidates);

// "; did you mean 'x'?" for the closest candidate, or "" when none is close.
std::string DidYouMean(absl::string_view word, absl::Span<const absl::string_view> candidates);

// "; did you mean 'x'?" for the closest candidate, else "; expected one of: a, b, c" listing
// every candidate in the given order.
std::string DidYouMeanOrList(absl::string_view word,
                             absl::Span<const absl::string_view> candidates);

}  // namespace wissel::base
