#include "router/state/contact_person_codec.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "router/state/contact_codec.h"
#include "router/state/redis_keys.h"

namespace wissel::state {

std::string ContactPersonMember(absl::string_view pseudonym, absl::string_view domain) {
  return absl::StrCat(pseudonym, ":", domain);
}

std::string EncodeContactPerson(const core::ContactPersonMapping& mapping) {
  return absl::StrCat(mapping.handler_id, "|", EncodeTime(mapping.expires_at));
}

absl::StatusOr<core::ContactPersonMapping> DecodeContactPerson(absl::string_view member,
                                                               absl::string_view value) {
  const std::vector<absl::string_view> key = absl::StrSplit(member, ':');
  const std::vector<absl::string_view> parts = absl::StrSplit(value, '|');
  // The pseudonym is not echoed: a malformed one might be a clear identifier.
  if (key.size() != 2 || !keys::ValidPseudonym(key[0]) || !keys::ValidId(key[1])) {
    return absl::DataLossError("stored contact person: malformed index member");
  }
  std::optional<absl::Time> expires_at;
  if (parts.size() == 2) expires_at = DecodeTime(parts[1]);
  if (parts.size() != 2 || !keys::ValidId(parts[0]) || !expires_at) {
    return absl::DataLossError(absl::StrCat("stored contact person in domain '", key[1],
                                            "': malformed value '", value, "'"));
  }
  core::ContactPersonMapping mapping;
  mapping.party_pseudonym = std::string(key[0]);
  mapping.domain = std::string(key[1]);
  mapping.handler_id = std::string(parts[0]);
  mapping.expires_at = *expires_at;
  return mapping;
}

}  // namespace wissel::state
