// How contacts and their history are stored in Redis: hash fields and history list elements.
//
// A contact is the hash w:{T}:c:<id> (the id only in the key's name) with the fields
//   channel (core::ChannelName), topic, party (pseudonym),
//   created_at, offer_deadline (times: see EncodeTime), state (core::ContactStateName), handler,
//   declined (comma-joined handler ids), payload and p1, p2, ... (the opaque payload bytes, as
//   is, in chunks of kPayloadChunk bytes: payload holds the first, pN the (N+1)-th; a long
//   payload all in payload),
//   domain, needs (decimal NeedSet bits), digid (DigidLevelName), language, wants_person and
//   confidential ("1" or "0"), case_ref (case reference),
// the routing fields (EncodeRoutingFields; ContactUpdated overwrites exactly these)
//   queue, priority (decimal), enqueued_at, callback ("1"/"0"), escalation (decimal level),
//   min_proficiency (decimal), overflow (comma-joined queue names), required_skills
//   (comma-joined "skill:min_proficiency"), reserved_for (handler id), reserved_until,
// and h0, the first history entry (below).
// The idempotency key is not stored: the service derives a contact's id from it
// (request_validation.h), so a retry finds the contact's own hash. Hashes written before that
// hold `id`, `idem` (the key) and `idem_key` (the digest naming their idempotency key, which the
// scripts still keep alive with the contact); DecodeContact checks `id` against the key's name
// and reads `idem`.
// Lists are empty strings when empty; names in lists (queues, skills, handler ids) must pass
// keys::ValidId() (no ',' or ':'), which RedisStateStore checks before writing.
// A created contact's hash holds only the fields whose value differs from core::Contact's
// default (channel, created_at, state, queue and priority always; enqueued_at when it is
// not created_at, which is its default), so that a
// typical contact has about 20 short fields and Redis keeps it as a compact listpack (every
// value at most hash-max-listpack-value, 64 bytes by default); the scripts treat a missing
// handler or declined as "".
// A history entry is "time_us|state|handler|reason" (the reason may contain '|'). A contact's
// first entry is the hash field h0 when it fits a listpack value (kHistoryInHashMax), else the
// first element of the history list; the list w:{T}:c:<id>:h holds the entries after it and
// exists only once the contact changed (a separate key costs about 200 bytes of Redis memory,
// and most contacts are closed at once or never change while they wait). h0 is only the state's
// name when the entry is the plain "created" at created_at without a handler, as nearly all are.
//
// Decoding treats stored data as untrusted: anything malformed is a DataLoss status naming the
// field, never a crash. Unknown fields are ignored so that a newer writer does not break an
// older reader, and missing optional fields take the defaults of core::Contact, so that hashes
// written before a field existed, or without their default values, still decode. Pure
// functions, thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/core/contact.h"
#include "router/state/state_store.h"

namespace wissel::state {

// A hash as read (HGETALL) and as written (HSET field value ...).
using FieldMap = absl::flat_hash_map<std::string, std::string>;
using FieldList = std::vector<std::pair<std::string, std::string>>;

// Microseconds since the Unix epoch in decimal; "inf" for InfiniteFuture and "-inf" for
// InfinitePast (both also valid sorted-set scores).
std::string EncodeTime(absl::Time time);
std::optional<absl::Time> DecodeTime(absl::string_view text);

std::optional<core::ContactState> ParseContactState(absl::string_view name);
// Queued, offered or connected: the contact is in the tenant's live set.
bool IsLive(core::ContactState state);

// "none", "basis", "midden", "substantieel", "hoog".
absl::string_view DigidLevelName(core::DigidLevel level);
std::optional<core::DigidLevel> ParseDigidLevel(absl::string_view name);

// The payload's chunk size: Redis's default hash-max-listpack-value. A payload longer than
// kMaxPayloadChunks chunks is stored whole in `payload`: the hash would have more entries than
// Redis keeps in a listpack (hash-max-listpack-entries, 128 by default) anyway, and the create
// script's argument list stays short.
inline constexpr size_t kPayloadChunk = 64;
// The hash field with the first history entry, and the longest entry stored there.
inline constexpr absl::string_view kFirstHistoryField = "h0";
inline constexpr size_t kHistoryInHashMax = 64;
inline constexpr size_t kMaxPayloadChunks = 64;

// The fields of a new contact (without idem_key): the required ones and every other field whose
// value is not core::Contact's default (see above).
FieldList EncodeContact(const core::Contact& contact);
// Only the routing fields, all of them, defaults included: what changes while a contact waits
// (see above). ContactUpdated writes them all so that a value that went back to its default
// replaces the old one.
FieldList EncodeRoutingFields(const core::Contact& contact);
// The contact `id` (from the key's name). DataLoss when a required field (channel, queue,
// priority, created_at, state) is missing, a payload chunk is missing before another, an `id`
// field is not `id`, or any field is malformed.
absl::StatusOr<core::Contact> DecodeContact(absl::string_view id, const FieldMap& fields);

// The reason of a contact's first history entry when none more specific was given.
inline constexpr absl::string_view kCreatedReason = "created";

std::string EncodeHistoryEntry(const HistoryEntry& entry);
// DataLoss when malformed.
absl::StatusOr<HistoryEntry> DecodeHistoryEntry(absl::string_view text);
// The first entry (h0) of `contact`: its state's name alone for the plain kCreatedReason entry
// at created_at without a handler, else EncodeHistoryEntry. Decoding takes both forms (and the
// full form from hashes written before), with created_at from `contact`.
std::string EncodeFirstHistoryEntry(const core::Contact& contact, const HistoryEntry& entry);
absl::StatusOr<HistoryEntry> DecodeFirstHistoryEntry(const core::Contact& contact,
                                                     absl::string_view text);

}  // namespace wissel::state
