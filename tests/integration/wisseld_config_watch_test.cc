// The real wisseld with --config_watch_interval, its configuration in a folder laid out as the
// kubelet lays out a ConfigMap volume: each file name is a symlink through `..data` into a
// timestamped folder. An update is made the way the kubelet makes it (new folder, `..data_tmp`
// symlink, rename over `..data`, old folder removed); nobody sends SIGHUP. A good file is
// reloaded (a new topic routes, a handler added to the roster beside it may sign in); a broken
// one is refused and the running configuration stays in force.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/router_harness.h"

namespace wissel::testing {
namespace {

namespace fs = std::filesystem;

// A folder written as the kubelet's AtomicWriter writes a ConfigMap volume.
class ConfigMapVolume {
 public:
  ConfigMapVolume() {
    char tmpl[] = "/tmp/wissel-configmap-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~ConfigMapVolume() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  const std::string& dir() const { return dir_; }

  // Writes `files` (name -> contents) as the volume's new contents, atomically for a reader.
  void Update(const std::map<std::string, std::string>& files) {
    const std::string data = absl::StrCat("..", ++generation_, "_config_update");
    fs::create_directory(fs::path(dir_) / data);
    for (const auto& [name, contents] : files) {
      std::ofstream(fs::path(dir_) / data / name) << contents;
    }
    const fs::path link = fs::path(dir_) / "..data";
    const std::string previous = fs::is_symlink(link) ? fs::read_symlink(link).string() : "";
    // The swap: a new symlink, renamed over the old one in one step.
    fs::create_directory_symlink(data, fs::path(dir_) / "..data_tmp");
    fs::rename(fs::path(dir_) / "..data_tmp", link);
    // The visible names, each a symlink through ..data (created once, left in place after).
    for (const auto& [name, contents] : files) {
      const fs::path visible = fs::path(dir_) / name;
      if (!fs::is_symlink(visible)) fs::create_symlink(fs::path("..data") / name, visible);
    }
    if (!previous.empty()) fs::remove_all(fs::path(dir_) / previous);
  }

 private:
  std::string dir_;
  int generation_ = 0;
};

// TestConfigYaml with the roster read from handlers.yaml beside it.
std::string ConfigYaml(int redis_port, const std::string& listen) {
  std::string yaml = TestConfigYaml(redis_port, "20s", listen);
  const std::string dynamic = "    dynamic_handlers: true\n";
  EXPECT_NE(yaml.find(dynamic), std::string::npos);
  return absl::StrReplaceAll(yaml, {{dynamic, "    handlers_file: handlers.yaml\n"}});
}

std::string Roster(const std::string& handlers) {
  return absl::StrCat("handlers:\n  ", kTenant, ":\n", handlers);
}

constexpr char kFirstHandler[] = "    - {id: mw-1, name: Eerste, skills: {burgerzaken: 3}}\n";
constexpr char kSecondHandler[] = "    - {id: mw-2, name: Tweede, skills: {wmo: 3}}\n";
constexpr char kNewTopic[] =
    "      - {code: verhuizing, name: Verhuizing, domain: burgerzaken, queue: wmo}\n";
constexpr char kLaterTopic[] =
    "      - {code: adres, name: Adresonderzoek, domain: burgerzaken, queue: burgerzaken}\n";
constexpr char kTopicAnchor[] =
    "      - {code: rijbewijs, name: Rijbewijs, domain: burgerzaken, queue: burgerzaken}\n";

// `yaml` with `topics` added after the last topic of TestConfigYaml.
std::string WithTopics(std::string yaml, const std::string& topics) {
  const size_t at = yaml.find(kTopicAnchor);
  EXPECT_NE(at, std::string::npos);
  yaml.insert(at + std::string(kTopicAnchor).size(), topics);
  return yaml;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class WisseldConfigWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    const int port = UnusedTcpPort();
    ASSERT_NE(port, 0);
    config_ = ConfigYaml(redis_->port(), absl::StrCat("127.0.0.1:", port));
    volume_.Update({{"wissel.yaml", config_}, {"handlers.yaml", Roster(kFirstHandler)}});
    daemon_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        WISSELD_BINARY, absl::StrCat("--config=", volume_.dir(), "/wissel.yaml"),
        "--startup_timeout=5s", "--config_watch_interval=100ms"});
    ASSERT_TRUE(daemon_->Start().ok());
    absl::StatusOr<int> listening = daemon_->WaitForPort();
    ASSERT_TRUE(listening.ok()) << listening.status() << daemon_->Log();
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", *listening),
                                       grpc::InsecureChannelCredentials());
    routing_ = v1::RoutingService::NewStub(channel);
    handlers_ = v1::HandlerService::NewStub(channel);
  }

  void TearDown() override {
    if (daemon_ != nullptr && daemon_->pid() > 0) {
      auto exited = daemon_->SignalAndWait(SIGTERM);
      ASSERT_TRUE(exited.ok()) << exited.status();
      EXPECT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) == 0) << daemon_->Log();
    }
  }

  // Waits (bounded) until the daemon's log holds `what` `times` times; false if it never does.
  bool WaitForLog(const std::string& what, size_t times) {
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    while (Count(daemon_->Log(1 << 20), what) < times) {
      if (absl::Now() > give_up) return false;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return true;
  }

  grpc::Status Route(const std::string& key, const std::string& topic) {
    v1::RouteContactRequest req;
    req.mutable_contact()->set_tenant(kTenant);
    req.mutable_contact()->set_channel(v1::CHANNEL_PHONE);
    req.mutable_contact()->set_topic(topic);
    req.mutable_contact()->set_idempotency_key(key);
    v1::RouteContactResponse resp;
    return routing_->RouteContact(Ctx().get(), req, &resp);
  }

  grpc::Status SignIn(const std::string& id) {
    v1::SignInRequest req;
    req.mutable_handler()->set_tenant(kTenant);
    req.mutable_handler()->set_handler_id(id);
    v1::Handler resp;
    return handlers_->SignIn(Ctx().get(), req, &resp);
  }

  std::unique_ptr<RedisServer> redis_;
  ConfigMapVolume volume_;
  std::string config_;
  std::unique_ptr<ChildProcess> daemon_;
  std::unique_ptr<v1::RoutingService::Stub> routing_;
  std::unique_ptr<v1::HandlerService::Stub> handlers_;
};

