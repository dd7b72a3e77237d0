#include "router/privacy/pseudonym_keys.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace wissel::privacy {

absl::StatusOr<PseudonymKeys> PseudonymKeys::Create(std::string current, std::string previous) {
  if (!previous.empty() && previous == current) {
    return absl::InvalidArgumentError(
        "previous pseudonym secret: the same as the current one; a rotation needs a new secret");
  }
  absl::StatusOr<Pseudonymizer> now = Pseudonymizer::Create(std::move(current));
  if (!now.ok()) return now.status();
  if (previous.empty()) return PseudonymKeys(*std::move(now), std::nullopt);
  absl::StatusOr<Pseudonymizer> before = Pseudonymizer::Create(std::move(previous));
  if (!before.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("previous pseudonym secret: ", before.status().message()));
  }
  return PseudonymKeys(*std::move(now), *std::move(before));
}

}  // namespace wissel::privacy
