#include "router/state/sentinel_resolver.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace wissel::state {
namespace {

bool IsAuthFailure(absl::StatusCode code) {
  return code == absl::StatusCode::kUnauthenticated || code == absl::StatusCode::kPermissionDenied;
}

}  // namespace

SentinelResolver::SentinelResolver(SentinelEndpoint sentinels, absl::Duration connect_timeout,
                                   absl::Duration command_timeout)
    : sentinels_(std::move(sentinels)),
      connect_timeout_(connect_timeout),
      command_timeout_(command_timeout) {}

absl::StatusOr<HostPort> SentinelResolver::ResolveMaster() {
  std::vector<std::string> reasons;
  absl::StatusCode failure = absl::StatusCode::kUnavailable;
  std::vector<HostPort>& order = sentinels_.addresses;
  for (size_t i = 0; i < order.size(); ++i) {
    const HostPort& sentinel = order[i];
    RedisEndpoint endpoint;
    endpoint.host = sentinel.host;
    endpoint.port = sentinel.port;
    endpoint.connect_timeout = connect_timeout_;
    endpoint.command_timeout = command_timeout_;
    endpoint.reconnect_backoff_initial = absl::ZeroDuration();  // one question, one attempt
    endpoint.username = sentinels_.username;
    endpoint.password = sentinels_.password;
    RedisConnection connection(endpoint);
    const std::string who = absl::StrCat("sentinel ", sentinel.host, ":", sentinel.port);
    absl::StatusOr<RedisReply> reply =
        connection.Command({"SENTINEL", "get-master-addr-by-name", sentinels_.master_name});
    if (!reply.ok()) {
      if (IsAuthFailure(reply.status().code())) failure = reply.status().code();
      reasons.push_back(absl::StrCat(who, ": ", reply.status().message()));
      continue;
    }
    if (reply->type == RedisReply::Type::kNil) {
      reasons.push_back(absl::StrCat(who, ": does not know master '", sentinels_.master_name, "'"));
      continue;
    }
    int port = 0;
    if (reply->type != RedisReply::Type::kArray || reply->elements.size() != 2 ||
        reply->elements[0].type != RedisReply::Type::kString ||
        reply->elements[1].type != RedisReply::Type::kString ||
        !absl::SimpleAtoi(reply->elements[1].str, &port) || port < 1 || port > 65535) {
      if (IsNoPerm(*reply)) failure = absl::StatusCode::kPermissionDenied;
      reasons.push_back(
          absl::StrCat(who, ": unexpected answer",
                       reply->is_error() ? absl::StrCat(" '", reply->str, "'") : std::string()));
      continue;
    }
    HostPort master{reply->elements[0].str, port};
    // Ask the sentinel that answered first next time (the client guidelines' advice).
    std::rotate(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(i),
                order.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    return master;
  }
  // Credentials a sentinel refuses are a configuration error, not an outage to wait out.
  return absl::Status(failure, absl::StrCat("no sentinel knows master '", sentinels_.master_name,
                                            "': ", absl::StrJoin(reasons, "; ")));
}

absl::Status CheckRoleIsMaster(const RedisReply& reply) {
  if (reply.type == RedisReply::Type::kArray && !reply.elements.empty() &&
      reply.elements[0].type == RedisReply::Type::kString) {
    if (reply.elements[0].str == "master") return absl::OkStatus();
    return absl::UnavailableError(absl::StrCat("the sentinels' answer is a ", reply.elements[0].str,
                                               ", not the master (a failover in progress?)"));
  }
  return absl::UnavailableError(
      absl::StrCat("unexpected ROLE reply", reply.is_error() ? ": " + reply.str : std::string()));
}

}  // namespace wissel::state
