#include "router/state/redis_connection.h"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <pthread.h>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <ctime>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "glog/logging.h"
#include "router/state/sentinel_resolver.h"

namespace wissel::state {
namespace {

std::string Sha1Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  CHECK_EQ(EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha1(), nullptr), 1);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

// hiredis writes with write(2): a write to a connection the server closed raises SIGPIPE, which
// would kill a process that does not ignore it. Like libpq, block SIGPIPE in the calling thread
// for the duration of the I/O and swallow one that the I/O raised; the error itself comes back
// from hiredis as EPIPE.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~ScopedSigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        const timespec zero = {0, 0};
        sigtimedwait(&pipe_set, nullptr, &zero);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t old_mask_;
  bool was_pending_ = false;
};

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_NIL:
      out.type = RedisReply::Type::kNil;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kError;
      out.str = absl::StrCat("unexpected reply type ", r->type);
      break;
  }
  return out;
}

// Commands are written in RESP here, each argument with one append into one buffer for the
// whole pipeline, and handed to hiredis at once: redisAppendCommandArgv formats every argument
// with sdscatfmt and then copies each command again into hiredis's output buffer.
constexpr size_t kMaxBulkHeader = 1 + 20 + 2;  // "$<length>\r\n"

size_t BulkSize(absl::string_view arg) { return kMaxBulkHeader + arg.size() + 2; }

// With plain appends: StrAppend resizes the string first, and without libstdc++ support for an
// uninitialised resize (Debian's Abseil) that zero-fills every payload before copying it.
void AppendPrefixed(char prefix, size_t number, std::string* out) {
  char buffer[kMaxBulkHeader];
  buffer[0] = prefix;
  char* end = std::to_chars(buffer + 1, buffer + sizeof(buffer) - 2, number).ptr;
  *end++ = '\r';
  *end++ = '\n';
  out->append(buffer, end - buffer);
}

void AppendArrayHeader(size_t count, std::string* out) { AppendPrefixed('*', count, out); }

void AppendBulk(absl::string_view arg, std::string* out) {
  AppendPrefixed('$', arg.size(), out);
  out->append(arg.data(), arg.size());
  out->append("\r\n", 2);
}

size_t CommandSize(absl::Span<const std::string> args) {
  size_t size = kMaxBulkHeader;
  for (const std::string& arg : args) size += BulkSize(arg);
  return size;
}

void AppendCommand(absl::Span<const std::string> args, std::string* out) {
  AppendArrayHeader(args.size(), out);
  for (const std::string& arg : args) AppendBulk(arg, out);
}

size_t EvalShaSize(const ScriptCall& call) {
  return 3 * kMaxBulkHeader + 7 + 40 + 20 + CommandSize(call.keys) + CommandSize(call.args);
}

}  // namespace

bool IsNoScript(const RedisReply& reply) {
  return reply.is_error() && absl::StartsWith(reply.str, "NOSCRIPT");
}

bool IsNoAuth(const RedisReply& reply) {
  return reply.is_error() && absl::StartsWith(reply.str, "NOAUTH");
}

bool IsNoPerm(const RedisReply& reply) {
  return reply.is_error() && absl::StartsWith(reply.str, "NOPERM");
}

bool IsWrongRole(const RedisReply& reply) {
  return reply.is_error() &&
         (absl::StartsWith(reply.str, "READONLY") || absl::StartsWith(reply.str, "MASTERDOWN"));
}

std::string DescribeEndpoint(const RedisEndpoint& endpoint) {
  if (endpoint.sentinel.addresses.empty()) {
    return absl::StrCat("redis at ", endpoint.host, ":", endpoint.port);
  }
  std::string out =
      absl::StrCat("redis master '", endpoint.sentinel.master_name, "' via sentinels ");
  for (size_t i = 0; i < endpoint.sentinel.addresses.size(); ++i) {
    const HostPort& s = endpoint.sentinel.addresses[i];
    absl::StrAppend(&out, i == 0 ? "" : ",", s.host, ":", s.port);
  }
  return out;
}

RedisConnection::RedisConnection(RedisEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  address_ = HostPort{endpoint_.host, endpoint_.port};
  if (!endpoint_.sentinel.addresses.empty()) {
    resolver_ = std::make_unique<SentinelResolver>(endpoint_.sentinel, endpoint_.connect_timeout,
                                                   endpoint_.command_timeout);
  }
}

