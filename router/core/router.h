// Router: the routing core for one tenant. Start reading the code here.
//
// It holds the tenant's queues and handlers in memory and decides, for every contact, which
// handler gets it: a topic maps to a queue, and of the handlers having the queue's skill with
// free capacity on the contact's channel, the one whose last offer is oldest gets it
// (longest idle). Contacts wait ordered by priority, then by the time they entered the queue.
//
// Pure and deterministic: no I/O, no threads, no wall clock (time comes from the injected
// Clock). Not thread-safe: exactly one thread owns a Router. Every mutating call appends the
// state changes it made to `effects`, in order, for the caller to persist before replying; a
// call that returns an error appends nothing and changes nothing.
//
// Invariant kept after every call: no queued contact waits while a handler that may take it
// (skill, channel capacity, presence available, has not declined it) is free.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "router/core/clock.h"
#include "router/core/contact.h"
#include "router/core/decision.h"
#include "router/core/effect.h"
#include "router/core/handler.h"
#include "router/core/tenant_config.h"

namespace wissel::core {

// A contact to route; pseudonymised and validated by the caller.
struct NewContact {
  std::string id;  // unique, chosen by the caller
  Channel channel = Channel::kPhone;
  std::string topic;
  int priority = 0;  // 0..100; 0 takes the topic's default
  std::string idempotency_key;
  std::string party_pseudonym;
  std::string payload;
};

// A handler signing in (or updating its sign-in).
struct HandlerSignIn {
  std::string id;
  std::string display_name;
  std::string address;
  std::vector<std::string> skills;
  std::vector<std::string> teams;  // each team grants its queue's skill
  // Per channel; a negative value takes the tenant default.
  PerChannel<int> capacity{-1};
  Presence presence = Presence::kAvailable;
};

struct QueueStatsView {
  std::string queue;
  int waiting = 0;
  int offered = 0;
  absl::Duration longest_wait = absl::ZeroDuration();
  int handlers_available = 0;
  int handlers_signed_in = 0;
};

class Router {
 public:
  // `config` must have passed Validate(). `clock` is not owned and must outlive the Router.
  Router(TenantConfig config, const Clock* clock);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  const TenantConfig& config() const { return config_; }

  // Routes a new contact: offers it to a handler now or queues it.
  // InvalidArgument: unknown topic (field "topic"), priority outside 0..100 ("priority").
  // AlreadyExists: a contact with this id or idempotency key is already live.
  absl::StatusOr<Decision> Route(NewContact contact, EffectList* effects);

  // Signs a handler in, or updates skills/capacity/presence of one signed in. Offers it
  // waiting contacts when available. InvalidArgument: empty id.
  absl::StatusOr<Handler> SignIn(HandlerSignIn sign_in, EffectList* effects);
  // FailedPrecondition while the handler holds contacts. NotFound: unknown handler.
  absl::Status SignOut(const std::string& handler_id, EffectList* effects);
  // Offline is refused (use SignOut). NotFound: unknown handler.
  absl::Status SetPresence(const std::string& handler_id, Presence presence, EffectList* effects);

  // NotFound: unknown handler or contact. FailedPrecondition: the contact is not offered to
  // this handler (any more).
  absl::Status Accept(const std::string& handler_id, const std::string& contact_id,
                      EffectList* effects);
  // The contact returns to its place and is not offered to this handler again.
  absl::Status Reject(const std::string& handler_id, const std::string& contact_id,
                      EffectList* effects);
  // FailedPrecondition unless the contact is connected.
  absl::Status Complete(const std::string& contact_id, EffectList* effects);
  // FailedPrecondition unless the handler is in wrap-up for the contact.
  absl::Status FinishWrapUp(const std::string& handler_id, const std::string& contact_id,
                            EffectList* effects);
  // Abandons a queued, offered or connected contact. NotFound: not live.
  absl::Status Cancel(const std::string& contact_id, const std::string& reason,
                      EffectList* effects);
  // Moves a connected contact to `queue` (InvalidArgument "queue" if unknown).
  absl::StatusOr<Decision> Transfer(const std::string& contact_id, const std::string& queue,
                                    EffectList* effects);

  // Withdraws offers whose deadline passed and ends expired wrap-ups.
  void Tick(EffectList* effects);
  // The earliest offer or wrap-up deadline; InfiniteFuture when there is none.
  absl::Time NextDeadline() const;

  // Recovery: puts back a live contact or a handler loaded from the state store, without
  // effects. Restore handlers first, then contacts. InvalidArgument for inconsistent input
  // (unknown queue, a held contact for an unknown handler).
  absl::Status RestoreHandler(Handler handler);
  absl::Status RestoreContact(Contact contact);
  // Ends recovery: offers that were out when the previous process stopped are withdrawn
  // (the handler may never have seen them) and waiting contacts are dispatched.
  void FinishRestore(EffectList* effects);

