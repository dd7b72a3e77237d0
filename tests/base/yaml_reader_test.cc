// The strict YAML reader every config loader uses: node kinds, unknown and duplicate keys with
// suggestions, typed scalars, and errors located at FILE:LINE:COL (also for null values and for
// paths recorded earlier, and in other files).
#include "base/yaml_reader.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::base {
namespace {

using ::testing::HasSubstr;

absl::Status ErrorOf(const absl::Status& status) { return status; }
template <typename T>
absl::Status ErrorOf(const absl::StatusOr<T>& value) {
  return value.status();
}

MATCHER_P(IsInvalid, message, "") {
  const absl::Status status = ErrorOf(arg);
  *result_listener << "status: " << status;
  return status.code() == absl::StatusCode::kInvalidArgument && status.message() == message;
}

YAML::Node Load(YamlReader& reader) {
  absl::StatusOr<YAML::Node> root = reader.LoadDocument();
  EXPECT_TRUE(root.ok()) << root.status();
  return root.ok() ? *root : YAML::Node();
}

TEST(PathTest, JoinsKeysAndIndices) {
  EXPECT_EQ(JoinKeyPath("", "tenants"), "tenants");
  EXPECT_EQ(JoinKeyPath("tenants[0]", "id"), "tenants[0].id");
  EXPECT_EQ(IndexPath("tenants", 3), "tenants[3]");
}

TEST(YamlReaderTest, LoadDocumentRefusesMalformedAndSeveralDocuments) {
  YamlReader malformed("f.yaml", "a: [b\n");
  EXPECT_THAT(malformed.LoadDocument().status().message(), HasSubstr("f.yaml:"));
  EXPECT_THAT(malformed.LoadDocument().status().message(), HasSubstr(": malformed YAML: "));

  YamlReader two("f.yaml", "a: 1\n---\nb: 2\n");
  EXPECT_THAT(two.LoadDocument(),
              IsInvalid("f.yaml:3:1: only one YAML document is allowed per file"));

  YamlReader empty("f.yaml", "");
  absl::StatusOr<YAML::Node> root = empty.LoadDocument();
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->IsNull());
}

TEST(YamlReaderTest, ReadMapKeepsDocumentOrderAndRefusesUnknownKeys) {
  YamlReader reader("f.yaml", "port: 1\nhost: x\n");
  const YAML::Node root = Load(reader);
  absl::StatusOr<YamlEntries> fields = reader.ReadMap(root, "", {"host", "port"});
  ASSERT_TRUE(fields.ok()) << fields.status();
  ASSERT_EQ(fields->all().size(), 2u);
  EXPECT_EQ(fields->all()[0].key, "port");
  ASSERT_NE(fields->Find("host"), nullptr);
  EXPECT_EQ(fields->Find("host")->Scalar(), "x");
  EXPECT_EQ(fields->Find("sentinel"), nullptr);

  YamlReader typo("f.yaml", "redis:\n  hots: x\n");
  const YAML::Node typo_root = Load(typo);
  absl::StatusOr<YamlEntries> top = typo.ReadMap(typo_root, "", {"redis"});
  ASSERT_TRUE(top.ok());
  EXPECT_THAT(typo.ReadMap(*top->Find("redis"), "redis", {"host", "port"}),
              IsInvalid("f.yaml:2:3: redis.hots: unknown key 'hots'; did you mean 'host'?"));
  EXPECT_THAT(typo.ReadMap(*top->Find("redis"), "redis", {"database"}),
              IsInvalid("f.yaml:2:3: redis.hots: unknown key 'hots'; expected one of: database"));
}

TEST(YamlReaderTest, ReadMapRefusesDuplicatesAndNonMaps) {
  YamlReader duplicate("f.yaml", "a: 1\nb: 2\na: 3\n");
  EXPECT_THAT(duplicate.ReadAnyMap(Load(duplicate), ""),
              IsInvalid("f.yaml:3:1: a: duplicate key 'a' (first at line 1)"));

  YamlReader list("f.yaml", "a: [1, 2]\n");
  const YAML::Node root = Load(list);
  EXPECT_THAT(list.ReadMap(root["a"], "a", {"x"}),
              IsInvalid("f.yaml:1:4: a: expected a map, got a list"));

  YamlReader null_map("f.yaml", "a:\n");
  absl::StatusOr<YamlEntries> empty = null_map.ReadAnyMap(Load(null_map)["a"], "a");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->all().empty());
}

