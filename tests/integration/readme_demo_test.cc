// The README's "First steps", run as a new user would: the real wisseld on the example
// configuration against a real redis-server, the demo handler and the README's wisselctl
// commands as child processes. The commands are read from README.md itself, and each outcome the
// README shows is checked against what the router answers, so the README cannot drift from what
// Wissel does.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/config/router_config.h"
#include "router/core/calendar.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"

namespace wissel::testing {
namespace {

using ::testing::HasSubstr;

constexpr absl::string_view kTenant = "gemeente-wisseloord";
constexpr absl::string_view kCtl = "build/router/cli/wisselctl ";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The "## First steps" section of the README.
std::string FirstSteps() {
  const std::string readme = ReadFile(absl::StrCat(WISSEL_SOURCE_DIR, "/README.md"));
  const size_t start = readme.find("## First steps");
  if (start == std::string::npos) return "";
  const size_t end = readme.find("\n## ", start + 1);
  return readme.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The wisselctl command lines of the section, as argument lists (without the program).
std::vector<std::vector<std::string>> Commands(absl::string_view section) {
  std::vector<std::vector<std::string>> commands;
  for (absl::string_view line : absl::StrSplit(section, '\n')) {
    if (!absl::ConsumePrefix(&line, kCtl)) continue;
    commands.push_back(absl::StrSplit(line, ' ', absl::SkipEmpty()));
  }
  return commands;
}

// The outcome lines the section shows: "contact <id>: HEADLINE   (label)" -> HEADLINE.
std::vector<std::string> ShownOutcomes(absl::string_view section) {
  std::vector<std::string> outcomes;
  for (absl::string_view line : absl::StrSplit(section, '\n')) {
    if (!absl::ConsumePrefix(&line, "contact <id>: ")) continue;
    const size_t label = line.find("  ");
    outcomes.emplace_back(absl::StripAsciiWhitespace(line.substr(0, label)));
  }
  return outcomes;
}

// The first line of a decision printed by `wisselctl route`, without "contact ID: ".
std::string Headline(const std::string& out) {
  const absl::string_view first = absl::string_view(out).substr(0, out.find('\n'));
  const size_t colon = first.find(": ");
  return std::string(colon == absl::string_view::npos ? first : first.substr(colon + 2));
}

class ReadmeDemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    // Development secrets, as scripts/run.sh makes them.
    env_ = {absl::StrCat("WISSEL_PSEUDONYM_SECRET_WISSELOORD=", std::string(64, 'a')),
            absl::StrCat("WISSEL_PSEUDONYM_SECRET_SPOORWIJK=", std::string(64, 'b'))};
    for (const std::string& var : env_) {
      std::vector<std::string> parts = absl::StrSplit(var, absl::MaxSplits('=', 1));
      setenv(parts[0].c_str(), parts[1].c_str(), 1);
    }
    // A checkout's layout in a folder of the test: the example configuration, and the
    // development certificates where scripts/run.sh puts them (.run/tls, which the example file
    // names relative to itself and wisselctl finds through WISSEL_TLS_DIR).
    checkout_ = std::filesystem::temp_directory_path() / absl::StrCat("wissel-readme-", getpid());
    std::filesystem::create_directories(checkout_ / "config");
    std::filesystem::copy(std::filesystem::path(WISSEL_SOURCE_DIR) / "config/example",
                          checkout_ / "config/example", std::filesystem::copy_options::recursive);
    const std::string certs = absl::StrCat(WISSEL_SOURCE_DIR, "/scripts/dev-certs.sh ",
                                           (checkout_ / ".run/tls").string());
    ASSERT_EQ(std::system(certs.c_str()), 0) << certs;  // NOLINT(cert-env33-c): the test's own
    env_.push_back(absl::StrCat("WISSEL_TLS_DIR=", (checkout_ / ".run/tls").string()));
    wisseld_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            WISSELD_BINARY,
            absl::StrCat("--config=", (checkout_ / "config/example/wissel.yaml").string()),
            "--listen=127.0.0.1:0", absl::StrCat("--redis_port=", redis_->port())},
        env_);
    ASSERT_TRUE(wisseld_->Start().ok());
    absl::StatusOr<int> port = wisseld_->WaitForPort();
    ASSERT_TRUE(port.ok()) << port.status() << "\n" << wisseld_->Log();
    router_ = absl::StrCat("--router=127.0.0.1:", *port);
  }

  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(checkout_, ec);
  }

  std::vector<std::string> Argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {WISSELCTL_BINARY, router_};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // Runs a wisselctl command to its end and returns its standard output.
  std::string Run(const std::vector<std::string>& args) {
    ChildProcess ctl(Argv(args), env_);
    EXPECT_TRUE(ctl.Start().ok());
    absl::StatusOr<int> status = ctl.Wait(absl::Seconds(20));
    EXPECT_TRUE(status.ok() && *status == 0) << absl::StrJoin(args, " ") << "\n" << ctl.Log();
    return ReadFile(ctl.stdout_path());
  }

  // Whether the example configuration's phone line is open at `t`.
  static bool PhoneOpenAt(absl::Time t) {
    config::LoadOptions options;
    options.require_secrets = false;
    absl::StatusOr<config::RouterConfig> config = config::LoadRouterConfig(
        absl::StrCat(WISSEL_SOURCE_DIR, "/config/example/wissel.yaml"), options);
    EXPECT_TRUE(config.ok()) << config.status();
    if (!config.ok()) return false;
    const config::TenantSettings* tenant = config->FindTenant(kTenant);
    EXPECT_NE(tenant, nullptr);
    if (tenant == nullptr) return false;
    return core::Calendar(tenant->routing.calendar).IsOpen(core::Channel::kPhone, t);
  }

  std::unique_ptr<RedisServer> redis_;
  std::vector<std::string> env_;
  std::filesystem::path checkout_;
  std::unique_ptr<ChildProcess> wisseld_;
  std::string router_;
};

