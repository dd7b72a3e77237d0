// The condition language of routing rules, parsed: text -> syntax tree, nothing resolved yet.
//
// Grammar (keywords are lower case; whitespace, including newlines, separates tokens):
//
//   condition  := and_expr ('or' and_expr)*
//   and_expr   := unary ('and' unary)*
//   unary      := 'not' unary | '(' condition ')' | comparison
//   comparison := operand
//               | operand ('==' | '!=' | '<' | '<=' | '>' | '>=') operand
//               | operand ['not'] 'in' '[' operand (',' operand)* ']'
//               | operand ['not'] 'in' word                 (e.g. `language_barrier in needs`)
//   operand    := word | string | integer | duration | time
//
//   word       := [A-Za-z_][A-Za-z0-9_.-]*      fields (`topic.domain`), values (`id-kaart`),
//                                               true/false
//   string     := "..." or '...'                with \" \' \\ escapes
//   integer    := [0-9]+
//   duration   := ([0-9]+ ('s'|'m'|'h'|'d'))+   e.g. 45s, 2m, 1h30m
//   time       := H:MM or HH:MM[:SS]            e.g. 08:30, 17:00, 24:00
//
// Precedence, loosest first: or, and, not, comparison. What the words mean (fields, channel
// names, topic codes) is decided later, by Condition::Compile against a tenant's config.
//
// Plain functions and values; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace wissel::core::rules {

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

// "==", "!=", "<", "<=", ">", ">=".
absl::string_view CompareOpText(CompareOp op);

// A name or literal as written in the condition.
struct Operand {
  enum class Kind { kWord, kString, kInteger, kDuration, kTime };
  Kind kind = Kind::kWord;
  // kWord: the word; kString: the contents, unescaped; otherwise the literal as written.
  std::string text;
  int64_t integer = 0;                             // kInteger
  absl::Duration duration = absl::ZeroDuration();  // kDuration
  int seconds_of_day = 0;                          // kTime: 0 .. 24 * 3600
  size_t offset = 0;                               // byte offset in the condition text
};

struct Expr {
  enum class Kind {
    kOr,       // children: two or more
    kAnd,      // children: two or more
    kNot,      // children: one
    kOperand,  // a lone operand: `case.open`, `true`
    kCompare,  // lhs op rhs
    kInList,   // lhs [not] in [list]
    kInWord,   // lhs [not] in rhs, rhs a word (a set-valued field such as `needs`)
  };
  Kind kind = Kind::kOperand;
  size_t offset = 0;     // byte offset of the first token
  size_t op_offset = 0;  // kCompare, kInList, kInWord: byte offset of the operator
  std::vector<Expr> children;
  Operand lhs;
  CompareOp op = CompareOp::kEq;  // kCompare
  bool negated = false;           // kInList, kInWord: `not in`
  Operand rhs;                    // kCompare, kInWord
  std::vector<Operand> list;      // kInList: at least one
};

// Deepest nesting of parentheses and `not` accepted; deeper input is an error, not a crash.
inline constexpr int kMaxExpressionDepth = 64;

// Parses `text`. Errors: InvalidArgument whose message is the reason alone (no position), with
// *error_offset set to the byte offset in `text` the reason is about (text.size() for "ended
// too early").
absl::StatusOr<Expr> ParseExpression(absl::string_view text, size_t* error_offset);

// A canonical, fully parenthesised rendering for tests and traces, e.g.
// "or(and(channel == phone, not(case.open)), topic in [paspoort, id-kaart])".
std::string FormatExpr(const Expr& expr);

}  // namespace wissel::core::rules
