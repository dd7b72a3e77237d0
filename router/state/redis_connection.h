// RedisConnection: one synchronous hiredis connection with timeouts, reconnect on demand,
// pipelining and cached Lua scripts.
//
// Every call blocks until Redis answered or a timeout passed. After an I/O error or a timeout
// the connection is dropped and the next call connects again, so a Redis restart costs the
// callers of one failed call (they get Unavailable) and nothing more. A connection attempt that
// fails starts an exponential backoff (RedisEndpoint::reconnect_backoff_*): until the next
// attempt is due, calls fail at once with Unavailable("redis at HOST:PORT unreachable: REASON;
// retrying in N ms"), so a dead Redis is not hammered and callers do not each pay a connect
// timeout. With Sentinel configured (RedisEndpoint::sentinel) every (re)connect asks the
// sentinels for the master (sentinel_resolver.h) and checks with ROLE that it is one; a READONLY
// or MASTERDOWN reply (we are talking to a replica: a failover happened) drops the connection
// so that the next call resolves again. Scripts are registered
// once, loaded with SCRIPT LOAD on every (re)connect and called with EVALSHA; a NOSCRIPT reply
// (the server lost its script cache, e.g. SCRIPT FLUSH or a restart without us noticing)
// reloads the scripts and sends the failed calls again.
//
// With a password (RedisEndpoint::password) every (re)connect first sends AUTH (with the ACL
// user when RedisEndpoint::username is set), before anything else; a refused AUTH fails the
// connect with Unauthenticated naming the user, never the password. A NOAUTH reply (the server
// wants a password we do not have) is Unauthenticated too, and a NOPERM reply to SCRIPT LOAD
// (the ACL does not allow what the router needs) PermissionDenied. Connections to sentinels
// authenticate the same way with the sentinels' own credentials (SentinelEndpoint).
//
// Replies are copied out of hiredis into RedisReply values, so hiredis stays out of this
// header. An error reply of one command is a RedisReply of type kError, not a failed Status:
// the other commands of a pipeline went through.
//
// Not thread-safe: one thread at a time (RedisStateStore guards it with a mutex).
#pragma once

#include <chrono>
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
class SentinelResolver;
}  // namespace wissel::state

namespace wissel::state {

struct HostPort {
  std::string host;  // name or address
  int port = 0;
};

// Redis found through Sentinel: the master named `master_name` as the sentinels at `addresses`
// know it. Empty addresses: no Sentinel.
struct SentinelEndpoint {
  std::string master_name;
  std::vector<HostPort> addresses;
  // AUTH for the sentinels themselves, as RedisEndpoint::username/password for Redis.
  std::string username;
  std::string password;
};

// Where Redis is and how long to wait for it.
struct RedisEndpoint {
  // Used when `sentinel.addresses` is empty.
  std::string host = "127.0.0.1";  // name or address
  int port = 6379;
  // When not empty, the master is resolved through these sentinels on every (re)connect and
  // host/port are ignored.
  SentinelEndpoint sentinel;
  // Credentials sent with AUTH right after every (re)connect. Empty password: no AUTH. Empty
  // username with a password: `AUTH password` (the default user, requirepass). The password is
  // never logged nor put in a Status.
  std::string username;
  std::string password;
  // Upper bound on establishing the TCP connection. Default 1 s.
  absl::Duration connect_timeout = absl::Seconds(1);
  // Upper bound on each socket read or write of a command or pipeline (also for loading the
  // scripts after connecting). Default 2 s.
  absl::Duration command_timeout = absl::Seconds(2);
  // After a failed connection attempt the next one waits this long, doubling per further
  // failure up to reconnect_backoff_max; each wait is drawn from [delay/2, delay] so that
  // several routers do not retry in step. A success resets it. Zero: no backoff (every call
  // tries to connect). Defaults 50 ms and 2 s.
  absl::Duration reconnect_backoff_initial = absl::Milliseconds(50);
  absl::Duration reconnect_backoff_max = absl::Seconds(2);
};

// "redis at HOST:PORT", or "redis master 'NAME' via sentinels H:P,H:P" with Sentinel.
std::string DescribeEndpoint(const RedisEndpoint& endpoint);

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

  // Connects (resolving the master through the sentinels, checking its ROLE, and loading the
  // scripts) unless connected. Unavailable with the reason, at once and without an attempt
  // while the reconnect backoff runs; Internal when Redis refuses a script.
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
  // `then` are plain commands sent after the calls in the same round trip (and again after the
  // retried calls, so that they follow every call's effect: e.g. WAIT); their replies follow
  // the calls' replies.
  absl::StatusOr<std::vector<RedisReply>> EvalPipeline(absl::Span<const ScriptCall> calls,
                                                       absl::Span<const RedisCommand> then = {});

  // Counters for metrics and tests: connection attempts made (not those skipped by the
  // backoff), and of them the ones that failed.
  uint64_t connect_attempts() const { return connect_attempts_; }
  uint64_t failed_connects() const { return failed_connects_; }
  // Where the current (or last) connection went: the resolved master with Sentinel.
  const HostPort& address() const { return address_; }

 private:
  struct Script {
    std::string source;
    std::string sha;
  };

  // One connection attempt: resolve, connect, authenticate, check the role, load the scripts.
  absl::Status TryConnect();
  // Sends AUTH when a password is configured; Unauthenticated when Redis refuses it.
  absl::Status Authenticate();
  // "user 'NAME'" or "the default user", for messages.
  std::string UserDescription() const;
  // Checks with ROLE that the freshly connected server is a master (Sentinel only).
  absl::Status CheckMaster();
  absl::Status LoadScripts();
  // Appends the call as an EVALSHA command in the Redis protocol (RESP).
  void AppendEvalSha(const ScriptCall& call, std::string* out) const;
  // Pipelines without connecting first; drops the connection on an I/O error.
  absl::StatusOr<std::vector<RedisReply>> SendAndReceive(absl::Span<const RedisCommand> commands);
  // The same for `count` commands already in RESP in `protocol`.
  absl::StatusOr<std::vector<RedisReply>> SendAndReceive(absl::string_view protocol, size_t count);
  absl::Status IoError(absl::string_view what);

  RedisEndpoint endpoint_;
  std::unique_ptr<SentinelResolver> resolver_;  // null without Sentinel
  HostPort address_;
  redisContext* context_ = nullptr;  // owned; null when disconnected
  std::vector<Script> scripts_;

  // Reconnect backoff, on the steady clock so that a wall-clock jump cannot stretch it.
  int consecutive_failures_ = 0;
  std::chrono::steady_clock::time_point next_attempt_;
  std::string last_failure_;  // the reason of the last failed attempt
  absl::StatusCode last_failure_code_ = absl::StatusCode::kOk;
  uint64_t connect_attempts_ = 0;
  uint64_t failed_connects_ = 0;
};

// True for a NOSCRIPT error reply.
bool IsNoScript(const RedisReply& reply);
// True for a NOAUTH error reply: the server requires AUTH first.
bool IsNoAuth(const RedisReply& reply);
// True for a NOPERM error reply: the ACL user may not run that command or touch that key.
bool IsNoPerm(const RedisReply& reply);
// True for an error reply that says the server is not (or no longer) a writable master:
// READONLY, MASTERDOWN.
bool IsWrongRole(const RedisReply& reply);

}  // namespace wissel::state
