// wissel-load: the end-to-end load generator (issue #6). Parses flags into a LoadConfig, runs
// RunLoad against a router or the floor server, prints the report and, last, one SUMMARY line.
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "base/duration_flag.h"
#include "base/program_flags.h"
#include "benchmarks/load/contact_mix.h"
#include "benchmarks/load/load_generator.h"

namespace {

std::string JoinWeighted(const std::vector<wissel::load::Weighted>& mix) {
  return absl::StrJoin(mix, ",", [](std::string* out, const wissel::load::Weighted& w) {
    absl::StrAppend(out, w.name, ":", w.weight);
  });
}

std::string JoinTeams(const std::vector<wissel::load::TeamSkill>& teams) {
  return absl::StrJoin(teams, ",", [](std::string* out, const wissel::load::TeamSkill& t) {
    absl::StrAppend(out, t.team, ":", t.skill);
  });
}

}  // namespace

ABSL_FLAG(std::string, target, "127.0.0.1:7450", "Router or floor server, host:port.");
ABSL_FLAG(bool, plaintext, false, "No TLS (a loopback target only).");
ABSL_FLAG(std::string, ca_file, "", "CA of the target's certificate (TLS).");
ABSL_FLAG(std::string, cert_file, "", "Client certificate (mutual TLS).");
ABSL_FLAG(std::string, key_file, "", "Private key of --cert_file.");
ABSL_FLAG(std::string, token_file, "", "File with an OAuth2 bearer token sent with every call.");
ABSL_FLAG(std::string, label, "wissel", "Name of the target in the report and SUMMARY line.");
ABSL_FLAG(int, channels, 4, "gRPC channels (separate TCP connections).");
ABSL_FLAG(int, concurrency, 16, "Closed loop: calls in flight.");
ABSL_FLAG(double, rate, 0, "Open loop: contacts per second (0: closed loop).");
ABSL_FLAG(int, max_in_flight, 4096, "Open loop: most outstanding calls; more are dropped.");
ABSL_FLAG(wissel::base::DurationFlag, warmup, {absl::Seconds(2)}, "Warm-up, not measured.");
ABSL_FLAG(wissel::base::DurationFlag, duration, {absl::Seconds(10)},
          "Measured window (or time limit).");
ABSL_FLAG(int64_t, contacts, 0, "Send exactly this many contacts (no warm-up), then stop.");
ABSL_FLAG(wissel::base::DurationFlag, rpc_timeout, {absl::Seconds(10)}, "Deadline of each call.");
ABSL_FLAG(wissel::base::DurationFlag, drain_timeout, {absl::Seconds(10)},
          "Time for outstanding calls at end.");
ABSL_FLAG(std::string, tenant, "gemeente-wisseloord", "Tenant id of every contact and handler.");
ABSL_FLAG(std::string, topics, JoinWeighted(wissel::load::DefaultTopicMix()),
          "Topic mix: code:weight,... (the default is the example tenant's catalogue).");
ABSL_FLAG(std::string, channel_mix, JoinWeighted(wissel::load::DefaultChannelMix()),
          "Channel mix: phone|chat|web_form|balie|email:weight,...");
ABSL_FLAG(double, party_share, 0.6, "Share of contacts with a BSN.");
ABSL_FLAG(double, needs_share, 0.05, "Share of contacts with a 'tenzij' need.");
ABSL_FLAG(double, wants_person_share, 0.1, "Share of contacts asking for a person.");
ABSL_FLAG(double, other_language_share, 0.03, "Share of contacts in English.");
ABSL_FLAG(std::string, run_id, "", "Idempotency key prefix (default: unique per run).");
ABSL_FLAG(uint64_t, seed, 1, "Seed of the contact mix.");
ABSL_FLAG(int, handlers, 0, "Simulated handlers (0: routing only).");
ABSL_FLAG(std::string, teams, JoinTeams(wissel::load::DefaultTeams()),
          "Teams the handlers are spread over: queue:skill,...");
ABSL_FLAG(std::string, presence, "available", "Handlers' presence: available|busy|away.");
ABSL_FLAG(std::string, handler_prefix, "load-h-", "Handler id prefix.");
ABSL_FLAG(wissel::base::DurationFlag, accept_after, {absl::ZeroDuration()},
          "Offer to AcceptOffer.");
ABSL_FLAG(wissel::base::DurationFlag, handle_time, {absl::Milliseconds(50)},
          "AcceptOffer to Complete.");
ABSL_FLAG(wissel::base::DurationFlag, patience, {absl::ZeroDuration()},
          "A queued contact not offered after this long is cancelled (the resident hangs up); "
          "0: never.");
ABSL_FLAG(wissel::base::DurationFlag, wrap_up, {absl::ZeroDuration()},
          "CompleteContact to FinishWrapUp.");
