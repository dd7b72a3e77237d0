// Routing rules as operators write them, before compilation.
//
// The YAML loader fills these with the text of each condition and the position of every part in
// the file; router/core/rules compiles them once at load into a form evaluated per contact
// without parsing strings. Positions let every error name file, line and column.
#pragma once

#include <string>
#include <vector>

namespace wissel::core {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

struct ActionSpec {
  enum class Kind {
    kRouteTo,           // target: queue
    kRequireSkill,      // target: skill, value: minimum proficiency
    kSetPriority,       // value: 0..100
    kRaisePriority,     // value: added, result capped at 100
    kPreferHandler,     // target: handler id
    kOfferDigital,      // offer the topic's digital alternative
    kScheduleCallback,  // create a callback request instead of waiting
    kClose,             // target: message; no person, no queue
  };
  Kind kind = Kind::kRouteTo;
  std::string target;
  int value = 0;
  SourceLocation location;
};

struct RuleSpec {
  std::string name;  // unique within the tenant
  // The condition, e.g. `channel in [phone, chat] and topic.domain == "sociaal_domein"`.
  std::string when;
  SourceLocation when_location;  // of the first character of `when`
  std::vector<ActionSpec> then;
  // First match wins unless a rule says continue: then later rules are evaluated too.
  bool continue_matching = false;
  SourceLocation location;  // of the rule
};

}  // namespace wissel::core
