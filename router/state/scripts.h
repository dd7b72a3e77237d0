// The Lua scripts that apply core::Effects to Redis, one per effect type.
//
// Each script first CHECKS the state the effect expects and then APPLIES it; Redis runs a
// script atomically, so two router replicas cannot both win the same contact or the same slot
// of a handler. All keys a script touches are passed in KEYS (all under the tenant's hash tag)
// and every key it writes gets its TTL refreshed. One exception: the idempotency key of a
// contact created before ids were derived from keys, whose name the contact scripts build from
// the contact hash's idem_key field (the key's digest) and KEYS[1]'s prefix to refresh its TTL
// together with the contact's; so it always carries the tenant's hash tag and is in the same
// cluster slot as KEYS[1]. The C++ side (RedisStateStore)
// encodes all values (names, times, history entries: contact_codec.h, handler_codec.h); the scripts
// only compare and copy strings, so they never depend on an enum's spelling.
//
// Every script returns a two-element array:
//   {"ok", ""}                      applied
//   {"precondition", <why>}         refused, nothing written
//   {"exists", <contact id>, <its state>}  (create only) the contact exists, nothing written
//   {"fenced", <current lease>}     the caller's lease on the tenant is gone, nothing written
//
// Fencing (several routers on one Redis, docs/adr/0005): every effect script is called with
// two more arguments than listed below, the tenant's owner key as the last of KEYS and the
// caller's lease ("" for none: no check) as the last of ARGV. The prelude removes both and
// refuses the call unless the owner key holds exactly that lease, so a router whose lease
// expired (paused, cut off) can never overwrite what the new owner decided.
//
// Events (event_codec.h): before the fence, every effect script gets the tenant's event stream
// as one more KEY and, as more ARGV, the stream's retention (ms) and TTL (s), "1" to copy the
// contact's queue, channel and topic from KEYS[1] into the event, the event's n field and value
// strings, and n. The prelude takes them off as well; WithPrelude() makes the script a function
// and appends the event (XADD, trimmed like the audit stream) only when it returned "ok", so a
// change and its event are written together or not at all. kAuditAppend gets n = 0 (no event).
//
// Common arguments of the contact scripts (2..8):
//   KEYS[1] contact hash   KEYS[2] history list   KEYS[3] live zset
//   KEYS[4] handler hash   KEYS[5] held hash      KEYS[6] handlers set   (when a handler is
//                                                                          involved)
//   ARGV[1] contact TTL (s)   ARGV[2] handler TTL (s)   ARGV[3] contact id   ARGV[4] handler id
// Held values are "channel|hold_state|wrap_up_deadline" (handler_codec.h).
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace wissel::state::scripts {

// Helpers the scripts share, defined in Lua:
//  refuse(why): the precondition reply.
//  touch(from, to, ttl): refreshes the TTL of KEYS[from..to] (EXPIRE on a missing key is a
//    no-op).
//  touch_contact(ttl): touch(1, 3, ttl), raises the TTL of the resident index keys
//    w:{T}:p:<pseudonym> of the hash's party and case_ref pseudonyms to ttl (EXPIRE GT), and, for
//    a hash written before ids were derived from keys, refreshes its idempotency key (T from
//    KEYS[1]): w:{T}:i:<idem_key> for an idem_key of 22 URL-safe base64 characters,
//    w:{T}:idem:<idem_key> for 64 hex digits, or idem_key itself when it is a whole key name
//    under the tenant's prefix. New hashes have no idem_key. These keys are built from KEYS[1]'s
//    prefix, so they carry the tenant's hash tag (the same cluster slot).
//  audit(key, retention_ms, ttl, fields): XADD of one entry to the audit stream `key`, trimming
//    (MINID ~) the entries older than retention_ms by the server's TIME, then EXPIRE ttl.
//  check_contact(cid, state, handler): HMGET of the contact's state, handler, channel and
//    declined; refuses unless it exists, is in `state` and (when `handler` is not nil) is held
//    by `handler`. A missing handler or declined field counts as "" (contact_codec.h).
extern const char kPrelude[];

// A script as sent to Redis: kPrelude, then `script` (one of the constants below) as the body of a
// function, then the append of the event when that function returned "ok".
std::string WithPrelude(absl::string_view script);

// ContactCreated. Checks: no contact with this id exists, else "exists" with it and its state
// for a contact with an idempotency key (its id was derived from the key: a retry) and
// "precondition" for one without; and the key's legacy names (redis_keys.h) are unused, else
// "exists" with the contact they name (state ""). Writes the hash (normally with h0: the first
// history entry) and the live entry (only for a live state: a contact created completed is
// not). The history list is not made here unless ARGV[5] is not empty (a first entry too long
// for h0): one key and three calls less for every contact, and none for the many that are
// closed at once. The idempotency key itself is not stored: the id stands for it.
//   KEYS: 1 contact, 2 history, 3 live, [4, 5 the idempotency key's two legacy names (read
//         only), when the contact has a key]
//   ARGV: 1 contact TTL, 2 contact id, 3 enqueued_at score, 4 "1" to add to live,
//         5 history entry for the list, or "", 6.. field value pairs of the hash
extern const char kContactCreated[];

// ContactOffered. Checks: the contact exists, is in state ARGV[5] (queued) on channel ARGV[8];
// the handler is signed in with presence ARGV[7] (available) and holds fewer contacts on the
// channel than its capacity for it. Writes state offered, handler, offer deadline; the held
// entry; the handler's last_offer_at.
//   ARGV: 5 queued, 6 offered, 7 available, 8 channel name, 9 channel index (1-based, in
//         core::kAllChannels order), 10 offer deadline, 11 hold state offered,
//         12 no wrap-up deadline, 13 time (last_offer_at), 14 history entry
extern const char kContactOffered[];

// OfferWithdrawn. Checks: the contact is in state ARGV[5] (offered) to this handler. Writes
// state queued, clears handler and offer deadline, adds the handler to `declined` when ARGV[8]
// is "1" (rejected / offer timeout), removes the held entry.
//   ARGV: 5 offered, 6 queued, 7 no offer deadline, 8 "1" to add to declined, 9 history entry
extern const char kOfferWithdrawn[];

// OfferAccepted. Checks: the contact is in state ARGV[5] (offered) to this handler. Writes state
// connected, clears the offer deadline, held entry -> connected.
//   ARGV: 5 offered, 6 connected, 7 no offer deadline, 8 hold state connected,
//         9 no wrap-up deadline, 10 history entry
extern const char kOfferAccepted[];

// ContactCompleted. Checks: the contact is in state ARGV[5] (connected) to this handler.
// Writes state completed, clears handler, removes it from live, held entry -> wrap-up with
// its deadline. With a survey quiet period ARGV[10] > 0 (the contact was sampled), sets
// w:{T}:kto:<party pseudonym> (NX, that TTL) and, when it was not set already (or the contact has
// no party pseudonym), appends a survey_triggered event (time ARGV[11]) after the completion's.
//   ARGV: 5 connected, 6 completed, 7 hold state wrap-up, 8 wrap-up deadline, 9 history entry,
//         10 survey quiet period (s, "0": none), 11 time
extern const char kContactCompleted[];

// WrapUpFinished. Checks: the handler holds the contact in state ARGV[5] (wrap-up). Removes the
// held entry; appends history when the contact still exists.
//   ARGV: 5 hold state wrap-up, 6 history entry
extern const char kWrapUpFinished[];

// ContactAbandoned. Checks: the contact is in state ARGV[5] (`previous`) and held by ARGV[4]
// ("" for none). Writes state abandoned, clears handler and offer deadline, removes it from
// live and, when a handler held it, the held entry.
//   KEYS: 1..3 as above, [4 handler, 5 held, 6 handlers: only when ARGV[4] is not empty]
//   ARGV: 5 previous state, 6 abandoned, 7 no offer deadline, 8 history entry
extern const char kContactAbandoned[];

// ContactTransferred. Checks: the contact is in state ARGV[5] (connected) to the from-handler
// ARGV[4]. Writes state queued in queue ARGV[8] with enqueued_at ARGV[9] (also its live
// score), clears handler, offer deadline and declined (as the core does), removes the held
// entry.
//   ARGV: 5 connected, 6 queued, 7 no offer deadline, 8 to queue, 9 enqueued_at,
//         10 history entry
extern const char kContactTransferred[];

// ContactUpdated. Checks: the contact exists and is in state ARGV[5] (queued). Overwrites the
// routing fields (contact_codec.h: EncodeRoutingFields), sets its live score to enqueued_at
// ARGV[6], appends the history entry.
//   KEYS: 1..3 as above   ARGV: 5 queued, 6 enqueued_at, 7 history entry, 8.. field value pairs
extern const char kContactUpdated[];

// ContactPersonSet. No checks. Prunes index members that expired before ARGV[6] (now). With a
// TTL ARGV[1] > 0 sets the mapping key (value ARGV[4], that TTL) and its index member ARGV[3]
// (score ARGV[5] = expires_at), and raises the index TTL to max(ARGV[1], ARGV[2]) unless it is
// already longer, so the index outlives every mapping in it and lives at least the handler
// retention. With ARGV[1] = 0 (expires_at not after now) deletes the mapping instead. With
// KEYS[3] (a mapping re-keyed in a pseudonym secret rotation) first deletes that old mapping key
// and its index member ARGV[7].
//   KEYS: 1 mapping key, 2 index zset, 3 optional: the replaced mapping key
//   ARGV: 1 mapping TTL (s), 2 handler TTL (s), 3 index member, 4 value, 5 expires_at score,
//         6 now score, 7 optional: the replaced index member
extern const char kContactPersonSet[];

// ResidentErased (AVG art. 17). Finds the contacts through the n resident index keys: those
// whose hash still names one of the pseudonyms as party or case_ref (an id may have been used
// again). Checks: none of them is live (state ARGV[3..5]), else "precondition" naming it and
// nothing is deleted. Deletes each one's hash and history, its live entry and a legacy
// idempotency key its idem_key names; their events in the tenant's event stream (scanned from
// the oldest one's creation, XDEL); every contact-person mapping of the pseudonyms (index
// members "<pseudonym>:*", found with ZSCAN, and their keys); the index keys. Then appends the
// audit entry (ARGV[7+n..], with fields contacts and mappings: the counts) in the same script.
// Returns {"ok", "<contacts>|<mappings>"}.
//   KEYS: 1 live, 2 contact-person index, 3 audit stream, 4..3+n resident index keys
//   ARGV: 1 audit retention (ms), 2 audit TTL (s), 3 queued, 4 offered, 5 connected, 6 n,
//         7..6+n the pseudonyms, 7+n.. audit field value pairs
extern const char kResidentErased[];

// Not an effect (not fenced: called with the owner key and "" as the fence): appends one audit
// entry.
//   KEYS: 1 audit stream   ARGV: 1 retention (ms), 2 TTL (s), 3.. field value pairs
extern const char kAuditAppend[];

// HandlerChanged. Signing out (ARGV[3] = "1"): checks the handler holds no contact, then
// deletes its hash and held hash and removes it from the handlers set. Otherwise upserts the
// hash fields (never `held`) and adds it to the handlers set.
//   KEYS: 1 handler, 2 held, 3 handlers set
//   ARGV: 1 handler TTL, 2 handler id, 3 "1" when signing out, 4.. field value pairs
extern const char kHandlerChanged[];

// The tenant lease (not an effect script: no prelude). Claims or renews the lease of router
// ARGV[1] (its address) with process nonce ARGV[2] for ARGV[3] ms; with ARGV[4] = "release"
// deletes it if that router holds it. A lease held by another nonce at the same address is
// taken over (that was this router's predecessor). The epoch counter KEYS[2] lives ARGV[5] s.
//   KEYS: 1 owner key, 2 epoch counter
//   Returns {"acquired"|"held", lease} when the caller holds it, {"other", lease} when another
//   router does, {"released", ""}.
extern const char kClaimLease[];

}  // namespace wissel::state::scripts
