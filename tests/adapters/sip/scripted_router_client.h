// ScriptedRouterClient: an in-memory RouterClient (adapters/common/router_client.h) for the
// redirector's unit tests and the fuzzer. Idempotent like the router (the same idempotency key
// yields the same contact id), answers every call with the decision the test scripts (whatever
// the contact's state), can hold a call mid-flight, and records every call. The HTTP adapters'
// FakeRouterClient models contact states instead; the redirector's tests need neither states nor
// their refusals, but a scripted decision and a held call. Thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "adapters/common/bad_request.h"
#include "adapters/common/router_client.h"

namespace wissel::adapters::sip::testing {

class ScriptedRouterClient : public RouterClient {
 public:
  ScriptedRouterClient() { QueueIn("burgerzaken", 3, 120); }

  // The decision for the next RouteContact calls.
  void Assign(const std::string& handler_id, const std::string& queue = "burgerzaken") {
    absl::MutexLock lock(&mu_);
    decision_.Clear();
    decision_.set_outcome(v1::Decision::OUTCOME_ASSIGNED);
    decision_.set_handler_id(handler_id);
    decision_.set_queue(queue);
  }
  void QueueIn(const std::string& queue, int position, int wait_seconds) {
    absl::MutexLock lock(&mu_);
    decision_.Clear();
    decision_.set_outcome(v1::Decision::OUTCOME_QUEUED);
    decision_.set_queue(queue);
    decision_.set_position(position);
    decision_.mutable_expected_wait()->set_seconds(wait_seconds);
  }
  void Outcome(v1::Decision::Outcome outcome) {
    absl::MutexLock lock(&mu_);
    decision_.Clear();
    decision_.set_outcome(outcome);
    if (outcome == v1::Decision::OUTCOME_DIGITAL) {
      decision_.mutable_digital_offer()->set_url("https://wisseloord.example/paspoort");
    }
  }
  // Every RouteContact fails with `status` (OK: succeed again).
  void FailWith(absl::Status status) {
    absl::MutexLock lock(&mu_);
    route_status_ = std::move(status);
  }
  // RouteContact refuses contacts that carry a party (as the router does for a bad number: an
  // InvalidArgument with a BadRequest naming contact.party.phone_number).
  void RefuseParty(bool refuse) {
    absl::MutexLock lock(&mu_);
    refuse_party_ = refuse;
  }
  // The next RouteContact signals `entered`, then waits for `release` before answering.
  void BlockNextRoute(absl::Notification* entered, absl::Notification* release) {
    absl::MutexLock lock(&mu_);
    entered_ = entered;
    release_ = release;
  }
  void SetHandlerAddress(const std::string& handler_id, const std::string& address) {
    absl::MutexLock lock(&mu_);
    addresses_[handler_id] = address;
  }
  void SetHealthy(bool healthy) {
    absl::MutexLock lock(&mu_);
    healthy_ = healthy;
  }

  absl::StatusOr<v1::RouteContactResponse> RouteContact(
      const v1::RouteContactRequest& request) override {
    const v1::Contact& contact = request.contact();
    absl::Notification* entered = nullptr;
    absl::Notification* release = nullptr;
    absl::Status status;  // as when the call arrived, like a deadline that is already running
    {
      absl::MutexLock lock(&mu_);
      routed_.push_back(contact);
      std::swap(entered, entered_);
      std::swap(release, release_);
      status = route_status_;
    }
    if (entered != nullptr) entered->Notify();
    if (release != nullptr) release->WaitForNotification();
    absl::MutexLock lock(&mu_);
    if (!status.ok()) return status;
    if (refuse_party_ && contact.has_party()) {
      return FieldViolationError("contact.party.phone_number", "not a phone number");
    }
    v1::RouteContactResponse response;
    auto [it, inserted] =
        contacts_.emplace(contact.idempotency_key(), absl::StrCat("c-", contacts_.size() + 1));
    response.set_contact_id(it->second);
    response.set_replayed(!inserted);
    *response.mutable_decision() = decision_;
    return response;
  }

  absl::StatusOr<v1::ContactRecord> CancelContact(
      const v1::CancelContactRequest& request) override {
    absl::MutexLock lock(&mu_);
    cancelled_.push_back(request.contact_id());
    v1::ContactRecord record;
    record.set_tenant(request.tenant());
    record.set_contact_id(request.contact_id());
    record.set_state(v1::CONTACT_STATE_ABANDONED);
    last_cancel_reason_ = request.reason();
    return record;
  }

  // Not used by the redirector.
  absl::StatusOr<v1::ContactRecord> GetContact(const v1::GetContactRequest&) override {
    return absl::UnimplementedError("GetContact");
  }
  absl::StatusOr<v1::ContactRecord> CompleteContact(const v1::CompleteContactRequest&) override {
    return absl::UnimplementedError("CompleteContact");
  }

  absl::StatusOr<v1::Handler> GetHandler(const v1::GetHandlerRequest& request) override {
    absl::MutexLock lock(&mu_);
    ++get_handler_calls_;
    v1::Handler handler;
    handler.set_tenant(request.tenant());
    handler.set_handler_id(request.handler_id());
    auto it = addresses_.find(request.handler_id());
    if (it != addresses_.end()) handler.set_address(it->second);
    return handler;
  }

  absl::Status CheckHealth() override {
    absl::MutexLock lock(&mu_);
    return healthy_ ? absl::OkStatus() : absl::UnavailableError("not serving");
  }

  std::vector<v1::Contact> routed() const {
    absl::MutexLock lock(&mu_);
    return routed_;
  }
  std::vector<std::string> cancelled() const {
    absl::MutexLock lock(&mu_);
    return cancelled_;
  }
  std::string last_cancel_reason() const {
    absl::MutexLock lock(&mu_);
    return last_cancel_reason_;
  }
  int get_handler_calls() const {
    absl::MutexLock lock(&mu_);
    return get_handler_calls_;
  }

 private:
  mutable absl::Mutex mu_;
  v1::Decision decision_ ABSL_GUARDED_BY(mu_);
  absl::Status route_status_ ABSL_GUARDED_BY(mu_);
  bool refuse_party_ ABSL_GUARDED_BY(mu_) = false;
  bool healthy_ ABSL_GUARDED_BY(mu_) = true;
  absl::Notification* entered_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Notification* release_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::map<std::string, std::string> contacts_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> addresses_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::Contact> routed_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> cancelled_ ABSL_GUARDED_BY(mu_);
  std::string last_cancel_reason_ ABSL_GUARDED_BY(mu_);
  int get_handler_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace wissel::adapters::sip::testing
