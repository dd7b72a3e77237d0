#include "router/cli/wisselctl.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/status.h"
#include "router/cli/config_check.h"
#include "router/cli/event_follower.h"
#include "router/cli/flag_parser.h"
#include "router/cli/format.h"
#include "router/cli/handler_demo.h"
#include "router/cli/report.h"
#include "router/cli/report_config.h"
#include "router/cli/request_builder.h"
#include "router/cli/stop_signal.h"
#include "router/transport/grpc_credentials.h"
#include "wissel/v1/handler_service.grpc.pb.h"
#include "wissel/v1/operator_service.grpc.pb.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

const std::vector<FlagSpec>& GlobalFlagSpecs() {
  static const auto* const kSpecs = new std::vector<FlagSpec>{
      {"router", FlagKind::kValue, "HOST:PORT",
       absl::StrCat("router address (default: $WISSEL_ROUTER, else ", kDefaultRouterAddress, ")")},
      {"timeout", FlagKind::kValue, "DURATION", "deadline of each call, e.g. 500ms (default 5s)"},
      {"ca_file", FlagKind::kValue, "FILE",
       "CA of the router's certificate (default: ca.pem of $WISSEL_TLS_DIR or .run/tls)"},
      {"cert_file", FlagKind::kValue, "FILE", "client certificate for mutual TLS"},
      {"key_file", FlagKind::kValue, "FILE", "private key of --cert_file"},
      {"token_file", FlagKind::kValue, "FILE", "file with an OAuth2 bearer token"},
      {"server_name", FlagKind::kValue, "NAME",
       "name the router's certificate must carry, if not the --router host"},
      {"plaintext", FlagKind::kBool, "", "no TLS (a loopback router in development only)"},
      {"json", FlagKind::kBool, "", "print responses as JSON (proto3 JSON mapping)"},
      {"help", FlagKind::kBool, "", "show help; 'wisselctl COMMAND --help' for a command"},
  };
  return *kSpecs;
}

struct Options {
  std::string router;
  absl::Duration timeout = absl::Seconds(5);
  bool json = false;
};

struct Command;

// TLS towards the router: the flags, else the development certificates of scripts/run.sh.
transport::ClientTls ClientTlsFromFlags(const ParsedFlags& flags, const CliEnvironment& env) {
  transport::ClientTls tls;
  tls.plaintext = flags.GetBool("plaintext");
  tls.ca_file = flags.Get("ca_file", "");
  tls.certificate_file = flags.Get("cert_file", "");
  tls.private_key_file = flags.Get("key_file", "");
  tls.token_file = flags.Get("token_file", "");
  tls.server_name = flags.Get("server_name", "");
  if (!tls.plaintext && tls.ca_file.empty() && !env.default_tls_dir.empty()) {
    tls.ca_file = absl::StrCat(env.default_tls_dir, "/ca.pem");
    if (tls.certificate_file.empty() && tls.token_file.empty()) {
      tls.certificate_file = absl::StrCat(env.default_tls_dir, "/wisselctl.pem");
      tls.private_key_file = absl::StrCat(env.default_tls_dir, "/wisselctl.key");
    }
  }
  return tls;
}

// Everything a command needs to run.
struct Invocation {
  const Command& command;
  const CliEnvironment& env;
  const ParsedFlags& flags;
  Options options;
  std::shared_ptr<grpc::Channel> channel;
  std::vector<std::string> positionals;  // exactly one when the command names one

  std::ostream& out() const { return *env.out; }
  std::ostream& err() const { return *env.err; }
};

struct Command {
  std::string words;    // "contact show"
  std::string summary;  // one line for the command list
  std::string notes;    // extra paragraph for the command's help; may be empty
  std::vector<FlagSpec> flags;
  int (*run)(const Invocation&);
  // Name of the command's one positional argument in help, e.g. "FILE"; empty: none.
  std::string positional;
};

std::vector<FlagSpec> TenantAndId(absl::string_view id_name, absl::string_view id_help) {
  return {{"tenant", FlagKind::kValue, "TENANT", "tenant (gemeente) [required]"},
          {"id", FlagKind::kValue, std::string(id_name), std::string(id_help)}};
}

