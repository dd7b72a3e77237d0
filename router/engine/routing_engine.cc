#include "router/engine/routing_engine.h"

#include <glog/logging.h>

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/status_macros.h"

namespace wissel::engine {

absl::Status NotDecidedHere(const std::string& tenant, const TenantRoute& route) {
  if (!route.address.empty()) {
    return absl::UnavailableError(
        absl::StrCat("tenant ", tenant, " is decided by the router at ", route.address, "; retry"));
  }
  if (!route.reason.empty()) {
    return absl::UnavailableError(
        absl::StrCat("tenant ", tenant, " is not decided here: ", route.reason, "; retry"));
  }
  return absl::UnavailableError(
      absl::StrCat("tenant ", tenant, " is being taken over by another router; retry"));
}

RoutingEngine::RoutingEngine(RoutingEngineOptions options, std::vector<core::TenantConfig> tenants,
                             state::StateStore* store, const core::Clock* clock)
    : options_(std::move(options)),
      store_(store),
      clock_(clock),
      configs_(std::move(tenants)),
      reader_(options_.reader != nullptr ? options_.reader : store) {
  for (const core::TenantConfig& config : configs_) {
    tenants_[config.id];  // the core is built by Start()
  }
}

RoutingEngine::~RoutingEngine() { Stop(); }

absl::Status RoutingEngine::Start() {
  if (leasing()) {
    WISSEL_RETURN_IF_ERROR(RenewLeases());
  } else {
    for (auto& [id, tenant] : tenants_) {
      tenant.owned = true;
      absl::Status status = Reload(id, tenant);
      if (!status.ok()) return status;
      SetRoute(id, TenantRoute{true, ""});
    }
  }
  reader_.Start();
  absl::MutexLock lock(&mu_);
  running_ = true;
  writer_stopping_ = false;
  writer_ = std::thread([this] { WriteCommits(); });
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void RoutingEngine::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (!running_) return;
    stopping_ = true;
  }
  thread_.join();
  writer_.join();
  reader_.Stop();  // the last completions may have handed it reads
  if (leasing()) {
    std::vector<std::string> owned;
    for (auto& [id, tenant] : tenants_) {
      if (tenant.owned) owned.push_back(id);
    }
    if (absl::Status s = store_->ReleaseLeases(owned, options_.lease); !s.ok()) {
      LOG(WARNING) << "could not release the tenant leases (they expire by themselves): " << s;
    }
    for (const std::string& id : owned) {
      SetRoute(id, TenantRoute{false, "", "this router is shutting down"});
    }
  }
  absl::MutexLock lock(&mu_);
  running_ = false;
}

TenantRoute RoutingEngine::RouteOf(const std::string& tenant) const {
  absl::MutexLock lock(&routes_mu_);
  auto it = routes_.find(tenant);
  return it == routes_.end() ? TenantRoute{false, "", "this router is starting"} : it->second;
}

void RoutingEngine::SetRoute(const std::string& tenant_id, TenantRoute route) {
  absl::MutexLock lock(&routes_mu_);
  routes_[tenant_id] = std::move(route);
}

