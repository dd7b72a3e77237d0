// QueuedRecord: the router's record of a routed contact that queued, as the record floor writes
// it (wissel-floor --contact_record) and store_write_benchmark measures it: the contact's fields
// from the request, a 64-digit party pseudonym and a payload of the size wissel-load's contacts
// produce once their decision is in it, so that Redis stores what it stores for wisseld.
#pragma once

#include "router/core/contact.h"
#include "wissel/v1/contact.pb.h"

namespace wissel::floor {

// The record of `contact` as a phone contact, queued now in the queue named after its topic. Its
// id is a digest of the idempotency key (ids may not hold ':' and the like; a digest always is a
// valid one).
core::Contact QueuedRecord(const v1::Contact& contact);

}  // namespace wissel::floor
