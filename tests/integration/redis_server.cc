#include "tests/integration/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace wissel::testing {
namespace {

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// Asks the kernel for a free port on the loopback interface.
absl::StatusOr<int> PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    close(fd);
    return absl::InternalError(absl::StrCat("bind: ", std::strerror(err)));
  }
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    close(fd);
    return absl::InternalError(absl::StrCat("getsockname: ", std::strerror(err)));
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

std::string FindExecutable(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* path = getenv("PATH"); path != nullptr) {
    for (absl::string_view entry : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      std::string candidate = absl::StrCat(entry, "/redis-server");
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "/usr/bin/redis-server";
}

// Who a connection authenticates as; an empty password: no AUTH.
struct Credentials {
  std::string username;
  std::string password;
};

absl::StatusOr<ContextPtr> Connect(const std::string& host, int port, absl::Duration timeout,
                                   const Credentials& credentials) {
  ContextPtr ctx(redisConnectWithTimeout(host.c_str(), port, absl::ToTimeval(timeout)));
  if (ctx == nullptr) return absl::UnavailableError("redis: cannot allocate context");
  if (ctx->err != 0) return absl::UnavailableError(absl::StrCat("redis connect: ", ctx->errstr));
  if (redisSetTimeout(ctx.get(), absl::ToTimeval(absl::Seconds(5))) != REDIS_OK) {
    return absl::UnavailableError("redis: cannot set timeout");
  }
  if (!credentials.password.empty()) {
    ReplyPtr reply(static_cast<redisReply*>(
        credentials.username.empty()
            ? redisCommand(ctx.get(), "AUTH %b", credentials.password.data(),
                           credentials.password.size())
            : redisCommand(ctx.get(), "AUTH %b %b", credentials.username.data(),
                           credentials.username.size(), credentials.password.data(),
                           credentials.password.size())));
    if (reply == nullptr) return absl::UnavailableError(absl::StrCat("redis: ", ctx->errstr));
    if (reply->type == REDIS_REPLY_ERROR) {
      return absl::UnauthenticatedError(std::string(reply->str, reply->len));
    }
  }
  return ctx;
}

void Flatten(const redisReply* r, std::vector<std::string>* out) {
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out->emplace_back(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out->push_back(absl::StrCat(r->integer));
      break;
    case REDIS_REPLY_ARRAY:
      for (size_t i = 0; i < r->elements; ++i) Flatten(r->element[i], out);
      break;
    default:  // nil, or an error nested in an array
      out->emplace_back(r->type == REDIS_REPLY_ERROR ? std::string(r->str, r->len) : "");
      break;
  }
}

Credentials AdminOf(const RedisServerOptions& options) {
  return Credentials{options.admin_username, options.admin_password};
}

absl::StatusOr<ReplyPtr> RunCommand(const std::string& host, int port,
                                    const Credentials& credentials,
                                    const std::vector<std::string>& args) {
  auto ctx = Connect(host, port, absl::Seconds(2), credentials);
  if (!ctx.ok()) return ctx.status();
  std::vector<const char*> argv;
  std::vector<size_t> argvlen;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    argvlen.push_back(a.size());
  }
  ReplyPtr reply(static_cast<redisReply*>(
      redisCommandArgv(ctx->get(), static_cast<int>(args.size()), argv.data(), argvlen.data())));
  if (reply == nullptr) {
    return absl::UnavailableError(absl::StrCat("redis: ", (*ctx)->errstr));
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    return absl::FailedPreconditionError(std::string(reply->str, reply->len));
  }
  if (reply->type == REDIS_REPLY_NIL) return absl::NotFoundError("nil reply");
  return reply;
}

}  // namespace

RedisServer::RedisServer(RedisServerOptions options, std::string executable, std::string dir,
                         int port)
    : options_(std::move(options)),
      executable_(std::move(executable)),
      dir_(std::move(dir)),
      port_(port) {}

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(RedisServerOptions options) {
  std::string executable = FindExecutable(options.executable);
  if (access(executable.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("redis-server not executable: ", executable));
  }
  absl::Status last_error;
  // The port is free when picked but another process may take it before the server binds it;
  // a few attempts make that race harmless.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const char* tmp = getenv("TMPDIR");
    std::string templ =
        absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/wissel-redis-XXXXXX");
    if (mkdtemp(templ.data()) == nullptr) {
      return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
    }
    auto port = PickFreePort();
    if (!port.ok()) {
      std::filesystem::remove_all(templ);
      return port.status();
    }
    std::unique_ptr<RedisServer> server(new RedisServer(options, executable, templ, *port));
    last_error = server->Launch();
    if (last_error.ok()) return server;
  }
  return last_error;
}

