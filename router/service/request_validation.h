// Validation of API requests at the boundary, before anything reaches the core or the store.
//
// Every error is InvalidArgument with a message that starts with the field path
// ("contact.party.bsn: ...") and never repeats a personal identifier. Personal identifiers
// leave this file only as keyed pseudonyms.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/core/router.h"
#include "router/privacy/pseudonymizer.h"
#include "router/service/attribute_policy.h"
#include "wissel/v1/contact.pb.h"
#include "wissel/v1/handler_service.pb.h"

namespace wissel::service {

// Limits on request fields, in bytes or entries.
inline constexpr size_t kMaxIdLength = 64;
inline constexpr size_t kMaxIdempotencyKeyLength = 128;
inline constexpr size_t kMaxAttributes = 32;
inline constexpr size_t kMaxAttributeKeyLength = 64;
inline constexpr size_t kMaxSkills = 64;

// An identifier (tenant, topic, handler, queue, contact id, skill): 1..kMaxIdLength bytes of
// [A-Za-z0-9._@-].
absl::Status ValidateIdentifier(absl::string_view field, absl::string_view value);

// Checks every field of `contact` (except whether the topic is in the catalogue, which the
// core knows) and returns what the core routes, with the ContactRecord payload to store.
// Attributes are checked against the tenant's `attributes` list (AttributePolicy::Apply): the
// payload holds personal ones only encrypted, and NewContact::attributes (what the rules read)
// holds only the non-personal ones. During a rotation of the tenant's pseudonym secret,
// `previous` (the secret being replaced) gives NewContact's previous_* pseudonyms too.
absl::StatusOr<core::NewContact> PrepareContact(const v1::Contact& contact,
                                                const privacy::Pseudonymizer& pseudonymizer,
                                                const AttributePolicy& attributes,
                                                std::string contact_id, absl::Time now,
                                                const privacy::Pseudonymizer* previous = nullptr);

// The keyed pseudonyms naming one resident (or case) in an operator request (EraseResident,
// ExportResident): the party's, validated, normalised and pseudonymised exactly as
// PrepareContact does a contact's party, and the case reference's, as PrepareContact does a
// contact's. InvalidArgument naming the field ("party.bsn: ...", "case_reference: ..."), or
// "party: a resident or case_reference is required" when neither is given. Never repeats a
// clear value; keeps none. With `previous` (a rotation), the pseudonyms under the secret being
// replaced follow the current ones.
absl::StatusOr<std::vector<std::string>> ResidentPseudonyms(
    const v1::Party& party, const std::string& case_reference,
    const privacy::Pseudonymizer& pseudonymizer, const privacy::Pseudonymizer* previous = nullptr);

// Checks a sign-in and returns what the core takes.
absl::StatusOr<core::HandlerSignIn> PrepareSignIn(const v1::Handler& handler);

// Length of a contact id: short enough for the small-string buffer, so copying an id on the
// routing path never allocates.
inline constexpr size_t kContactIdLength = 15;

// The id of the contact created with `idempotency_key`: kContactIdLength base-62 characters of
// the tenant's keyed digest of the key (Pseudonymizer::Digest, purpose "contact-id"). A retry
// with the same key gets the same id on every router of the tenant, so the contact's own hash
// is what makes a create idempotent and the store keeps no key -> id mapping; without the
// tenant's secret the id cannot be guessed from the key. During a rotation the ids stay those of
// the secret being replaced (PseudonymKeys::ids), so only a retry straddling the end of the
// window, when that secret is dropped, makes a second contact.
std::string ContactIdForIdempotencyKey(const privacy::Pseudonymizer& pseudonymizer,
                                       absl::string_view idempotency_key);

}  // namespace wissel::service
