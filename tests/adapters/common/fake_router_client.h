// FakeRouterClient: an in-memory RouterClient for adapter tests.
//
// It behaves like the router where the adapters depend on it: RouteContact creates one contact
// per idempotency key (a retry answers replayed=true with the decision as it stands), GetContact
// returns the record, CompleteContact needs a connected contact, CancelContact a live one
// (FailedPrecondition otherwise). Tests steer it: Fail() makes every call fail (e.g.
// Unavailable, as when the router is down), SetState() moves a contact, next_decision shapes new
// decisions. Every call is counted. Thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "adapters/common/router_client.h"

namespace wissel::adapters::testing {

class FakeRouterClient : public RouterClient {
 public:
  FakeRouterClient() {
    next_decision_.set_outcome(v1::Decision::OUTCOME_QUEUED);
    next_decision_.set_queue("burgerzaken");
    next_decision_.set_position(1);
    next_decision_.mutable_expected_wait()->set_seconds(120);
  }

  // Every call (health included) fails with `status` until Fail(OkStatus()).
  void Fail(absl::Status status) {
    absl::MutexLock lock(&mu_);
    failure_ = std::move(status);
  }
  // RouteContact of a new key fails with `status` (e.g. the router's unknown-topic error).
  void FailRoute(absl::Status status) {
    absl::MutexLock lock(&mu_);
    route_failure_ = std::move(status);
  }
  // The decision for new contacts (contact_id is filled in).
  void SetNextDecision(v1::Decision decision) {
    absl::MutexLock lock(&mu_);
    next_decision_ = std::move(decision);
  }
  // Moves a contact; for QUEUED, `position` is its new place.
  void SetState(const std::string& contact_id, v1::ContactState state,
                const std::string& handler_id = "", int position = 0) {
    absl::MutexLock lock(&mu_);
    v1::ContactRecord& r = contacts_[contact_id];
    r.set_state(state);
    r.set_handler_id(handler_id);
    if (position > 0) positions_[contact_id] = position;
  }