absl::Status RoutingEngine::RenewLeases() {
  const absl::Time started = absl::Now();
  last_lease_round_ = started;
  next_lease_round_ = started + options_.lease_renew_interval;
  std::vector<std::string> ids;
  for (const auto& [id, tenant] : tenants_) ids.push_back(id);
  absl::StatusOr<std::vector<state::TenantLease>> leases = store_->ClaimLeases(ids, options_.lease);
  if (!leases.ok()) {
    // Unrenewed for a whole TTL, the leases may be someone else's by now: stop deciding.
    if (started - last_lease_renewal_ > options_.lease.ttl) {
      for (auto& [id, tenant] : tenants_) {
        if (tenant.owned) {
          Drop(id, tenant,
               absl::StrCat("its lease could not be renewed: ", leases.status().message()));
        }
      }
    }
    return leases.status();
  }
  last_lease_renewal_ = started;
  for (const state::TenantLease& lease : *leases) {
    Tenant& tenant = tenants_.at(lease.tenant);
    if (!lease.held) {
      if (tenant.owned) Drop(lease.tenant, tenant, "another router holds its lease");
      SetRoute(lease.tenant, TenantRoute{false, lease.holder_address});
      continue;
    }
    if (tenant.owned && tenant.lease == lease.lease) continue;  // renewed
    // Newly ours (or ours again under a new lease, e.g. after the store lost the old one):
    // whatever this engine had in memory may be stale, so load the tenant from the store.
    if (tenant.owned) Drop(lease.tenant, tenant, "its lease changed");
    tenant.owned = true;
    tenant.lease = lease.lease;
    store_->SetFence(lease.tenant, lease.lease);
    if (absl::Status s = Reload(lease.tenant, tenant); !s.ok()) {
      LOG(WARNING) << "tenant " << lease.tenant << ": took the lease but cannot load it yet: " << s;
    }
    LOG(INFO) << "tenant " << lease.tenant << ": this router decides it now (lease " << lease.lease
              << ")";
    SetRoute(lease.tenant, TenantRoute{true, ""});
    if (ownership_listener_) ownership_listener_(lease.tenant, true);
  }
  return absl::OkStatus();
}

void RoutingEngine::RenewLeasesSoon() {
  if (!leasing()) return;
  absl::MutexLock lock(&mu_);
  lease_round_asked_ = true;
}

void RoutingEngine::Drop(const std::string& tenant_id, Tenant& tenant, absl::string_view why) {
  LOG(WARNING) << "tenant " << tenant_id << ": no longer decided here: " << why;
  tenant.owned = false;
  tenant.router.reset();
  tenant.needs_reload = false;
  // The old lease stays the fence: a write that still slips through is refused by the store.
  std::erase_if(carry_over_, [&](const state::TenantEffect& e) { return e.tenant == tenant_id; });
  SetRoute(tenant_id, TenantRoute{false, "", std::string(why)});
  if (ownership_listener_) ownership_listener_(tenant_id, false);
}

size_t RoutingEngine::pending() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void RoutingEngine::Submit(const std::string& tenant, Operation operation, Completion completion) {
  {
    absl::MutexLock lock(&mu_);
    if (running_ && !stopping_ && tenants_.contains(tenant)) {
      queue_.push_back(Command{tenant, std::move(operation), std::move(completion)});
      return;
    }
  }
  completion(OperationOutcome{
      tenants_.contains(tenant)
          ? absl::UnavailableError("router is not running (starting or shutting down)")
          : absl::InvalidArgumentError(absl::StrCat("tenant: unknown tenant '", tenant, "'")),
      ""});
}

