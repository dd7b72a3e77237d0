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
//
// The Router orchestrates; its state lives in components it owns, each with its own header:
// QueueTable (queue_state.h: each queue's live state), HandlerIndex (handler_index.h: which
// handlers can take which contact, and the strategies' choice), WaitingContacts
// (waiting_contacts.h: waiting order, positions, expected wait), DeadlineSchedule
// (deadline_schedule.h: offer expiry, escalation steps, reservations, wrap-ups),
// ContactPersonTable (contact_person_table.h: "één contactpersoon") and ContactRecycler
// (contact_recycler.h); the "digitaal, tenzij" step is ApplyDigitalFirst (digital_first.h).
// Its operations are split by concept: router.cc (Route, queries), router_offers.cc (offering,
// the handlers' calls), router_contacts.cc (complete, cancel, transfer, forget),
// router_timers.cc (Tick) and router_recovery.cc (restore, reload).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "router/core/calendar.h"
#include "router/core/clock.h"
#include "router/core/contact.h"
#include "router/core/contact_person.h"
#include "router/core/contact_person_table.h"
#include "router/core/contact_recycler.h"
#include "router/core/deadline_schedule.h"
#include "router/core/decision.h"
#include "router/core/effect.h"
#include "router/core/handler.h"
#include "router/core/handler_index.h"
#include "router/core/queue_state.h"
#include "router/core/rules/rule_set.h"
#include "router/core/tenant_config.h"
#include "router/core/waiting_contacts.h"

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
  // During a rotation of the tenant's pseudonym secret, the same two under the secret being
  // replaced (privacy/pseudonym_keys.h): a contact-person mapping found only under one of them
  // is re-keyed to the current pseudonym. Empty outside a rotation.
  std::string previous_party_pseudonym;
  std::string previous_case_pseudonym;
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

// What Router::EraseResident did in memory.
struct ResidentErasure {
  // Live contacts of the resident ended (abandoned with reason "erased").
  int live_contacts_ended = 0;
  // Contact-person mappings forgotten.
  int contact_persons_forgotten = 0;
};

struct QueueStatsView {
  std::string queue;
  int waiting = 0;
  int offered = 0;
  absl::Duration longest_wait = absl::ZeroDuration();
  int handlers_available = 0;
  int handlers_signed_in = 0;
  // `waiting` and `longest_wait` per channel: a web form may wait days where a call may not.
  PerChannel<int> waiting_by_channel;
  PerChannel<absl::Duration> longest_wait_by_channel{absl::ZeroDuration()};
};

// The handlers signed in to a tenant and what they hold, counted (for metrics): by presence,
// and per channel the contacts held in each state and the capacity of the handlers signed in.
struct HandlerStatsView {
  int available = 0;
  int busy = 0;
  int away = 0;
  PerChannel<int> offered;
  PerChannel<int> connected;
  PerChannel<int> wrap_up;
  PerChannel<int> capacity;
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
  //
  // Every contact routed is created, also one steered to digital or closed: on success Route
  // appends exactly one ContactCreated for it, as the first effect it appends (later ones,
  // such as its offer or a callback task's creation, follow). With `created_index`, Route
  // stores that effect's index in `effects` there, so that a caller can amend the record
  // before it is stored (CreatedContact() below). On error, nothing is appended and
  // `created_index` is left alone.
  absl::StatusOr<Decision> Route(NewContact contact, EffectList* effects,
                                 size_t* created_index = nullptr);
  // The ContactCreated effect at `index` of `effects`, as reported by Route's `created_index`.
  static ContactCreated& CreatedContact(EffectList& effects, size_t index) {
    return std::get<ContactCreated>(effects[index]);
  }

  // Signs a handler in, or updates skills/capacity/presence of one signed in. Offers it
  // waiting contacts when available. InvalidArgument: empty id; FailedPrecondition: the roster
  // marks the handler inactive; PermissionDenied: the handler is not in the roster and the
  // tenant allows no dynamic handlers. A handler in the roster signing in without skills and
  // teams gets the roster's, and without an address the roster's address.
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
  // signed in. `replaces`: the resident's pseudonym under the secret being replaced during a
  // rotation; its mapping in the same domain is dropped with this set.
  absl::Status SetContactPerson(ContactPersonMapping mapping, EffectList* effects,
                                const std::string& replaces = std::string());

