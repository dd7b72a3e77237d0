// Translation between the public API (wissel.v1 protos) and the routing core's types.
//
// Pure functions; the gRPC services call them at the edge so that neither the core nor the
// state layer depends on the API.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "router/core/channel.h"
#include "router/core/contact.h"
#include "router/core/decision.h"
#include "router/core/handler.h"
#include "router/service/attribute_policy.h"
#include "router/state/event_codec.h"
#include "router/state/state_store.h"
#include "wissel/v1/contact.pb.h"
#include "wissel/v1/handler_service.pb.h"
#include "wissel/v1/operator_service.pb.h"

namespace wissel::service {

std::optional<core::Channel> FromProto(v1::Channel channel);
v1::Channel ToProto(core::Channel channel);
std::optional<core::Presence> FromProto(v1::Presence presence);
v1::Presence ToProto(core::Presence presence);
v1::ContactState ToProto(core::ContactState state);
v1::DigitalFirst ToProto(core::DigitalFirst digital_first);

// Formats the decision's explanation: call it while the Router that made the decision is alive
// (on the routing thread), see router/core/decision.h.
void ToProto(const core::Decision& decision, v1::Decision* out);
void ToProto(const core::Handler& handler, const std::string& tenant, v1::Handler* out);
void ToProto(const state::StoredEvent& event, v1::Event* out);

// `payload` (a serialized ContactRecord without a decision, as PrepareContact makes it) with
// `decision` set. The decision is appended as its own field, which a parser reads exactly as the
// record serialized with it, so the record is not parsed and serialized again on the routing
// thread.
std::string WithDecision(const std::string& payload, const v1::Decision& decision);

// The record of a stored contact of `tenant`: the payload (a serialized ContactRecord made at
// routing time, PrepareContact) completed with what the contact stores itself (tenant, topic,
// party pseudonym: taken from the contact where the payload leaves them empty, as it has since
// it stopped carrying them) and overlaid with the current state, queue, handler, priority and
// history. Internal when the payload does not parse. With `attributes` (the tenant's policy),
// personal attributes are decrypted (AttributePolicy::Reveal; DataLoss when one does not
// decrypt): pass it only for a caller allowed to read the contact. Without, they stay in their
// encrypted form.
absl::StatusOr<v1::ContactRecord> ToContactRecord(const std::string& tenant,
                                                  const state::StoredContact& stored,
                                                  const AttributePolicy* attributes = nullptr);
// The same for a live contact in the core, without history.
absl::StatusOr<v1::ContactRecord> ToContactRecord(const std::string& tenant,
                                                  const core::Contact& contact,
                                                  const AttributePolicy* attributes = nullptr);

}  // namespace wissel::service
