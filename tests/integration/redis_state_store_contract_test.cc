// RedisStateStore passes the StateStore contract suite (state_store_contract.h) against a real
// redis-server started for each test: once as the default user without a password, and once
// as the ACL user `wissel` with exactly the least-privilege ACL of
// config/redis/wissel.acl.example, so that a command the router starts to use without the ACL
// allowing it fails here.
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "router/state/redis_keys.h"
#include "router/state/redis_state_store.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/wissel_acl.h"
#include "tests/router/state/state_store_contract.h"

namespace wissel::state {
namespace {

using contract::StateStoreBackend;
using contract::StateStoreBackendFactory;
using contract::StateStoreContractTest;
using ::wissel::testing::RedisServer;

class RedisBackend : public StateStoreBackend {
 public:
  // The store authenticates as `username` with `password` (none when empty).
  explicit RedisBackend(std::unique_ptr<RedisServer> server, std::string username = "",
                        std::string password = "")
      : server_(std::move(server)),
        username_(std::move(username)),
        password_(std::move(password)) {}

  std::unique_ptr<StateStore> NewStore(const core::Clock* clock) override {
    RedisStateStoreOptions options;
    options.clock = clock;
    options.endpoint.host = server_->host();
    options.endpoint.port = server_->port();
    options.endpoint.username = username_;
    options.endpoint.password = password_;
    options.endpoint.connect_timeout = absl::Milliseconds(500);
    options.endpoint.command_timeout = absl::Seconds(1);
    // The outage test expects the very next call after a restart to reconnect.
    options.endpoint.reconnect_backoff_initial = absl::ZeroDuration();
    return std::make_unique<RedisStateStore>(options);
  }

  // Every key with its serialised value.
  std::string Dump() override {
    absl::StatusOr<std::vector<std::string>> keys = server_->Keys();
    if (!keys.ok()) return absl::StrCat("<", keys.status().ToString(), ">");
    std::map<std::string, std::string> dump;
    for (const std::string& key : *keys) {
      absl::StatusOr<std::string> value = server_->Command({"DUMP", key});
      dump[key] = value.ok() ? *value : value.status().ToString();
    }
    std::string out;
    for (const auto& [key, value] : dump) absl::StrAppend(&out, key, "=", value, "\n");
    return out;
  }

  absl::Status SeedLegacyIdempotencyKey(const std::string& tenant,
                                        const std::string& idempotency_key,
                                        const std::string& contact_id, bool oldest_name) override {
    const std::string key = oldest_name ? keys::LegacyIdempotency(tenant, idempotency_key)
                                        : keys::Idempotency(tenant, idempotency_key);
    return server_->Command({"SET", key, contact_id, "EX", "100"}).status();
  }

  void LetLeasesAge(absl::Duration d) override { absl::SleepFor(d); }
  absl::Status Disconnect() override { return server_->Kill(); }
  absl::Status Reconnect() override { return server_->Restart(); }

 private:
  std::unique_ptr<RedisServer> server_;
  const std::string username_;
  const std::string password_;
};

constexpr char kAclPassword[] = "contract-test-password";

INSTANTIATE_TEST_SUITE_P(
    Redis, StateStoreContractTest,
    ::testing::Values(
        StateStoreBackendFactory{"Redis",
                                 []() -> absl::StatusOr<std::unique_ptr<StateStoreBackend>> {
                                   absl::StatusOr<std::unique_ptr<RedisServer>> server =
                                       RedisServer::Start();
                                   if (!server.ok()) return server.status();
                                   return std::make_unique<RedisBackend>(*std::move(server));
                                 }},
        StateStoreBackendFactory{
            "RedisAclUser",
            []() -> absl::StatusOr<std::unique_ptr<StateStoreBackend>> {
              absl::StatusOr<::wissel::testing::RedisServerOptions> options =
                  ::wissel::testing::AclServerOptions(WISSEL_SOURCE_DIR, kAclPassword);
              if (!options.ok()) return options.status();
              absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start(*options);
              if (!server.ok()) return server.status();
              return std::make_unique<RedisBackend>(*std::move(server), "wissel", kAclPassword);
            }}),
    contract::StateStoreBackendName);

}  // namespace
}  // namespace wissel::state
