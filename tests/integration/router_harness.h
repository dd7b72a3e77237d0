// RouterHarness: a real redis-server and an in-process Wissel Server on free loopback ports,
// with stubs for the three services. For integration tests of the whole router.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "router/config/router_config.h"
#include "router/engine/system_clock.h"
#include "router/privacy/pseudonymizer.h"
#include "router/service/request_validation.h"
#include "router/service/server.h"
#include "tests/integration/redis_server.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/operator_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::testing {

inline constexpr char kTenant[] = "gemeente-test";
// The tenant's pseudonym secret in TestConfigYaml.
inline constexpr char kTestSecret[] = "test-secret-test-secret-test-secret-0123";

// The contact id a router of TestConfigYaml gives the contact with `idempotency_key`.
inline std::string TestContactId(absl::string_view idempotency_key) {
  absl::StatusOr<privacy::Pseudonymizer> pseudonymizer =
      privacy::Pseudonymizer::Create(kTestSecret);
  return service::ContactIdForIdempotencyKey(*pseudonymizer, idempotency_key);
}

// A small tenant: two queues, short timeouts so tests of expiry stay quick.
inline std::string TestConfigYaml(int redis_port, absl::string_view offer_timeout = "2s",
                                  absl::string_view listen = "127.0.0.1:0") {
  return absl::StrReplaceAll(
      R"yaml(
listen_address: LISTEN
drain_timeout: 2s
redis: {host: 127.0.0.1, port: PORT}
# Loopback development mode: these tests are about routing, not access control
# (tests/integration/access_control_test.cc covers that, with TLS).
tls: {plaintext: true}
access: {allow_anonymous: true}
tenants:
  - id: gemeente-test
    name: Gemeente Test
    dynamic_handlers: true
    pseudonym_secret: "SECRET"
    attributes:
      - {name: ivr, max_length: 512}
      - {name: page, max_length: 100}
      - {name: naam, max_length: 100, personal: true}
    attribute_key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
    contact_retention: 1d
    handler_defaults:
      offer_timeout: OFFER
      max_wrap_up: 1m
    queues:
      - {name: burgerzaken}
      - {name: wmo, default_handle_time: 10m}
    topics:
      - {code: paspoort, name: Paspoort, domain: burgerzaken, queue: burgerzaken}
      - {code: rijbewijs, name: Rijbewijs, domain: burgerzaken, queue: burgerzaken}
      - {code: wmo-hulpmiddelen, name: Hulpmiddelen, domain: sociaal_domein, queue: wmo}
)yaml",
      {{"PORT", absl::StrCat(redis_port)},
       {"OFFER", offer_timeout},
       {"LISTEN", listen},
       {"SECRET", kTestSecret}});
}

class RouterHarness {
 public:
  // Starts Redis and a router; fails the test (ASSERT) if either does not start.
  void SetUp(absl::string_view offer_timeout = "2s", RedisServerOptions redis_options = {}) {
    auto redis = RedisServer::Start(std::move(redis_options));
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    StartRouter(offer_timeout);
  }

  // `edit`, when given, changes the configuration's text before it is parsed.
  void StartRouter(absl::string_view offer_timeout = "2s",
                   const std::function<std::string(std::string)>& edit = nullptr) {
    std::string yaml = TestConfigYaml(redis_->port(), offer_timeout);
    if (edit) yaml = edit(std::move(yaml));
    auto config = config::ParseRouterConfig(yaml, "test.yaml");
    ASSERT_TRUE(config.ok()) << config.status();
    server_ = std::make_unique<service::Server>(*std::move(config), &clock_);
    absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    routing_ = v1::RoutingService::NewStub(channel_);
    handlers_ = v1::HandlerService::NewStub(channel_);
    operators_ = v1::OperatorService::NewStub(channel_);
  }

  void StopRouter() {
    routing_.reset();
    handlers_.reset();
    operators_.reset();
    channel_.reset();
    if (server_) server_->Shutdown(absl::Seconds(2));
    server_.reset();
  }

  void TearDown() { StopRouter(); }

  v1::RoutingService::Stub& routing() { return *routing_; }
  v1::HandlerService::Stub& handlers() { return *handlers_; }
  v1::OperatorService::Stub& operators() { return *operators_; }
  RedisServer& redis() { return *redis_; }
  service::Server& server() { return *server_; }

  // Every string stored in Redis: keys, hash fields and values, list, set and sorted-set
  // members, strings, stream entries (ids, fields and values), and each contact's payload
  // whole.
  std::string DumpRedis() { return redis_->Dump(); }

 private:
  engine::SystemClock clock_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<service::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RoutingService::Stub> routing_;
  std::unique_ptr<v1::HandlerService::Stub> handlers_;
  std::unique_ptr<v1::OperatorService::Stub> operators_;
};

// Deadline-bounded client context: no test call can hang.
inline std::unique_ptr<grpc::ClientContext> Ctx(absl::Duration timeout = absl::Seconds(5)) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::microseconds(absl::ToInt64Microseconds(timeout)));
  return ctx;
}

}  // namespace wissel::testing
