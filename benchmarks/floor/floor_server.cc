#include "benchmarks/floor/floor_server.h"

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmarks/floor/queued_record.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "router/core/effect.h"
#include "router/state/redis_state_store.h"

namespace wissel::floor {

const char kFloorScript[] = R"lua(
redis.call('HSET', KEYS[1], 'topic', ARGV[1], 'channel', ARGV[2], 'state', 'queued',
           'created', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
)lua";

namespace {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};

// One calling thread's connection. Reconnects after an error; `sha` is the loaded script.
struct ThreadConnection {
  std::unique_ptr<redisContext, ContextDeleter> context;
  const FloorConfig* owner = nullptr;
  std::string sha;
};

absl::Status Connect(const FloorConfig& config, ThreadConnection& conn) {
  struct timeval timeout = {2, 0};
  conn.context.reset(
      redisConnectWithTimeout(config.redis_host.c_str(), config.redis_port, timeout));
  if (conn.context == nullptr || conn.context->err != 0) {
    std::string why = conn.context ? conn.context->errstr : "out of memory";
    conn.context.reset();
    return absl::UnavailableError(
        absl::StrCat("redis ", config.redis_host, ":", config.redis_port, ": ", why));
  }
  redisSetTimeout(conn.context.get(), timeout);
  Reply reply(static_cast<redisReply*>(
      redisCommand(conn.context.get(), "SCRIPT LOAD %b", kFloorScript, sizeof(kFloorScript) - 1)));
  if (reply == nullptr || reply->type != REDIS_REPLY_STRING) {
    conn.context.reset();
    return absl::UnavailableError("redis: SCRIPT LOAD failed");
  }
  conn.sha.assign(reply->str, reply->len);
  conn.owner = &config;
  return absl::OkStatus();
}

// One EVALSHA on this thread's connection; the round trip this server exists to measure.
absl::Status WriteContact(const FloorConfig& config, const v1::Contact& contact) {
  thread_local ThreadConnection conn;
  if (conn.context == nullptr || conn.owner != &config) {
    if (absl::Status s = Connect(config, conn); !s.ok()) return s;
  }
  const std::string tag = absl::StrCat("{", contact.tenant(), "}");
  const std::string contact_key = absl::StrCat(tag, ":floor:c:", contact.idempotency_key());
  const std::string queue_key = absl::StrCat(tag, ":floor:q:", contact.topic());
  const std::string channel = absl::StrCat(static_cast<int>(contact.channel()));
  const std::string score = absl::StrCat(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  const std::string ttl = absl::StrCat(config.key_ttl_seconds);
  const char* argv[] = {"EVALSHA",           conn.sha.c_str(),  "2",
                        contact_key.c_str(), queue_key.c_str(), contact.topic().c_str(),
                        channel.c_str(),     score.c_str(),     ttl.c_str()};
  size_t lens[9];
  for (int i = 0; i < 9; ++i) lens[i] = std::strlen(argv[i]);
  Reply reply(static_cast<redisReply*>(redisCommandArgv(conn.context.get(), 9, argv, lens)));
  if (reply == nullptr) {
    conn.context.reset();  // the connection is unusable after an I/O error
    return absl::UnavailableError("redis: connection lost");
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    // NOSCRIPT after a SCRIPT FLUSH or a Redis restart: reload on the next call.
    conn.context.reset();
    return absl::UnavailableError(absl::StrCat("redis: ", std::string(reply->str, reply->len)));
  }
  return absl::OkStatus();
}

// One Apply of the contact's ContactCreated on this thread's store: one round trip.
absl::Status WriteRecord(const FloorConfig& config, const v1::Contact& contact) {
  thread_local std::unique_ptr<state::RedisStateStore> store;
  thread_local const FloorConfig* owner = nullptr;
  if (store == nullptr || owner != &config) {
    state::RedisStateStoreOptions options;
    options.endpoint.host = config.redis_host;
    options.endpoint.port = config.redis_port;
    options.contact_retention = absl::Seconds(config.key_ttl_seconds);
    store = std::make_unique<state::RedisStateStore>(options);
    owner = &config;
  }
  const std::vector<state::TenantEffect> effects = {
      {contact.tenant(), core::ContactCreated{QueuedRecord(contact), ""}}};
  absl::StatusOr<std::vector<state::EffectResult>> results = store->Apply(effects);
  if (!results.ok()) return results.status();
  const absl::Status& status = results->front().status;
  // A retry of the same key finds its record: as good as written.
  return status.code() == absl::StatusCode::kAlreadyExists ? absl::OkStatus() : status;
}

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  const auto code = s.code() == absl::StatusCode::kInvalidArgument
                        ? grpc::StatusCode::INVALID_ARGUMENT
                        : grpc::StatusCode::UNAVAILABLE;
  return grpc::Status(code, std::string(s.message()));
}

}  // namespace

class FloorServer::Service final : public v1::RoutingService::CallbackService {
 public:
  explicit Service(const FloorConfig* config) : config_(config) {}

  grpc::ServerUnaryReactor* RouteContact(grpc::CallbackServerContext* context,
                                         const v1::RouteContactRequest* request,
                                         v1::RouteContactResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    const v1::Contact& contact = request->contact();
    absl::Status status;
    if (contact.tenant().empty() || contact.idempotency_key().empty()) {
      status = absl::InvalidArgumentError("contact.tenant and contact.idempotency_key: required");
    } else if (config_->contact_record) {
      status = WriteRecord(*config_, contact);
    } else if (!config_->noop) {
      status = WriteContact(*config_, contact);
    }
    if (status.ok()) {
      response->set_contact_id(absl::StrCat("f-", contact.idempotency_key()));
      v1::Decision* decision = response->mutable_decision();
      decision->set_outcome(v1::Decision::OUTCOME_QUEUED);
      decision->set_queue(contact.topic());
      decision->set_position(1);
    }
    reactor->Finish(ToGrpc(status));
    return reactor;
  }

 private:
  const FloorConfig* config_;
};

FloorServer::FloorServer(FloorConfig config) : config_(std::move(config)) {}

FloorServer::~FloorServer() { Shutdown(); }

absl::Status FloorServer::Start() {
  if (!config_.noop) {
    // Fail at start, not on the first call, when Redis is not there.
    ThreadConnection probe;
    if (absl::Status s = Connect(config_, probe); !s.ok()) return s;
  }
  service_ = std::make_unique<Service>(&config_);
  grpc::ServerBuilder builder;
  // Without this a second server on a taken port binds too and silently takes half the load.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(config_.listen_address, grpc::InsecureServerCredentials(), &port_);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.listen_address));
  }
  return absl::OkStatus();
}

void FloorServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

void FloorServer::Shutdown() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  }
}

}  // namespace wissel::floor
