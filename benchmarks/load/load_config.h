// LoadConfig: what one wissel-load run does — where it sends, how hard (open loop at a rate or
// closed loop at a concurrency), for how long, which contacts (tenant, topic and channel mix)
// and which simulated handlers take them. Plain values, filled from flags by main.cc.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "router/transport/tls_options.h"
#include "wissel/v1/contact.pb.h"
#include "wissel/v1/handler_service.pb.h"

namespace wissel::load {

struct Weighted {
  std::string name;
  double weight = 1;
};

// A team (queue name) the simulated handlers are spread over, and the skill that queue asks for.
struct TeamSkill {
  std::string team;
  std::string skill;
};

struct LoadConfig {
  // Router (or floor server) address, host:port.
  std::string target = "127.0.0.1:7450";
  // Name of the target in the report and the SUMMARY line, e.g. "wissel", "floor", "noop".
  std::string label = "wissel";
  // TLS towards the target (CA, client certificate, token file), or plaintext on loopback.
  transport::ClientTls tls;
  // gRPC channels (each its own TCP connection); calls are spread over them.
  int channels = 4;

  // Closed loop: `concurrency` calls in flight, each followed by the next when it completes.
  // Open loop (rate > 0): contacts/s on a fixed schedule, latency measured from the scheduled
  // send time (no coordinated omission), at most `max_in_flight` outstanding (more are counted
  // as dropped).
  int concurrency = 16;
  double rate = 0;
  int max_in_flight = 4096;

  // Calls started during warm-up are not counted; the measured window follows it.
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration duration = absl::Seconds(10);
  // When > 0: send exactly this many contacts (all counted, no warm-up), `duration` is then only
  // an upper bound.
  int64_t contacts = 0;
  absl::Duration rpc_timeout = absl::Seconds(10);
  // After the window, how long outstanding calls may take before the run ends anyway.
  absl::Duration drain_timeout = absl::Seconds(10);

  // Contacts.
  std::string tenant = "gemeente-wisseloord";
  std::vector<Weighted> topics;
  std::vector<Weighted> channel_mix;  // names: phone, chat, web_form, balie, email
  double party_share = 0.6;           // share of contacts with a (valid, random) BSN
  double needs_share = 0.05;          // share with a "tenzij" need
  double wants_person_share = 0.1;
  double other_language_share = 0.03;  // share with language "en" (needs the taal skill)
  // Prefix of every idempotency key; unique per run so that a rerun does not replay.
  std::string run_id;
  uint64_t seed = 1;

  // Simulated handlers: `handlers` sign in (ids handler_prefix + number), spread round robin
  // over `teams` with the team's skill at proficiency 4, kcc at 3 and every fourth handler taal
  // at 4. Available handlers open StreamOffers and take every offer: AcceptOffer after
  // `accept_after`, CompleteContact after `handle_time`, FinishWrapUp after `wrap_up`.
  int handlers = 0;
  std::vector<TeamSkill> teams;
  v1::Presence presence = v1::PRESENCE_AVAILABLE;
  std::string handler_prefix = "load-h-";
  absl::Duration accept_after = absl::ZeroDuration();
  absl::Duration handle_time = absl::Milliseconds(50);
  absl::Duration wrap_up = absl::ZeroDuration();
  // Residents hang up (CancelContact, "caller_hung_up") when their contact was queued and has
  // not been offered after this long, as callers do; zero: they wait forever. Without it,
  // contacts no simulated handler can take pile up in a long run.
  absl::Duration patience = absl::ZeroDuration();
  int sign_in_concurrency = 64;
  // Sign the handlers out at the end (false: leave them, e.g. to measure the router's memory).
  bool sign_out = true;
};

// Defaults matching config/example/wissel.yaml (Gemeente Wisseloord) and
// benchmarks/load/bench.yaml: a topic mix with a KCC's rough proportions, the channel mix, and
// the queues with their skills.
std::vector<Weighted> DefaultTopicMix();
std::vector<Weighted> DefaultChannelMix();
std::vector<TeamSkill> DefaultTeams();

}  // namespace wissel::load