TEST(YamlReaderTest, RequireAndRequireValue) {
  YamlReader reader("f.yaml", "outer:\n  name:\n  other: 1\n");
  const YAML::Node root = Load(reader);
  absl::StatusOr<YamlEntries> top = reader.ReadMap(root, "", {"outer"});
  ASSERT_TRUE(top.ok());
  const YAML::Node& outer = *top->Find("outer");
  absl::StatusOr<YamlEntries> fields = reader.ReadMap(outer, "outer", {"name", "other", "id"});
  ASSERT_TRUE(fields.ok());

  EXPECT_THAT(reader.Require(*fields, outer, "outer", "id"),
              IsInvalid("f.yaml:2:3: outer: missing required key 'id'"));
  // A key without a value is present for Require, missing for RequireValue.
  EXPECT_TRUE(reader.Require(*fields, outer, "outer", "name").ok());
  EXPECT_EQ(fields->FindNonNull("name"), nullptr);
  EXPECT_THAT(reader.RequireValue(*fields, outer, "outer", "name"),
              IsInvalid("f.yaml:2:3: outer.name: is required"));
  absl::StatusOr<const YAML::Node*> other = reader.RequireValue(*fields, outer, "outer", "other");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->Scalar(), "1");
}

TEST(YamlReaderTest, ReadTextValueTreatsAKeyWithoutValueAsNotGiven) {
  YamlReader reader("f.yaml", "title: ''\nzone:\nname: x\nlist: [a]\n");
  const YAML::Node root = Load(reader);
  absl::StatusOr<YamlEntries> fields = reader.ReadAnyMap(root, "");
  ASSERT_TRUE(fields.ok());
  std::string out = "default";
  ASSERT_TRUE(reader.ReadTextValue(*fields, root, "", "zone", false, &out).ok());
  EXPECT_EQ(out, "default");
  ASSERT_TRUE(reader.ReadTextValue(*fields, root, "", "absent", false, &out).ok());
  EXPECT_EQ(out, "default");
  ASSERT_TRUE(reader.ReadTextValue(*fields, root, "", "title", true, &out).ok());
  EXPECT_EQ(out, "");
  ASSERT_TRUE(reader.ReadTextValue(*fields, root, "", "name", true, &out).ok());
  EXPECT_EQ(out, "x");
  EXPECT_THAT(reader.ReadTextValue(*fields, root, "", "zone", true, &out),
              IsInvalid("f.yaml:1:1: zone: is required"));
  EXPECT_THAT(reader.ReadTextValue(*fields, root, "", "list", true, &out),
              IsInvalid("f.yaml:4:7: list: expected a string, got a list"));
}

TEST(YamlReaderTest, ErrorsOnNullValuesPointAtTheKey) {
  // yaml-cpp places the empty value at the next token (line 2); the key is on line 1.
  YamlReader reader("f.yaml", "name:\nnext: 1\n");
  const YAML::Node root = Load(reader);
  absl::StatusOr<YamlEntries> fields = reader.ReadMap(root, "", {"name", "next"});
  ASSERT_TRUE(fields.ok());
  EXPECT_THAT(reader.ReadString(*fields->Find("name"), "name"),
              IsInvalid("f.yaml:1:1: name: expected a string, got nothing (null)"));
}

