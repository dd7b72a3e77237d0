// Every program of the project, run as a child process with --help: it exits 0 and lists its own
// flags with their meaning (base/program_flags.h). And an adapter refuses a bad environment
// value with exit 2 (adapters/common/env_flags.h), wissel-sip included.
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/integration/child_process.h"

namespace wissel::testing {
namespace {

struct Program {
  std::string path;
  // Flags of this program that its --help must list.
  std::vector<std::string> flags;
  // A line of the flag's meaning that must appear with it.
  std::string meaning;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ProgramHelpTest : public ::testing::TestWithParam<Program> {};

TEST_P(ProgramHelpTest, HelpListsTheProgramsFlagsAndExitsZero) {
  const Program& program = GetParam();
  ChildProcess child({program.path, "--help"});
  ASSERT_TRUE(child.Start().ok());
  absl::StatusOr<int> status = child.Wait(absl::Seconds(20));
  ASSERT_TRUE(status.ok()) << status.status();
  const std::string out = ReadFile(child.stdout_path());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << program.path << " --help: status " << *status << "\n"
      << out << child.Log();
  for (const std::string& flag : program.flags) {
    EXPECT_NE(out.find(absl::StrCat("--", flag)), std::string::npos)
        << program.path << " --help does not list --" << flag << ":\n"
        << out;
  }
  EXPECT_NE(out.find(program.meaning), std::string::npos)
      << program.path << " --help does not explain its flags:\n"
      << out;
  EXPECT_EQ(out.find("No flags matched"), std::string::npos) << out;
}

std::vector<Program> Programs() {
  std::vector<Program> programs = {
      Program{WISSELD_BINARY,
              {"config", "redis_host", "lease_ttl", "metrics_listen"},
              "Router configuration"},
      Program{WISSELCTL_BINARY, {"router", "timeout"}, "deadline of each call"},
      Program{WISSEL_SIP_BINARY,
              {"config", "udp_listen", "health_listen", "router", "router_deadline",
               "metrics_listen", "metrics_token_file"},
              "WISSEL_SIP_UDP_LISTEN"},
      Program{WISSEL_CHAT_BINARY,
              {"poll_interval", "listen", "router", "max_body_bytes", "metrics_listen"},
              "WISSEL_CHAT_POLL_INTERVAL"},
      Program{WISSEL_WEBFORM_BINARY, {"attribute_keys", "listen", "router"}, "WISSEL_LISTEN"},
      Program{
          WISSEL_BALIE_BINARY, {"config", "next_wait", "listen", "router"}, "WISSEL_BALIE_CONFIG"},
      Program{WISSEL_DASHBOARD_BINARY,
              {"tenant", "supervisor_tokens_file", "config", "listen", "router_cert_file"},
              "WISSEL_DASHBOARD_SUPERVISOR_TOKENS_FILE"},
  };
#ifdef WISSEL_LOAD_BINARY  // benchmarks are built (WISSEL_BUILD_BENCHMARKS)
  programs.push_back({WISSEL_LOAD_BINARY, {"target", "concurrency"}, "Sign the handlers out"});
  programs.push_back({WISSEL_FLOOR_BINARY, {"listen", "noop"}, "Reply without Redis"});
#endif
  return programs;
}

INSTANTIATE_TEST_SUITE_P(Programs, ProgramHelpTest, ::testing::ValuesIn(Programs()));

// wissel-sip reads its environment with the adapters' common reader: a value that does not parse
// is refused at start (exit 2, naming the variable) instead of silently falling back.
TEST(AdapterEnvironmentTest, SipRefusesABadEnvironmentValue) {
  for (const std::string& variable :
       {std::string("WISSEL_SIP_WORKERS=many"), std::string("WISSEL_SIP_DRAIN_TIMEOUT=soon"),
        std::string("WISSEL_ROUTER_DEADLINE=2 parsecs")}) {
    ChildProcess child({WISSEL_SIP_BINARY, "--udp_listen=127.0.0.1:0",
                        "--tcp_listen=", "--health_listen=127.0.0.1:0"},
                       {variable});
    ASSERT_TRUE(child.Start().ok());
    absl::StatusOr<int> status = child.Wait(absl::Seconds(20));
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2) << variable << ": " << *status;
    const std::string name = variable.substr(0, variable.find('='));
    EXPECT_NE(child.Log().find(name), std::string::npos) << child.Log();
  }
}

}  // namespace
}  // namespace wissel::testing
