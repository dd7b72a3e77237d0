// Router: the routing core for one tenant. Start reading the code here.
//
// It holds the tenant's queues and handlers in memory and decides, for every contact, who
// handles it:
//  - opening hours first (router/core/calendar.h): a closed channel gets the configured outcome;
//  - then the operators' rules (router/core/rules), first match wins unless a rule continues;
//  - then the two municipal policies: "digitaal, tenzij" (steer to the topic's digital
//    alternative, unless a need applies or the resident wants a person) and "één
//    contactpersoon" (a resident with a contact person in the domain waits a bounded time for
//    that person, or their deputy, before the team gets the contact);
//  - then the queue: contacts wait by effective priority (priority plus aging, so nothing
//    starves), handlers are chosen by the queue's strategy (longest idle, least occupied, best
//    proficiency, round robin) among those with the skill at the required proficiency and room
//    on the channel; waiting time relaxes the requirements step by step (escalation).
// Every decision carries its trace.
//
// Pure and deterministic: no I/O, no threads, no wall clock (time comes from the injected
// Clock). Not thread-safe: exactly one thread owns a Router. Every mutating call appends the
// state changes it made to `effects`, in order, for the caller to persist before replying; a
// call that returns an error appends nothing and changes nothing.
//
// Invariant kept after every call: no queued contact waits while a handler that may take it
// (skill and proficiency, room on the channel, presence available, active, has not declined it,
// not reserved for someone else) is free.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "router/core/calendar.h"
#include "router/core/clock.h"
#include "router/core/contact.h"
#include "router/core/contact_person.h"
#include "router/core/decision.h"
#include "router/core/effect.h"
#include "router/core/handler.h"
#include "router/core/node_recycler.h"
#include "router/core/ranked_set.h"
#include "router/core/rules/rule_set.h"
#include "router/core/tenant_config.h"

namespace wissel::core {

// A contact to route; pseudonymised and validated by the caller.
struct NewContact {
  std::string id;  // unique, chosen by the caller
  Channel channel = Channel::kPhone;
  std::string topic;
  int priority = 0;  // 0..100; 0 takes the topic's default
  SharedString idempotency_key;
  std::string party_pseudonym;  // empty: anonymous
  // Pseudonym of the case (zaak) reference, when the contact is about a running case.
  std::string case_pseudonym;
  NeedSet needs = 0;
  DigidLevel digid = DigidLevel::kNone;
  std::string language;
  bool wants_person = false;
  std::vector<std::pair<std::string, std::string>> attributes;
  Payload payload;
};

// A handler signing in (or updating its sign-in).
struct HandlerSignIn {
  std::string id;
  std::string display_name;
  std::string address;
  std::vector<std::string> skills;
  std::vector<std::string> teams;          // each team grants its queue's skill
  std::map<std::string, int> proficiency;  // 1..5; missing: the roster's, else the default
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
  // `config` must have passed Validate() and its rules must compile (both are checked by the
  // configuration loader). `clock` is not owned and must outlive the Router.
  static absl::StatusOr<std::unique_ptr<Router>> Create(TenantConfig config, const Clock* clock);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  const TenantConfig& config() const { return config_; }
  const Calendar& calendar() const { return calendar_; }

  // Routes a new contact: offers it to a handler now, queues it, steers it to the digital
  // alternative or closes it (outside hours) — see the class comment.
  // InvalidArgument: unknown topic (field "topic"), priority outside 0..100 ("priority").
  // AlreadyExists: a contact with this id is already live. (The service derives a contact's id
  // from its idempotency key, so a retry of a live contact is found by its id.)
  absl::StatusOr<Decision> Route(NewContact contact, EffectList* effects);

  // Signs a handler in, or updates skills/capacity/presence of one signed in. Offers it
  // waiting contacts when available. InvalidArgument: empty id; FailedPrecondition: the roster
  // marks the handler inactive.
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
  // FailedPrecondition unless the contact is connected. With `keep_as_contact_person`, its
  // handler becomes the resident's contact person in the topic's domain (and the case's owner
  // when the contact came with a case).
  absl::Status Complete(const std::string& contact_id, bool keep_as_contact_person,
                        EffectList* effects);
  absl::Status Complete(const std::string& contact_id, EffectList* effects) {
    return Complete(contact_id, /*keep_as_contact_person=*/false, effects);
  }
  // FailedPrecondition unless the handler is in wrap-up for the contact.
  absl::Status FinishWrapUp(const std::string& handler_id, const std::string& contact_id,
                            EffectList* effects);
  // Abandons a queued, offered or connected contact. NotFound: not live.
  absl::Status Cancel(const std::string& contact_id, const std::string& reason,
                      EffectList* effects);
  // Moves a connected contact to `queue` (InvalidArgument "queue" if unknown).
  absl::StatusOr<Decision> Transfer(const std::string& contact_id, const std::string& queue,
                                    EffectList* effects);
  // Sets (or renews) a resident's contact person, e.g. imported from the case system.
  // InvalidArgument: empty pseudonym or domain; NotFound: handler not in the roster and not
  // signed in.
  absl::Status SetContactPerson(ContactPersonMapping mapping, EffectList* effects);

