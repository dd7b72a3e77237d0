// Tests of `wisselctl config check` / `rules check`: offline, against files in the source tree
// and in the test's temporary directory.
#include "router/cli/config_check.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/cli/wisselctl.h"

namespace wissel::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr char kExample[] = WISSEL_SOURCE_DIR "/config/example/wissel.yaml";

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Result Wisselctl(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  CliEnvironment env;
  env.out = &out;
  env.err = &err;
  Result result;
  result.exit_code = RunWisselctl(args, env);
  result.out = out.str();
  result.err = err.str();
  return result;
}

std::string WriteFile(const std::string& name, const std::string& contents) {
  std::string dir = ::testing::TempDir();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::string path = dir + "/" + name;
  std::ofstream(path) << contents;
  return path;
}

class ConfigCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("WISSEL_PSEUDONYM_SECRET_WISSELOORD");
    unsetenv("WISSEL_PSEUDONYM_SECRET_SPOORWIJK");
  }
};

TEST_F(ConfigCheckTest, ExampleIsOkWithoutTheSecrets) {
  const Result r = Wisselctl({"config", "check", kExample});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  EXPECT_THAT(r.out, StartsWith("OK: 2 tenants, 33 topics, 22 rules\n"));
  // The line of the example's first pseudonym_secret_env, wherever edits moved it.
  std::ifstream example(kExample);
  std::string line;
  int number = 0;
  int secret_line = 0;
  while (secret_line == 0 && std::getline(example, line)) {
    ++number;
    if (line == "    pseudonym_secret_env: WISSEL_PSEUDONYM_SECRET_WISSELOORD")
      secret_line = number;
  }
  ASSERT_GT(secret_line, 0);
  EXPECT_THAT(r.out,
              HasSubstr(absl::StrCat(
                  "\nwarning: " WISSEL_SOURCE_DIR "/config/example/wissel.yaml:", secret_line,
                  ":27: tenants[0].pseudonym_secret_env: "
                  "environment variable 'WISSEL_PSEUDONYM_SECRET_WISSELOORD' is "
                  "not set or empty (not required for this check)\n")));
}

TEST_F(ConfigCheckTest, RulesCheckIsTheSameCommand) {
  setenv("WISSEL_PSEUDONYM_SECRET_WISSELOORD", "dev-secret-wisseloord-0123456789abcdef", 1);
  setenv("WISSEL_PSEUDONYM_SECRET_SPOORWIJK", "dev-secret-spoorwijk-0123456789abcdef", 1);
  const Result r = Wisselctl({"rules", "check", kExample});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "OK: 2 tenants, 33 topics, 22 rules\n");  // no warnings at all
}

TEST_F(ConfigCheckTest, BrokenRulesAreReportedWithFileLineAndColumn) {
  const std::string path = WriteFile("check_broken.yaml", R"(tenants:
  - id: gemeente-test
    name: Gemeente Test
    pseudonym_secret_env: WISSEL_PSEUDONYM_SECRET_WISSELOORD
    queues: [{name: kcc}]
    rules:
      - name: a
        when: channel == fax
        then: [{route_to: kcc}]
      - name: b
        when: channel == phone
        then: [{route_to: wmo}]
)");
  const Result r = Wisselctl({"config", "check", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(r.err, "error: " + path +
                       ":8:26: rule 'a': unknown channel 'fax'; expected one of: phone, chat, "
                       "web_form, balie, email\n"
                       "error: " +
                       path + ":12:27: rule 'b': route_to: unknown queue 'wmo'; queues: kcc\n");
}

TEST_F(ConfigCheckTest, WarningsAreShownAndDoNotFail) {
  const std::string path = WriteFile("check_warning.yaml", R"(tenants:
  - id: gemeente-test
    name: Gemeente Test
    pseudonym_secret_env: WISSEL_PSEUDONYM_SECRET_WISSELOORD
    queues: [{name: kcc}, {name: nacht}]
    handlers: [{id: h1, skills: {kcc: 3}}]
    rules:
      - {name: nacht, when: "time >= 22:00", then: [{route_to: nacht}]}
)");
  const Result r = Wisselctl({"config", "check", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("OK: 1 tenants, 0 topics, 1 rules\n"));
  EXPECT_THAT(r.out, HasSubstr("warning: " + path +
                               ":8:64: rule 'nacht': route_to 'nacht': no active handler"));
}

TEST_F(ConfigCheckTest, MissingFileFails) {
  const Result r = Wisselctl({"config", "check", "/nonexistent/wissel.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: cannot open '/nonexistent/wissel.yaml'"));
}

TEST_F(ConfigCheckTest, UsageErrors) {
  Result r = Wisselctl({"config", "check"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("error: missing FILE\n"));
  r = Wisselctl({"config", "check", kExample, "extra"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("error: unexpected argument 'extra'\n"));
  r = Wisselctl({"config", "check", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("Usage: wisselctl config check [flags] FILE\n"));
  EXPECT_THAT(Wisselctl({"--help"}).out, HasSubstr("  rules check "));
}

TEST_F(ConfigCheckTest, RunConfigCheckDirectly) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunConfigCheck(kExample, out, err), 0);
  EXPECT_THAT(out.str(), StartsWith("OK: 2 tenants"));
}

}  // namespace
}  // namespace wissel::cli
