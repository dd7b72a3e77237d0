#include "router/cli/flag_parser.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace wissel::cli {
namespace {

const FlagSpec* FindSpec(absl::Span<const FlagSpec> specs, absl::string_view name) {
  for (const FlagSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

bool IsFlag(absl::string_view arg) { return arg.size() > 1 && arg[0] == '-'; }

// Parses args[*index] (a flag) and, for "--name value", the argument after it.
absl::Status ParseOne(absl::Span<const std::string> args, size_t* index,
                      absl::Span<const FlagSpec> specs, ParsedFlags* flags) {
  absl::string_view arg = args[*index];
  ++*index;
  if (arg == "-h") arg = "--help";
  if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown flag '", arg, "' (flags are written --name=value)"));
  }
  absl::string_view body = arg.substr(2);
  absl::string_view name = body;
  absl::string_view value;
  bool has_value = false;
  if (const size_t eq = body.find('='); eq != absl::string_view::npos) {
    name = body.substr(0, eq);
    value = body.substr(eq + 1);
    has_value = true;
  }
  const FlagSpec* spec = FindSpec(specs, name);
  if (spec == nullptr) return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));

  if (spec->kind == FlagKind::kBool) {
    if (!has_value || value == "true") {
      flags->Add(name, "true");
    } else if (value == "false") {
      flags->Add(name, "false");
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", name, " takes no value (or =true / =false)"));
    }
    return absl::OkStatus();
  }
  if (!has_value) {
    if (*index >= args.size()) {
      return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
    }
    value = args[*index];
    ++*index;
  }
  flags->Add(name, value);
  return absl::OkStatus();
}

absl::StatusOr<size_t> Parse(absl::Span<const std::string> args, absl::Span<const FlagSpec> specs,
                             ParsedFlags* flags, std::vector<std::string>* positionals) {
  size_t index = 0;
  while (index < args.size()) {
    const std::string& arg = args[index];
    if (arg == "--") {
      ++index;
      if (positionals == nullptr) return index;
      positionals->insert(positionals->end(), args.begin() + index, args.end());
      return args.size();
    }
    if (!IsFlag(arg)) {
      if (positionals == nullptr) return index;
      positionals->push_back(arg);
      ++index;
      continue;
    }
    absl::Status status = ParseOne(args, &index, specs, flags);
    if (!status.ok()) return status;
  }
  return index;
}

}  // namespace

bool ParsedFlags::Has(absl::string_view name) const { return values_.contains(name); }

std::string ParsedFlags::Get(absl::string_view name, absl::string_view fallback) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::string(fallback);
  return it->second.back();
}

std::vector<std::string> ParsedFlags::GetAll(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return {};
  return it->second;
}

bool ParsedFlags::GetBool(absl::string_view name) const { return Get(name, "false") == "true"; }

void ParsedFlags::Add(absl::string_view name, absl::string_view value) {
  values_[name].emplace_back(value);
}

absl::StatusOr<size_t> ParseLeadingFlags(absl::Span<const std::string> args,
                                         absl::Span<const FlagSpec> specs, ParsedFlags* flags) {
  return Parse(args, specs, flags, nullptr);
}

absl::Status ParseFlags(absl::Span<const std::string> args, absl::Span<const FlagSpec> specs,
                        ParsedFlags* flags, std::vector<std::string>* positionals) {
  return Parse(args, specs, flags, positionals).status();
}

std::string FormatFlagHelp(absl::Span<const FlagSpec> specs) {
  std::vector<std::string> left;
  size_t width = 0;
  for (const FlagSpec& spec : specs) {
    left.push_back(spec.kind == FlagKind::kBool
                       ? absl::StrCat("--", spec.name)
                       : absl::StrCat("--", spec.name, "=", spec.value_name));
    width = std::max(width, left.back().size());
  }
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i) {
    absl::StrAppendFormat(&out, "  %-*s  %s\n", static_cast<int>(width), left[i], specs[i].help);
  }
  return out;
}

}  // namespace wissel::cli