std::vector<FlagSpec> Concat(std::vector<FlagSpec> a, const std::vector<FlagSpec>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

int UsageError(const Invocation& inv, absl::string_view message) {
  inv.err() << "error: " << message << "\nrun 'wisselctl " << inv.command.words
            << " --help' for usage\n";
  return kExitUsage;
}

int ReportRpcError(const Invocation& inv, const grpc::Status& status) {
  inv.err() << FormatRpcError(status);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    inv.err() << "hint: is the router at " << inv.options.router
              << " running and is its state store reachable? (--router or WISSEL_ROUTER)\n";
  } else if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    inv.err() << "hint: no reply within --timeout=" << absl::FormatDuration(inv.options.timeout)
              << "\n";
  }
  return kExitFailed;
}

// Makes one unary call with the per-call deadline; a stop request cancels it.
grpc::Status Invoke(const Invocation& inv,
                    const std::function<grpc::Status(grpc::ClientContext*)>& call) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoNanoseconds(inv.options.timeout));
  ScopedCancelHook hook(inv.env.stop, [&context] { context.TryCancel(); });
  return call(&context);
}

// Prints `message` as JSON with --json, else `text`.
int Print(const Invocation& inv, const google::protobuf::Message& message,
          const std::string& text) {
  inv.out() << (inv.options.json ? FormatJson(message, /*multiline=*/true) : text) << std::flush;
  return kExitOk;
}

// Returns the required flag or prints a usage error; `*exit_code` is set on error.
bool Require(const Invocation& inv, absl::string_view name, std::string* value, int* exit_code) {
  absl::StatusOr<std::string> v = RequiredFlag(inv.flags, name);
  if (!v.ok()) {
    *exit_code = UsageError(inv, v.status().message());
    return false;
  }
  *value = *std::move(v);
  return true;
}

int RunRoute(const Invocation& inv) {
  absl::StatusOr<v1::Contact> contact = BuildContact(inv.flags);
  if (!contact.ok()) return UsageError(inv, contact.status().message());
  v1::RouteContactRequest request;
  *request.mutable_contact() = *std::move(contact);
  v1::RouteContactResponse response;
  auto stub = v1::RoutingService::NewStub(inv.channel);
  grpc::Status status = Invoke(inv, [&](grpc::ClientContext* context) {
    return stub->RouteContact(context, request, &response);
  });
  if (!status.ok()) return ReportRpcError(inv, status);
  return Print(inv, response, FormatDecision(response));
}

int RunContactShow(const Invocation& inv) {
  int code = kExitOk;
  v1::GetContactRequest request;
  std::string tenant, id;
  if (!Require(inv, "tenant", &tenant, &code) || !Require(inv, "id", &id, &code)) return code;
  request.set_tenant(tenant);
  request.set_contact_id(id);
  v1::ContactRecord record;
  auto stub = v1::RoutingService::NewStub(inv.channel);
  grpc::Status status = Invoke(inv, [&](grpc::ClientContext* context) {
    return stub->GetContact(context, request, &record);
  });
  if (!status.ok()) return ReportRpcError(inv, status);
  return Print(inv, record, FormatContactRecord(record, inv.env.time_zone));
}

int RunContactCancel(const Invocation& inv) {
  int code = kExitOk;
  std::string tenant, id;
  if (!Require(inv, "tenant", &tenant, &code) || !Require(inv, "id", &id, &code)) return code;
  v1::CancelContactRequest request;
  request.set_tenant(tenant);
  request.set_contact_id(id);
  request.set_reason(inv.flags.Get("reason"));
  v1::ContactRecord record;
  auto stub = v1::RoutingService::NewStub(inv.channel);
  grpc::Status status = Invoke(inv, [&](grpc::ClientContext* context) {
    return stub->CancelContact(context, request, &record);
  });
  if (!status.ok()) return ReportRpcError(inv, status);
  return Print(inv, record, FormatContactSummary(record));
}

int RunContactComplete(const Invocation& inv) {
  int code = kExitOk;
  std::string tenant, id;
  if (!Require(inv, "tenant", &tenant, &code) || !Require(inv, "id", &id, &code)) return code;
  v1::CompleteContactRequest request;
  request.set_tenant(tenant);
  request.set_contact_id(id);
  v1::ContactRecord record;
  auto stub = v1::RoutingService::NewStub(inv.channel);
  grpc::Status status = Invoke(inv, [&](grpc::ClientContext* context) {
    return stub->CompleteContact(context, request, &record);
  });
  if (!status.ok()) return ReportRpcError(inv, status);
  return Print(inv, record, FormatContactSummary(record));
}

