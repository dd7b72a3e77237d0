// The queue position told to a waiting contact (Router::PositionOf, through Describe) against a
// brute-force count over every live contact, on random workloads with several priorities,
// proficiency levels (escalation), overflow between queues, aging and contacts reserved for
// their contact person.
#include <cstdio>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "router/core/router.h"
#include "tests/fakes/fake_clock.h"

namespace wissel::core {
namespace {

using ::wissel::testing::FakeClock;

TenantConfig PositionConfig() {
  TenantConfig config;
  // Handlers sign in without being listed in a roster.
  config.dynamic_handlers = true;
  config.id = "gemeente-positie";
  config.name = "Gemeente Positie";
  QueueConfig a{"qa", "qa", absl::Minutes(4)};
  a.min_proficiency = 4;
  a.escalation = {{absl::Seconds(30), 3, "", false},
                  {absl::Seconds(60), 2, "", false},
                  {absl::Seconds(90), 1, "qc", false}};
  QueueConfig b{"qb", "qb", absl::Minutes(6)};
  b.min_proficiency = 2;
  b.escalation = {{absl::Seconds(45), std::nullopt, "qa", false}};
  QueueConfig c{"qc", "qc", absl::Minutes(3)};
  config.queues = {a, b, c};
  config.topics = {{"ta", "A", "domein-a", "qa", 0},
                   {"tb", "B", "domein-b", "qb", 20},
                   {"tc", "C", "domein-a", "qc", 0}};
  config.handler_defaults.offer_timeout = absl::Seconds(20);
  config.handler_defaults.max_wrap_up = absl::Seconds(60);
  config.contact_person.wait_for_contact_person = absl::Seconds(50);
  // Strong aging, so that waiting time reorders contacts of different priorities.
  config.aging_per_minute = 10.0;
  return config;
}

// The waiting order the Router documents: lower key first, key = aging * enqueued_at - priority,
// ties broken by enqueue time, then id.
std::tuple<double, absl::Time, const std::string&> OrderKey(const TenantConfig& config,
                                                            const Contact& c) {
  return std::tuple<double, absl::Time, const std::string&>(
      config.aging_per_minute / 60.0 * absl::ToDoubleSeconds(c.enqueued_at - absl::UnixEpoch()) -
          c.priority,
      c.enqueued_at, c.id);
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Whether `x` waits where `c` waits: the same reserved handler, or (both unreserved) `x` is in
// `c`'s queue, as a contact of it or as overflow from another queue; on the same channel.
bool WaitsWith(const Contact& x, const Contact& c) {
  if (x.state != ContactState::kQueued || x.channel != c.channel) return false;
  if (!c.reserved_for.empty()) return x.reserved_for == c.reserved_for;
  return x.reserved_for.empty() && (x.queue == c.queue || Contains(x.overflow_queues, c.queue));
}

class RouterPositionTest : public ::testing::TestWithParam<int> {};

TEST_P(RouterPositionTest, PositionIsTheCountOfContactsAhead) {
  const TenantConfig config = PositionConfig();
  FakeClock clock;
  absl::StatusOr<std::unique_ptr<Router>> created = Router::Create(config, &clock);
  ASSERT_TRUE(created.ok()) << created.status();
  Router& router = **created;
  std::mt19937 rng(GetParam());
  const std::vector<std::string> topics = {"ta", "tb", "tc"};
  const std::vector<std::string> skills = {"qa", "qb", "qc"};
  // Contacts that may be live: each routed id and its callback task's, while either is live
  // (a callback task is made from its live contact).
  std::vector<std::string> ids;
  int next_contact = 0;
  int checked = 0;
  int max_position = 0;
  int checked_reserved = 0;
  int checked_relaxed = 0;   // escalated below the queue's own level
  int checked_overflow = 0;  // also waiting in another queue
  for (int step = 0; step < 800; ++step) {
    EffectList effects;
    const int op = static_cast<int>(rng() % 20);
    const std::string handler = absl::StrCat("h", rng() % 4);
    if (op < 8) {
      NewContact c;
      c.id = absl::StrCat("c", next_contact++);
      c.topic = topics[rng() % topics.size()];
      c.channel = kAllChannels[rng() % 3];
      c.priority = static_cast<int>(rng() % 6) * 20;  // 0 (topic default) .. 100
      c.idempotency_key = "key-" + c.id;
      if (rng() % 4 == 0) c.party_pseudonym = absl::StrCat("p", rng() % 3);
      ids.push_back(c.id);
      ids.push_back(c.id + "-cb");  // the callback task a reservation may leave
      EXPECT_TRUE(router.Route(std::move(c), &effects).ok());
    } else if (op == 8 || op == 9) {
      HandlerSignIn in;
      in.id = handler;
      in.skills = {skills[rng() % 3], skills[rng() % 3]};
      for (const std::string& s : in.skills) in.proficiency[s] = 1 + static_cast<int>(rng() % 5);
      in.presence = rng() % 3 == 0 ? Presence::kAvailable : Presence::kAway;
      (void)router.SignIn(std::move(in), &effects);
    } else if (op == 10) {
      (void)router.SetPresence(handler, rng() % 3 == 0 ? Presence::kAvailable : Presence::kAway,
                               &effects);
    } else if (op == 11) {
      (void)router.SetContactPerson(
          {absl::StrCat("p", rng() % 3), rng() % 2 ? "domein-a" : "domein-b", handler}, &effects);
    } else if (op == 12 || op == 13) {
      if (const Handler* h = router.FindHandler(handler)) {
        const std::vector<HeldContact> held = h->held;
        for (const HeldContact& hc : held) {
          if (hc.state == HoldState::kOffered) {
            (void)(op == 12 ? router.Accept(handler, hc.contact_id, &effects)
                            : router.Reject(handler, hc.contact_id, &effects));
          } else if (hc.state == HoldState::kConnected) {
            (void)router.Complete(hc.contact_id, &effects);
          } else {
            (void)router.FinishWrapUp(handler, hc.contact_id, &effects);
          }
        }
      }
    } else if (op < 17) {
      if (!ids.empty()) (void)router.Cancel(ids[rng() % ids.size()], "weg", &effects);
    } else {
      clock.Advance(absl::Seconds(rng() % 25));
      router.Tick(&effects);
    }

    std::vector<const Contact*> live;
    std::vector<std::string> still;
    for (size_t i = 0; i < ids.size(); i += 2) {
      const Contact* c = router.FindContact(ids[i]);
      const Contact* task = router.FindContact(ids[i + 1]);
      if (c != nullptr) live.push_back(c);
      if (task != nullptr) live.push_back(task);
      if (c != nullptr || task != nullptr) {
        still.push_back(ids[i]);
        still.push_back(ids[i + 1]);
      }
    }
    ids.swap(still);
    for (const Contact* c : live) {
      if (c->state != ContactState::kQueued) continue;
      int ahead = 0;
      for (const Contact* x : live) {
        if (WaitsWith(*x, *c) && OrderKey(config, *x) < OrderKey(config, *c)) ++ahead;
      }
      absl::StatusOr<Decision> d = router.Describe(c->id);
      ASSERT_TRUE(d.ok()) << d.status();
      ASSERT_EQ(d->position, ahead + 1)
          << c->id << " (queue " << c->queue << ", level " << c->min_proficiency
          << ", reserved for '" << c->reserved_for << "') at step " << step;
      ++checked;
      if (!c->reserved_for.empty()) ++checked_reserved;
      if (c->escalation_level > 0 && c->queue == "qa") ++checked_relaxed;
      if (!c->overflow_queues.empty()) ++checked_overflow;
      max_position = std::max(max_position, d->position);
    }
  }
  // The workload does build queues worth checking.
  EXPECT_GT(checked, 10000);
  EXPECT_GT(max_position, 20);
  EXPECT_GT(checked_reserved, 100);
  EXPECT_GT(checked_relaxed, 100);
  EXPECT_GT(checked_overflow, 100);
  std::printf("checked %d (reserved %d, relaxed %d, overflow %d), max position %d\n", checked,
              checked_reserved, checked_relaxed, checked_overflow, max_position);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RouterPositionTest, ::testing::Values(1, 2, 3, 42));

}  // namespace
}  // namespace wissel::core
