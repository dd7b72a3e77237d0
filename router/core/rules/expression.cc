#include "router/core/rules/expression.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "base/duration_text.h"

namespace wissel::core::rules {
namespace {

// Integers and duration parts beyond this are certainly typos (and could overflow).
constexpr int64_t kMaxLiteral = 1'000'000'000;

enum class TokenKind {
  kWord,
  kString,
  kInteger,
  kDuration,
  kTime,
  kLeftParen,
  kRightParen,
  kLeftBracket,
  kRightBracket,
  kComma,
  kCompare,
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;
  std::string text;  // as written, or a string's unescaped contents
  int64_t integer = 0;
  absl::Duration duration = absl::ZeroDuration();
  int seconds_of_day = 0;
  CompareOp op = CompareOp::kEq;
};

// Where and why lexing or parsing failed.
struct Failure {
  size_t offset = 0;
  std::string reason;
};

bool IsWordStart(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsWordChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Quote(absl::string_view s) { return absl::StrCat("'", s, "'"); }

class Lexer {
 public:
  explicit Lexer(absl::string_view text) : text_(text) {}

  // Fills `tokens` (ending in kEnd) or returns false with `failure` set.
  bool Run(std::vector<Token>* tokens, Failure* failure) {
    while (true) {
      SkipSpace();
      Token token;
      token.offset = pos_;
      if (pos_ >= text_.size()) {
        token.kind = TokenKind::kEnd;
        tokens->push_back(std::move(token));
        return true;
      }
      if (!Next(&token, failure)) return false;
      tokens->push_back(std::move(token));
    }
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }

  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  bool Fail(Failure* failure, size_t offset, std::string reason) {
    failure->offset = offset;
    failure->reason = std::move(reason);
    return false;
  }

  bool Next(Token* token, Failure* failure) {
    const char c = Peek();
    const size_t start = pos_;
    if (IsWordStart(c)) {
      while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
      token->kind = TokenKind::kWord;
      token->text = std::string(text_.substr(start, pos_ - start));
      return true;
    }
    if (IsDigit(c)) return Number(token, failure);
    if (c == '"' || c == '\'') return String(token, failure);
    switch (c) {
      case '(':
        ++pos_;
        token->kind = TokenKind::kLeftParen;
        return true;
      case ')':
        ++pos_;
        token->kind = TokenKind::kRightParen;
        return true;
      case '[':
        ++pos_;
        token->kind = TokenKind::kLeftBracket;
        return true;
      case ']':
        ++pos_;
        token->kind = TokenKind::kRightBracket;
        return true;
      case ',':
        ++pos_;
        token->kind = TokenKind::kComma;
        return true;
      case '=':
        if (Peek(1) == '=') return Compare(token, CompareOp::kEq, 2);
        return Fail(failure, start, "use '==' to compare ('=' alone is not an operator)");
      case '!':
        if (Peek(1) == '=') return Compare(token, CompareOp::kNe, 2);
        return Fail(failure, start, "use 'not' to negate ('!' alone is not an operator)");
      case '<':
        if (Peek(1) == '=') return Compare(token, CompareOp::kLe, 2);
        if (Peek(1) == '>') return Fail(failure, start, "use '!=' for 'not equal'");
        return Compare(token, CompareOp::kLt, 1);
      case '>':
        if (Peek(1) == '=') return Compare(token, CompareOp::kGe, 2);
        return Compare(token, CompareOp::kGt, 1);
      case '&':
        return Fail(failure, start, "use 'and' instead of '&'");
      case '|':
        return Fail(failure, start, "use 'or' instead of '|'");
      default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return Fail(failure, start,
                  "unexpected character; outside strings only ASCII letters, digits and "
                  "operators are allowed");
    }
    return Fail(failure, start, absl::StrCat("unexpected character '", std::string(1, c), "'"));
  }

  bool Compare(Token* token, CompareOp op, size_t length) {
    token->kind = TokenKind::kCompare;
    token->op = op;
    token->text = std::string(text_.substr(pos_, length));
    pos_ += length;
    return true;
  }

  // Reads digits at pos_ into *value; false on overflow.
  bool Digits(int64_t* value, size_t* count) {
    *value = 0;
    *count = 0;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) {
      *value = *value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++*count;
      if (*value > kMaxLiteral) return false;
    }
    return true;
  }

  bool Number(Token* token, Failure* failure) {
    const size_t start = pos_;
    int64_t value = 0;
    size_t count = 0;
    if (!Digits(&value, &count)) {
      return Fail(failure, start, absl::StrCat("number is too large (at most ", kMaxLiteral, ")"));
    }
    if (Peek() == ':') return Time(token, failure, start, value, count);
    if (absl::ascii_isalpha(static_cast<unsigned char>(Peek()))) {
      return Duration(token, failure, start);
    }
    if (IsWordChar(Peek())) {
      while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
      return Fail(failure, start,
                  absl::StrCat("'", text_.substr(start, pos_ - start),
                               "' is not a number; quote values that start with a digit: \"",
                               text_.substr(start, pos_ - start), "\""));
    }
    token->kind = TokenKind::kInteger;
    token->integer = value;
    token->text = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  // The duration token at `start` (its first number already read and checked by Number()).
  bool Duration(Token* token, Failure* failure, size_t start) {
    const base::DurationScan scan = base::ScanDuration(text_.substr(start), kMaxLiteral);
    const size_t at = start + scan.error_offset;
    switch (scan.error) {
      case base::DurationTextError::kNone:
        break;
      case base::DurationTextError::kUnknownUnit:
        return Fail(failure, at,
                    absl::StrCat("unknown duration unit '", scan.unit,
                                 "'; use s, m, h or d (e.g. 45s, 2m, 1h30m)"));
      case base::DurationTextError::kNoUnit:
        return Fail(failure, at, "duration part without a unit; use s, m, h or d");
      case base::DurationTextError::kTooLarge:
      // kNoDigits is not reached: Number() read the first part's digits.
      case base::DurationTextError::kNoDigits:
        return Fail(failure, at, absl::StrCat("number is too large (at most ", kMaxLiteral, ")"));
    }
    pos_ = start + scan.length;
    if (IsWordChar(Peek())) {
      return Fail(failure, pos_,
                  absl::StrCat("unexpected '", std::string(1, Peek()), "' in duration"));
    }
    token->kind = TokenKind::kDuration;
    token->duration = scan.duration;
    token->text = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  bool Time(Token* token, Failure* failure, size_t start, int64_t hours, size_t hour_digits) {
    constexpr absl::string_view kExpected = "expected a time of day such as 08:30 or 17:00:30";
    int64_t minutes = 0;
    int64_t seconds = 0;
    size_t count = 0;
    ++pos_;  // ':'
    if (!Digits(&minutes, &count) || count != 2 || hour_digits > 2) {
      return Fail(failure, start, absl::StrCat("invalid time; ", kExpected));
    }
    if (Peek() == ':') {
      ++pos_;
      if (!Digits(&seconds, &count) || count != 2) {
        return Fail(failure, start, absl::StrCat("invalid time; ", kExpected));
      }
    }
    if (IsWordChar(Peek()) || Peek() == ':') {
      return Fail(failure, start, absl::StrCat("invalid time; ", kExpected));
    }
    const int64_t total = hours * 3600 + minutes * 60 + seconds;
    if (minutes > 59 || seconds > 59 || total > int64_t{24} * 3600) {
      return Fail(failure, start,
                  absl::StrCat("time '", text_.substr(start, pos_ - start),
                               "' is out of range (00:00 to 24:00)"));
    }
    token->kind = TokenKind::kTime;
    token->seconds_of_day = static_cast<int>(total);
    token->text = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  bool String(Token* token, Failure* failure) {
    const size_t start = pos_;
    const char quote = text_[pos_++];
    std::string value;
    while (true) {
      if (pos_ >= text_.size()) {
        return Fail(
            failure, start,
            absl::StrCat("unterminated string (missing closing ", std::string(1, quote), ")"));
      }
      const char c = text_[pos_++];
      if (c == quote) break;
      if (c == '\\') {
        const char escaped = Peek();
        if (escaped != '\\' && escaped != '"' && escaped != '\'') {
          return Fail(failure, pos_ - 1, "unknown escape; only \\\", \\' and \\\\ are allowed");
        }
        value.push_back(escaped);
        ++pos_;
        continue;
      }
      if (c == '\n') {
        return Fail(failure, start,
                    absl::StrCat("unterminated string (missing closing ", std::string(1, quote),
                                 " before the end of the line)"));
      }
      value.push_back(c);
    }
    token->kind = TokenKind::kString;
    token->text = std::move(value);
    return true;
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

bool IsKeyword(absl::string_view word) {
  return word == "and" || word == "or" || word == "not" || word == "in";
}

std::string Describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "the end of the condition";
    case TokenKind::kString:
      return absl::StrCat("\"", token.text, "\"");
    case TokenKind::kLeftParen:
      return "'('";
    case TokenKind::kRightParen:
      return "')'";
    case TokenKind::kLeftBracket:
      return "'['";
    case TokenKind::kRightBracket:
      return "']'";
    case TokenKind::kComma:
      return "','";
    default:
      return Quote(token.text);
  }
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  bool Parse(Expr* out, Failure* failure) {
    if (Peek().kind == TokenKind::kEnd) return Fail(failure, Peek().offset, "empty condition");
    if (!Or(out, failure, 0)) return false;
    if (Peek().kind != TokenKind::kEnd) {
      const Token& t = Peek();
      if (t.kind == TokenKind::kRightParen) {
        return Fail(failure, t.offset, "')' without a matching '('");
      }
      return Fail(failure, t.offset,
                  absl::StrCat("unexpected ", Describe(t),
                               " after a complete condition; missing 'and' or 'or'?"));
    }
    return true;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    const size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& Take() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool IsWord(const Token& t, absl::string_view word) const {
    return t.kind == TokenKind::kWord && t.text == word;
  }
  bool Fail(Failure* failure, size_t offset, std::string reason) {
    failure->offset = offset;
    failure->reason = std::move(reason);
    return false;
  }

  bool Or(Expr* out, Failure* failure, int depth) {
    Expr first;
    if (!And(&first, failure, depth)) return false;
    if (!IsWord(Peek(), "or")) {
      *out = std::move(first);
      return true;
    }
    out->kind = Expr::Kind::kOr;
    out->offset = first.offset;
    out->children.push_back(std::move(first));
    while (IsWord(Peek(), "or")) {
      Take();
      Expr next;
      if (!And(&next, failure, depth)) return false;
      out->children.push_back(std::move(next));
    }
    return true;
  }

  bool And(Expr* out, Failure* failure, int depth) {
    Expr first;
    if (!Unary(&first, failure, depth)) return false;
    if (!IsWord(Peek(), "and")) {
      *out = std::move(first);
      return true;
    }
    out->kind = Expr::Kind::kAnd;
    out->offset = first.offset;
    out->children.push_back(std::move(first));
    while (IsWord(Peek(), "and")) {
      Take();
      Expr next;
      if (!Unary(&next, failure, depth)) return false;
      out->children.push_back(std::move(next));
    }
    return true;
  }

  bool Unary(Expr* out, Failure* failure, int depth) {
    const Token& t = Peek();
    if (depth >= kMaxExpressionDepth) {
      return Fail(failure, t.offset,
                  absl::StrCat("condition is nested too deeply (more than ", kMaxExpressionDepth,
                               " levels)"));
    }
    if (IsWord(t, "not")) {
      Take();
      out->kind = Expr::Kind::kNot;
      out->offset = t.offset;
      Expr child;
      if (!Unary(&child, failure, depth + 1)) return false;
      out->children.push_back(std::move(child));
      return true;
    }
    if (t.kind == TokenKind::kLeftParen) {
      const size_t open = t.offset;
      Take();
      if (Peek().kind == TokenKind::kRightParen) {
        return Fail(failure, Peek().offset, "empty parentheses");
      }
      if (!Or(out, failure, depth + 1)) return false;
      if (Peek().kind != TokenKind::kRightParen) {
        if (Peek().kind == TokenKind::kEnd) {
          return Fail(failure, open, "'(' is never closed");
        }
        return Fail(failure, Peek().offset,
                    absl::StrCat("expected ')' or 'and'/'or', got ", Describe(Peek())));
      }
      Take();
      return true;
    }
    return Comparison(out, failure);
  }

  // An operand; `expected` starts the error message when there is none.
  bool ReadOperand(Operand* out, Failure* failure, absl::string_view expected) {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kWord:
        if (IsKeyword(t.text)) {
          return Fail(failure, t.offset,
                      absl::StrCat(expected, ", got the keyword '", t.text, "'"));
        }
        out->kind = Operand::Kind::kWord;
        break;
      case TokenKind::kString:
        out->kind = Operand::Kind::kString;
        break;
      case TokenKind::kInteger:
        out->kind = Operand::Kind::kInteger;
        out->integer = t.integer;
        break;
      case TokenKind::kDuration:
        out->kind = Operand::Kind::kDuration;
        out->duration = t.duration;
        break;
      case TokenKind::kTime:
        out->kind = Operand::Kind::kTime;
        out->seconds_of_day = t.seconds_of_day;
        break;
      default:
        return Fail(failure, t.offset, absl::StrCat(expected, ", got ", Describe(t)));
    }
    out->text = t.text;
    out->offset = t.offset;
    Take();
    return true;
  }

  bool Comparison(Expr* out, Failure* failure) {
    out->offset = Peek().offset;
    if (!ReadOperand(&out->lhs, failure, "expected a condition")) return false;
    const Token& next = Peek();
    if (next.kind == TokenKind::kCompare) {
      out->kind = Expr::Kind::kCompare;
      out->op = next.op;
      out->op_offset = next.offset;
      const std::string op_text = next.text;
      Take();
      return ReadOperand(&out->rhs, failure,
                         absl::StrCat("expected a value after '", op_text, "'"));
    }
    bool negated = false;
    size_t op_offset = next.offset;
    if (IsWord(next, "not")) {
      if (!IsWord(Peek(1), "in")) {
        return Fail(failure, Peek(1).offset,
                    absl::StrCat("expected 'in' after 'not', got ", Describe(Peek(1)),
                                 " (write 'not' before a condition to negate it)"));
      }
      Take();
      negated = true;
    }
    if (!IsWord(Peek(), "in")) {
      out->kind = Expr::Kind::kOperand;
      return true;
    }
    Take();
    out->negated = negated;
    out->op_offset = op_offset;
    if (Peek().kind == TokenKind::kLeftBracket) {
      out->kind = Expr::Kind::kInList;
      const size_t open = Peek().offset;
      Take();
      if (Peek().kind == TokenKind::kRightBracket) {
        return Fail(failure, Peek().offset, "empty list; give at least one value");
      }
      while (true) {
        Operand item;
        if (!ReadOperand(&item, failure, "expected a value in the list")) return false;
        out->list.push_back(std::move(item));
        if (Peek().kind == TokenKind::kComma) {
          Take();
          continue;
        }
        if (Peek().kind == TokenKind::kRightBracket) {
          Take();
          return true;
        }
        if (Peek().kind == TokenKind::kEnd) return Fail(failure, open, "'[' is never closed");
        return Fail(failure, Peek().offset,
                    absl::StrCat("expected ',' or ']' in the list, got ", Describe(Peek())));
      }
    }
    out->kind = Expr::Kind::kInWord;
    if (Peek().kind != TokenKind::kWord || IsKeyword(Peek().text)) {
      return Fail(failure, Peek().offset,
                  absl::StrCat("expected a list such as [a, b] or a set such as 'needs' after "
                               "'in', got ",
                               Describe(Peek())));
    }
    return ReadOperand(&out->rhs, failure, "expected a set");
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

std::string FormatOperand(const Operand& operand) {
  if (operand.kind == Operand::Kind::kString) return absl::StrCat("\"", operand.text, "\"");
  return operand.text;
}

}  // namespace

absl::string_view CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "==";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

absl::StatusOr<Expr> ParseExpression(absl::string_view text, size_t* error_offset) {
  std::vector<Token> tokens;
  Failure failure;
  Expr expr;
  if (!Lexer(text).Run(&tokens, &failure) || !Parser(std::move(tokens)).Parse(&expr, &failure)) {
    if (error_offset != nullptr) *error_offset = failure.offset;
    return absl::InvalidArgumentError(failure.reason);
  }
  return expr;
}

std::string FormatExpr(const Expr& expr) {
  switch (expr.kind) {
    case Expr::Kind::kOr:
    case Expr::Kind::kAnd:
    case Expr::Kind::kNot: {
      std::vector<std::string> parts;
      for (const Expr& child : expr.children) parts.push_back(FormatExpr(child));
      const absl::string_view name = expr.kind == Expr::Kind::kOr    ? "or"
                                     : expr.kind == Expr::Kind::kAnd ? "and"
                                                                     : "not";
      return absl::StrCat(name, "(", absl::StrJoin(parts, ", "), ")");
    }
    case Expr::Kind::kOperand:
      return FormatOperand(expr.lhs);
    case Expr::Kind::kCompare:
      return absl::StrCat(FormatOperand(expr.lhs), " ", CompareOpText(expr.op), " ",
                          FormatOperand(expr.rhs));
    case Expr::Kind::kInList: {
      std::vector<std::string> items;
      for (const Operand& item : expr.list) items.push_back(FormatOperand(item));
      return absl::StrCat(FormatOperand(expr.lhs), expr.negated ? " not in [" : " in [",
                          absl::StrJoin(items, ", "), "]");
    }
    case Expr::Kind::kInWord:
      return absl::StrCat(FormatOperand(expr.lhs), expr.negated ? " not in " : " in ",
                          FormatOperand(expr.rhs));
  }
  return "?";
}

}  // namespace wissel::core::rules
