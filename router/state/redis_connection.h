// RedisConnection: one synchronous hiredis connection with timeouts, reconnect on demand,
// pipelining and cached Lua scripts.
//
// Every call blocks until Redis answered or a timeout passed. After an I/O error or a timeout
// the connection is dropped and the next call connects again, so a Redis restart costs the
// callers of one failed call (they get Unavailable) and nothing more. Scripts are registered
// once, loaded with SCRIPT LOAD on every (re)connect and called with EVALSHA; a NOSCRIPT reply
// (the server lost its script cache, e.g. SCRIPT FLUSH or a restart without us noticing)
// reloads the scripts and sends the failed calls again.
//
// Replies are copied out of hiredis into RedisReply values, so hiredis stays out of this
// header. An error reply of one command is a RedisReply of type kError, not a failed Status:
// the other commands of a pipeline went through.
//
// Not thread-safe: one thread at a time (RedisStateStore guards it with a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

struct redisContext;

namespace wissel::state {

// Where Redis is and how long to wait for it.
struct RedisEndpoint {
  std::string host = "127.0.0.1";  // name or address
  int port = 6379;
  // Upper bound on establishing the TCP connection. Default 1 s.
  absl::Duration connect_timeout = absl::Seconds(1);
  // Upper bound on each socket read or write of a command or pipeline (also for loading the
  // scripts after connecting). Default 2 s.
  absl::Duration command_timeout = absl::Seconds(2);
};

// One reply, copied out of hiredis.
struct RedisReply {
  enum class Type { kString, kStatus, kInteger, kNil, kArray, kError };
  Type type = Type::kNil;
  std::string str;                   // kString, kStatus, kError
  int64_t integer = 0;               // kInteger
  std::vector<RedisReply> elements;  // kArray

  bool is_error() const { return type == Type::kError; }
};

// A command and its arguments, binary-safe: {"HSET", key, field, value}.
using RedisCommand = std::vector<std::string>;

// A call of a registered script: EVALSHA <sha> <#keys> keys... args...
struct ScriptCall {
  int script = -1;  // handle from RegisterScript()
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

class RedisConnection {
 public:
  // Does not connect; the first call does.
  explicit RedisConnection(RedisEndpoint endpoint);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  const RedisEndpoint& endpoint() const { return endpoint_; }

  // Registers a Lua script; returns its handle for ScriptCall::script. Call before the first
  // command (a script registered later is loaded on the next NOSCRIPT or reconnect).
  int RegisterScript(std::string source);
  // The SHA1 (hex) Redis knows the script by.
  const std::string& ScriptSha(int script) const;

  // Connects (and loads the scripts) unless connected. Unavailable with the hiredis error.
  absl::Status Connect();
  // Drops the connection; the next call connects again.
  void Disconnect();
  bool connected() const { return context_ != nullptr; }

  // Sends one command and reads its reply. Unavailable when Redis cannot be reached or does
  // not answer in time (the connection is dropped).
  absl::StatusOr<RedisReply> Command(const RedisCommand& command);

  // Sends all commands, then reads all replies: one round trip. One reply per command, in
  // order. Unavailable (and nothing is known about which commands ran) on an I/O error.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(absl::Span<const RedisCommand> commands);

  // Pipelines EVALSHA calls. Calls answered NOSCRIPT are sent again (once) after the scripts
  // were reloaded; their replies take their places. Error replies of the scripts themselves
  // are returned as kError replies. Unavailable on an I/O error.
  // Ordering caveat: a NOSCRIPT call did not run, so the calls after it in the batch ran
  // before its retry. After a SCRIPT FLUSH or restart every call of the batch is refused and
  // order is kept; a mix only happens when another client reloads the scripts mid-batch.
  absl::StatusOr<std::vector<RedisReply>> EvalPipeline(absl::Span<const ScriptCall> calls);

 private:
  struct Script {
    std::string source;
    std::string sha;
  };

  absl::Status LoadScripts();
  RedisCommand EvalShaCommand(const ScriptCall& call) const;
  // Pipelines without connecting first; drops the connection on an I/O error.
  absl::StatusOr<std::vector<RedisReply>> SendAndReceive(absl::Span<const RedisCommand> commands);
  absl::Status IoError(absl::string_view what);

  RedisEndpoint endpoint_;
  redisContext* context_ = nullptr;  // owned; null when disconnected
  std::vector<Script> scripts_;
};

// True for a NOSCRIPT error reply.
bool IsNoScript(const RedisReply& reply);

}  // namespace wissel::state