TEST_F(WisseldConfigWatchTest, ConfigMapUpdateIsReloadedAndABrokenOneRefused) {
  EXPECT_EQ(Route("before", "verhuizing").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(SignIn("mw-2").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(SignIn("mw-1").ok());

  // A new topic in wissel.yaml: reloaded without a restart or a signal from outside.
  volume_.Update(
      {{"wissel.yaml", WithTopics(config_, kNewTopic)}, {"handlers.yaml", Roster(kFirstHandler)}});
  ASSERT_TRUE(WaitForLog("configuration reloaded", 1)) << daemon_->Log();
  EXPECT_THAT(daemon_->Log(), ::testing::HasSubstr("configuration files changed"));
  grpc::Status routed = Route("new-topic", "verhuizing");
  EXPECT_TRUE(routed.ok()) << routed.error_message();

  // Only the roster beside it changes: a handler added there may sign in.
  volume_.Update({{"wissel.yaml", WithTopics(config_, kNewTopic)},
                  {"handlers.yaml", Roster(absl::StrCat(kFirstHandler, kSecondHandler))}});
  ASSERT_TRUE(WaitForLog("configuration reloaded", 2)) << daemon_->Log();
  grpc::Status signed_in = SignIn("mw-2");
  EXPECT_TRUE(signed_in.ok()) << signed_in.error_message();

  // A broken file: refused with its place and reason; the running configuration stays.
  volume_.Update({{"wissel.yaml", WithTopics(config_, kNewTopic) + "  - this is not a tenant\n"},
                  {"handlers.yaml", Roster(absl::StrCat(kFirstHandler, kSecondHandler))}});
  ASSERT_TRUE(WaitForLog("reload refused", 1)) << daemon_->Log();
  EXPECT_THAT(daemon_->Log(), ::testing::HasSubstr("wissel.yaml:"));
  routed = Route("still-routing", "verhuizing");
  EXPECT_TRUE(routed.ok()) << routed.error_message();

  // A good file again, with one more topic: applied; the broken one was refused only once.
  EXPECT_EQ(Route("not-yet", "adres").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  volume_.Update({{"wissel.yaml", WithTopics(config_, absl::StrCat(kNewTopic, kLaterTopic))},
                  {"handlers.yaml", Roster(absl::StrCat(kFirstHandler, kSecondHandler))}});
  ASSERT_TRUE(WaitForLog("configuration reloaded", 3)) << daemon_->Log();
  routed = Route("later-topic", "adres");
  EXPECT_TRUE(routed.ok()) << routed.error_message();
  EXPECT_EQ(Count(daemon_->Log(1 << 20), "reload refused"), 1u);
}

}  // namespace
}  // namespace wissel::testing
