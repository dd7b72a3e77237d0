#include "router/service/router_metrics.h"

#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "router/core/channel.h"
#include "router/core/contact.h"

namespace wissel::service {
namespace {

using metrics::MetricType;

absl::string_view OutcomeName(core::Decision::Outcome outcome) {
  switch (outcome) {
    case core::Decision::Outcome::kAssigned:
      return "assigned";
    case core::Decision::Outcome::kQueued:
      return "queued";
    case core::Decision::Outcome::kDigital:
      return "digital";
    case core::Decision::Outcome::kCallback:
      return "callback";
    case core::Decision::Outcome::kClosed:
      return "closed";
  }
  return "unknown";
}

// The "tenzij" needs by the names the API and the rules use.
constexpr std::pair<core::Need, absl::string_view> kNeedNames[] = {
    {core::Need::kLowDigitalSkills, "low_digital_skills"},
    {core::Need::kLanguageBarrier, "language_barrier"},
    {core::Need::kImpairment, "impairment"},
    {core::Need::kVulnerable, "vulnerable_situation"},
};

// How an offer that was withdrawn ended (core/effect.h OfferWithdrawn::reason), bounded.
absl::string_view WithdrawalOutcome(absl::string_view reason) {
  if (reason == "rejected") return "rejected";
  if (reason == "offer_timeout") return "timed_out";
  if (reason == "handler_signed_out") return "handler_signed_out";
  if (reason == "recovered") return "recovered";
  return "withdrawn";
}

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

}  // namespace

absl::StatusOr<std::unique_ptr<RouterMetrics>> RouterMetrics::Create(
    metrics::Registry* registry, std::function<double()> pending,
    std::function<std::pair<double, double>()> audit) {
  std::unique_ptr<RouterMetrics> m(new RouterMetrics());
  WISSEL_RETURN_IF_ERROR(m->Register(registry, std::move(pending), std::move(audit)));
  return m;
}

absl::Status RouterMetrics::Register(metrics::Registry* r, std::function<double()> pending,
                                     std::function<std::pair<double, double>()> audit) {
  // Routing.
  WISSEL_ASSIGN_OR_RETURN(routed_, r->AddCounter("wissel_contacts_routed_total",
                                                 "Contacts routed (durable), by outcome: assigned, "
                                                 "queued, digital, callback, closed.",
                                                 {"tenant", "channel", "outcome"}));
  WISSEL_ASSIGN_OR_RETURN(
      digital_first_,
      r->AddCounter("wissel_digital_first_total",
                    "Contacts on a topic with a digital alternative on a personal channel, by how "
                    "\"digitaal, tenzij\" went: steered_to_digital, offered_and_routed, "
                    "exempt_need, exempt_wants_person.",
                    {"tenant", "channel", "outcome"}));
  WISSEL_ASSIGN_OR_RETURN(
      exemptions_,
      r->AddCounter("wissel_digital_first_exemptions_total",
                    "Why \"digitaal, tenzij\" gave a person: each need of an exempt contact "
                    "(low_digital_skills, language_barrier, impairment, vulnerable_situation), "
                    "or wants_person.",
                    {"tenant", "channel", "reason"}));
  WISSEL_ASSIGN_OR_RETURN(offers_, r->AddCounter("wissel_offers_total", "Offers made to handlers.",
                                                 {"tenant", "channel"}));
  WISSEL_ASSIGN_OR_RETURN(
      offer_outcomes_,
      r->AddCounter("wissel_offer_outcomes_total",
                    "How offers ended: accepted, rejected, timed_out, handler_signed_out, "
                    "recovered (the router restarted), abandoned (the contact was cancelled).",
                    {"tenant", "channel", "outcome"}));
  WISSEL_ASSIGN_OR_RETURN(
      abandoned_, r->AddCounter("wissel_contacts_abandoned_total",
                                "Contacts ended before they were handled, by the state they left "
                                "(queued, offered, connected) and reason (cancelled, erased).",
                                {"tenant", "channel", "state", "reason"}));
  WISSEL_ASSIGN_OR_RETURN(
      completed_, r->AddCounter("wissel_contacts_completed_total", "Contacts handled to the end.",
                                {"tenant", "channel"}));
  WISSEL_ASSIGN_OR_RETURN(
      transferred_,
      r->AddCounter("wissel_contacts_transferred_total",
                    "Contacts transferred, by the queue they went to.", {"tenant", "queue"}));
  // Service level.
  WISSEL_ASSIGN_OR_RETURN(
      wait_, r->AddHistogram("wissel_contact_wait_seconds",
                             "How long answered contacts waited in their queue before a handler "
                             "accepted them.",
                             {"tenant", "channel", "queue"}, metrics::WaitBuckets()));
  WISSEL_ASSIGN_OR_RETURN(
      answered_, r->AddCounter("wissel_contacts_answered_total", "Contacts a handler accepted.",
                               {"tenant", "channel", "queue"}));
  WISSEL_ASSIGN_OR_RETURN(answered_within_sla_,
                          r->AddCounter("wissel_contacts_answered_within_sla_total",
                                        "Contacts a handler accepted within the queue's sla_target "
                                        "(service level = this / wissel_contacts_answered_total).",
                                        {"tenant", "channel", "queue"}));
  WISSEL_ASSIGN_OR_RETURN(
      answered_with_norm_,
      r->AddCounter("wissel_contacts_answered_with_norm_total",
                    "Contacts accepted whose topic has a norm on their channel (answer_within or "
                    "working_days).",
                    {"tenant", "channel", "topic"}));
  WISSEL_ASSIGN_OR_RETURN(answered_within_norm_,
                          r->AddCounter("wissel_contacts_answered_within_norm_total",
                                        "Of those, the contacts accepted within the norm.",
                                        {"tenant", "channel", "topic"}));
  // The state store and the leases.
  WISSEL_ASSIGN_OR_RETURN(round_trip_,
                          r->AddHistogram("wissel_redis_round_trip_seconds",
                                          "Time of one group-committed write to Redis (one "
                                          "pipelined round trip per batch).",
                                          {}, metrics::LatencyBuckets()));
  WISSEL_ASSIGN_OR_RETURN(
      batch_operations_, r->AddHistogram("wissel_redis_batch_operations",
                                         "Calls decided in one batch (sharing one round trip).", {},
                                         metrics::SizeBuckets()));
  WISSEL_ASSIGN_OR_RETURN(batch_effects_,
                          r->AddHistogram("wissel_redis_batch_effects",
                                          "State changes (Lua scripts) written in one batch.", {},
                                          metrics::SizeBuckets()));
  WISSEL_ASSIGN_OR_RETURN(batches_, r->AddCounter("wissel_redis_batches_total",
                                                  "Batches written to Redis, by outcome (ok, "
                                                  "error: Redis could not be reached).",
                                                  {"outcome"}));
  WISSEL_ASSIGN_OR_RETURN(fenced_,
                          r->AddCounter("wissel_redis_fenced_writes_total",
                                        "Writes Redis refused because another router holds the "
                                        "tenant's lease.",
                                        {"tenant"}));
  WISSEL_ASSIGN_OR_RETURN(lease_changes_,
                          r->AddCounter("wissel_lease_changes_total",
                                        "Tenant leases this router took (acquired) or gave up or "
                                        "lost (lost).",
                                        {"tenant", "outcome"}));
  WISSEL_ASSIGN_OR_RETURN(
      redis_up_, r->AddGauge("wissel_redis_up", "1 when the last health probe reached Redis.", {}));
  WISSEL_ASSIGN_OR_RETURN(serving_,
                          r->AddGauge("wissel_router_serving",
                                      "1 while the router's gRPC health check says SERVING.", {}));
  // gRPC.
  WISSEL_ASSIGN_OR_RETURN(
      rpcs_, r->AddCounter("wissel_grpc_requests_total",
                           "gRPC calls finished, by method and status code.", {"method", "code"}));
  WISSEL_ASSIGN_OR_RETURN(
      rpc_duration_, r->AddHistogram("wissel_grpc_request_duration_seconds",
                                     "Time from a unary call's arrival to its status.", {"method"},
                                     metrics::LatencyBuckets()));

  // Read at scrape time from the engine's snapshot.
  auto queue_gauge = [this, r](absl::string_view name, absl::string_view help,
                               double (*value)(const QueueSample&)) {
    return r->AddCallback(name, help, MetricType::kGauge, {"tenant", "queue"},
                          [this, value](const metrics::Registry::Emit& emit) {
                            ForEachTenant([&](const std::string& tenant, const TenantSample& t) {
                              for (const QueueSample& q : t.queues) {
                                emit({tenant, q.queue}, value(q));
                              }
                            });
                          });
  };
  // Per channel: a web form may wait days in a queue where a call may not wait minutes.
  auto channel_gauge = [this, r](absl::string_view name, absl::string_view help,
                                 double (*value)(const QueueSample&, core::Channel)) {
    return r->AddCallback(name, help, MetricType::kGauge, {"tenant", "queue", "channel"},
                          [this, value](const metrics::Registry::Emit& emit) {
                            ForEachTenant([&](const std::string& tenant, const TenantSample& t) {
                              for (const QueueSample& q : t.queues) {
                                for (core::Channel ch : core::kAllChannels) {
                                  emit({tenant, q.queue, core::ChannelName(ch)}, value(q, ch));
                                }
                              }
                            });
                          });
  };
  WISSEL_RETURN_IF_ERROR(channel_gauge(
      "wissel_queue_waiting", "Contacts waiting in the queue (callback requests included).",
      [](const QueueSample& q, core::Channel ch) -> double {
        return q.stats.waiting_by_channel[ch];
      }));
  WISSEL_RETURN_IF_ERROR(
      channel_gauge("wissel_queue_oldest_wait_seconds",
                    "How long the longest-waiting contact of the queue on the channel has waited.",
                    [](const QueueSample& q, core::Channel ch) {
                      return Seconds(q.stats.longest_wait_by_channel[ch]);
                    }));
  WISSEL_RETURN_IF_ERROR(
      queue_gauge("wissel_queue_offered", "Contacts of the queue offered to a handler right now.",
                  [](const QueueSample& q) -> double { return q.stats.offered; }));
  WISSEL_RETURN_IF_ERROR(queue_gauge(
      "wissel_queue_handlers_available", "Handlers available for the queue with room now.",
      [](const QueueSample& q) -> double { return q.stats.handlers_available; }));
  WISSEL_RETURN_IF_ERROR(queue_gauge(
      "wissel_queue_handlers_signed_in", "Handlers signed in who may take the queue's contacts.",
      [](const QueueSample& q) -> double { return q.stats.handlers_signed_in; }));
  WISSEL_RETURN_IF_ERROR(queue_gauge("wissel_queue_sla_target_seconds",
                                     "The queue's sla_target: answer within this time.",
                                     [](const QueueSample& q) { return Seconds(q.sla_target); }));
  WISSEL_RETURN_IF_ERROR(r->AddCallback(
      "wissel_handlers", "Handlers signed in, by presence (available, busy, away).",
      MetricType::kGauge, {"tenant", "state"}, [this](const metrics::Registry::Emit& emit) {
        ForEachTenant([&](const std::string& tenant, const TenantSample& t) {
          emit({tenant, "available"}, t.handlers.available);
          emit({tenant, "busy"}, t.handlers.busy);
          emit({tenant, "away"}, t.handlers.away);
        });
      }));
  WISSEL_RETURN_IF_ERROR(r->AddCallback(
      "wissel_handler_contacts",
      "Contacts the signed-in handlers hold, by channel and state (offered, connected, wrap_up); "
      "occupancy = the sum over states / wissel_handler_capacity.",
      MetricType::kGauge, {"tenant", "channel", "state"},
      [this](const metrics::Registry::Emit& emit) {
        ForEachTenant([&](const std::string& tenant, const TenantSample& t) {
          for (core::Channel ch : core::kAllChannels) {
            const absl::string_view channel = core::ChannelName(ch);
            emit({tenant, channel, "offered"}, t.handlers.offered[ch]);
            emit({tenant, channel, "connected"}, t.handlers.connected[ch]);
            emit({tenant, channel, "wrap_up"}, t.handlers.wrap_up[ch]);
          }
        });
      }));
  WISSEL_RETURN_IF_ERROR(r->AddCallback(
      "wissel_handler_capacity", "Contacts the signed-in handlers may hold at once, by channel.",
      MetricType::kGauge, {"tenant", "channel"}, [this](const metrics::Registry::Emit& emit) {
        ForEachTenant([&](const std::string& tenant, const TenantSample& t) {
          for (core::Channel ch : core::kAllChannels) {
            emit({tenant, core::ChannelName(ch)}, t.handlers.capacity[ch]);
          }
        });
      }));
  WISSEL_RETURN_IF_ERROR(r->AddCallback(
      "wissel_tenant_decided", "1 for each tenant this router decides (holds the lease of).",
      MetricType::kGauge, {"tenant"}, [this](const metrics::Registry::Emit& emit) {
        ForEachTenant([&](const std::string& tenant, const TenantSample&) { emit({tenant}, 1); });
      }));
  if (pending) {
    WISSEL_RETURN_IF_ERROR(
        r->AddCallback("wissel_engine_pending_operations", "Calls waiting for the routing thread.",
                       MetricType::kGauge, {},
                       [pending = std::move(pending)](const metrics::Registry::Emit& emit) {
                         emit({}, pending());
                       }));
  }
  if (audit) {
    WISSEL_RETURN_IF_ERROR(r->AddCallback(
        "wissel_audit_entries_total", "Audit log entries, by outcome (written, failed).",
        MetricType::kCounter, {"outcome"},
        [audit = std::move(audit)](const metrics::Registry::Emit& emit) {
          const auto [written, failed] = audit();
          emit({"written"}, written);
          emit({"failed"}, failed);
        }));
  }
  redis_up_->With({}).Set(0);
  serving_->With({}).Set(0);
  return absl::OkStatus();
}

void RouterMetrics::ContactRouted(const std::string& tenant, const Routed& routed) {
  const absl::string_view channel = core::ChannelName(routed.channel);
  routed_->With({tenant, channel, OutcomeName(routed.outcome)}).Increment();
  if (routed.digital_first == core::DigitalFirst::kNotApplicable) return;
  digital_first_->With({tenant, channel, core::DigitalFirstName(routed.digital_first)}).Increment();
  if (routed.digital_first == core::DigitalFirst::kExemptWantsPerson) {
    exemptions_->With({tenant, channel, "wants_person"}).Increment();
  } else if (routed.digital_first == core::DigitalFirst::kExemptNeed) {
    for (const auto& [need, name] : kNeedNames) {
      if ((routed.needs & core::NeedBit(need)) != 0) {
        exemptions_->With({tenant, channel, name}).Increment();
      }
    }
  }
}

void RouterMetrics::Applied(const std::string& tenant, const core::Router& router,
                            const core::Effect& effect) {
  if (const auto* offered = std::get_if<core::ContactOffered>(&effect)) {
    offers_->With({tenant, core::ChannelName(offered->channel)}).Increment();
  } else if (const auto* accepted = std::get_if<core::OfferAccepted>(&effect)) {
    offer_outcomes_->With({tenant, core::ChannelName(accepted->channel), "accepted"}).Increment();
    CountAnswered(tenant, router, *accepted);
  } else if (const auto* withdrawn = std::get_if<core::OfferWithdrawn>(&effect)) {
    offer_outcomes_
        ->With(
            {tenant, core::ChannelName(withdrawn->channel), WithdrawalOutcome(withdrawn->reason)})
        .Increment();
  } else if (const auto* abandoned = std::get_if<core::ContactAbandoned>(&effect)) {
    const absl::string_view channel = core::ChannelName(abandoned->channel);
    if (abandoned->previous == core::ContactState::kOffered) {
      offer_outcomes_->With({tenant, channel, "abandoned"}).Increment();
    }
    abandoned_
        ->With({tenant, channel, core::ContactStateName(abandoned->previous),
                abandoned->reason == "erased" ? "erased" : "cancelled"})
        .Increment();
  } else if (const auto* completed = std::get_if<core::ContactCompleted>(&effect)) {
    completed_->With({tenant, core::ChannelName(completed->channel)}).Increment();
  } else if (const auto* transferred = std::get_if<core::ContactTransferred>(&effect)) {
    transferred_->With({tenant, transferred->to_queue}).Increment();
  }
}

void RouterMetrics::CountAnswered(const std::string& tenant, const core::Router& router,
                                  const core::OfferAccepted& accepted) {
  const absl::string_view channel = core::ChannelName(accepted.channel);
  const absl::Duration waited = accepted.time - accepted.enqueued_at;
  wait_->With({tenant, channel, accepted.queue}).Observe(Seconds(waited));
  answered_->With({tenant, channel, accepted.queue}).Increment();
  const core::QueueConfig* queue = router.config().FindQueue(accepted.queue);
  if (queue != nullptr && waited <= queue->sla_target) {
    answered_within_sla_->With({tenant, channel, accepted.queue}).Increment();
  }
  const core::TopicConfig* topic = router.config().FindTopic(accepted.topic);
  if (topic == nullptr) return;
  const core::ServiceNorm& norm = topic->norms[accepted.channel];
  bool within = false;
  if (norm.answer_within) {
    within = accepted.time - accepted.created_at <= *norm.answer_within;
  } else if (norm.working_days) {
    const core::Calendar& calendar = router.calendar();
    within = calendar.LocalDay(accepted.time) <=
             calendar.AddWorkingDays(calendar.LocalDay(accepted.created_at), *norm.working_days);
  } else {
    return;  // no norm for this topic on this channel
  }
  answered_with_norm_->With({tenant, channel, accepted.topic}).Increment();
  if (within) answered_within_norm_->With({tenant, channel, accepted.topic}).Increment();
}

void RouterMetrics::LeaseChanged(const std::string& tenant, bool owned) {
  lease_changes_->With({tenant, owned ? "acquired" : "lost"}).Increment();
}

void RouterMetrics::SetRedisUp(bool up) { redis_up_->With({}).Set(up ? 1 : 0); }

void RouterMetrics::SetServing(bool serving) { serving_->With({}).Set(serving ? 1 : 0); }

void RouterMetrics::RpcFinished(absl::string_view method, absl::string_view code,
                                absl::Duration duration) {
  rpcs_->With({method, code}).Increment();
  if (duration >= absl::ZeroDuration()) rpc_duration_->With({method}).Observe(Seconds(duration));
}

void RouterMetrics::BatchWritten(size_t operations, size_t effects, absl::Duration round_trip,
                                 const absl::Status& status) {
  round_trip_->With({}).Observe(Seconds(round_trip));
  batch_operations_->With({}).Observe(static_cast<double>(operations));
  batch_effects_->With({}).Observe(static_cast<double>(effects));
  batches_->With({status.ok() ? "ok" : "error"}).Increment();
}

void RouterMetrics::WritesFenced(const std::string& tenant, size_t effects) {
  fenced_->With({tenant}).Increment(static_cast<double>(effects));
}

void RouterMetrics::Observe(const std::string& tenant, const core::Router* router) {
  if (router == nullptr) {
    absl::MutexLock lock(&mu_);
    tenants_.erase(tenant);
    return;
  }
  TenantSample sample;
  if (absl::StatusOr<std::vector<core::QueueStatsView>> queues = router->QueueStats("");
      queues.ok()) {
    for (core::QueueStatsView& stats : *queues) {
      const core::QueueConfig* config = router->config().FindQueue(stats.queue);
      QueueSample q;
      q.queue = stats.queue;
      q.sla_target = config != nullptr ? config->sla_target : absl::ZeroDuration();
      q.stats = std::move(stats);
      sample.queues.push_back(std::move(q));
    }
  }
  sample.handlers = router->HandlerStats();
  absl::MutexLock lock(&mu_);
  tenants_[tenant] = std::move(sample);
}

void RouterMetrics::ForEachTenant(
    const std::function<void(const std::string& tenant, const TenantSample&)>& read) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [tenant, sample] : tenants_) read(tenant, sample);
}

}  // namespace wissel::service