  // AVG art. 17: ends every live contact whose party or case pseudonym is one of `pseudonyms`
  // (queued, offered or connected; each gets a ContactAbandoned with reason "erased", so an
  // offer is withdrawn from its handler and a connected contact frees its handler's slot — none
  // is left stranded), forgets their contact-person mappings in every domain, and appends one
  // ResidentErased (after the abandonments) for the store to delete what it holds about them.
  // The handlers whose slots were freed are then offered other waiting contacts (after all of
  // the resident's contacts are gone, so none of them is offered on the way). `requested_by`
  // goes into the ResidentErased for the audit log. Idempotent: with nothing live it still
  // appends the ResidentErased (the store may hold closed contacts). InvalidArgument
  // ("pseudonyms") when `pseudonyms` is empty or has an empty entry; then nothing changes.
  absl::StatusOr<ResidentErasure> EraseResident(const std::vector<std::string>& pseudonyms,
                                                const std::string& requested_by,
                                                EffectList* effects);

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
  // The handlers signed in, counted (HandlerStatsView). Linear in the handlers.
  HandlerStatsView HandlerStats() const;
  std::size_t live_contacts() const { return contacts_.size(); }
  // Warnings found at creation (e.g. a rule whose target queue has no active handler).
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  Router(TenantConfig config, rules::RuleSet rules, const Clock* clock);

  // The handler and the contact offered to it. NotFound: unknown handler or contact not live;
  // FailedPrecondition: the contact is not (any more) offered to this handler.
  absl::StatusOr<std::pair<HandlerEntry*, Contact*>> FindOffer(const std::string& handler_id,
                                                               const std::string& contact_id);
  // A connected contact. NotFound: not live; FailedPrecondition: not connected.
  absl::StatusOr<Contact*> FindConnected(const std::string& contact_id);

  // Offering (router_offers.cc, with the handlers' operations).
  // Offers queued contact `c` to the best free handler allowed by its queue's strategy.
  // With `d`, notes the handler chosen (or the reserved handler waited for).
  bool TryOffer(Contact& c, EffectList* effects, Decision* d = nullptr);
  void Offer(Contact& c, HandlerEntry& e, EffectList* effects);
  // Offers waiting contacts to `e` while it has room.
  void Dispatch(HandlerEntry& e, EffectList* effects);
  void WithdrawOffer(Contact& c, const std::string& reason, bool declined, EffectList* effects);
  void Publish(HandlerEntry& e, EffectList* effects);

  // Ending contacts (router_contacts.cc, with the contacts' operations).
  // Takes a live contact out of wherever it is (its waiting sets, its offer, its handler's
  // slot); returns the handler whose slot it freed, if any.
  HandlerEntry* Detach(Contact& c);
  // Forgets a contact (its object goes back to the recycler).
  void Drop(const std::string& contact_id);

  // Timers (router_timers.cc).
  // Puts a queued contact on the schedule: its reservation's end, or its next escalation step.
  void ScheduleDeadlines(const Contact& c);
  void UnscheduleDeadlines(const Contact& c);
  // Queues a contact where it waits and schedules its deadlines; the reverse.
  void Enqueue(const Contact& c);
  void Dequeue(const Contact& c);
  void Escalate(Contact& c, EffectList* effects);
  void EndReservation(Contact& c, EffectList* effects);

  // Decisions (router.cc).
  // Notes a queued contact's outcome, position and expected wait in `d`.
  void FillQueued(const Contact& c, Decision& d) const;

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
  // Contacts no longer live, kept for reuse so that routing allocates no Contact.
  ContactRecycler spare_contacts_;
  // The live state of each queue; the components below keep parts of it.
  QueueTable queues_;
  HandlerIndex handlers_;
  WaitingContacts waiting_;
  DeadlineSchedule deadlines_;
  ContactPersonTable contact_persons_;
  // When each connected contact was accepted, for handle-time statistics.
  absl::flat_hash_map<std::string, absl::Time> connected_at_;
};

}  // namespace wissel::core
