#include "adapters/common/env_flags.h"

#include <cstdlib>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"

namespace wissel::adapters {

absl::Status ApplyEnvironment(const std::vector<std::pair<std::string, std::string>>& flag_to_env) {
  for (const auto& [flag_name, variable] : flag_to_env) {
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(flag_name);
    if (flag == nullptr) return absl::NotFoundError(absl::StrCat("no flag --", flag_name));
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat(variable, ": not a valid value for --", flag_name, ": ", error));
    }
  }
  return absl::OkStatus();
}

}  // namespace wissel::adapters