int RunContactTransfer(const Invocation& inv) {
  int code = kExitOk;
  std::string tenant, id, queue;
  if (!Require(inv, "tenant", &tenant, &code) || !Require(inv, "id", &id, &code) ||
      !Require(inv, "queue", &queue, &code)) {
    return code;
  }
  v1::TransferContactRequest request;
  request.set_tenant(tenant);
  request.set_contact_id(id);
  request.set_queue(queue);
  v1::RouteContactResponse response;
  auto stub = v1::RoutingService::NewStub(inv.channel);
  grpc::Status status = Invoke(inv, [&](grpc::ClientContext* context) {
    return stub->TransferContact(context, request, &response);
  });
  if (!status.ok()) return ReportRpcError(inv, status);
  return Print(inv, response, FormatDecision(response));
}

int RunQueues(const Invocation& inv) {
  int code = kExitOk;
  std::string tenant;
  if (!Require(inv, "tenant", &tenant, &code)) return code;
  v1::GetQueueStatsRequest request;
  request.set_tenant(tenant);
  request.set_queue(inv.flags.Get("queue"));
  v1::GetQueueStatsResponse response;
  auto stub = v1::OperatorService::NewStub(inv.channel);
  grpc::Status status = Invoke(inv, [&](grpc::ClientContext* context) {
    return stub->GetQueueStats(context, request, &response);
  });
  if (!status.ok()) return ReportRpcError(inv, status);
  return Print(inv, response, FormatQueueStats(response));
}

int RunAudit(const Invocation& inv) {
  int code = kExitOk;
  std::string tenant;
  if (!Require(inv, "tenant", &tenant, &code)) return code;
  v1::ReadAuditRequest request;
  request.set_tenant(tenant);
  if (inv.flags.Has("since")) {
    const std::string since = inv.flags.Get("since");
    absl::Time t;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, since, &t, &error)) {
      absl::StatusOr<absl::Duration> ago = ParseDurationFlag("since", since);
      if (!ago.ok()) {
        return UsageError(inv, "--since must be a time (2026-05-01T08:00:00Z) or a duration (24h)");
      }
      t = absl::Now() - *ago;
    }
    *request.mutable_since() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
  }
  if (inv.flags.Has("limit")) {
    int limit = 0;
    if (!absl::SimpleAtoi(inv.flags.Get("limit"), &limit) || limit < 1 || limit > 1000) {
      return UsageError(inv, "--limit must be a whole number within 1..1000");
    }
    request.set_limit(limit);
  }
  v1::ReadAuditResponse response;
  auto stub = v1::OperatorService::NewStub(inv.channel);
  grpc::Status status = Invoke(inv, [&](grpc::ClientContext* context) {
    return stub->ReadAudit(context, request, &response);
  });
  if (!status.ok()) return ReportRpcError(inv, status);
  return Print(inv, response, FormatAudit(response, inv.env.time_zone));
}

int RunEvents(const Invocation& inv) {
  int code = kExitOk;
  EventFollowerConfig config;
  if (!Require(inv, "tenant", &config.tenant, &code)) return code;
  config.follow = inv.flags.GetBool("follow");
  if (inv.flags.Has("after") && inv.flags.GetBool("from-start")) {
    return UsageError(inv, "--after and --from-start exclude each other");
  }
  if (inv.flags.Has("after")) {
    config.after = inv.flags.Get("after");
    if (config.after.empty()) return UsageError(inv, "--after needs an offset");
  } else if (inv.flags.GetBool("from-start") || !config.follow) {
    config.after = "0";
  }
  config.json = inv.options.json;
  config.time_zone = inv.env.time_zone;
  StopSignal never_stopped;
  StopSignal& stop = inv.env.stop != nullptr ? *inv.env.stop : never_stopped;
  auto stub = v1::OperatorService::NewStub(inv.channel);
  return RunEventFollower(config, *stub, stop, inv.out(), inv.err());
}

