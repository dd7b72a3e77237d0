#include "base/program_flags.h"

#include <cstdlib>
#include <iostream>
#include <map>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace wissel::base {
namespace {

bool AsksForHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") return false;
    for (const absl::string_view help : {"help", "helpshort"}) {
      if (arg == absl::StrCat("--", help) || arg == absl::StrCat("-", help) ||
          arg == absl::StrCat("--", help, "=true")) {
        return true;
      }
    }
  }
  return false;
}

// The defining file as a path in the source tree: compilers see "../../../router/daemon/main.cc"
// when ccache rewrites paths relative to the build directory.
std::string SourcePath(absl::string_view filename) {
  while (absl::ConsumePrefix(&filename, "../") || absl::ConsumePrefix(&filename, "./")) {
  }
  return std::string(filename);
}

}  // namespace

bool IsProgramFlagFile(absl::string_view filename) { return !absl::StrContains(filename, "absl/"); }

std::string ProgramFlagsHelp(absl::string_view usage) {
  // file -> flag name -> line; std::map keeps both sorted, as Abseil's own help is.
  std::map<std::string, std::map<std::string, std::string>> by_file;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!IsProgramFlagFile(flag->Filename())) continue;
    std::string default_value = flag->DefaultValue();
    if (flag->IsOfType<std::string>()) default_value = absl::StrCat("\"", default_value, "\"");
    by_file[SourcePath(flag->Filename())][std::string(name)] =
        absl::StrCat("    --", name, " (", flag->Help(), "); default: ", default_value, ";\n");
  }
  std::string text = absl::StrCat(usage, "\n");
  for (const auto& [file, flags] : by_file) {
    absl::StrAppend(&text, "\n  Flags from ", file, ":\n");
    for (const auto& [name, line] : flags) absl::StrAppend(&text, line);
  }
  absl::StrAppend(&text, "\nTry --helpfull to get a list of all flags.\n");
  return text;
}

std::vector<char*> ParseProgramFlags(int argc, char** argv, absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  absl::FlagsUsageConfig config;
  config.contains_help_flags = IsProgramFlagFile;
  config.contains_helpshort_flags = IsProgramFlagFile;
  absl::SetFlagsUsageConfig(config);
  if (AsksForHelp(argc, argv)) {
    std::cout << ProgramFlagsHelp(usage) << std::flush;
    std::exit(0);
  }
  return absl::ParseCommandLine(argc, argv);
}

}  // namespace wissel::base
