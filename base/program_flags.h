// Command-line parsing shared by the project's programs (wisseld, the adapters, the benchmark
// servers): absl::ParseCommandLine, plus a `--help` that lists the program's own flags and
// exits 0.
//
// Why: Abseil's `--help` lists only flags defined in a file named after the program (main.cc
// of wisseld is not "wisseld.cc"), so it answered "No flags matched. Try --helpfull", and it exits
// with status 1. Here `--help` and `--helpshort` list every flag the project defines (every flag
// not defined inside Abseil itself), with its meaning and default, on stdout, and exit 0.
// `--helpfull` stays Abseil's (every flag, exit 1).
//
// Call from main() only, once, before any thread reads a flag.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace wissel::base {

// True for a flag defined in the project (not in Abseil): what `--help` lists.
bool IsProgramFlagFile(absl::string_view filename);

// The `--help` text: `usage`, then the project's flags grouped by the file that defines them,
// each as "--name (meaning); default: value;".
std::string ProgramFlagsHelp(absl::string_view usage);

// Sets `usage` as the program usage message and Abseil's help filters to IsProgramFlagFile;
// on `--help`/`--helpshort` (before any "--") prints ProgramFlagsHelp to stdout and exits 0;
// otherwise returns absl::ParseCommandLine(argc, argv) (positional arguments, argv[0] first).
std::vector<char*> ParseProgramFlags(int argc, char** argv, absl::string_view usage);

}  // namespace wissel::base
