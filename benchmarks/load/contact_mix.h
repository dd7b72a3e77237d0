// ContactMix: makes the contacts a load run sends — topic and channel drawn from weighted mixes,
// a valid random BSN (11-proef) for a share of them, some with a "tenzij" need, some asking
// for a person, some in English — so that the router does its real work (pseudonymisation,
// rules, both policies) rather than a trivial path.
//
// Thread-safety: Fill() may be called from any thread; the random generator is behind a mutex
// (a few hundred nanoseconds per contact, far below a call's cost).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "benchmarks/load/load_config.h"
#include "wissel/v1/contact.pb.h"

namespace wissel::load {

class ContactMix {
 public:
  // Errors: InvalidArgument for an empty topic mix, an unknown channel name or a weight <= 0.
  // `config` must outlive the mix.
  static absl::StatusOr<std::unique_ptr<ContactMix>> Create(const LoadConfig& config);

  // Fills `contact` for the `sequence`-th contact of the run; its idempotency key is
  // run_id + "-" + sequence, so unique per run. `sent_ns` goes into the attribute "load_t" and
  // comes back in the offer, to measure contact-to-offer time.
  void Fill(int64_t sequence, int64_t sent_ns, v1::Contact* contact);

  // The attribute carrying the send time (steady clock, ns since the generator's start).
  static constexpr char kSentAttribute[] = "load_t";

 private:
  ContactMix(const LoadConfig& config, std::vector<v1::Channel> channels);
  std::string RandomBsn() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const LoadConfig* config_;
  std::vector<v1::Channel> channels_;
  absl::Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  std::discrete_distribution<int> topic_pick_ ABSL_GUARDED_BY(mu_);
  std::discrete_distribution<int> channel_pick_ ABSL_GUARDED_BY(mu_);
};

// Parses "name:weight,name:weight,..." (weight optional, default 1).
absl::StatusOr<std::vector<Weighted>> ParseWeighted(absl::string_view text);
// Parses "team:skill,team,..." (skill defaults to the team's name).
std::vector<TeamSkill> ParseTeams(absl::string_view text);

}  // namespace wissel::load
