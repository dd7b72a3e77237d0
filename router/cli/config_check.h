// `wisselctl config check FILE` (alias `wisselctl rules check FILE`): loads a router
// configuration exactly as the daemon does — schema, TenantConfig::Validate and the rule
// compiler — without contacting a router, and reports the result for an operator or a CI job.
//
// Pseudonym secrets are not required (config::LoadOptions::require_secrets = false): a check
// on a workstation or in CI must not need the production secrets. A missing one is a warning.
//
// Thread-safety: RunConfigCheck reads the files and the process environment and writes to the
// given streams; it blocks the caller until done.
#pragma once

#include <ostream>

#include "absl/strings/string_view.h"

namespace wissel::cli {

// Loads the configuration at `path`. On success prints to `out`
//   "OK: N tenants, M topics, K rules\n"
// followed by one "warning: FILE:LINE:COL: ..." line per warning, and returns 0. On failure
// prints one "error: FILE:LINE:COL: ..." line per problem to `err` and returns 1.
int RunConfigCheck(absl::string_view path, std::ostream& out, std::ostream& err);

}  // namespace wissel::cli