TEST(YamlReaderTest, TypedScalars) {
  YamlReader reader("f.yaml",
                    "s: abc\n"
                    "e: ''\n"
                    "i: 42\n"
                    "x: 4x\n"
                    "n: 0.5\n"
                    "b: true\n"
                    "y: yes\n"
                    "l: [a, b]\n"
                    "d: 1h30m\n"
                    "z: 0s\n"
                    "ms: 500ms\n"
                    "q: 2q\n");
  const YAML::Node root = Load(reader);
  EXPECT_EQ(*reader.ReadString(root["s"], "s"), "abc");
  EXPECT_THAT(reader.ReadString(root["e"], "e"), IsInvalid("f.yaml:2:4: e: must not be empty"));
  EXPECT_EQ(*reader.ReadText(root["e"], "e"), "");
  EXPECT_THAT(reader.ReadText(root["l"], "l"),
              IsInvalid("f.yaml:8:4: l: expected a string, got a list"));
  EXPECT_EQ(*reader.ReadInt(root["i"], "i"), 42);
  EXPECT_THAT(reader.ReadInt(root["x"], "x"),
              IsInvalid("f.yaml:4:4: x: expected an integer, got '4x'"));
  EXPECT_EQ(*reader.ReadNumber(root["n"], "n"), 0.5);
  EXPECT_THAT(reader.ReadNumber(root["l"], "l"),
              IsInvalid("f.yaml:8:4: l: expected a number such as 1 or 0.5, got a list"));
  EXPECT_TRUE(*reader.ReadBool(root["b"], "b"));
  EXPECT_THAT(reader.ReadBool(root["y"], "y"),
              IsInvalid("f.yaml:7:4: y: expected true or false, got 'yes'"));
  EXPECT_EQ(*reader.ReadStringList(root["l"], "l"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*reader.ReadDuration(root["d"], "d"), absl::Minutes(90));
  EXPECT_THAT(
      reader.ReadDuration(root["q"], "q"),
      IsInvalid("f.yaml:12:4: q: unknown unit 'q' in duration '2q'; supported: s, m, h, d"));
  EXPECT_THAT(reader.ReadPositiveDuration(root["z"], "z"),
              IsInvalid("f.yaml:10:4: z: must be positive"));
  EXPECT_FALSE(reader.ReadDuration(root["ms"], "ms").ok());
  EXPECT_EQ(*reader.ReadTimeout(root["ms"], "ms"), absl::Milliseconds(500));
  EXPECT_THAT(reader.ExpectSequence(root["s"], "s"),
              IsInvalid("f.yaml:1:4: s: expected a list, got a scalar"));
}

enum class Colour { kRed, kGreen };
constexpr EnumName<Colour> kColours[] = {{"red", Colour::kRed}, {"green", Colour::kGreen}};

TEST(YamlReaderTest, ReadEnumSuggests) {
  YamlReader reader("f.yaml", "a: green\nb: gren\nc: blue\nd: [red]\n");
  const YAML::Node root = Load(reader);
  EXPECT_EQ(*reader.ReadEnum(root["a"], "a", absl::MakeSpan(kColours), "colour"), Colour::kGreen);
  EXPECT_THAT(reader.ReadEnum(root["b"], "b", absl::MakeSpan(kColours), "colour"),
              IsInvalid("f.yaml:2:4: b: unknown colour 'gren'; did you mean 'green'?"));
  EXPECT_THAT(reader.ReadEnum(root["c"], "c", absl::MakeSpan(kColours), "colour"),
              IsInvalid("f.yaml:3:4: c: unknown colour 'blue'; expected one of: red, green"));
  EXPECT_THAT(reader.ReadEnum(root["d"], "d", absl::MakeSpan(kColours), "colour"),
              IsInvalid("f.yaml:4:4: d: expected a colour (red, green), got a list"));
}

TEST(YamlReaderTest, ErrorAtPathUsesTheNearestRecordedParent) {
  YamlReader reader("f.yaml", "queues:\n  - name: a\n    skill: b\n");
  const YAML::Node root = Load(reader);
  absl::StatusOr<YamlEntries> top = reader.ReadMap(root, "", {"queues"});
  ASSERT_TRUE(top.ok());
  const YAML::Node& item = (*top->Find("queues"))[0];
  reader.Record("queues[0]", item);
  ASSERT_TRUE(reader.ReadMap(item, "queues[0]", {"name", "skill"}).ok());
  EXPECT_THAT(reader.ErrorAtPath("queues[0].skill", root, "unknown skill"),
              IsInvalid("f.yaml:3:12: queues[0].skill: unknown skill"));
  EXPECT_THAT(reader.ErrorAtPath("queues[0].escalation[1].after", root, "too late"),
              IsInvalid("f.yaml:2:5: queues[0].escalation[1].after: too late"));
  EXPECT_THAT(reader.ErrorAtPath("topics[0]", root, "no topic"),
              IsInvalid("f.yaml:1:1: topics[0]: no topic"));
}

TEST(YamlReaderTest, ErrorsReferToTheCurrentFile) {
  YamlReader reader("main.yaml", "a: 1\n");
  const size_t other = reader.AddFile("other.yaml", "\n\nb: [x\n");
  EXPECT_EQ(reader.file_name(other), "other.yaml");
  {
    YamlReader::FileScope scope(&reader, other);
    EXPECT_EQ(reader.current_name(), "other.yaml");
    EXPECT_THAT(reader.LoadDocument().status().message(), HasSubstr("other.yaml:"));
  }
  EXPECT_EQ(reader.current_name(), "main.yaml");
  EXPECT_THAT(reader.ErrorAt(YAML::Mark::null_mark(), "", "no position"),
              IsInvalid("main.yaml: no position"));
}

}  // namespace
}  // namespace wissel::base
