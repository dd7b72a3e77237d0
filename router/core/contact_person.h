// "Eén contactpersoon": who a resident's contact person is in a domain.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace wissel::core {

// (resident pseudonym, domain) -> handler, until `expires_at`. Set when a handler completes a
// contact marked "keep as contact person", or imported from the case system through the API.
struct ContactPersonMapping {
  std::string party_pseudonym;
  std::string domain;  // e.g. "sociaal_domein"
  std::string handler_id;
  absl::Time expires_at = absl::InfiniteFuture();
};

}  // namespace wissel::core
