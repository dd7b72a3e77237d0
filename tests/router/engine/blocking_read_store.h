// BlockingReadStore: a StateStore for the engine's thread tests. It applies every effect and keeps
// nothing (it counts them), and its LoadContact can be held until the test releases it, to show
// what waits for a read and what does not. tests/fakes has the full in-memory store; this one
// only needs to count writes and hold a read. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "router/state/state_store.h"

namespace wissel::testing {

class BlockingReadStore : public state::StateStore {
 public:
  // From now on LoadContact waits until Release().
  void HoldReads() {
    absl::MutexLock lock(&mu_);
    hold_reads_ = true;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    hold_reads_ = false;
  }
  // Blocks until a LoadContact has started.
  void AwaitReadStarted() {
    absl::MutexLock lock(&mu_);
    auto started = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return reads_started_ > 0; };
    mu_.Await(absl::Condition(&started));
  }
  int effects_applied() const {
    absl::MutexLock lock(&mu_);
    return effects_applied_;
  }

  absl::StatusOr<std::vector<state::EffectResult>> Apply(
      absl::Span<const state::TenantEffect> effects) override {
    absl::MutexLock lock(&mu_);
    effects_applied_ += static_cast<int>(effects.size());
    return std::vector<state::EffectResult>(effects.size());
  }
  absl::StatusOr<state::TenantSnapshot> LoadTenant(const std::string&) override {
    return state::TenantSnapshot{};
  }
  absl::StatusOr<state::StoredContact> LoadContact(const std::string&,
                                                   const std::string& contact_id) override {
    absl::MutexLock lock(&mu_);
    ++reads_started_;
    auto released = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !hold_reads_; };
    mu_.Await(absl::Condition(&released));
    state::StoredContact stored;
    stored.contact.id = contact_id;
    stored.contact.state = core::ContactState::kCompleted;
    return stored;
  }
  absl::StatusOr<std::string> FindByIdempotencyKey(const std::string&,
                                                   const std::string&) override {
    return absl::NotFoundError("no legacy keys here");
  }
  absl::Status Ping() override { return absl::OkStatus(); }
  absl::StatusOr<std::vector<state::TenantLease>> ClaimLeases(absl::Span<const std::string>,
                                                              const state::LeaseClaim&) override {
    return absl::UnimplementedError("no leases in this test");
  }
  absl::Status ReleaseLeases(absl::Span<const std::string>, const state::LeaseClaim&) override {
    return absl::UnimplementedError("no leases in this test");
  }
  void SetFence(const std::string&, std::string) override {}
  absl::StatusOr<state::ResidentData> LoadResident(const std::string&,
                                                   const std::vector<std::string>&) override {
    return absl::UnimplementedError("no residents in this test");
  }
  absl::Status AppendAudit(const std::string&, const std::vector<state::AuditEntry>&) override {
    return absl::UnimplementedError("no audit log in this test");
  }
  absl::StatusOr<std::vector<state::AuditEntry>> ReadAudit(const std::string&, absl::Time,
                                                           size_t) override {
    return absl::UnimplementedError("no audit log in this test");
  }

 private:
  mutable absl::Mutex mu_;
  bool hold_reads_ ABSL_GUARDED_BY(mu_) = false;
  int reads_started_ ABSL_GUARDED_BY(mu_) = 0;
  int effects_applied_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace wissel::testing
