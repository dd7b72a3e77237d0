#include "benchmarks/floor/queued_record.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace wissel::floor {

core::Contact QueuedRecord(const v1::Contact& contact) {
  core::Contact c;
  c.id = absl::StrCat("f", absl::Hex(absl::HashOf(contact.idempotency_key()), absl::kZeroPad16));
  c.channel = core::Channel::kPhone;
  c.topic = contact.topic();
  c.queue = contact.topic();
  c.priority = contact.priority();
  c.party_pseudonym = std::string(64, 'a');
  c.created_at = absl::Now();
  c.enqueued_at = c.created_at;
  // The request and its decision: about 320 bytes for wissel-load's contacts.
  std::string payload = contact.SerializeAsString();
  payload.resize(std::max<size_t>(payload.size(), 320), 'p');
  c.payload = std::move(payload);
  c.domain = "algemeen";
  c.digid = core::DigidLevel::kMidden;
  c.language = contact.language().empty() ? "nl" : contact.language();
  return c;
}

}  // namespace wissel::floor