RedisConnection::~RedisConnection() { Disconnect(); }

int RedisConnection::RegisterScript(std::string source) {
  std::string sha = Sha1Hex(source);
  scripts_.push_back(Script{std::move(source), std::move(sha)});
  return static_cast<int>(scripts_.size()) - 1;
}

const std::string& RedisConnection::ScriptSha(int script) const {
  DCHECK(script >= 0 && script < static_cast<int>(scripts_.size()));
  return scripts_[script].sha;
}

void RedisConnection::Disconnect() {
  if (context_ != nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
}

absl::Status RedisConnection::IoError(absl::string_view what) {
  std::string message = absl::StrCat("redis at ", address_.host, ":", address_.port, ": ", what);
  if (context_ != nullptr && context_->err != 0) absl::StrAppend(&message, ": ", context_->errstr);
  Disconnect();
  return absl::UnavailableError(message);
}

absl::Status RedisConnection::Connect() {
  if (context_ != nullptr) return absl::OkStatus();
  const auto now = std::chrono::steady_clock::now();
  if (consecutive_failures_ > 0 && now < next_attempt_) {
    const auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - now).count() + 1;
    if (last_failure_code_ == absl::StatusCode::kUnauthenticated ||
        last_failure_code_ == absl::StatusCode::kPermissionDenied) {
      // Not an outage: the credentials are wrong, and saying "unreachable" would mislead.
      return absl::Status(last_failure_code_,
                          absl::StrCat(last_failure_, "; retrying in ", wait, " ms"));
    }
    return absl::UnavailableError(absl::StrCat(DescribeEndpoint(endpoint_), " unreachable: ",
                                               last_failure_, "; retrying in ", wait, " ms"));
  }
  ++connect_attempts_;
  absl::Status status = TryConnect();
  if (status.ok()) {
    if (consecutive_failures_ > 0) {
      LOG(INFO) << DescribeEndpoint(endpoint_) << ": connected to " << address_.host << ":"
                << address_.port << " after " << consecutive_failures_ << " failed attempt(s)";
    }
    consecutive_failures_ = 0;
    return status;
  }
  Disconnect();
  ++failed_connects_;
  ++consecutive_failures_;
  last_failure_ = std::string(status.message());
  last_failure_code_ = status.code();
  if (resolver_ == nullptr && status.code() == absl::StatusCode::kUnavailable) {
    // IoError's messages name the address, which the caller's message already does.
    absl::string_view reason = last_failure_;
    if (absl::ConsumePrefix(&reason,
                            absl::StrCat("redis at ", address_.host, ":", address_.port, ": "))) {
      last_failure_ = std::string(reason);
    }
  }
  absl::Duration delay = endpoint_.reconnect_backoff_initial;
  for (int i = 1; i < consecutive_failures_ && delay < endpoint_.reconnect_backoff_max; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, endpoint_.reconnect_backoff_max);
  if (delay > absl::ZeroDuration()) {
    // Jitter: several routers that lost Redis together do not come back in step.
    absl::BitGen bitgen;
    delay = delay * absl::Uniform(bitgen, 0.5, 1.0);
  }
  next_attempt_ = now + std::chrono::microseconds(absl::ToInt64Microseconds(delay));
  // Without backoff (the sentinel resolver's one-off questions) the caller reports the status.
  if (delay > absl::ZeroDuration() &&
      (consecutive_failures_ == 1 || consecutive_failures_ % 20 == 0)) {
    LOG(WARNING) << DescribeEndpoint(endpoint_) << " unreachable (attempt " << consecutive_failures_
                 << "): " << last_failure_ << "; next attempt in "
                 << absl::ToInt64Milliseconds(delay) << " ms";
  }
  if (status.code() != absl::StatusCode::kUnavailable) return status;
  return absl::UnavailableError(absl::StrCat(DescribeEndpoint(endpoint_),
                                             " unreachable: ", last_failure_, "; retrying in ",
                                             absl::ToInt64Milliseconds(delay), " ms"));
}

