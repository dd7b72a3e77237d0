// A tenant's pseudonym secrets: the current one and, during a rotation, the one it replaces.
//
// Rotating a pseudonym secret cannot recompute the stored pseudonyms: they are one-way, and the
// clear identifiers are never kept. So a rotation is a window (docs/security.md, "Rotation") in
// which both secrets match: new state is keyed with the current secret; a contact-person mapping
// found only under the previous one is re-keyed when its resident next makes contact (or when the
// case system sets it again); an erasure or an export covers both. Then the previous secret is
// dropped from the configuration.
//
// Contact ids (derived from idempotency keys) stay those of the previous secret during the
// window, so that a retry across the start of a rotation still names the contact it created.
//
// Immutable after Create; thread-safe like Pseudonymizer.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "router/privacy/pseudonymizer.h"

namespace wissel::privacy {

class PseudonymKeys {
 public:
  // `previous` empty: no rotation. InvalidArgument (naming "pseudonym secret" or "previous
  // pseudonym secret", never the secret) when a secret is too short or both are the same.
  static absl::StatusOr<PseudonymKeys> Create(std::string current, std::string previous);

  const Pseudonymizer& current() const { return current_; }
  // The secret being replaced; null outside a rotation.
  const Pseudonymizer* previous() const { return previous_ ? &*previous_ : nullptr; }
  // For contact ids: the previous secret during a rotation, else the current one.
  const Pseudonymizer& ids() const { return previous_ ? *previous_ : current_; }

 private:
  PseudonymKeys(Pseudonymizer current, std::optional<Pseudonymizer> previous)
      : current_(std::move(current)), previous_(std::move(previous)) {}

  Pseudonymizer current_;
  std::optional<Pseudonymizer> previous_;
};

}  // namespace wissel::privacy