  // Drops a contact the state store refused to create (for example a duplicate idempotency
  // key committed by another replica), undoing its offer if any.
  void Forget(const std::string& contact_id, EffectList* effects);

  // The decision as it stands now for a live contact: assigned (offered or connected) or
  // queued with its current position and expected wait. NotFound when not live.
  absl::StatusOr<Decision> Describe(const std::string& contact_id) const;

  const Contact* FindContact(const std::string& contact_id) const;
  const Handler* FindHandler(const std::string& handler_id) const;
  // The live contact created with this idempotency key, if any.
  const Contact* FindByIdempotencyKey(const std::string& key) const;
  // Stats for one queue, or all queues when `queue` is empty. NotFound: unknown queue.
  absl::StatusOr<std::vector<QueueStatsView>> QueueStats(const std::string& queue) const;
  std::size_t live_contacts() const { return contacts_.size(); }

 private:
  struct QueueState;
  struct HandlerEntry;
  // Waiting order: higher priority first, then earlier into the queue, then id.
  struct WaitKey {
    int neg_priority;
    absl::Time enqueued_at;
    std::string contact_id;
    bool operator<(const WaitKey& o) const {
      return std::tie(neg_priority, enqueued_at, contact_id) <
             std::tie(o.neg_priority, o.enqueued_at, o.contact_id);
    }
  };
  // Longest-idle order: oldest last offer first, then id.
  struct IdleKey {
    absl::Time last_offer_at;
    std::string handler_id;
    bool operator<(const IdleKey& o) const {
      return std::tie(last_offer_at, handler_id) < std::tie(o.last_offer_at, o.handler_id);
    }
  };

  QueueState* FindQueueState(const std::string& name);
  HandlerEntry* FindEntry(const std::string& handler_id);
  std::vector<std::string> EffectiveSkills(const Handler& h) const;

  void Enqueue(const Contact& c);
  void Dequeue(const Contact& c);
  // Offers queued contact `c` to the longest-idle free handler of its queue that has not
  // declined it. Returns whether it was offered.
  bool TryOffer(Contact& c, EffectList* effects);
  void Offer(Contact& c, HandlerEntry& e, EffectList* effects);
  // Offers waiting contacts to `e` while it has free capacity.
  void Dispatch(HandlerEntry& e, EffectList* effects);
  // The index of free handlers and staffing counts depend on presence, capacity, load and
  // skills: every change to those is bracketed by Unindex() ... Index().
  void Index(const HandlerEntry& e);
  void Unindex(const HandlerEntry& e);
  // Removes the contact from the handler's held list (index maintained).
  void ReleaseSlot(HandlerEntry& e, const std::string& contact_id);
  void WithdrawOffer(Contact& c, const std::string& reason, bool declined, EffectList* effects);
  void Publish(HandlerEntry& e, EffectList* effects);
  void Drop(const std::string& contact_id);
  int PositionOf(const Contact& c) const;
  Decision QueuedDecision(const Contact& c, std::vector<std::string> reasons) const;
  Decision AssignedDecision(const Contact& c, std::vector<std::string> reasons) const;
  std::vector<std::string> SortedHandlerIds() const;

  TenantConfig config_;
  const Clock* clock_;
  absl::flat_hash_map<std::string, std::unique_ptr<Contact>> contacts_;
  absl::flat_hash_map<std::string, std::string> by_idempotency_key_;
  absl::flat_hash_map<std::string, std::unique_ptr<HandlerEntry>> handlers_;
  std::map<std::string, std::unique_ptr<QueueState>> queues_;
  // skill -> the queues having that skill.
  absl::flat_hash_map<std::string, std::vector<QueueState*>> queues_by_skill_;
  // skill -> channel -> handlers with presence available and free capacity on the channel.
  absl::flat_hash_map<std::string, PerChannel<std::set<IdleKey>>> free_handlers_;
  // skill -> channel -> summed capacity of available handlers (for the expected wait).
  absl::flat_hash_map<std::string, PerChannel<int>> staffed_capacity_;
  // Pending offers by deadline.
  std::set<std::pair<absl::Time, std::string>> offer_deadlines_;
  // Wrap-ups by deadline: (deadline, handler id, contact id).
  std::set<std::tuple<absl::Time, std::string, std::string>> wrap_up_deadlines_;
  // When each connected contact was accepted, for handle-time statistics.
  absl::flat_hash_map<std::string, absl::Time> connected_at_;
};

}  // namespace wissel::core
