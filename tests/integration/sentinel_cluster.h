// SentinelCluster: a Redis primary, its replicas and Redis Sentinel processes on free loopback
// ports, each in a temporary directory, for failover tests.
//
// Start() starts the primary and the replicas (redis_server.h, `--replicaof` the primary) and
// the sentinels (`redis-sentinel` with a generated config: quorum, down-after-milliseconds and
// failover-timeout from the options), then waits until every replica is in sync and every
// sentinel knows every replica and every other sentinel, so that a failover can start as soon
// as the primary dies. Every wait is bounded; the destructor stops everything by pid.
//
// Not thread-safe: one test thread owns it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"

namespace wissel::testing {

struct SentinelClusterOptions {
  std::string master_name = "wissel";
  int replicas = 1;
  int sentinels = 3;
  int quorum = 2;
  absl::Duration down_after = absl::Seconds(1);
  absl::Duration failover_timeout = absl::Seconds(3);
  // How long Start() waits for the sentinels to find each other and the replicas.
  absl::Duration ready_timeout = absl::Seconds(30);
  // Appended to every sentinel's configuration, e.g. ACL `user` lines. Leave the default user
  // without a password: the cluster's own questions to the sentinels use it.
  std::vector<std::string> sentinel_config_lines;
};

class SentinelCluster {
 public:
  static absl::StatusOr<std::unique_ptr<SentinelCluster>> Start(SentinelClusterOptions options);
  ~SentinelCluster();

  const SentinelClusterOptions& options() const { return options_; }
  // servers()[0] is the first primary; the others its replicas. After a failover the roles move.
  std::vector<RedisServer*> servers();
  // "127.0.0.1:PORT" of each sentinel.
  std::vector<std::string> sentinel_addresses() const;

  // The master's port as sentinel `i` reports it.
  absl::StatusOr<int> MasterPort(int sentinel);
  // The server listening on `port`, or nullptr.
  RedisServer* ServerOnPort(int port);
  // Waits until some sentinel reports a master other than `old_port` and that server says ROLE
  // master; returns its port. DeadlineExceeded after `timeout`.
  absl::StatusOr<int> WaitForNewMaster(int old_port, absl::Duration timeout);
  // Waits until every running replica of the master on `master_port` has its link up and the
  // master counts `replicas` connected replicas.
  absl::Status WaitForReplicas(int master_port, int replicas, absl::Duration timeout);

  // The sentinels' logs, for failure messages.
  std::string SentinelLogs() const;

 private:
  explicit SentinelCluster(SentinelClusterOptions options) : options_(std::move(options)) {}
  absl::Status StartSentinels();
  absl::Status WaitUntilReady();

  SentinelClusterOptions options_;
  std::vector<std::unique_ptr<RedisServer>> servers_;
  std::vector<std::unique_ptr<ChildProcess>> sentinels_;
  std::vector<int> sentinel_ports_;
  std::string dir_;  // sentinel configs; removed by the destructor
};

}  // namespace wissel::testing
