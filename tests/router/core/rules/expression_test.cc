#include "router/core/rules/expression.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::core::rules {
namespace {

struct ParseCase {
  std::string text;
  std::string formatted;
};

TEST(ExpressionTest, ParsesAndFormatsCanonically) {
  const ParseCase cases[] = {
      {"channel == phone", "channel == phone"},
      {"channel != chat", "channel != chat"},
      {"priority < 10", "priority < 10"},
      {"priority <= 10", "priority <= 10"},
      {"priority > 10", "priority > 10"},
      {"priority >= 10", "priority >= 10"},
      {"case.open", "case.open"},
      {"true", "true"},
      {"topic == \"id-kaart\"", "topic == \"id-kaart\""},
      {"topic == 'id-kaart'", "topic == \"id-kaart\""},
      {"topic == id-kaart", "topic == id-kaart"},
      {"channel in [phone, chat]", "channel in [phone, chat]"},
      {"channel not in [phone,chat ,balie]", "channel not in [phone, chat, balie]"},
      {"language_barrier in needs", "language_barrier in needs"},
      {"impairment not in needs", "impairment not in needs"},
      {"queue.expected_wait > 1h30m", "queue.expected_wait > 1h30m"},
      {"time >= 08:30", "time >= 08:30"},
      {"time < 17:00:30", "time < 17:00:30"},
      {"attributes.afspraak == \"ja\"", "attributes.afspraak == \"ja\""},
      // Precedence: not binds tighter than and, and tighter than or.
      {"a or b and c", "or(a, and(b, c))"},
      {"a and b or c", "or(and(a, b), c)"},
      {"not a and b", "and(not(a), b)"},
      {"not (a and b)", "not(and(a, b))"},
      {"(a or b) and c", "and(or(a, b), c)"},
      {"a or b or c", "or(a, b, c)"},
      {"a and b and c or d", "or(and(a, b, c), d)"},
      {"not not a", "not(not(a))"},
      {"not channel in [phone]", "not(channel in [phone])"},
      {"((a))", "a"},
      {"channel == phone\nand case.open", "and(channel == phone, case.open)"},
      {"priority>=50 and(case.open)", "and(priority >= 50, case.open)"},
  };
  for (const ParseCase& c : cases) {
    size_t offset = 0;
    absl::StatusOr<Expr> expr = ParseExpression(c.text, &offset);
    ASSERT_TRUE(expr.ok()) << c.text << ": " << expr.status() << " at " << offset;
    EXPECT_EQ(FormatExpr(*expr), c.formatted) << c.text;
  }
}

TEST(ExpressionTest, LiteralValues) {
  size_t offset = 0;
  absl::StatusOr<Expr> e = ParseExpression("queue.expected_wait >= 2m", &offset);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->rhs.kind, Operand::Kind::kDuration);
  EXPECT_EQ(e->rhs.duration, absl::Minutes(2));
  e = ParseExpression("x == 1h30m15s", &offset);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->rhs.duration, absl::Minutes(90) + absl::Seconds(15));
  e = ParseExpression("x == 2d", &offset);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->rhs.duration, absl::Hours(48));
  e = ParseExpression("time < 8:05", &offset);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->rhs.kind, Operand::Kind::kTime);
  EXPECT_EQ(e->rhs.seconds_of_day, 8 * 3600 + 5 * 60);
  e = ParseExpression("time < 24:00", &offset);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->rhs.seconds_of_day, 24 * 3600);
  e = ParseExpression("priority == 42", &offset);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->rhs.kind, Operand::Kind::kInteger);
  EXPECT_EQ(e->rhs.integer, 42);
  e = ParseExpression(R"(a == "say \"hi\" \\ 'x'")", &offset);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->rhs.kind, Operand::Kind::kString);
  EXPECT_EQ(e->rhs.text, R"(say "hi" \ 'x')");
  EXPECT_EQ(e->rhs.offset, 5u);
  EXPECT_EQ(e->op_offset, 2u);
}

struct ErrorCase {
  std::string text;
  size_t offset;
  std::string message;  // a substring
};

TEST(ExpressionTest, SyntaxErrorsNameTheOffsetAndReason) {
  const ErrorCase cases[] = {
      {"", 0, "empty condition"},
      {"   ", 3, "empty condition"},
      {"channel = phone", 8, "use '==' to compare"},
      {"channel == phone && case.open", 17, "use 'and' instead of '&'"},
      {"channel == phone || case.open", 17, "use 'or' instead of '|'"},
      {"!case.open", 0, "use 'not' to negate"},
      {"priority <> 5", 9, "use '!='"},
      {"channel ==", 10, "expected a value after '==', got the end of the condition"},
      {"channel == phone and", 20, "expected a condition, got the end of the condition"},
      {"and channel == phone", 0, "expected a condition, got the keyword 'and'"},
      {"channel == phone chat", 17, "unexpected 'chat' after a complete condition"},
      {"(channel == phone", 0, "'(' is never closed"},
      {"channel == phone)", 16, "')' without a matching '('"},
      {"()", 1, "empty parentheses"},
      {"channel in []", 12, "empty list"},
      {"channel in [phone", 11, "'[' is never closed"},
      {"channel in [phone chat]", 18, "expected ',' or ']' in the list, got 'chat'"},
      {"channel in [phone,]", 18, "expected a value in the list, got ']'"},
      {"channel in 5", 11, "expected a list such as [a, b]"},
      {"channel not phone", 12, "expected 'in' after 'not'"},
      {"topic == \"paspoort", 9, "unterminated string (missing closing \")"},
      {"topic == 'paspoort", 9, "unterminated string (missing closing ')"},
      {"topic == \"a\\nb\"", 11, "unknown escape"},
      {"queue.expected_wait > 45ms", 24, "unknown duration unit 'ms'"},
      {"queue.expected_wait > 1h30", 26, "duration part without a unit"},
      {"priority >= 50and open", 14, "unknown duration unit 'and'"},
      {"time > 8:5", 7, "invalid time"},
      {"time > 25:00", 7, "out of range"},
      {"time > 08:60", 7, "out of range"},
      {"topic == 14-vragen", 9, "quote values that start with a digit"},
      {"priority > 99999999999", 11, "number is too large"},
      {"channel == phone; drop", 16, "unexpected character ';'"},
      {"channel == caf\xc3\xa9", 14, "unexpected character"},
      {"channel == in", 11, "got the keyword 'in'"},
  };
  for (const ErrorCase& c : cases) {
    size_t offset = 999;
    absl::StatusOr<Expr> expr = ParseExpression(c.text, &offset);
    ASSERT_FALSE(expr.ok()) << c.text;
    EXPECT_EQ(expr.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(expr.status().message()), ::testing::HasSubstr(c.message)) << c.text;
    EXPECT_EQ(offset, c.offset) << c.text << ": " << expr.status();
  }
}

TEST(ExpressionTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "(";
  size_t offset = 0;
  absl::StatusOr<Expr> expr = ParseExpression(deep + "a", &offset);
  ASSERT_FALSE(expr.ok());
  EXPECT_THAT(std::string(expr.status().message()), ::testing::HasSubstr("nested too deeply"));
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "not ";
  EXPECT_FALSE(ParseExpression(nots + "a", &offset).ok());
  // Long flat chains are fine: and/or are n-ary, not nested.
  std::string chain = "a";
  for (int i = 0; i < 1000; ++i) chain += " or a";
  EXPECT_TRUE(ParseExpression(chain, &offset).ok());
}

}  // namespace
}  // namespace wissel::core::rules