absl::Status RedisConnection::TryConnect() {
  if (resolver_ != nullptr) {
    WISSEL_ASSIGN_OR_RETURN(address_, resolver_->ResolveMaster());
  }
  redisContext* c = redisConnectWithTimeout(address_.host.c_str(), address_.port,
                                            absl::ToTimeval(endpoint_.connect_timeout));
  if (c == nullptr) return absl::UnavailableError("cannot allocate a hiredis context");
  if (c->err != 0) {
    std::string message = resolver_ != nullptr ? absl::StrCat("connect to master ", address_.host,
                                                              ":", address_.port, ": ", c->errstr)
                                               : absl::StrCat("connect: ", c->errstr);
    redisFree(c);
    return absl::UnavailableError(message);
  }
  context_ = c;
  if (redisSetTimeout(context_, absl::ToTimeval(endpoint_.command_timeout)) != REDIS_OK) {
    return IoError("set timeout");
  }
  redisEnableKeepAlive(context_);
  WISSEL_RETURN_IF_ERROR(Authenticate());
  if (resolver_ != nullptr) WISSEL_RETURN_IF_ERROR(CheckMaster());
  return LoadScripts();
}

std::string RedisConnection::UserDescription() const {
  return endpoint_.username.empty() ? std::string("the default user")
                                    : absl::StrCat("user '", endpoint_.username, "'");
}

absl::Status RedisConnection::Authenticate() {
  if (endpoint_.password.empty()) return absl::OkStatus();
  const RedisCommand auth = endpoint_.username.empty()
                                ? RedisCommand{"AUTH", endpoint_.password}
                                : RedisCommand{"AUTH", endpoint_.username, endpoint_.password};
  WISSEL_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                          SendAndReceive(absl::MakeConstSpan(&auth, 1)));
  const RedisReply& reply = replies.front();
  if (reply.type == RedisReply::Type::kStatus && reply.str == "OK") return absl::OkStatus();
  // Redis's refusals (WRONGPASS: wrong password, unknown or disabled user; ERR ... without any
  // password configured: the server has no password at all) never echo the password.
  return absl::UnauthenticatedError(
      absl::StrCat("redis at ", address_.host, ":", address_.port, ": AUTH as ", UserDescription(),
                   " refused: ", reply.is_error() ? reply.str : std::string("unexpected reply")));
}

absl::Status RedisConnection::CheckMaster() {
  const RedisCommand role = {"ROLE"};
  WISSEL_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                          SendAndReceive(absl::MakeConstSpan(&role, 1)));
  absl::Status status = CheckRoleIsMaster(replies.front());
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat(address_.host, ":", address_.port, ": ", status.message()));
  }
  return status;
}