RedisServer::~RedisServer() {
  Stop().IgnoreError();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

absl::Status RedisServer::Launch() {
  std::vector<std::string> args = {executable_,
                                   "--port",
                                   absl::StrCat(port_),
                                   "--bind",
                                   host_,
                                   "--dir",
                                   dir_,
                                   "--appendonly",
                                   "yes",
                                   "--appendfsync",
                                   "everysec",
                                   "--save",
                                   "",
                                   "--daemonize",
                                   "no",
                                   "--logfile",
                                   absl::StrCat(dir_, "/redis.log")};
  if (!options_.acl_lines.empty()) {
    const std::string acl_file = absl::StrCat(dir_, "/users.acl");
    std::ofstream out(acl_file, std::ios::trunc);
    for (const std::string& line : options_.acl_lines) out << line << "\n";
    out.close();
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", acl_file));
    args.insert(args.end(), {"--aclfile", acl_file});
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string out_path = absl::StrCat(dir_, "/stdout.log");
  int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out_fd < 0) return absl::InternalError(absl::StrCat("open: ", std::strerror(errno)));
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = getpid();
  const bool kill_on_parent_death = options_.kill_on_parent_death;

  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(out_fd);
    if (null_fd >= 0) close(null_fd);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(err)));
  }
  if (pid == 0) {
    if (kill_on_parent_death) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(126);
    }
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_fd);
  if (null_fd >= 0) close(null_fd);
  pid_ = pid;

  const absl::Time deadline = absl::Now() + options_.startup_timeout;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(absl::StrCat("redis-server exited during start-up (status ",
                                              status, ") on port ", port_, ": ", LogTail()));
    }
    auto ctx = Connect(host_, port_, absl::Milliseconds(200), AdminOf(options_));
    if (ctx.ok()) {
      ReplyPtr reply(static_cast<redisReply*>(redisCommand(ctx->get(), "PING")));
      if (reply != nullptr && reply->type == REDIS_REPLY_STATUS &&
          std::string(reply->str, reply->len) == "PONG") {
        return absl::OkStatus();
      }
    }
    if (absl::Now() > deadline) {
      Kill().IgnoreError();
      return absl::DeadlineExceededError(
          absl::StrCat("redis-server did not answer PING on port ", port_, ": ", LogTail()));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

bool RedisServer::SignalAndWait(int signal, absl::Duration timeout) {
  if (kill(pid_, signal) != 0 && errno == ESRCH) {
    // Already gone: reap it if it is our zombie.
    waitpid(pid_, nullptr, WNOHANG);
    pid_ = -1;
    return true;
  }
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    pid_t r = waitpid(pid_, nullptr, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      pid_ = -1;
      return true;
    }
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

absl::Status RedisServer::Stop() {
  if (pid_ <= 0) return absl::OkStatus();
  if (SignalAndWait(SIGTERM, options_.stop_timeout)) return absl::OkStatus();
  if (SignalAndWait(SIGKILL, absl::Seconds(10))) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("redis-server ", pid_, " did not exit"));
}

absl::Status RedisServer::Kill() {
  if (pid_ <= 0) return absl::OkStatus();
  if (SignalAndWait(SIGKILL, absl::Seconds(10))) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("redis-server ", pid_, " did not exit"));
}

