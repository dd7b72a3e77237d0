#include "router/cli/flag_parser.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::vector<FlagSpec>& Specs() {
  static const auto* const kSpecs = new std::vector<FlagSpec>{
      {"tenant", FlagKind::kValue, "TENANT", "the tenant"},
      {"attr", FlagKind::kRepeated, "K=V", "an attribute"},
      {"json", FlagKind::kBool, "", "as JSON"},
      {"help", FlagKind::kBool, "", "help"},
  };
  return *kSpecs;
}

TEST(ParseFlagsTest, FormsOfValues) {
  ParsedFlags flags;
  std::vector<std::string> positionals;
  const std::vector<std::string> args = {"--tenant=a", "--attr", "k=v", "--attr=x=y=z", "--json"};
  ASSERT_TRUE(ParseFlags(args, Specs(), &flags, &positionals).ok());
  EXPECT_EQ(flags.Get("tenant"), "a");
  EXPECT_THAT(flags.GetAll("attr"), ElementsAre("k=v", "x=y=z"));
  EXPECT_TRUE(flags.GetBool("json"));
  EXPECT_FALSE(flags.Has("help"));
  EXPECT_FALSE(flags.GetBool("help"));
  EXPECT_EQ(flags.Get("help", "fallback"), "fallback");
  EXPECT_THAT(positionals, IsEmpty());
}

TEST(ParseFlagsTest, LastValueWinsAndEmptyValueIsAValue) {
  ParsedFlags flags;
  std::vector<std::string> positionals;
  ASSERT_TRUE(ParseFlags({"--tenant=a", "--tenant=b"}, Specs(), &flags, &positionals).ok());
  EXPECT_EQ(flags.Get("tenant"), "b");
  ParsedFlags empty;
  ASSERT_TRUE(ParseFlags({"--tenant="}, Specs(), &empty, &positionals).ok());
  EXPECT_TRUE(empty.Has("tenant"));
  EXPECT_EQ(empty.Get("tenant", "fallback"), "");
}

TEST(ParseFlagsTest, BoolValues) {
  ParsedFlags flags;
  std::vector<std::string> positionals;
  ASSERT_TRUE(ParseFlags({"--json=false", "-h"}, Specs(), &flags, &positionals).ok());
  EXPECT_FALSE(flags.GetBool("json"));
  EXPECT_TRUE(flags.GetBool("help"));
  absl::Status status = ParseFlags({"--json=yes"}, Specs(), &flags, &positionals);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("--json takes no value"));
}

TEST(ParseFlagsTest, PositionalsAndDoubleDash) {
  ParsedFlags flags;
  std::vector<std::string> positionals;
  ASSERT_TRUE(
      ParseFlags({"a", "--json", "b", "--", "--tenant=x", "-"}, Specs(), &flags, &positionals)
          .ok());
  EXPECT_THAT(positionals, ElementsAre("a", "b", "--tenant=x", "-"));
  EXPECT_FALSE(flags.Has("tenant"));
}

TEST(ParseFlagsTest, Errors) {
  struct Row {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Row& row :
       {Row{{"--nope"}, "unknown flag --nope"}, Row{{"--nope=1"}, "unknown flag --nope"},
        Row{{"-x"}, "unknown flag '-x'"}, Row{{"--tenant"}, "--tenant needs a value"}}) {
    ParsedFlags flags;
    std::vector<std::string> positionals;
    absl::Status status = ParseFlags(row.args, Specs(), &flags, &positionals);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << row.args[0];
    EXPECT_THAT(status.message(), HasSubstr(row.message));
  }
}

TEST(ParseLeadingFlagsTest, StopsAtFirstPositional) {
  ParsedFlags flags;
  const std::vector<std::string> args = {"--tenant", "t", "--json", "route", "--attr=a=b"};
  absl::StatusOr<size_t> consumed = ParseLeadingFlags(args, Specs(), &flags);
  ASSERT_TRUE(consumed.ok()) << consumed.status();
  EXPECT_EQ(*consumed, 3u);
  EXPECT_EQ(flags.Get("tenant"), "t");
  EXPECT_FALSE(flags.Has("attr"));
}

TEST(ParseLeadingFlagsTest, ConsumesDoubleDash) {
  ParsedFlags flags;
  absl::StatusOr<size_t> consumed = ParseLeadingFlags({"--json", "--", "--x"}, Specs(), &flags);
  ASSERT_TRUE(consumed.ok());
  EXPECT_EQ(*consumed, 2u);
}

TEST(FormatFlagHelpTest, Aligned) {
  EXPECT_EQ(FormatFlagHelp(Specs()),
            "  --tenant=TENANT  the tenant\n"
            "  --attr=K=V       an attribute\n"
            "  --json           as JSON\n"
            "  --help           help\n");
}

}  // namespace
}  // namespace wissel::cli
