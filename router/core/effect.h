// Effects: the state changes a routing-core operation made, in the order it made them.
//
// The core changes only its memory; the caller persists the effects (router/state turns each
// into one atomic Redis script) and notifies handlers, and replies to its client only once the
// effects are durable. Each effect names the state it expects the contact or handler to be in,
// so the store can refuse a change that another replica got to first.
#pragma once

#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "router/core/channel.h"
#include "router/core/contact.h"
#include "router/core/contact_person.h"
#include "router/core/decision.h"
#include "router/core/handler.h"

namespace wissel::core {

// A new contact. Carries the whole contact (including the opaque payload). Usually queued;
// a contact that is not routed to a person (steered to digital, closed outside hours) is
// created in state kCompleted with `reason` saying why, and is never live.
struct ContactCreated {
  Contact contact;
  std::string reason;
  // How "digitaal, tenzij" applied to the decision that made it (for the event stream).
  DigitalFirst digital_first = DigitalFirst::kNotApplicable;
};

// A queued contact's routing state changed while it waits (an escalation step, the wait for
// its contact person ended, it became a callback request). Carries the whole contact; the store
// overwrites the routing fields if the contact is still queued. `reason` goes to the history.
struct ContactUpdated {
  Contact contact;
  absl::Time time;
  std::string reason;
};

// A resident's contact person in a domain was set (or renewed). With `replaces_pseudonym`, the
// mapping moved from that pseudonym (the resident's under the pseudonym secret being replaced,
// privacy/pseudonym_keys.h) in the same domain: the store drops the old one in the same step.
struct ContactPersonSet {
  ContactPersonMapping mapping;
  absl::Time time;
  std::string replaces_pseudonym;
};

// Everything held about a resident is to be erased (AVG art. 17), named by the keyed pseudonyms
// of their identifiers (a party pseudonym, a case pseudonym). The core has ended the resident's
// live contacts before (ContactAbandoned, reason "erased", earlier in the same list) and
// forgotten their contact-person mappings; the store deletes the rest — closed contacts and
// their histories, the mappings, the pseudonyms' index — and records the erasure in the
// tenant's audit log in the same atomic step. `requested_by` names who asked, for that audit
// entry (a caller's label, never personal data).
struct ResidentErased {
  std::vector<std::string> pseudonyms;
  absl::Time time;
  std::string requested_by;
};

// A queued contact offered to a handler; takes a slot of the handler's channel capacity.
struct ContactOffered {
  std::string contact_id;
  std::string handler_id;
  Channel channel;
  absl::Time time;
  absl::Time deadline;
};

// An offer that no longer stands; the contact is back in its queue at its old place and the
// handler's slot is free. reason: "rejected", "offer_timeout", "handler_signed_out",
// "recovered" (the router restarted while the offer was out).
struct OfferWithdrawn {
  std::string contact_id;
  std::string handler_id;
  Channel channel;
  absl::Time time;
  std::string reason;
};

// The handler accepted: the contact is connected. The fields after `time` say what was
// answered, for service-level counting; the store does not need them.
struct OfferAccepted {
  std::string contact_id;
  std::string handler_id;
  absl::Time time;
  Channel channel = Channel::kPhone;
  std::string queue;
  std::string topic;
  absl::Time created_at = absl::InfinitePast();
  absl::Time enqueued_at = absl::InfinitePast();
};

// The conversation ended; the handler keeps the slot for wrap-up. With a `survey_quiet_period`
// (the contact was sampled for a satisfaction survey), the store triggers the survey unless the
// resident was surveyed within that period (TenantConfig::SurveyPolicy).
struct ContactCompleted {
  std::string contact_id;
  std::string handler_id;
  Channel channel;
  absl::Time time;
  absl::Time wrap_up_deadline;
  absl::Duration survey_quiet_period = absl::ZeroDuration();
};

// Wrap-up ended; the handler's slot is free. reason: "finished" or "wrap_up_timeout".
struct WrapUpFinished {
  std::string contact_id;
  std::string handler_id;
  Channel channel;
  absl::Time time;
  std::string reason;
};

// The contact was cancelled before it was handled. `handler_id` is set (and its slot freed)
// when the contact was offered or connected; `previous` is the state it left.
struct ContactAbandoned {
  std::string contact_id;
  std::string handler_id;
  Channel channel;
  ContactState previous;
  absl::Time time;
  std::string reason;
};

// A connected contact moved to another queue; its handler's slot is free.
struct ContactTransferred {
  std::string contact_id;
  std::string from_handler_id;
  Channel channel;
  std::string to_queue;
  absl::Time time;
  absl::Time enqueued_at;
};

// A handler signed in, changed presence or signed out. Carries the whole handler; `held` is
// informational (the store tracks slots through the contact effects).
struct HandlerChanged {
  Handler handler;
  absl::Time time;
};

using Effect = std::variant<ContactCreated, ContactOffered, OfferWithdrawn, OfferAccepted,
                            ContactCompleted, WrapUpFinished, ContactAbandoned, ContactTransferred,
                            HandlerChanged, ContactUpdated, ContactPersonSet, ResidentErased>;

using EffectList = std::vector<Effect>;

// The contact an effect is about; empty for HandlerChanged, ContactPersonSet and ResidentErased.
inline std::string ContactIdOf(const Effect& effect) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ContactCreated> || std::is_same_v<T, ContactUpdated>) {
          return e.contact.id;
        } else if constexpr (std::is_same_v<T, HandlerChanged> ||
                             std::is_same_v<T, ContactPersonSet> ||
                             std::is_same_v<T, ResidentErased>) {
          return "";
        } else {
          return e.contact_id;
        }
      },
      effect);
}

}  // namespace wissel::core
