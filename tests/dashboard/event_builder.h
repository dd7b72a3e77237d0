// Events as the router writes them (OperatorService.WatchEvents), for the dashboard's tests:
// short builders so that a test reads as the day it plays.
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "wissel/v1/operator_service.pb.h"

namespace wissel::dashboard::testing {

// Builds events with increasing offsets.
class EventBuilder {
 public:
  v1::Event Routed(absl::Time t, const std::string& contact, const std::string& queue,
                   const std::string& topic,
                   v1::DigitalFirst digital_first = v1::DIGITAL_FIRST_NOT_APPLICABLE,
                   v1::ContactState state = v1::CONTACT_STATE_QUEUED) {
    v1::Event e = Base(v1::EVENT_TYPE_ROUTED, t, contact, "");
    e.set_queue(queue);
    e.set_topic(topic);
    e.set_channel(v1::CHANNEL_PHONE);
    e.set_state(state);
    e.set_digital_first(digital_first);
    return e;
  }
  // Steered to the digital alternative: closed at once, no person.
  v1::Event Steered(absl::Time t, const std::string& contact, const std::string& queue,
                    const std::string& topic) {
    v1::Event e =
        Routed(t, contact, queue, topic, v1::DIGITAL_FIRST_STEERED, v1::CONTACT_STATE_COMPLETED);
    e.set_reason("digital_alternative");
    return e;
  }
  v1::Event Contact(v1::EventType type, absl::Time t, const std::string& contact,
                    const std::string& handler, const std::string& queue) {
    v1::Event e = Base(type, t, contact, handler);
    e.set_queue(queue);
    return e;
  }
  v1::Event Transferred(absl::Time t, const std::string& contact, const std::string& handler,
                        const std::string& from_queue, const std::string& to_queue) {
    v1::Event e = Contact(v1::EVENT_TYPE_TRANSFERRED, t, contact, handler, from_queue);
    e.set_to_queue(to_queue);
    return e;
  }
  v1::Event Presence(absl::Time t, const std::string& handler, v1::Presence presence) {
    v1::Event e = Base(v1::EVENT_TYPE_HANDLER_PRESENCE, t, "", handler);
    e.set_presence(presence);
    return e;
  }

 private:
  v1::Event Base(v1::EventType type, absl::Time t, const std::string& contact,
                 const std::string& handler) {
    v1::Event e;
    ++sequence_;
    e.set_offset(absl::StrCat(absl::ToUnixMillis(t), "-", sequence_));
    e.set_type(type);
    e.mutable_time()->set_seconds(absl::ToUnixSeconds(t));
    e.set_contact_id(contact);
    e.set_handler_id(handler);
    return e;
  }

  int sequence_ = 0;
};

}  // namespace wissel::dashboard::testing