ABSL_FLAG(int, sign_in_concurrency, 64, "Sign-in (and sign-out) calls in flight.");
ABSL_FLAG(bool, sign_out, true, "Sign the handlers out at the end.");

int main(int argc, char** argv) {
  wissel::base::ParseProgramFlags(
      argc, argv,
      "wissel-load --target=HOST:PORT [--concurrency=C | --rate=R] [--duration=10s] "
      "[--handlers=N]: drives RouteContact (and simulated handlers) and reports throughput and "
      "latency; the last line is SUMMARY key=value ...");
  wissel::load::LoadConfig config;
  config.target = absl::GetFlag(FLAGS_target);
  config.label = absl::GetFlag(FLAGS_label);
  config.tls.plaintext = absl::GetFlag(FLAGS_plaintext);
  config.tls.ca_file = absl::GetFlag(FLAGS_ca_file);
  config.tls.certificate_file = absl::GetFlag(FLAGS_cert_file);
  config.tls.private_key_file = absl::GetFlag(FLAGS_key_file);
  config.tls.token_file = absl::GetFlag(FLAGS_token_file);
  if (absl::Status s = wissel::transport::ValidateClientTls(config.tls, config.target, "--");
      !s.ok()) {
    std::cerr << "wissel-load: " << s.message() << "\n";
    return 2;
  }
  config.channels = absl::GetFlag(FLAGS_channels);
  config.concurrency = absl::GetFlag(FLAGS_concurrency);
  config.rate = absl::GetFlag(FLAGS_rate);
  config.max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  config.warmup = absl::GetFlag(FLAGS_warmup).value;
  config.duration = absl::GetFlag(FLAGS_duration).value;
  config.contacts = absl::GetFlag(FLAGS_contacts);
  config.rpc_timeout = absl::GetFlag(FLAGS_rpc_timeout).value;
  config.drain_timeout = absl::GetFlag(FLAGS_drain_timeout).value;
  config.tenant = absl::GetFlag(FLAGS_tenant);
  for (auto [flag, out] : {std::pair{absl::GetFlag(FLAGS_topics), &config.topics},
                           std::pair{absl::GetFlag(FLAGS_channel_mix), &config.channel_mix}}) {
    absl::StatusOr<std::vector<wissel::load::Weighted>> mix = wissel::load::ParseWeighted(flag);
    if (!mix.ok()) {
      std::cerr << "wissel-load: " << mix.status().message() << "\n";
      return 2;
    }
    *out = *std::move(mix);
  }
  config.party_share = absl::GetFlag(FLAGS_party_share);
  config.needs_share = absl::GetFlag(FLAGS_needs_share);
  config.wants_person_share = absl::GetFlag(FLAGS_wants_person_share);
  config.other_language_share = absl::GetFlag(FLAGS_other_language_share);
  config.run_id = absl::GetFlag(FLAGS_run_id);
  if (config.run_id.empty()) {
    // Unique per run so that a rerun against the same Redis does not replay old contacts.
    config.run_id = absl::StrCat("ld", absl::ToUnixMicros(absl::Now()));
  }
  config.seed = absl::GetFlag(FLAGS_seed);
  config.handlers = absl::GetFlag(FLAGS_handlers);
  config.teams = wissel::load::ParseTeams(absl::GetFlag(FLAGS_teams));
  const std::string presence = absl::GetFlag(FLAGS_presence);
  if (presence == "available") {
    config.presence = wissel::v1::PRESENCE_AVAILABLE;
  } else if (presence == "busy") {
    config.presence = wissel::v1::PRESENCE_BUSY;
  } else if (presence == "away") {
    config.presence = wissel::v1::PRESENCE_AWAY;
  } else {
    std::cerr << "wissel-load: --presence must be available, busy or away\n";
    return 2;
  }
  config.handler_prefix = absl::GetFlag(FLAGS_handler_prefix);
  config.accept_after = absl::GetFlag(FLAGS_accept_after).value;
  config.handle_time = absl::GetFlag(FLAGS_handle_time).value;
  config.patience = absl::GetFlag(FLAGS_patience).value;
  config.wrap_up = absl::GetFlag(FLAGS_wrap_up).value;
  config.sign_in_concurrency = absl::GetFlag(FLAGS_sign_in_concurrency);
  config.sign_out = absl::GetFlag(FLAGS_sign_out);

  absl::StatusOr<wissel::load::LoadReport> report = wissel::load::RunLoad(config, std::cerr);
  if (!report.ok()) {
    std::cerr << "wissel-load: " << report.status() << "\n";
    return 1;
  }
  std::cout << wissel::load::FormatReport(*report) << wissel::load::FormatSummary(*report)
            << std::endl;
  return report->errors > 0 ? 3 : 0;
}
