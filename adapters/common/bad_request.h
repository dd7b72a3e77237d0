// BadRequest on an absl::Status: the field violations of an InvalidArgument kept as structured
// data (a google.rpc.BadRequest payload, as the router sends it in its gRPC error details), so
// that code deciding on an error reads the field it names, never its message text.
//
// GrpcRouterClient attaches the router's BadRequest to the statuses it returns; fakes attach one
// with FieldViolationError(). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"

namespace wissel::adapters {

// The payload type URL of a status's BadRequest (the Any type URL of google.rpc.BadRequest).
inline constexpr char kBadRequestTypeUrl[] = "type.googleapis.com/google.rpc.BadRequest";

// `status` with `bad_request` attached (an OK status stays OK, without payload).
absl::Status WithBadRequest(absl::Status status, const google::rpc::BadRequest& bad_request);

// InvalidArgument "FIELD: DESCRIPTION" that carries a BadRequest naming `field`: what the router
// client returns for the router's INVALID_ARGUMENT with one field violation.
absl::Status FieldViolationError(absl::string_view field, absl::string_view description);

// The BadRequest a status carries; nullopt when it carries none (or an unreadable one).
std::optional<google::rpc::BadRequest> BadRequestOf(const absl::Status& status);

// The field of the first violation of the status's BadRequest (e.g.
// "contact.party.phone_number"); empty when it names none.
std::string ViolatedField(const absl::Status& status);

}  // namespace wissel::adapters