  // Withdraws offers whose deadline passed, applies escalation steps that are due, ends
  // reservations for contact persons that were not free in time, and ends expired wrap-ups.
  void Tick(EffectList* effects);
  // The earliest of those deadlines; InfiniteFuture when there is none.
  absl::Time NextDeadline() const;

  // Recovery: puts back state loaded from the store, without effects. Restore handlers first,
  // then contacts. InvalidArgument for inconsistent input (unknown queue, a held contact for an
  // unknown handler).
  absl::Status RestoreHandler(Handler handler);
  absl::Status RestoreContact(Contact contact);
  void RestoreContactPerson(ContactPersonMapping mapping);
  // Ends recovery: offers that were out when the previous process stopped are withdrawn
  // (the handler may never have seen them) and waiting contacts are dispatched.
  void FinishRestore(EffectList* effects);

  // Configuration reload: takes over every handler, live contact and contact-person mapping of
  // `old` (the same tenant under its previous configuration) without withdrawing anything.
  // Contacts whose queue no longer exists move to their topic's queue (or the first queue);
  // those moves are appended to `effects`. Then offers what the new configuration allows.
  void AdoptState(const Router& old, EffectList* effects);

  // Drops a contact the state store refused to create (for example a duplicate idempotency
  // key committed by another replica), undoing its offer if any.
  void Forget(const std::string& contact_id, EffectList* effects);

  // The decision as it stands now for a live contact: assigned (offered or connected) or
  // queued with its current position and expected wait. NotFound when not live.
  absl::StatusOr<Decision> Describe(const std::string& contact_id) const;

  const Contact* FindContact(const std::string& contact_id) const;
  const Handler* FindHandler(const std::string& handler_id) const;
  // The unexpired contact person of a resident (or case) in a domain, if any.
  const ContactPersonMapping* FindContactPerson(const std::string& party_pseudonym,
                                                const std::string& domain) const;
  // Stats for one queue, or all queues when `queue` is empty. NotFound: unknown queue.
  absl::StatusOr<std::vector<QueueStatsView>> QueueStats(const std::string& queue) const;
  std::size_t live_contacts() const { return contacts_.size(); }
  // Warnings found at creation (e.g. a rule whose target queue has no active handler).
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  struct QueueState;
  struct HandlerEntry;
  // Waiting order: lower key first. key = aging * enqueued_at - priority, so that a contact's
  // effective priority (priority + aging * waited) orders contacts the same at every instant.
  struct WaitKey {
    double key;
    absl::Time enqueued_at;
    std::string contact_id;
    bool operator<(const WaitKey& o) const {
      return std::tie(key, enqueued_at, contact_id) < std::tie(o.key, o.enqueued_at, o.contact_id);
    }
  };
  // Handler order within a queue: lower first; `rank` depends on the strategy.
  struct RankKey {
    int64_t rank;
    absl::Time last_offer_at;
    std::string handler_id;
    bool operator<(const RankKey& o) const {
      return std::tie(rank, last_offer_at, handler_id) <
             std::tie(o.rank, o.last_offer_at, o.handler_id);
    }
  };
  using RankSet = std::set<RankKey>;
  // Ranked, so that a queued contact's position is counted in O(log n) (PositionOf).
  using WaitSet = RankedSet<WaitKey>;
  using DeadlineSet = std::set<std::pair<absl::Time, std::string>>;
  using Levels = std::array<RankSet, kMaxProficiency + 1>;      // by proficiency
  using WaitLevels = std::array<WaitSet, kMaxProficiency + 1>;  // by requirement

  Router(TenantConfig config, rules::RuleSet rules, const Clock* clock);

  QueueState* FindQueueState(const std::string& name);
  const QueueState* FindQueueState(const std::string& name) const;
  HandlerEntry* FindEntry(const std::string& handler_id);
  // The handler and the contact offered to it. NotFound: unknown handler or contact not live;
  // FailedPrecondition: the contact is not (any more) offered to this handler.
  absl::StatusOr<std::pair<HandlerEntry*, Contact*>> FindOffer(const std::string& handler_id,
                                                               const std::string& contact_id);
  const HandlerEntry* FindEntry(const std::string& handler_id) const;
  void ComputeEligibility(HandlerEntry& e) const;
  int ProficiencyOf(const Handler& h, const std::string& skill) const;