absl::Status RoutingEngine::Reload(const std::string& tenant_id, Tenant& tenant) {
  tenant.next_reload_attempt = clock_->Now() + options_.reload_interval;
  absl::StatusOr<state::TenantSnapshot> snapshot = store_->LoadTenant(tenant_id);
  if (!snapshot.ok()) {
    tenant.needs_reload = true;
    return snapshot.status();
  }
  const core::TenantConfig* config = nullptr;
  for (const core::TenantConfig& c : configs_) {
    if (c.id == tenant_id) config = &c;
  }
  absl::StatusOr<std::unique_ptr<core::Router>> created = core::Router::Create(*config, clock_);
  if (!created.ok()) return created.status();
  std::unique_ptr<core::Router> router = *std::move(created);
  for (const core::ContactPersonMapping& m : snapshot->contact_persons) {
    router->RestoreContactPerson(m);
  }
  for (core::Handler& h : snapshot->handlers) {
    const std::string id = h.id;
    if (absl::Status s = router->RestoreHandler(std::move(h)); !s.ok()) {
      LOG(WARNING) << "tenant " << tenant_id << ": skipping stored handler " << id << ": " << s;
    }
  }
  for (core::Contact& c : snapshot->live_contacts) {
    const std::string id = c.id;
    if (absl::Status s = router->RestoreContact(std::move(c)); !s.ok()) {
      LOG(WARNING) << "tenant " << tenant_id << ": skipping stored contact " << id << ": " << s;
    }
  }
  core::EffectList effects;
  router->FinishRestore(&effects);
  std::vector<state::TenantEffect> batch;
  for (core::Effect& e : effects) batch.push_back({tenant_id, std::move(e)});
  if (!batch.empty()) {
    absl::StatusOr<std::vector<state::EffectResult>> results = store_->Apply(batch);
    if (!results.ok()) {
      tenant.needs_reload = true;
      return results.status();
    }
    for (size_t i = 0; i < results->size(); ++i) {
      if (!(*results)[i].status.ok()) {
        LOG(WARNING) << "tenant " << tenant_id
                     << ": recovery effect refused: " << (*results)[i].status;
      }
    }
  }
  LOG(INFO) << "tenant " << tenant_id << ": resumed with " << snapshot->handlers.size()
            << " handler(s) and " << router->live_contacts() << " live contact(s)";
  tenant.router = std::move(router);
  tenant.needs_reload = false;
  if (listener_) {
    for (const state::TenantEffect& e : batch) listener_(tenant_id, *tenant.router, e.effect);
  }
  return absl::OkStatus();
}

absl::Status RoutingEngine::Reconfigure(const std::vector<core::TenantConfig>& configs,
                                        absl::Duration timeout) {
  if (configs.size() != tenants_.size()) {
    return absl::InvalidArgumentError("tenants: a reload cannot add or remove tenants; restart");
  }
  for (const core::TenantConfig& c : configs) {
    if (!tenants_.contains(c.id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("tenants: '", c.id, "' is new; a reload cannot add tenants; restart"));
    }
  }
  struct Result {
    absl::Notification done;
    absl::Status status;
  };
  auto result = std::make_shared<Result>();
  {
    absl::MutexLock lock(&mu_);
    if (!running_ || stopping_) return absl::UnavailableError("router is not running");
    control_.push_back([this, configs, result] {
      // Build every new core first, so a failure changes nothing.
      std::vector<std::unique_ptr<core::Router>> fresh;
      for (const core::TenantConfig& c : configs) {
        absl::StatusOr<std::unique_ptr<core::Router>> r = core::Router::Create(c, clock_);
        if (!r.ok()) {
          result->status =
              absl::InvalidArgumentError(absl::StrCat("tenant ", c.id, ": ", r.status().message()));
          result->done.Notify();
          return;
        }
        fresh.push_back(*std::move(r));
      }
      for (size_t i = 0; i < configs.size(); ++i) {
        Tenant& tenant = tenants_.at(configs[i].id);
        // A tenant decided elsewhere is built from the new configuration when it is taken.
        if (tenant.router == nullptr) continue;
        core::EffectList effects;
        fresh[i]->AdoptState(*tenant.router, &effects);
        for (core::Effect& e : effects) carry_over_.push_back({configs[i].id, std::move(e)});
        tenant.router = std::move(fresh[i]);
      }
      configs_ = configs;
      result->done.Notify();
    });
  }
  if (!result->done.WaitForNotificationWithTimeout(timeout)) {
    return absl::DeadlineExceededError("reload did not complete in time");
  }
  return result->status;
}

absl::Time RoutingEngine::NextDeadline() const {
  absl::Time next = clock_->Now() + options_.max_sleep;
  if (leasing()) {
    // Lease rounds follow real time; translate to the cores' clock, which may be a fake.
    next = std::min(next, clock_->Now() + (next_lease_round_ - absl::Now()));
  }
  if (options_.observer != nullptr) {
    next = std::min(next, clock_->Now() + (next_observation_ - absl::Now()));
  }
  for (const auto& [id, tenant] : tenants_) {
    if (!tenant.owned) continue;
    next = std::min(
        next, tenant.needs_reload ? tenant.next_reload_attempt : tenant.router->NextDeadline());
  }
  return next;
}

