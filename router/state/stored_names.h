// The checks a store makes on the tenant ids, ids and names an effect would store, before it
// writes anything: both StateStore implementations (Redis, and the in-memory fake of the tests)
// refuse the same input with the same InvalidArgument. Plain functions; thread-safe.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "router/core/contact.h"

namespace wissel::state {

// InvalidArgument "tenant: '...' is not [a-z0-9-]+" unless keys::ValidTenant(tenant).
absl::Status CheckTenant(absl::string_view tenant);

// InvalidArgument naming `field` unless keys::ValidId(id).
absl::Status CheckId(absl::string_view field, absl::string_view id);

// The ids and names a contact's hash stores in lists or as references (contact_codec.h).
absl::Status CheckContactNames(const core::Contact& c);

}  // namespace wissel::state
