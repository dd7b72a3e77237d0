#include "tests/integration/sentinel_cluster.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "router/state/redis_connection.h"

namespace wissel::testing {
namespace {

std::string FindSentinel() {
  if (const char* path = getenv("PATH"); path != nullptr) {
    for (absl::string_view entry : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      std::string candidate = absl::StrCat(entry, "/redis-sentinel");
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "/usr/bin/redis-sentinel";
}

void Flatten(const state::RedisReply& r, std::vector<std::string>* out) {
  if (r.type == state::RedisReply::Type::kArray) {
    for (const state::RedisReply& e : r.elements) Flatten(e, out);
  } else if (r.type == state::RedisReply::Type::kInteger) {
    out->push_back(absl::StrCat(r.integer));
  } else {
    out->push_back(r.str);
  }
}

// One command to 127.0.0.1:port on a fresh connection; the reply flattened. An error reply is
// FailedPrecondition.
absl::StatusOr<std::vector<std::string>> Ask(int port, const std::vector<std::string>& args) {
  state::RedisEndpoint endpoint;
  endpoint.port = port;
  endpoint.connect_timeout = absl::Milliseconds(500);
  endpoint.command_timeout = absl::Seconds(2);
  endpoint.reconnect_backoff_initial = absl::ZeroDuration();
  state::RedisConnection connection(endpoint);
  absl::StatusOr<state::RedisReply> reply = connection.Command(args);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return absl::FailedPreconditionError(reply->str);
  std::vector<std::string> out;
  Flatten(*reply, &out);
  return out;
}

// "key:value" lines of INFO as a map.
std::map<std::string, std::string> InfoFields(const std::string& info) {
  std::map<std::string, std::string> out;
  for (absl::string_view line : absl::StrSplit(info, '\n')) {
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    out[std::string(line.substr(0, colon))] =
        std::string(absl::StripTrailingAsciiWhitespace(line.substr(colon + 1)));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SentinelCluster>> SentinelCluster::Start(
    SentinelClusterOptions options) {
  std::unique_ptr<SentinelCluster> cluster(new SentinelCluster(std::move(options)));
  // A replica that becomes the primary must serve its own replicas at once: no diskless-sync
  // delay (5 s by default); and stopping a server must not wait for lagging replicas (10 s).
  const std::vector<std::string> common = {"--repl-diskless-sync-delay", "0", "--shutdown-timeout",
                                           "0"};
  RedisServerOptions primary_options;
  primary_options.extra_args = common;
  absl::StatusOr<std::unique_ptr<RedisServer>> primary = RedisServer::Start(primary_options);
  if (!primary.ok()) return primary.status();
  const int primary_port = (*primary)->port();
  cluster->servers_.push_back(*std::move(primary));
  for (int i = 0; i < cluster->options_.replicas; ++i) {
    RedisServerOptions replica_options;
    replica_options.extra_args = common;
    replica_options.extra_args.insert(replica_options.extra_args.end(),
                                      {"--replicaof", "127.0.0.1", absl::StrCat(primary_port)});
    absl::StatusOr<std::unique_ptr<RedisServer>> replica = RedisServer::Start(replica_options);
    if (!replica.ok()) return replica.status();
    cluster->servers_.push_back(*std::move(replica));
  }
  if (absl::Status s = cluster->StartSentinels(); !s.ok()) return s;
  if (absl::Status s = cluster->WaitUntilReady(); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(s.message(), "\n", cluster->SentinelLogs()));
  }
  return cluster;
}

SentinelCluster::~SentinelCluster() {
  sentinels_.clear();  // ChildProcess kills by pid
  // SIGKILL: a replica refuses SIGTERM while it writes its first append-only file after a
  // sync, and nothing here needs a clean stop.
  for (auto& s : servers_) s->Kill().IgnoreError();
  servers_.clear();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

absl::Status SentinelCluster::StartSentinels() {
  const char* tmp = getenv("TMPDIR");
  std::string templ =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/wissel-sentinel-XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
  }
  dir_ = templ;
  const std::string executable = FindSentinel();
  if (access(executable.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("redis-sentinel not executable: ", executable,
                                            " (Debian package redis-sentinel)"));
  }
  const int primary_port = servers_[0]->port();
  for (int i = 0; i < options_.sentinels; ++i) {
    const int port = UnusedTcpPort();
    const std::string dir = absl::StrCat(dir_, "/s", i);
    std::filesystem::create_directories(dir);
    const std::string conf = absl::StrCat(dir, "/sentinel.conf");
    const std::string& m = options_.master_name;
    {
      // Sentinel rewrites its config file (known replicas and sentinels, epochs): it must be a
      // file of its own, writable.
      std::ofstream out(conf);
      out << "port " << port << "\n"
          << "bind 127.0.0.1\n"
          << "daemonize no\n"
          << "dir " << dir << "\n"
          << "logfile \"\"\n"
          << "sentinel resolve-hostnames no\n"
          << "sentinel monitor " << m << " 127.0.0.1 " << primary_port << " " << options_.quorum
          << "\n"
          << "sentinel down-after-milliseconds " << m << " "
          << absl::ToInt64Milliseconds(options_.down_after) << "\n"
          << "sentinel failover-timeout " << m << " "
          << absl::ToInt64Milliseconds(options_.failover_timeout) << "\n"
          << "sentinel parallel-syncs " << m << " 1\n";
      for (const std::string& line : options_.sentinel_config_lines) out << line << "\n";
      if (!out) return absl::InternalError(absl::StrCat("cannot write ", conf));
    }
    auto process = std::make_unique<ChildProcess>(std::vector<std::string>{executable, conf});
    if (absl::Status s = process->Start(); !s.ok()) return s;
    sentinels_.push_back(std::move(process));
    sentinel_ports_.push_back(port);
  }
  return absl::OkStatus();
}

absl::Status SentinelCluster::WaitForReplicas(int master_port, int replicas,
                                              absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  std::string last;
  while (absl::Now() < until) {
    absl::StatusOr<std::vector<std::string>> info = Ask(master_port, {"INFO", "replication"});
    if (info.ok() && !info->empty()) {
      std::map<std::string, std::string> fields = InfoFields(info->front());
      last =
          absl::StrCat("role ", fields["role"], ", connected_slaves ", fields["connected_slaves"]);
      int connected = 0;
      if (fields["role"] == "master" && absl::SimpleAtoi(fields["connected_slaves"], &connected) &&
          connected >= replicas) {
        bool all_online = true;
        for (int i = 0; i < connected; ++i) {
          all_online =
              all_online && absl::StrContains(fields[absl::StrCat("slave", i)], "state=online");
        }
        if (all_online) return absl::OkStatus();
      }
    } else {
      last = info.ok() ? "empty INFO" : std::string(info.status().message());
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("replicas of 127.0.0.1:", master_port, " not in sync: ", last));
}

absl::Status SentinelCluster::WaitUntilReady() {
  const absl::Time until = absl::Now() + options_.ready_timeout;
  if (absl::Status s =
          WaitForReplicas(servers_[0]->port(), options_.replicas, options_.ready_timeout);
      !s.ok()) {
    return s;
  }
  std::string last;
  for (size_t i = 0; i < sentinel_ports_.size(); ++i) {
    while (true) {
      absl::StatusOr<std::vector<std::string>> master =
          Ask(sentinel_ports_[i], {"SENTINEL", "MASTER", options_.master_name});
      if (master.ok()) {
        std::map<std::string, std::string> fields;
        for (size_t k = 0; k + 1 < master->size(); k += 2) fields[(*master)[k]] = (*master)[k + 1];
        last = absl::StrCat("sentinel ", i, ": flags ", fields["flags"], ", num-slaves ",
                            fields["num-slaves"], ", num-other-sentinels ",
                            fields["num-other-sentinels"]);
        if (fields["flags"] == "master" &&
            fields["num-slaves"] == absl::StrCat(options_.replicas) &&
            fields["num-other-sentinels"] == absl::StrCat(options_.sentinels - 1)) {
          break;
        }
      } else {
        last = absl::StrCat("sentinel ", i, ": ", master.status().message());
      }
      if (absl::Now() > until) {
        return absl::DeadlineExceededError(absl::StrCat("sentinels not ready: ", last));
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
  return absl::OkStatus();
}

std::vector<RedisServer*> SentinelCluster::servers() {
  std::vector<RedisServer*> out;
  for (auto& s : servers_) out.push_back(s.get());
  return out;
}

std::vector<std::string> SentinelCluster::sentinel_addresses() const {
  std::vector<std::string> out;
  for (int port : sentinel_ports_) out.push_back(absl::StrCat("127.0.0.1:", port));
  return out;
}

absl::StatusOr<int> SentinelCluster::MasterPort(int sentinel) {
  absl::StatusOr<std::vector<std::string>> reply = Ask(
      sentinel_ports_.at(sentinel), {"SENTINEL", "get-master-addr-by-name", options_.master_name});
  if (!reply.ok()) return reply.status();
  int port = 0;
  if (reply->size() != 2 || !absl::SimpleAtoi((*reply)[1], &port)) {
    return absl::InternalError("unexpected get-master-addr-by-name reply");
  }
  return port;
}

RedisServer* SentinelCluster::ServerOnPort(int port) {
  for (auto& s : servers_) {
    if (s->port() == port) return s.get();
  }
  return nullptr;
}

absl::StatusOr<int> SentinelCluster::WaitForNewMaster(int old_port, absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  while (absl::Now() < until) {
    for (size_t i = 0; i < sentinel_ports_.size(); ++i) {
      absl::StatusOr<int> port = MasterPort(static_cast<int>(i));
      if (!port.ok() || *port == old_port) continue;
      absl::StatusOr<std::vector<std::string>> role = Ask(*port, {"ROLE"});
      if (role.ok() && !role->empty() && role->front() == "master") return *port;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::DeadlineExceededError(absl::StrCat("no failover away from port ", old_port,
                                                  " within ", absl::FormatDuration(timeout)));
}

std::string SentinelCluster::SentinelLogs() const {
  std::string out;
  for (size_t i = 0; i < sentinels_.size(); ++i) {
    std::ifstream in(sentinels_[i]->stdout_path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() > 3000) text = text.substr(text.size() - 3000);
    absl::StrAppend(&out, "--- sentinel ", i, " ---\n", text, sentinels_[i]->Log(1000));
  }
  return out;
}

}  // namespace wissel::testing