void RoutingEngine::Run() {
  while (true) {
    std::vector<Command> batch;
    std::deque<std::function<void()>> control;
    std::vector<std::unique_ptr<Commit>> done;
    const absl::Time deadline = carry_over_.empty() ? NextDeadline() : absl::InfinitePast();
    bool may_decide = false;
    {
      absl::MutexLock lock(&mu_);
      // Decide a new batch only while at most one is being written: memory runs at most one
      // batch ahead of the one in flight.
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return (!queue_.empty() && next_ == nullptr) || !done_.empty() || !control_.empty() ||
               lease_round_asked_ || stopping_;
      };
      // The clock may be a fake: wait in real time for the remaining duration.
      const absl::Duration wait = deadline - clock_->Now();
      if (wait > absl::ZeroDuration()) {
        mu_.AwaitWithTimeout(absl::Condition(&ready), wait);
      }
      control.swap(control_);
      done.swap(done_);
      if (std::exchange(lease_round_asked_, false)) {
        next_lease_round_ = std::min(next_lease_round_, last_lease_round_ + kMinLeaseRoundGap);
      }
      may_decide = next_ == nullptr;
      if (may_decide) {
        const size_t n = std::min(queue_.size(), options_.max_batch);
        batch.reserve(n);
        for (size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      if (batch.empty() && control.empty() && done.empty() && stopping_ && carry_over_.empty() &&
          in_flight_ == nullptr && next_ == nullptr) {
        writer_stopping_ = true;
        return;
      }
    }
    for (std::unique_ptr<Commit>& commit : done) Settle(*commit);
    for (std::function<void()>& task : control) task();
    if (leasing() && absl::Now() >= next_lease_round_) {
      if (absl::Status s = RenewLeases(); !s.ok()) {
        LOG_EVERY_N(WARNING, 10) << "lease round failed: " << s;
      }
    }
    if (options_.observer != nullptr && absl::Now() >= next_observation_) ObserveTenants();
    if (!may_decide) continue;
    std::unique_ptr<Commit> commit = Decide(batch);
    if (commit->batch.empty() && commit->effects.empty()) continue;
    absl::MutexLock lock(&mu_);
    if (in_flight_ == nullptr) {
      in_flight_ = std::move(commit);
    } else {
      next_ = std::move(commit);
    }
  }
}

void RoutingEngine::ObserveTenants() {
  next_observation_ = absl::Now() + options_.observe_interval;
  for (const auto& [id, tenant] : tenants_) {
    const bool decided = tenant.owned && !tenant.needs_reload && tenant.router != nullptr;
    options_.observer->Observe(id, decided ? tenant.router.get() : nullptr);
  }
}

void RoutingEngine::WriteCommits() {
  while (true) {
    Commit* commit = nullptr;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return in_flight_ != nullptr || writer_stopping_;
      };
      mu_.Await(absl::Condition(&ready));
      if (in_flight_ == nullptr) return;
      commit = in_flight_.get();
    }
    Write(*commit);
    absl::MutexLock lock(&mu_);
    done_.push_back(std::move(in_flight_));
    in_flight_ = std::move(next_);
  }
}

void RoutingEngine::DrainWrites() {
  std::vector<std::unique_ptr<Commit>> done;
  {
    absl::MutexLock lock(&mu_);
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return in_flight_ == nullptr && next_ == nullptr;
    };
    mu_.Await(absl::Condition(&idle));
    done.swap(done_);
  }
  for (std::unique_ptr<Commit>& commit : done) Settle(*commit);
}

