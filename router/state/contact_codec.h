// How contacts and their history are stored in Redis: hash fields and history list elements.
//
// A contact is the hash w:{T}:c:<id> with the fields
//   id, channel (core::ChannelName), topic, idem (idempotency key), party (pseudonym),
//   created_at, offer_deadline (times: see EncodeTime), state (core::ContactStateName), handler,
//   declined (comma-joined handler ids), payload (opaque bytes, stored as is),
//   domain, needs (decimal NeedSet bits), digid (DigidLevelName), language, wants_person and
//   confidential ("1" or "0"), case_ref (case reference),
// the routing fields (EncodeRoutingFields; ContactUpdated overwrites exactly these)
//   queue, priority (decimal), enqueued_at, callback ("1"/"0"), escalation (decimal level),
//   min_proficiency (decimal), overflow (comma-joined queue names), required_skills
//   (comma-joined "skill:min_proficiency"), reserved_for (handler id), reserved_until,
// and, written by the store (redis_state_store.h), idem_key: the Redis key of the idempotency
// key, so that the scripts refresh its TTL with the contact's.
// Lists are empty strings when empty; names in lists (queues, skills, handler ids) must pass
// keys::ValidId() (no ',' or ':'), which RedisStateStore checks before writing.
// A history entry is "time_us|state|handler|reason" (the reason may contain '|').
//
// Decoding treats stored data as untrusted: anything malformed is a DataLoss status naming the
// field, never a crash. Unknown fields are ignored so that a newer writer does not break an
// older reader, and missing optional fields take the defaults of core::Contact, so that hashes
// written before a field existed still decode. Pure functions, thread-safe.
#pragma once

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

// Every field of the contact (without idem_key).
FieldList EncodeContact(const core::Contact& contact);
// Only the routing fields: what changes while a contact waits (see above).
FieldList EncodeRoutingFields(const core::Contact& contact);
// DataLoss when a required field (id, channel, queue, priority, created_at, enqueued_at, state)
// is missing or any field is malformed.
absl::StatusOr<core::Contact> DecodeContact(const FieldMap& fields);

std::string EncodeHistoryEntry(const HistoryEntry& entry);
// DataLoss when malformed.
absl::StatusOr<HistoryEntry> DecodeHistoryEntry(absl::string_view text);

}  // namespace wissel::state
