// Command-line flag parsing for wisselctl.
//
// wisselctl has subcommands with their own flags, which absl::flags (one global registry) does
// not model well, so this is a small parser driven by a table of FlagSpec. Accepted forms:
// "--name=value", "--name value" (flags with a value), "--name" and "--name=true|false"
// (boolean flags), "-h" as "--help", and "--" to end flag parsing. A repeated flag keeps every
// value in order. Parsing never prints; errors are InvalidArgument with a message for the user.
//
// Thread-safety: plain values; ParsedFlags is safe for concurrent reads.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace wissel::cli {

enum class FlagKind {
  kValue,     // takes a value; the last occurrence wins
  kRepeated,  // takes a value; every occurrence is kept
  kBool,      // takes no value, or "=true"/"=false"
};

struct FlagSpec {
  std::string name;  // without the leading "--", e.g. "tenant"
  FlagKind kind = FlagKind::kValue;
  std::string value_name;  // placeholder in help, e.g. "ID"; unused for kBool
  std::string help;        // one line
};

// The flags found on a command line, by name.
class ParsedFlags {
 public:
  // True when the flag was given at least once.
  bool Has(absl::string_view name) const;
  // The last value given, or `fallback` when the flag was not given.
  std::string Get(absl::string_view name, absl::string_view fallback = "") const;
  // Every value given, in command-line order; empty when not given.
  std::vector<std::string> GetAll(absl::string_view name) const;
  // For kBool flags: true when given without a value or with "=true".
  bool GetBool(absl::string_view name) const;

  void Add(absl::string_view name, absl::string_view value);

 private:
  absl::flat_hash_map<std::string, std::vector<std::string>> values_;
};

// Parses flags from the front of `args` up to the first positional argument (or "--", which is
// consumed). Returns the number of arguments consumed. Unknown flags are InvalidArgument.
absl::StatusOr<size_t> ParseLeadingFlags(absl::Span<const std::string> args,
                                         absl::Span<const FlagSpec> specs, ParsedFlags* flags);

// Parses all of `args`; arguments that are not flags (and everything after "--") are appended
// to `positionals`. Unknown flags are InvalidArgument.
absl::Status ParseFlags(absl::Span<const std::string> args, absl::Span<const FlagSpec> specs,
                        ParsedFlags* flags, std::vector<std::string>* positionals);

// Help lines for `specs`: "  --name=VALUE   help", aligned, one per flag, each ending in "\n".
std::string FormatFlagHelp(absl::Span<const FlagSpec> specs);

}  // namespace wissel::cli