std::unique_ptr<RoutingEngine::Commit> RoutingEngine::Decide(std::vector<Command>& batch) {
  auto commit = std::make_unique<Commit>();
  std::vector<CommitEntry>& entries = commit->entries;
  std::vector<state::TenantEffect>& effects = commit->effects;
  entries.resize(batch.size());
  effects = std::move(carry_over_);
  carry_over_.clear();
  for (const state::TenantEffect& e : effects) commit->touched.insert(e.tenant);

  for (size_t i = 0; i < batch.size(); ++i) {
    Command& cmd = batch[i];
    Tenant& tenant = tenants_.at(cmd.tenant);
    if (!tenant.owned) {
      const TenantRoute route = RouteOf(cmd.tenant);
      entries[i].status = NotDecidedHere(cmd.tenant, route);
      continue;
    }
    if (tenant.needs_reload) {
      // The store is the truth: load from it only once everything decided before is written.
      DrainWrites();
      if (tenant.needs_reload) {
        if (absl::Status s = Reload(cmd.tenant, tenant); !s.ok()) {
          entries[i].status =
              absl::UnavailableError(absl::StrCat("state store unavailable: ", s.message()));
          continue;
        }
      }
    }
    core::EffectList local;
    entries[i].status = cmd.operation(*tenant.router, &local);
    entries[i].first_effect = effects.size();
    for (core::Effect& e : local) effects.push_back({cmd.tenant, std::move(e)});
    entries[i].end_effect = effects.size();
    if (!local.empty()) commit->touched.insert(cmd.tenant);
  }
  for (auto& [id, tenant] : tenants_) {
    if (!tenant.owned) continue;
    if (tenant.needs_reload) {
      // Not waiting for a caller: keep trying to resume the tenant, at a bounded rate.
      if (clock_->Now() < tenant.next_reload_attempt) continue;
      DrainWrites();
      if (!tenant.needs_reload || !Reload(id, tenant).ok()) continue;
    }
    core::EffectList local;
    tenant.router->Tick(&local);
    for (core::Effect& e : local) effects.push_back({id, std::move(e)});
    if (!local.empty()) commit->touched.insert(id);
  }
  commit->batch = std::move(batch);
  return commit;
}

void RoutingEngine::Write(Commit& commit) {
  std::vector<OperationOutcome> outcomes(commit.batch.size());
  for (size_t i = 0; i < commit.batch.size(); ++i) outcomes[i].status = commit.entries[i].status;
  if (!commit.effects.empty()) {
    const absl::Time started = absl::Now();
    commit.results = store_->Apply(commit.effects);
    if (options_.observer != nullptr) {
      options_.observer->BatchWritten(commit.batch.size(), commit.effects.size(),
                                      absl::Now() - started, commit.results.status());
    }
    const std::vector<state::TenantEffect>& effects = commit.effects;
    if (!commit.results.ok()) {
      for (size_t i = 0; i < commit.batch.size(); ++i) {
        if (commit.entries[i].end_effect > commit.entries[i].first_effect) {
          outcomes[i].status = absl::UnavailableError(
              absl::StrCat("state store unavailable: ", commit.results.status().message()));
        }
      }
    } else {
      const std::vector<state::EffectResult>& results = *commit.results;
      for (size_t i = 0; i < commit.batch.size(); ++i) {
        for (size_t k = commit.entries[i].first_effect; k < commit.entries[i].end_effect; ++k) {
          const state::EffectResult& r = results[k];
          outcomes[i].erased_contacts += r.erased_contacts;
          outcomes[i].erased_mappings += r.erased_mappings;
          if (r.status.ok()) continue;
          if (r.status.code() == absl::StatusCode::kPermissionDenied) {
            outcomes[i].status = absl::UnavailableError(
                absl::StrCat("tenant ", effects[k].tenant, " moved to another router; retry"));
          } else if (r.status.code() == absl::StatusCode::kAlreadyExists) {
            outcomes[i].status = r.status;
            outcomes[i].existing_contact_id = r.existing_contact_id;
          } else if (outcomes[i].status.ok()) {
            outcomes[i].status = absl::AbortedError(
                absl::StrCat("state changed concurrently, retry: ", r.status.message()));
          }
          break;
        }
      }
    }
  }
  // Completions run on this thread, so the routing thread is already deciding the next batch;
  // the next batch is written only when they have returned (a read goes to Read()).
  for (size_t i = 0; i < commit.batch.size(); ++i) {
    commit.batch[i].completion(std::move(outcomes[i]));
  }
}

