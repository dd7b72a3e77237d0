// Skills and proficiency: what a handler can do and how well (1..5).
#pragma once

#include <string>

namespace wissel::core {

inline constexpr int kMinProficiency = 1;
inline constexpr int kMaxProficiency = 5;

// A skill and the lowest proficiency (1..5) that will do.
struct SkillRequirement {
  std::string skill;
  int min_proficiency = kMinProficiency;
  bool operator==(const SkillRequirement&) const = default;
};

}  // namespace wissel::core
