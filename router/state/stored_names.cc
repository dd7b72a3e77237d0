#include "router/state/stored_names.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "router/state/redis_keys.h"

namespace wissel::state {

absl::Status CheckTenant(absl::string_view tenant) {
  if (keys::ValidTenant(tenant)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("tenant: '", tenant, "' is not [a-z0-9-]+"));
}

absl::Status CheckId(absl::string_view field, absl::string_view id) {
  if (keys::ValidId(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": '", id, "' is empty or contains whitespace or one of \":,|{}\""));
}

absl::Status CheckContactNames(const core::Contact& c) {
  WISSEL_RETURN_IF_ERROR(CheckId("contact_id", c.id));
  if (!c.handler_id.empty()) WISSEL_RETURN_IF_ERROR(CheckId("handler_id", c.handler_id));
  if (!c.reserved_for.empty()) WISSEL_RETURN_IF_ERROR(CheckId("reserved_for", c.reserved_for));
  for (const std::string& h : c.declined_by) WISSEL_RETURN_IF_ERROR(CheckId("declined_by", h));
  for (const std::string& q : c.overflow_queues) {
    WISSEL_RETURN_IF_ERROR(CheckId("overflow_queues", q));
  }
  for (const core::SkillRequirement& r : c.required_skills) {
    WISSEL_RETURN_IF_ERROR(CheckId("required_skills", r.skill));
  }
  return absl::OkStatus();
}

}  // namespace wissel::state