void RoutingEngine::Settle(Commit& commit) {
  if (commit.effects.empty()) return;
  const std::vector<state::TenantEffect>& effects = commit.effects;
  if (!commit.results.ok()) {
    LOG(WARNING) << "state store write failed; " << commit.touched.size()
                 << " tenant(s) will be reloaded: " << commit.results.status();
    for (const std::string& id : commit.touched) {
      Tenant& tenant = tenants_.at(id);
      if (tenant.owned) tenant.needs_reload = true;
    }
    return;
  }
  const std::vector<state::EffectResult>& results = *commit.results;
  // Fenced: another router holds the tenant's lease now. Nothing of it was written; stop
  // deciding it.
  absl::flat_hash_map<std::string, size_t> fenced;
  for (size_t i = 0; i < effects.size(); ++i) {
    if (results[i].status.code() == absl::StatusCode::kPermissionDenied) {
      fenced[effects[i].tenant]++;
    }
  }
  // Creates refused because the contact exists (a retry of a contact that is closed, or one
  // created before ids were derived from idempotency keys): undo them in memory; the effects
  // that followed for the same contact were refused with them, or, when the contact is closed in
  // the store, found it closed. The caller is answered from the stored contact. A contact that
  // exists live in the store but was not in memory means memory is behind the store: reload.
  absl::flat_hash_set<std::string> forgotten;
  for (size_t i = 0; i < effects.size(); ++i) {
    const state::EffectResult& r = results[i];
    Tenant& tenant = tenants_.at(effects[i].tenant);
    if (fenced.contains(effects[i].tenant) || tenant.router == nullptr) continue;
    if (r.status.code() == absl::StatusCode::kAlreadyExists &&
        std::holds_alternative<core::ContactCreated>(effects[i].effect)) {
      const std::string id = core::ContactIdOf(effects[i].effect);
      core::EffectList followup;
      tenant.router->Forget(id, &followup);
      for (core::Effect& e : followup) carry_over_.push_back({effects[i].tenant, std::move(e)});
      forgotten.insert(id);
      if (r.existing_live) {
        LOG(WARNING) << "tenant " << effects[i].tenant << ": contact " << r.existing_contact_id
                     << " is live in the store but was not in memory; the tenant will be "
                        "reloaded";
        tenant.needs_reload = true;
      }
    }
  }
  for (size_t i = 0; i < effects.size(); ++i) {
    const state::EffectResult& r = results[i];
    Tenant& tenant = tenants_.at(effects[i].tenant);
    if (fenced.contains(effects[i].tenant) || tenant.router == nullptr) continue;
    if (r.status.ok()) {
      if (listener_) listener_(effects[i].tenant, *tenant.router, effects[i].effect);
      continue;
    }
    if (forgotten.contains(core::ContactIdOf(effects[i].effect))) continue;
    LOG(WARNING) << "tenant " << effects[i].tenant << ": store refused an effect (" << r.status
                 << "); the tenant will be reloaded";
    tenant.needs_reload = true;
  }
  for (const auto& [id, count] : fenced) {
    if (options_.observer != nullptr) options_.observer->WritesFenced(id, count);
    Tenant& tenant = tenants_.at(id);
    if (tenant.owned) {
      Drop(id, tenant, "the store fenced its writes (another router took the lease)");
    }
  }
}

}  // namespace wissel::engine