  int route_calls() const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(routed_.size());
  }
  // Calls other than RouteContact and CheckHealth.
  int other_calls() const {
    absl::MutexLock lock(&mu_);
    return other_calls_;
  }
  std::vector<v1::RouteContactRequest> routed() const {
    absl::MutexLock lock(&mu_);
    return routed_;
  }
  // Contacts created (not replays).
  int created() const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(contacts_.size());
  }
  v1::ContactRecord record(const std::string& contact_id) const {
    absl::MutexLock lock(&mu_);
    auto it = contacts_.find(contact_id);
    return it == contacts_.end() ? v1::ContactRecord() : it->second;
  }

  absl::StatusOr<v1::RouteContactResponse> RouteContact(
      const v1::RouteContactRequest& request) override {
    absl::MutexLock lock(&mu_);
    routed_.push_back(request);
    if (!failure_.ok()) return failure_;
    const v1::Contact& c = request.contact();
    const std::string key = absl::StrCat(c.tenant(), "/", c.idempotency_key());
    v1::RouteContactResponse response;
    if (auto it = keys_.find(key); it != keys_.end()) {
      response.set_contact_id(it->second);
      *response.mutable_decision() = CurrentDecision(it->second);
      response.set_replayed(true);
      return response;
    }
    if (!route_failure_.ok()) return route_failure_;
    const std::string id = absl::StrCat("c-", contacts_.size() + 1);
    keys_[key] = id;
    v1::ContactRecord& r = contacts_[id];
    r.set_contact_id(id);
    r.set_tenant(c.tenant());
    r.set_channel(c.channel());
    r.set_topic(c.topic());
    *r.mutable_attributes() = c.attributes();
    r.set_queue(next_decision_.queue());
    *r.mutable_decision() = next_decision_;
    r.set_state(next_decision_.outcome() == v1::Decision::OUTCOME_ASSIGNED
                    ? v1::CONTACT_STATE_OFFERED
                    : v1::CONTACT_STATE_QUEUED);
    r.set_handler_id(next_decision_.handler_id());
    positions_[id] = next_decision_.position();
    response.set_contact_id(id);
    *response.mutable_decision() = r.decision();
    return response;
  }

  absl::StatusOr<v1::ContactRecord> GetContact(const v1::GetContactRequest& request) override {
    absl::MutexLock lock(&mu_);
    ++other_calls_;
    if (!failure_.ok()) return failure_;
    return Find(request.contact_id());
  }

  absl::StatusOr<v1::ContactRecord> CancelContact(
      const v1::CancelContactRequest& request) override {
    absl::MutexLock lock(&mu_);
    ++other_calls_;
    if (!failure_.ok()) return failure_;
    absl::StatusOr<v1::ContactRecord> r = Find(request.contact_id());
    if (!r.ok()) return r.status();
    if (r->state() == v1::CONTACT_STATE_COMPLETED || r->state() == v1::CONTACT_STATE_ABANDONED) {
      return absl::FailedPreconditionError("contact_id: no longer live");
    }
    v1::ContactRecord& stored = contacts_[request.contact_id()];
    stored.set_state(v1::CONTACT_STATE_ABANDONED);
    stored.clear_handler_id();
    return stored;
  }

  absl::StatusOr<v1::ContactRecord> CompleteContact(
      const v1::CompleteContactRequest& request) override {
    absl::MutexLock lock(&mu_);
    ++other_calls_;
    if (!failure_.ok()) return failure_;
    absl::StatusOr<v1::ContactRecord> r = Find(request.contact_id());
    if (!r.ok()) return r.status();
    if (r->state() != v1::CONTACT_STATE_CONNECTED) {
      return absl::FailedPreconditionError("contact_id: is not connected");
    }
    v1::ContactRecord& stored = contacts_[request.contact_id()];
    stored.set_state(v1::CONTACT_STATE_COMPLETED);
    return stored;
  }

  // GetHandler answers the handler with the address set here (none by default).
  void SetHandlerAddress(const std::string& handler_id, const std::string& address) {
    absl::MutexLock lock(&mu_);
    addresses_[handler_id] = address;
  }

  absl::StatusOr<v1::Handler> GetHandler(const v1::GetHandlerRequest& request) override {
    absl::MutexLock lock(&mu_);
    ++other_calls_;
    if (!failure_.ok()) return failure_;
    v1::Handler handler;
    handler.set_tenant(request.tenant());
    handler.set_handler_id(request.handler_id());
    if (auto it = addresses_.find(request.handler_id()); it != addresses_.end()) {
      handler.set_address(it->second);
    }
    return handler;
  }

  absl::Status CheckHealth() override {
    absl::MutexLock lock(&mu_);
    return failure_.ok() ? absl::OkStatus() : absl::UnavailableError("router is not serving");
  }

 private:
  absl::StatusOr<v1::ContactRecord> Find(const std::string& id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = contacts_.find(id);
    if (it == contacts_.end()) return absl::NotFoundError("contact_id: no such contact");
    return it->second;
  }

  v1::Decision CurrentDecision(const std::string& id) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const v1::ContactRecord& r = contacts_.at(id);
    v1::Decision d = r.decision();
    if (r.state() == v1::CONTACT_STATE_QUEUED) {
      d.set_outcome(v1::Decision::OUTCOME_QUEUED);
      d.set_position(positions_.at(id));
      d.mutable_expected_wait()->set_seconds(60 * positions_.at(id));
      d.clear_handler_id();
    } else if (r.state() == v1::CONTACT_STATE_OFFERED || r.state() == v1::CONTACT_STATE_CONNECTED) {
      d.set_outcome(v1::Decision::OUTCOME_ASSIGNED);
      d.set_handler_id(r.handler_id());
      d.clear_position();
    }
    return d;
  }

  mutable absl::Mutex mu_;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  absl::Status route_failure_ ABSL_GUARDED_BY(mu_);
  v1::Decision next_decision_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> keys_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::ContactRecord> contacts_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> positions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> addresses_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::RouteContactRequest> routed_ ABSL_GUARDED_BY(mu_);
  int other_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace wissel::adapters::testing
