// Configuration by environment: sets flags from environment variables, so that every setting of
// an adapter can be given as a flag or (in a container) as an environment variable.
//
// Order in main(): apply the environment first (it replaces the defaults), then parse the command
// line, so that a flag given on the command line wins over the environment.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace wissel::adapters {

// For each (flag name, variable name) whose variable is set, parses the variable's value into
// the flag. InvalidArgument naming the variable when a value does not parse; NotFound for an
// unknown flag name (a programming error caught at start-up).
absl::Status ApplyEnvironment(const std::vector<std::pair<std::string, std::string>>& flag_to_env);

}  // namespace wissel::adapters