absl::Status RedisServer::Restart() {
  if (absl::Status s = Stop(); !s.ok()) return s;
  // The old listening socket may linger for a moment; retry briefly if the bind loses.
  absl::Status status;
  for (int attempt = 0; attempt < 3; ++attempt) {
    status = Launch();
    if (status.ok()) return status;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return status;
}

absl::StatusOr<std::string> RedisServer::Command(const std::vector<std::string>& args) {
  auto reply = RunCommand(host_, port_, AdminOf(options_), args);
  if (!reply.ok()) return reply.status();
  std::vector<std::string> parts;
  Flatten(reply->get(), &parts);
  return absl::StrJoin(parts, "\n");
}

absl::StatusOr<std::string> RedisServer::CommandAs(const std::string& username,
                                                   const std::string& password,
                                                   const std::vector<std::string>& args) {
  auto reply = RunCommand(host_, port_, Credentials{username, password}, args);
  if (!reply.ok()) return reply.status();
  std::vector<std::string> parts;
  Flatten(reply->get(), &parts);
  return absl::StrJoin(parts, "\n");
}

absl::StatusOr<std::vector<std::string>> RedisServer::CommandArray(
    const std::vector<std::string>& args) {
  auto reply = RunCommand(host_, port_, AdminOf(options_), args);
  if (!reply.ok()) return reply.status();
  std::vector<std::string> parts;
  Flatten(reply->get(), &parts);
  return parts;
}

std::string RedisServer::Dump() {
  std::string dump;
  absl::StatusOr<std::vector<std::string>> keys = Keys("*");
  if (!keys.ok()) return dump;
  std::sort(keys->begin(), keys->end());
  for (const std::string& key : *keys) {
    absl::StrAppend(&dump, key, "\n");
    const std::string type = Command({"TYPE", key}).value_or("");
    std::vector<std::string> values;
    if (type == "hash") {
      values = CommandArray({"HGETALL", key}).value_or(std::vector<std::string>{});
      std::map<std::string, std::string> fields;
      for (size_t i = 0; i + 1 < values.size(); i += 2) fields[values[i]] = values[i + 1];
      std::string payload;
      auto it = fields.find("payload");
      for (int chunk = 1; it != fields.end(); ++chunk) {
        payload += it->second;
        it = fields.find(absl::StrCat("p", chunk));
      }
      values.push_back(std::move(payload));
    } else if (type == "list") {
      values = CommandArray({"LRANGE", key, "0", "-1"}).value_or(std::vector<std::string>{});
    } else if (type == "zset") {
      values = CommandArray({"ZRANGE", key, "0", "-1"}).value_or(std::vector<std::string>{});
    } else if (type == "set") {
      values = CommandArray({"SMEMBERS", key}).value_or(std::vector<std::string>{});
    } else if (type == "string") {
      values.push_back(Command({"GET", key}).value_or(""));
    } else if (type == "stream") {
      values = CommandArray({"XRANGE", key, "-", "+"}).value_or(std::vector<std::string>{});
    } else {
      values.push_back(absl::StrCat("<a ", type, " is not dumped>"));
    }
    for (const std::string& v : values) absl::StrAppend(&dump, v, "\n");
  }
  return dump;
}

absl::StatusOr<std::vector<std::string>> RedisServer::Keys(const std::string& pattern) {
  auto ctx = Connect(host_, port_, absl::Seconds(2), AdminOf(options_));
  if (!ctx.ok()) return ctx.status();
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    ReplyPtr reply(
        static_cast<redisReply*>(redisCommand(ctx->get(), "SCAN %s MATCH %b COUNT 1000",
                                              cursor.c_str(), pattern.data(), pattern.size())));
    if (reply == nullptr) return absl::UnavailableError(absl::StrCat("redis: ", (*ctx)->errstr));
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
        reply->element[0]->type != REDIS_REPLY_STRING ||
        reply->element[1]->type != REDIS_REPLY_ARRAY) {
      return absl::InternalError("unexpected SCAN reply");
    }
    cursor.assign(reply->element[0]->str, reply->element[0]->len);
    const redisReply* batch = reply->element[1];
    for (size_t i = 0; i < batch->elements; ++i) {
      if (batch->element[i]->type == REDIS_REPLY_STRING) {
        keys.emplace_back(batch->element[i]->str, batch->element[i]->len);
      }
    }
  } while (cursor != "0");
  return keys;
}

absl::Status RedisServer::FlushAll() { return Command({"FLUSHALL"}).status(); }

std::string RedisServer::LogTail(size_t max_bytes) const {
  std::string text;
  for (const char* name : {"/stdout.log", "/redis.log"}) {
    std::ifstream in(absl::StrCat(dir_, name), std::ios::binary);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    text += ss.str();
  }
  if (text.size() > max_bytes) text = text.substr(text.size() - max_bytes);
  return text;
}

}  // namespace wissel::testing