TEST_F(ReadmeDemoTest, TheFirstStepsShowWhatWisselDoes) {
  const std::string section = FirstSteps();
  ASSERT_FALSE(section.empty()) << "README.md has no '## First steps' section";
  const std::vector<std::vector<std::string>> commands = Commands(section);
  ASSERT_EQ(commands.size(), 5u) << "expected: handler demo, three routes, queues";
  const std::vector<std::string> shown = ShownOutcomes(section);
  ASSERT_EQ(shown.size(), 4u) << "expected: assigned, digital, and tenzij open/closed";

  // 1. The demo handler, started in its own terminal.
  ASSERT_EQ(commands[0][0], "handler");
  ChildProcess handler(Argv(commands[0]), env_);
  ASSERT_TRUE(handler.Start().ok());
  ASSERT_TRUE(handler.WaitForLine("waiting for offers", absl::Seconds(20)).ok()) << handler.Log();

  // 2. A web form about a marriage goes to the demo handler at any hour.
  const std::string form = Run(commands[1]);
  EXPECT_EQ(Headline(form), shown[0]) << form;
  EXPECT_EQ(shown[0], "assigned to handler mw-0101 (queue burgerzaken)");
  absl::StatusOr<std::string> accepted = handler.WaitForLine("accepted contact", absl::Seconds(20));
  EXPECT_TRUE(accepted.ok()) << accepted.status() << "\n" << handler.Log();

  // 3. "Digitaal, tenzij": a phone call about a passport is steered to the digital alternative.
  const std::string call = Run(commands[2]);
  EXPECT_EQ(Headline(call), shown[1]) << call;
  EXPECT_EQ(shown[1], "outcome digital");
  EXPECT_THAT(call, HasSubstr("https://www.wisseloord.nl/paspoort-aanvragen"));

  // 4. "Tenzij": with low digital skills the call goes to a person; opening hours decide how.
  // The phone line's state is taken before and after the call; at an opening or closing instant
  // the two differ and either outcome is right.
  const bool open_before = PhoneOpenAt(absl::Now());
  const std::string tenzij = Run(commands[3]);
  const bool open_after = PhoneOpenAt(absl::Now());
  EXPECT_THAT(commands[3], ::testing::Contains("--need=low_digital_skills"));
  EXPECT_EQ(shown[2], "queued in balie-burgerzaken at position 1, expected wait 10m");
  EXPECT_EQ(shown[3], "outcome callback");
  if (open_before == open_after) {
    EXPECT_EQ(Headline(tenzij), open_before ? shown[2] : shown[3]) << tenzij;
  } else {
    EXPECT_THAT(Headline(tenzij), ::testing::AnyOf(shown[2], shown[3])) << tenzij;
  }

  // 5. What is waiting: the tenzij contact, in the balie team's queue.
  const std::string queues = Run(commands[4]);
  EXPECT_THAT(queues, HasSubstr("balie-burgerzaken")) << queues;

  EXPECT_TRUE(handler.SignalAndWait(SIGINT, absl::Seconds(30)).ok()) << handler.Log();
}

}  // namespace
}  // namespace wissel::testing
