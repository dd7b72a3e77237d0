// The Redis key schema of the state layer.
//
// Everything of a tenant lives under the hash tag `{tenant}`, so that all keys one script
// touches hash to the same Redis Cluster slot:
//
//   w:{T}:c:<contact_id>         hash    the contact (fields: see contact_codec.h)
//   w:{T}:c:<contact_id>:h       list    its history, one HistoryEntry per element
//   w:{T}:live                   zset    live contact ids, score = enqueued_at (µs)
//   w:{T}:i:<digest>             string  idempotency key -> contact id, and its older name
//   w:{T}:idem:<sha256 hex>              w:{T}:idem:<hex>: written by routers before contact ids
//                                        were derived from the key (request_validation.h); read
//                                        only, until they expire with their contacts
//   w:{T}:h:<handler_id>         hash    the handler (fields: see handler_codec.h)
//   w:{T}:h:<handler_id>:held    hash    contacts it holds: contact id -> held value
//   w:{T}:handlers               set     ids of signed-in handlers
//   w:{T}:cp:<pseudonym>:<domain>  string  contact person of a resident in a domain:
//                                          "handler|expires_at" (contact_person_codec.h)
//   w:{T}:cps                    zset    index of the contact persons: "<pseudonym>:<domain>",
//                                        score = expires_at (µs)
//   w:{T}:p:<pseudonym>          set     the resident index (AVG art. 15 and 17): ids of the
//                                        contacts whose party or case pseudonym this is; written
//                                        by the create script, expiring with the contacts (every
//                                        script that refreshes a contact's TTL refreshes its
//                                        index keys too), deleted by the erasure
//   w:{T}:audit                  stream  the tenant's audit log (audit.h): one entry per
//                                        operator action, configuration reload, contact-person
//                                        change, erasure and supervisor read; trimmed to the
//                                        tenant's audit_retention (XADD MINID ~), and the key
//                                        expires audit_retention after the last entry
//   w:{T}:events                 stream  the tenant's events (event_codec.h): one entry per
//                                        applied effect, written by the effect's script;
//                                        trimmed to the tenant's event_retention (XADD MINID ~),
//                                        and the key expires event_retention after the last one
//   w:{T}:kto:<pseudonym>        string  the resident had a satisfaction survey; TTL = the
//                                        tenant's surveys.quiet_period (ContactCompleted);
//                                        deleted by the erasure
//   w:{T}:owner                  string  the tenant's lease: "<epoch>|<nonce>|<address>" of the
//                                        router that may write the tenant (TTL = the lease)
//   w:{T}:epoch                  counter how many times the lease was taken (monotonic)
//
// Tenant ids must match [a-z0-9-]+; contact and handler ids and domains must pass ValidId() so
// that no key of one kind can equal a key of another kind. A contact-person key holds nothing
// but the resident's pseudonym (ValidPseudonym()), never a clear identifier; nor does the name
// of a resident index key. Pure functions, thread-safe.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace wissel::state::keys {

// [a-z0-9-]+, at most 64 characters.
bool ValidTenant(absl::string_view tenant);
// Non-empty, at most 256 bytes, printable ASCII without space and without the separators
// ':' ',' '|' '{' '}'.
bool ValidId(absl::string_view id);
// Exactly 64 lower-case hex digits: a keyed pseudonym (HMAC-SHA256, router/privacy).
bool ValidPseudonym(absl::string_view pseudonym);

std::string Contact(absl::string_view tenant, absl::string_view contact_id);
std::string History(absl::string_view tenant, absl::string_view contact_id);
std::string Live(absl::string_view tenant);
// The names under which routers before derived contact ids kept an idempotency key. Still read
// (create script, StateStore::FindByIdempotencyKey), so that a retry across an upgrade finds its
// contact; written no more.
// w:{T}:i:<IdempotencyDigest>: the first 128 bits of the key's SHA-256, URL-safe base64 without
// padding (22 characters; such a hash's idem_key field holds the digest).
std::string Idempotency(absl::string_view tenant, absl::string_view idempotency_key);
std::string IdempotencyDigest(absl::string_view idempotency_key);
// w:{T}:idem:<SHA-256 in lower-case hex>: the name before the short digest.
std::string LegacyIdempotency(absl::string_view tenant, absl::string_view idempotency_key);
// Both names and the digest, from one hash of the key.
struct IdempotencyNames {
  std::string digest;
  std::string key;
  std::string legacy_key;
};
IdempotencyNames IdempotencyKeys(absl::string_view tenant, absl::string_view idempotency_key);
std::string Handler(absl::string_view tenant, absl::string_view handler_id);
std::string Held(absl::string_view tenant, absl::string_view handler_id);
std::string Handlers(absl::string_view tenant);
// `pseudonym` must pass ValidPseudonym() and `domain` ValidId().
std::string ContactPerson(absl::string_view tenant, absl::string_view pseudonym,
                          absl::string_view domain);
std::string ContactPersons(absl::string_view tenant);
// w:{T}:p:<pseudonym>; `pseudonym` must pass ValidPseudonym().
std::string ResidentIndex(absl::string_view tenant, absl::string_view pseudonym);
std::string Audit(absl::string_view tenant);
std::string Events(absl::string_view tenant);
std::string Owner(absl::string_view tenant);
std::string OwnerEpoch(absl::string_view tenant);

}  // namespace wissel::state::keys
