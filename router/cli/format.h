// Human-readable and JSON rendering of wissel.v1 responses and gRPC errors for wisselctl.
//
// Every function returns text ending in a newline (or empty text) and never prints, so output
// can be tested without a router. Times are shown in the given time zone (wisselctl passes the
// local zone; tests pass UTC). Thread-safety: pure functions.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/support/status.h"
#include "wissel/v1/contact.pb.h"
#include "wissel/v1/handler_service.pb.h"
#include "wissel/v1/operator_service.pb.h"
#include "wissel/v1/routing_service.pb.h"

namespace wissel::cli {

// Enum values as shown to users: the enumerator without its prefix, lower case ("web_form",
// "connected"); "unknown(7)" for a number this build does not know.
std::string ChannelLabel(v1::Channel channel);
std::string ContactStateLabel(v1::ContactState state);
std::string PresenceLabel(v1::Presence presence);
std::string NeedLabel(v1::Need need);
std::string DigidLevelLabel(v1::DigidLevel level);

// "2m30s", "45s", "<1s"; rounded down to whole seconds.
std::string FormatWait(const google::protobuf::Duration& duration);
// "2026-05-04 09:30:12" in `tz`.
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp, absl::TimeZone tz);

// The outcome of RouteContact or TransferContact, e.g.
//   contact c-1: queued in burgerzaken at position 3, expected wait 2m30s
//   why:
//     1. topic paspoort -> queue burgerzaken
std::string FormatDecision(const v1::RouteContactResponse& response);

// A contact with its decision and history (GetContact), as aligned "key  value" lines.
std::string FormatContactRecord(const v1::ContactRecord& record, absl::TimeZone tz);

// One line for a state change: "contact c-1: completed (handler h-7)".
std::string FormatContactSummary(const v1::ContactRecord& record);

// GetQueueStats as a table with a header row; "no queues" when empty. A zero or missing
// longest wait is shown as "-".
std::string FormatQueueStats(const v1::GetQueueStatsResponse& response);

// The audit log (ReadAudit), one entry per line, oldest first: "TIME  ACTION  by ACTOR" then
// "contact ID", "subject S" and the detail where set; "no audit entries" when empty.
std::string FormatAudit(const v1::ReadAuditResponse& response, absl::TimeZone tz);

// One event of WatchEvents on a line: "TIME  OFFSET  TYPE" and its non-empty fields as
// name=value (contact, handler, queue, channel, topic, state, digital_first, callback, to_queue,
// presence, domain, reason).
std::string FormatEvent(const v1::Event& event, absl::TimeZone tz);

// A handler: presence, skills, teams, capacity, contacts held.
std::string FormatHandler(const v1::Handler& handler);

// One line for an offer on the StreamOffers stream.
std::string FormatOffer(const v1::Offer& offer, absl::TimeZone tz);

// The gRPC code name, e.g. "INVALID_ARGUMENT".
std::string StatusCodeName(grpc::StatusCode code);

// "error: CODE: message" and, when the status carries a google.rpc.Status in its details, one
// indented line per google.rpc.BadRequest field violation and PreconditionFailure violation.
std::string FormatRpcError(const grpc::Status& status);

// The message as JSON (proto3 JSON mapping, lowerCamelCase names, fields with default values
// included): indented when `multiline`, else one line (for streams, one object per line).
std::string FormatJson(const google::protobuf::Message& message, bool multiline);

}  // namespace wissel::cli
