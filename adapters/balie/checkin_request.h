// The balie adapter's request parsing: a kiosk's check-in (JSON, balie_api.proto) to a
// validated RouteContact request, and the desk/tenant path parameters.
//
// What is checked here is the shape of the request and what the balie's own configuration
// decides (the appointment code's topic, the topic's ticket group): the answer names the
// field the way the kiosk wrote it. What a topic means to the router is the router's to say.
// Pure functions; thread-safe; ParseCheckin is what the fuzzer (fuzz/checkin_fuzzer.cc)
// exercises.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "adapters/balie/balie_config.h"
#include "wissel/v1/routing_service.pb.h"

namespace wissel::adapters::balie {

inline constexpr size_t kMaxKioskIdLength = 40;
inline constexpr size_t kMaxCheckinIdLength = 64;
inline constexpr size_t kMaxAppointmentCodeLength = 32;

// Attribute keys the adapter puts on the contact (never personal data).
inline constexpr char kTicketAttribute[] = "ticket";
inline constexpr char kKioskAttribute[] = "kiosk";
inline constexpr char kVisitAttribute[] = "visit";  // "appointment" or "walk_in"

struct Checkin {
  // Channel balie, the topic, the needs; idempotency key "balie:KIOSK:CHECKIN". The ticket
  // attribute is added by the caller once a number is drawn.
  v1::RouteContactRequest request;
  // The ticket letter of the topic's group.
  char letter = 'A';
};

// "balie:" + kiosk id + ":" + checkin id.
std::string IdempotencyKey(absl::string_view kiosk_id, absl::string_view checkin_id);

// Parses the body of POST /v1/balie/{tenant}/checkins. `tenant` is the path's (already checked
// with ValidateTenantPath). InvalidArgument "FIELD: reason" (FIELD as in the JSON, e.g.
// "kiosk_id", "needs[1]", "appointment_code"; "body" for malformed JSON).
absl::StatusOr<Checkin> ParseCheckin(absl::string_view tenant, absl::string_view json,
                                     const BalieConfig& config);

// The path's tenant: InvalidArgument "tenant" when malformed, NotFound "tenant" when it is not
// the balie's.
absl::Status ValidateTenantPath(absl::string_view tenant, const BalieConfig& config);

// The client's name of a field the router named: "contact.topic" -> "topic",
// "contact.idempotency_key" -> "checkin_id".
std::string ClientField(absl::string_view router_field);

}  // namespace wissel::adapters::balie