// --from / --to: an RFC 3339 time, or a duration ago (24h).
bool ParseTimeOrAgo(absl::string_view text, absl::Time* out) {
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, out, &error)) return true;
  absl::StatusOr<absl::Duration> ago = ParseDurationFlag("time", text);
  if (!ago.ok()) return false;
  *out = absl::Now() - *ago;
  return true;
}

int RunReport(const Invocation& inv) {
  int code = kExitOk;
  std::string tenant;
  if (!Require(inv, "tenant", &tenant, &code)) return code;
  ReportOptions options;
  options.time_zone = inv.env.time_zone;
  if (inv.flags.Has("from") && !ParseTimeOrAgo(inv.flags.Get("from"), &options.from)) {
    return UsageError(inv, "--from must be a time (2026-05-01T00:00:00Z) or a duration ago (7d)");
  }
  if (inv.flags.Has("to") && !ParseTimeOrAgo(inv.flags.Get("to"), &options.to)) {
    return UsageError(inv, "--to must be a time (2026-05-08T00:00:00Z) or a duration ago (1h)");
  }
  if (options.to <= options.from) return UsageError(inv, "--to must be after --from");
  if (inv.flags.Has("by")) {
    absl::StatusOr<ReportGrouping> by = ParseReportGrouping(inv.flags.Get("by"));
    if (!by.ok()) return UsageError(inv, by.status().message());
    options.by = *by;
  }
  std::string format = inv.options.json ? "json" : inv.flags.Get("format", "text");
  if (format != "text" && format != "csv" && format != "json") {
    return UsageError(inv, "--format must be text, csv or json");
  }
  if (inv.flags.Has("config")) {
    absl::StatusOr<TenantReportConfig> config =
        LoadTenantReportConfig(inv.flags.Get("config"), tenant);
    if (!config.ok()) {
      inv.err() << "error: " << config.status().message() << "\n";
      return kExitFailed;
    }
    options.targets = std::move(config->targets);
  }
  ReportBuilder builder(options);
  v1::WatchEventsRequest request;
  request.set_tenant(tenant);
  request.set_after("0");
  request.set_until_newest(true);
  auto stub = v1::OperatorService::NewStub(inv.channel);
  grpc::ClientContext context;  // no deadline: a week of a large municipality takes a while
  std::unique_ptr<grpc::ClientReader<v1::Event>> reader = stub->WatchEvents(&context, request);
  {
    ScopedCancelHook hook(inv.env.stop, [&context] { context.TryCancel(); });
    v1::Event event;
    while (reader->Read(&event)) builder.Add(event);
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return ReportRpcError(inv, status);
  const std::vector<ReportRow> rows = builder.Rows();
  if (format == "csv") {
    inv.out() << FormatReportCsv(rows);
  } else if (format == "json") {
    inv.out() << FormatReportJson(rows);
  } else {
    inv.out() << FormatReportText(rows);
  }
  inv.out() << std::flush;
  return kExitOk;
}

int RunHandlerSignIn(const Invocation& inv) {
  absl::StatusOr<v1::SignInRequest> request = BuildSignInRequest(inv.flags);
  if (!request.ok()) return UsageError(inv, request.status().message());
  v1::Handler handler;
  auto stub = v1::HandlerService::NewStub(inv.channel);
  grpc::Status status = Invoke(
      inv, [&](grpc::ClientContext* context) { return stub->SignIn(context, *request, &handler); });
  if (!status.ok()) return ReportRpcError(inv, status);
  return Print(inv, handler, FormatHandler(handler));
}

int RunHandlerSignOut(const Invocation& inv) {
  int code = kExitOk;
  std::string tenant, id;
  if (!Require(inv, "tenant", &tenant, &code) || !Require(inv, "id", &id, &code)) return code;
  v1::SignOutRequest request;
  request.set_tenant(tenant);
  request.set_handler_id(id);
  v1::Handler handler;
  auto stub = v1::HandlerService::NewStub(inv.channel);
  grpc::Status status = Invoke(
      inv, [&](grpc::ClientContext* context) { return stub->SignOut(context, request, &handler); });
  if (!status.ok()) return ReportRpcError(inv, status);
  return Print(inv, handler, FormatHandler(handler));
}

int RunHandlerPresence(const Invocation& inv) {
  int code = kExitOk;
  std::string tenant, id, presence_name;
  if (!Require(inv, "tenant", &tenant, &code) || !Require(inv, "id", &id, &code) ||
      !Require(inv, "presence", &presence_name, &code)) {
    return code;
  }
  absl::StatusOr<v1::Presence> presence = ParsePresence(presence_name);
  if (!presence.ok()) return UsageError(inv, presence.status().message());
  v1::SetPresenceRequest request;
  request.set_tenant(tenant);
  request.set_handler_id(id);
  request.set_presence(*presence);
  v1::Handler handler;
  auto stub = v1::HandlerService::NewStub(inv.channel);
  grpc::Status status = Invoke(inv, [&](grpc::ClientContext* context) {
    return stub->SetPresence(context, request, &handler);
  });
  if (!status.ok()) return ReportRpcError(inv, status);
  return Print(inv, handler, FormatHandler(handler));
}

int RunHandlerShow(const Invocation& inv) {
  int code = kExitOk;
  std::string tenant, id;
  if (!Require(inv, "tenant", &tenant, &code) || !Require(inv, "id", &id, &code)) return code;
  v1::GetHandlerRequest request;
  request.set_tenant(tenant);
  request.set_handler_id(id);
  v1::Handler handler;
  auto stub = v1::HandlerService::NewStub(inv.channel);
  grpc::Status status = Invoke(inv, [&](grpc::ClientContext* context) {
    return stub->GetHandler(context, request, &handler);
  });
  if (!status.ok()) return ReportRpcError(inv, status);
  return Print(inv, handler, FormatHandler(handler));
}

int RunHandlerDemoCommand(const Invocation& inv) {
  absl::StatusOr<v1::SignInRequest> sign_in = BuildSignInRequest(inv.flags);
  if (!sign_in.ok()) return UsageError(inv, sign_in.status().message());
  HandlerDemoConfig config;
  config.sign_in = *std::move(sign_in);
  struct DurationFlag {
    absl::string_view name;
    absl::Duration* target;
  };
  for (const DurationFlag& flag : {DurationFlag{"accept-after", &config.accept_after},
                                   DurationFlag{"handle-time", &config.handle_time},
                                   DurationFlag{"wrap-up", &config.wrap_up}}) {
    if (!inv.flags.Has(flag.name)) continue;
    absl::StatusOr<absl::Duration> d = ParseDurationFlag(flag.name, inv.flags.Get(flag.name));
    if (!d.ok()) return UsageError(inv, d.status().message());
    *flag.target = *d;
  }
  if (inv.flags.Has("max-contacts")) {
    if (!absl::SimpleAtoi(inv.flags.Get("max-contacts"), &config.max_contacts) ||
        config.max_contacts < 1) {
      return UsageError(inv, "--max-contacts must be a whole number of at least 1");
    }
  }
  config.rpc_timeout = inv.options.timeout;
  config.json = inv.options.json;
  config.time_zone = inv.env.time_zone;
  StopSignal never_stopped;
  StopSignal& stop = inv.env.stop != nullptr ? *inv.env.stop : never_stopped;
  auto handlers = v1::HandlerService::NewStub(inv.channel);
  auto routing = v1::RoutingService::NewStub(inv.channel);
  return RunHandlerDemo(config, *handlers, *routing, stop, inv.out(), inv.err());
}

int RunConfigCheckCommand(const Invocation& inv) {
  return RunConfigCheck(inv.positionals.front(), inv.out(), inv.err());
}

constexpr char kConfigCheckNotes[] =
    "Loads FILE as the router does (schema, references, opening hours, and compiles every\n"
    "tenant's rules) without contacting a router. Prints \"OK: N tenants, M topics, K rules\"\n"
    "and any warnings, or every problem as FILE:LINE:COL: reason; exit status 1 on error.\n"
    "Pseudonym secrets need not be available here: a missing one is a warning.";

const std::vector<Command>& Commands() {
  static const auto* const kCommands = new std::vector<Command>{
      {"route", "route a new contact and print the decision (RouteContact)",
       "Needs (--need): low_digital_skills, language_barrier, impairment, vulnerable_situation.\n"
       "The router validates the identifiers (BSN and RSIN 11-proef, KVK 8 digits, ...) and\n"
       "names the offending field in its error. Identifiers given on the command line end up\n"
       "in shell history and the process list: use test identifiers only (e.g. BSN 111222333).",
       RouteFlagSpecs(), &RunRoute},
      {"contact show", "show a contact with its decision and history (GetContact)", "",
       TenantAndId("CONTACT", "contact id [required]"), &RunContactShow},
      {"contact cancel", "cancel a contact: the resident left (CancelContact)", "",
       Concat(TenantAndId("CONTACT", "contact id [required]"),
              {{"reason", FlagKind::kValue, "REASON", "why, e.g. caller_hung_up"}}),
       &RunContactCancel},
      {"contact complete", "complete a contact: the handler is done (CompleteContact)", "",
       TenantAndId("CONTACT", "contact id [required]"), &RunContactComplete},
      {"contact transfer", "move a connected contact to another queue (TransferContact)", "",
       Concat(TenantAndId("CONTACT", "contact id [required]"),
              {{"queue", FlagKind::kValue, "QUEUE", "target queue (team) [required]"}}),
       &RunContactTransfer},
      {"queues",
       "show queue statistics (GetQueueStats)",
       "",
       {{"tenant", FlagKind::kValue, "TENANT", "tenant (gemeente) [required]"},
        {"queue", FlagKind::kValue, "QUEUE", "only this queue (default: all)"}},
       &RunQueues},
      {"audit",
       "show a tenant's audit log (ReadAudit; operators only)",
       "Prints the newest entries (at most --limit, default 100), oldest first: erasures and\n"
       "exports of a resident's data, contact-person changes, supervisors' reads of a\n"
       "contact and configuration reloads, each with who and when. A resident is named by a\n"
       "one-way subject, never by an identifier.",
       {{"tenant", FlagKind::kValue, "TENANT", "tenant (gemeente) [required]"},
        {"since", FlagKind::kValue, "TIME|DURATION",
         "only entries since an RFC 3339 time or this long ago (e.g. 24h)"},
        {"limit", FlagKind::kValue, "N", "at most N entries, the newest (1..1000, default 100)"}},
       &RunAudit},
      {"events",
       "print a tenant's events (WatchEvents; supervisors and operators)",
       "Prints every decision and state change of the tenant, one per line (with --json one\n"
       "object per line): routed, offered, accepted, rejected, completed, abandoned,\n"
       "transferred, handler presence, ... Without --follow: the events retained (or those\n"
       "after --after) up to the newest, then it ends. With --follow: from now on (or after\n"
       "--after, or --from-start) as they happen, until Ctrl-C; when the router restarts or\n"
       "fails over it connects again and resumes after the last event printed, none twice and\n"
       "none missed. The last offset is printed on stderr at the end, for a later --after.",
       {{"tenant", FlagKind::kValue, "TENANT", "tenant (gemeente) [required]"},
        {"follow", FlagKind::kBool, "", "keep printing events as they happen"},
        {"after", FlagKind::kValue, "OFFSET", "start after this offset (from an earlier run)"},
        {"from-start", FlagKind::kBool, "", "start with the oldest event retained"}},
       &RunEvents},
      {"report",
       "a period's figures from a tenant's event stream (WatchEvents)",
       "Reads the tenant's retained events (event_retention) and reports, per --by group, the\n"
       "contacts routed in the period: routed, offered to a person, handled, abandoned, closed\n"
       "at once, service level (handled within the queue's sla_target, of handled +\n"
       "abandoned), norm (within the topic's answer_within), mean wait and handling time,\n"
       "steered to digital and exempt (\"digitaal, tenzij\"), and the contact-person hit rate\n"
       "(reserved contacts accepted by that handler). --config gives the targets (queues'\n"
       "sla_target, topics' norms); without it every queue counts against 60s and no norm.",
       {{"tenant", FlagKind::kValue, "TENANT", "tenant (gemeente) [required]"},
        {"from", FlagKind::kValue, "TIME|DURATION",
         "contacts routed at or after an RFC 3339 time or this long ago (default: all)"},
        {"to", FlagKind::kValue, "TIME|DURATION", "and before this (default: now)"},
        {"by", FlagKind::kValue, "GROUP", "total (default), day, queue, channel or topic"},
        {"config", FlagKind::kValue, "FILE", "the router's configuration, for the targets"},
        {"format", FlagKind::kValue, "FORMAT", "text (default), csv or json"}},
       &RunReport},
      {"handler signin", "sign a handler in or update it (SignIn)", "", SignInFlagSpecs(),
       &RunHandlerSignIn},
      {"handler signout", "sign a handler out (SignOut)", "",
       TenantAndId("HANDLER", "handler id [required]"), &RunHandlerSignOut},
      {"handler presence", "set a handler's presence (SetPresence)", "",
       Concat(TenantAndId("HANDLER", "handler id [required]"),
              {{"presence", FlagKind::kValue, "PRESENCE",
                "available, busy, away or offline [required]"}}),
       &RunHandlerPresence},
      {"handler show", "show a handler (GetHandler)", "",
       TenantAndId("HANDLER", "handler id [required]"), &RunHandlerShow},
      {"handler demo", "act as a handler: accept, handle and wrap up offered contacts",
       "Signs in, then for each offer on StreamOffers: waits --accept-after, accepts, waits\n"
       "--handle-time, completes, waits --wrap-up, finishes wrap-up. Stops when the stream\n"
       "ends, after --max-contacts, or on Ctrl-C / SIGTERM (a second Ctrl-C quits at once);\n"
       "a contact in hand is completed first. Signs out at the end.",
       Concat(
           SignInFlagSpecs(),
           {{"accept-after", FlagKind::kValue, "DURATION",
             "wait before accepting an offer (default 2s)"},
            {"handle-time", FlagKind::kValue, "DURATION",
             "time from accept to complete (default 10s)"},
            {"wrap-up", FlagKind::kValue, "DURATION", "time in wrap-up (default 2s)"},
            {"max-contacts", FlagKind::kValue, "N", "stop after N contacts (default: no limit)"}}),
       &RunHandlerDemoCommand},
      {"config check",
       "check a router configuration file without a router",
       kConfigCheckNotes,
       {},
       &RunConfigCheckCommand,
       "FILE"},
      {"rules check",
       "check a configuration's rules (same as 'config check')",
       kConfigCheckNotes,
       {},
       &RunConfigCheckCommand,
       "FILE"},
  };
  return *kCommands;
}

std::string CommandUsageText(const Command& command) {
  std::string summary = command.summary;
  summary[0] = absl::ascii_toupper(static_cast<unsigned char>(summary[0]));
  std::string text = absl::StrCat("Usage: wisselctl ", command.words, " [flags]",
                                  command.positional.empty() ? "" : " ", command.positional, "\n\n",
                                  summary, ".\n");
  if (!command.notes.empty()) absl::StrAppend(&text, "\n", command.notes, "\n");
  if (!command.flags.empty()) {
    absl::StrAppend(&text, "\nFlags:\n", FormatFlagHelp(command.flags));
  }
  absl::StrAppend(&text, "\nGlobal flags:\n", FormatFlagHelp(GlobalFlagSpecs()));
  return text;
}

const Command* FindCommand(absl::string_view words) {
  for (const Command& command : Commands()) {
    if (command.words == words) return &command;
  }
  return nullptr;
}

bool IsCommandGroup(absl::string_view word) {
  const std::string prefix = absl::StrCat(word, " ");
  for (const Command& command : Commands()) {
    if (absl::string_view(command.words).substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

int TopLevelUsageError(const CliEnvironment& env, absl::string_view message) {
  *env.err << "error: " << message << "\nrun 'wisselctl --help' for usage\n";
  return kExitUsage;
}

}  // namespace

std::string UsageText() {
  std::string text =
      "wisselctl: command-line client of the Wissel routing engine (gRPC API wissel.v1)\n\n"
      "Usage: wisselctl [global flags] COMMAND [flags]\n\nCommands:\n";
  size_t width = 0;
  for (const Command& command : Commands()) width = std::max(width, command.words.size());
  for (const Command& command : Commands()) {
    absl::StrAppendFormat(&text, "  %-*s  %s\n", static_cast<int>(width), command.words,
                          command.summary);
  }
  absl::StrAppend(&text, "\nGlobal flags:\n", FormatFlagHelp(GlobalFlagSpecs()),
                  "\nFlags are written --name=value (or --name value). Output is text, or JSON\n"
                  "with --json. Exit status: 0 success, 1 the call failed, 2 usage error.\n\n"
                  "Examples:\n"
                  "  wisselctl route --tenant=gemeente-wisseloord --channel=phone "
                  "--topic=paspoort --bsn=111222333\n"
                  "  wisselctl queues --tenant=gemeente-wisseloord\n"
                  "  wisselctl audit --tenant=gemeente-wisseloord --since=24h\n"
                  "  wisselctl handler demo --tenant=gemeente-wisseloord --id=h-1042 "
                  "--skills=burgerzaken\n"
                  "  wisselctl config check config/example/wissel.yaml\n");
  return text;
}

int RunWisselctl(const std::vector<std::string>& args, const CliEnvironment& env) {
  const absl::Span<const std::string> all(args);
  ParsedFlags flags;
  absl::StatusOr<size_t> leading = ParseLeadingFlags(all, GlobalFlagSpecs(), &flags);
  if (!leading.ok()) return TopLevelUsageError(env, leading.status().message());
  size_t index = *leading;

  // "wisselctl help [COMMAND...]" is the same as "wisselctl [COMMAND...] --help".
  if (index < all.size() && all[index] == "help") {
    flags.Add("help", "true");
    ++index;
  }
  if (index >= all.size()) {
    if (flags.GetBool("help")) {
      *env.out << UsageText();
      return kExitOk;
    }
    *env.err << UsageText();
    return kExitUsage;
  }

  const Command* command = nullptr;
  if (index + 1 < all.size()) {
    command = FindCommand(absl::StrCat(all[index], " ", all[index + 1]));
    if (command != nullptr) index += 2;
  }
  if (command == nullptr) {
    if (IsCommandGroup(all[index])) {
      if (index + 1 >= all.size() || absl::string_view(all[index + 1]).substr(0, 1) == "-") {
        return TopLevelUsageError(env, absl::StrCat("'", all[index], "' needs a subcommand"));
      }
      return TopLevelUsageError(
          env, absl::StrCat("unknown command '", all[index], " ", all[index + 1], "'"));
    }
    command = FindCommand(all[index]);
    if (command == nullptr) {
      return TopLevelUsageError(env, absl::StrCat("unknown command '", all[index], "'"));
    }
    ++index;
  }

  Invocation inv{*command, env, flags, Options{}, nullptr};
  const std::vector<FlagSpec> specs = Concat(command->flags, GlobalFlagSpecs());
  std::vector<std::string> positionals;
  if (absl::Status status = ParseFlags(all.subspan(index), specs, &flags, &positionals);
      !status.ok()) {
    return UsageError(inv, status.message());
  }
  if (flags.GetBool("help")) {
    *env.out << CommandUsageText(*command);
    return kExitOk;
  }
  if (command->positional.empty() && !positionals.empty()) {
    return UsageError(inv, absl::StrCat("unexpected argument '", positionals.front(), "'"));
  }
  if (!command->positional.empty()) {
    if (positionals.empty()) return UsageError(inv, absl::StrCat("missing ", command->positional));
    if (positionals.size() > 1) {
      return UsageError(inv, absl::StrCat("unexpected argument '", positionals[1], "'"));
    }
    inv.positionals = std::move(positionals);
  }

  inv.options.router = flags.Get("router", env.default_router);
  if (inv.options.router.empty()) return UsageError(inv, "--router must not be empty");
  if (flags.Has("timeout")) {
    absl::StatusOr<absl::Duration> timeout = ParseDurationFlag("timeout", flags.Get("timeout"));
    if (!timeout.ok()) return UsageError(inv, timeout.status().message());
    if (*timeout == absl::ZeroDuration()) return UsageError(inv, "--timeout must be positive");
    inv.options.timeout = *timeout;
  }
  inv.options.json = flags.GetBool("json");
  if (command->words != "config check" && command->words != "rules check") {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        transport::CreateChannel(inv.options.router, ClientTlsFromFlags(flags, env), "--");
    if (!channel.ok()) return UsageError(inv, channel.status().message());
    inv.channel = *std::move(channel);
  }
  return command->run(inv);
}

}  // namespace wissel::cli