absl::Status RedisConnection::LoadScripts() {
  if (scripts_.empty()) return absl::OkStatus();
  std::vector<RedisCommand> commands;
  commands.reserve(scripts_.size());
  for (const Script& s : scripts_) commands.push_back({"SCRIPT", "LOAD", s.source});
  WISSEL_ASSIGN_OR_RETURN(std::vector<RedisReply> replies, SendAndReceive(commands));
  for (size_t i = 0; i < replies.size(); ++i) {
    if (IsNoPerm(replies[i])) {
      return absl::PermissionDeniedError(
          absl::StrCat("redis at ", address_.host, ":", address_.port, ": ", UserDescription(),
                       " may not load the router's scripts: ", replies[i].str,
                       " (the ACL the router needs is in config/redis/wissel.acl.example)"));
    }
    if (replies[i].type != RedisReply::Type::kString || replies[i].str != scripts_[i].sha) {
      // A script Redis refuses is a bug of ours, not an outage.
      return absl::InternalError(
          absl::StrCat("SCRIPT LOAD of script ", i, " failed: ", replies[i].str));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<RedisReply> RedisConnection::Command(const RedisCommand& command) {
  WISSEL_RETURN_IF_ERROR(Connect());
  WISSEL_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                          SendAndReceive(absl::MakeConstSpan(&command, 1)));
  return std::move(replies.front());
}

absl::StatusOr<std::vector<RedisReply>> RedisConnection::Pipeline(
    absl::Span<const RedisCommand> commands) {
  if (commands.empty()) return std::vector<RedisReply>();
  WISSEL_RETURN_IF_ERROR(Connect());
  return SendAndReceive(commands);
}

void RedisConnection::AppendEvalSha(const ScriptCall& call, std::string* out) const {
  AppendArrayHeader(3 + call.keys.size() + call.args.size(), out);
  AppendBulk("EVALSHA", out);
  AppendBulk(ScriptSha(call.script), out);
  AppendBulk(absl::StrCat(call.keys.size()), out);
  for (const std::string& key : call.keys) AppendBulk(key, out);
  for (const std::string& arg : call.args) AppendBulk(arg, out);
}

absl::StatusOr<std::vector<RedisReply>> RedisConnection::EvalPipeline(
    absl::Span<const ScriptCall> calls, absl::Span<const RedisCommand> then) {
  if (calls.empty() && then.empty()) return std::vector<RedisReply>();
  WISSEL_RETURN_IF_ERROR(Connect());
  size_t size = 0;
  for (const ScriptCall& call : calls) size += EvalShaSize(call);
  for (const RedisCommand& command : then) size += CommandSize(command);
  std::string protocol;
  protocol.reserve(size);
  for (const ScriptCall& call : calls) AppendEvalSha(call, &protocol);
  for (const RedisCommand& command : then) AppendCommand(command, &protocol);
  WISSEL_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                          SendAndReceive(protocol, calls.size() + then.size()));

  std::vector<size_t> failed;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (IsNoScript(replies[i])) failed.push_back(i);
  }
  if (failed.empty()) return replies;

  LOG(WARNING) << "redis lost its script cache (" << failed.size()
               << " NOSCRIPT replies); reloading scripts";
  WISSEL_RETURN_IF_ERROR(LoadScripts());
  protocol.clear();
  for (size_t i : failed) AppendEvalSha(calls[i], &protocol);
  for (const RedisCommand& command : then) AppendCommand(command, &protocol);
  WISSEL_ASSIGN_OR_RETURN(std::vector<RedisReply> retried,
                          SendAndReceive(protocol, failed.size() + then.size()));
  for (size_t j = 0; j < failed.size(); ++j) replies[failed[j]] = std::move(retried[j]);
  for (size_t j = 0; j < then.size(); ++j) {
    replies[calls.size() + j] = std::move(retried[failed.size() + j]);
  }
  return replies;
}

absl::StatusOr<std::vector<RedisReply>> RedisConnection::SendAndReceive(
    absl::Span<const RedisCommand> commands) {
  size_t size = 0;
  for (const RedisCommand& command : commands) size += CommandSize(command);
  std::string protocol;
  protocol.reserve(size);
  for (const RedisCommand& command : commands) AppendCommand(command, &protocol);
  return SendAndReceive(protocol, commands.size());
}

absl::StatusOr<std::vector<RedisReply>> RedisConnection::SendAndReceive(absl::string_view protocol,
                                                                        size_t count) {
  if (context_ == nullptr) return absl::UnavailableError("redis: not connected");
  ScopedSigpipeBlock no_sigpipe;
  if (redisAppendFormattedCommand(context_, protocol.data(), protocol.size()) != REDIS_OK) {
    return IoError("append command");
  }
  std::vector<RedisReply> replies;
  replies.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
      if (raw != nullptr) freeReplyObject(raw);
      return IoError("read reply");
    }
    replies.push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  for (const RedisReply& reply : replies) {
    if (IsNoAuth(reply)) {
      // Nothing ran: the server wants AUTH first. Not an outage, and not worth a retry.
      std::string message =
          absl::StrCat("redis at ", address_.host, ":", address_.port, ": ", reply.str);
      if (endpoint_.password.empty()) {
        absl::StrAppend(&message, " (no password is configured for ", UserDescription(), ")");
      }
      Disconnect();
      return absl::UnauthenticatedError(message);
    }
  }
  for (const RedisReply& reply : replies) {
    if (IsWrongRole(reply)) {
      // This server is no longer (or not yet) the master: a failover moved it. Drop the
      // connection so that the next call connects again, through the sentinels if configured.
      LOG(WARNING) << "redis at " << address_.host << ":" << address_.port << ": " << reply.str
                   << "; reconnecting";
      Disconnect();
      break;
    }
  }
  return replies;
}

}  // namespace wissel::state