  WaitKey KeyOf(const Contact& c) const;
  // Where a queued contact waits: reserved for a handler, or in its queues.
  void Enqueue(const Contact& c);
  void Dequeue(const Contact& c);
  // Whether `e` may take `c` now (skills, proficiency, room, presence, declined, reservation).
  bool MayTake(const HandlerEntry& e, const Contact& c, bool via_overflow) const;
  bool CanTakeChannel(const Handler& h, Channel channel) const;
  // Offers queued contact `c` to the best free handler allowed by its queue's strategy.
  // With `d`, notes the handler chosen (or the reserved handler waited for).
  bool TryOffer(Contact& c, EffectList* effects, Decision* d = nullptr);
  void Offer(Contact& c, HandlerEntry& e, EffectList* effects);
  // Offers waiting contacts to `e` while it has room.
  void Dispatch(HandlerEntry& e, EffectList* effects);
  // The free-handler index and staffing counts depend on presence, capacity, load and
  // skills: every change to those is bracketed by Unindex() ... Index().
  void Index(const HandlerEntry& e);
  void Unindex(const HandlerEntry& e);
  int64_t RankOf(const HandlerEntry& e, const QueueState& q) const;
  void ReleaseSlot(HandlerEntry& e, const std::string& contact_id);
  void WithdrawOffer(Contact& c, const std::string& reason, bool declined, EffectList* effects);
  void Publish(HandlerEntry& e, EffectList* effects);
  void Drop(const std::string& contact_id);
  void ScheduleDeadlines(const Contact& c);
  void UnscheduleDeadlines(const Contact& c);
  void Escalate(Contact& c, EffectList* effects);
  void EndReservation(Contact& c, EffectList* effects);
  // 1-based place of a queued contact among those its handlers would take before it (all
  // proficiency levels of its queue and channel, or its reserved handler's waiting set); 0 when
  // it does not wait there. O(log n) per set.
  int PositionOf(const Contact& c) const;
  // Contacts waiting in `queue` on `channel` (including overflow from other queues).
  int Waiting(const std::string& queue, Channel channel) const;
  absl::Duration ExpectedWait(const std::string& queue, Channel channel, int position) const;
  void FillQueued(const Contact& c, Decision& d) const;
  std::vector<std::string> SortedHandlerIds() const;
  // Which handler a resident's contact waits for first (contact person, else deputy), if any;
  // the id is the Router's own (a handler's or the roster's). `note` gets the policy's trace
  // when a contact person is known; names in it may be owned by `d`.
  const std::string* ReservationTarget(const Contact& c, std::optional<DecisionNote>* note,
                                       Decision* d) const;
  // A name for a note: the Router's own copy of `id` when it has one (a handler or roster
  // entry), else a copy owned by `d`.
  const std::string* HandlerName(const std::string& id, Decision* d) const;
  // A Contact to fill: a recycled one (reset to defaults, capacity kept) or a new one.
  std::unique_ptr<Contact> NewContactObject();
  void RecycleContact(std::unique_ptr<Contact> c);

  TenantConfig config_;
  rules::RuleSet rules_;
  // Reused for every evaluation, so rule evaluation allocates nothing.
  rules::RuleOutcome outcome_;
  Calendar calendar_;
  const Clock* clock_;
  std::vector<std::string> warnings_;
  // Lookup indexes over config_ (which has linear Find* functions): topic code -> topic.
  absl::flat_hash_map<std::string, const TopicConfig*> topics_by_code_;
  absl::flat_hash_map<std::string, std::unique_ptr<Contact>> contacts_;
  // Contacts no longer live, kept for reuse so that routing allocates no Contact (bounded).
  std::vector<std::unique_ptr<Contact>> spare_contacts_;
  absl::flat_hash_map<std::string, std::unique_ptr<HandlerEntry>> handlers_;
  std::map<std::string, std::unique_ptr<QueueState>> queues_;
  // The same, hashed, for lookups by name.
  absl::flat_hash_map<std::string, QueueState*> queue_index_;
  // Contacts waiting for one specific handler: handler id -> channel -> contacts.
  absl::flat_hash_map<std::string, PerChannel<WaitSet>> reserved_;
  // (pseudonym, domain) -> contact person.
  std::map<std::pair<std::string, std::string>, ContactPersonMapping> contact_persons_;
  // Deadlines: offers, escalation steps and reservations (deadline, contact id).
  DeadlineSet offer_deadlines_;
  DeadlineSet escalation_deadlines_;
  DeadlineSet reservation_deadlines_;
  // Every insert into and erase from the sets above goes through these, so that steady-state
  // routing reuses set nodes instead of allocating them.
  NodeRecycler<WaitSet> wait_nodes_;
  NodeRecycler<RankSet> rank_nodes_;
  NodeRecycler<DeadlineSet> deadline_nodes_;
  // Wrap-ups by deadline: (deadline, handler id, contact id).
  std::set<std::tuple<absl::Time, std::string, std::string>> wrap_up_deadlines_;
  // When each connected contact was accepted, for handle-time statistics.
  absl::flat_hash_map<std::string, absl::Time> connected_at_;
};

}  // namespace wissel::core
