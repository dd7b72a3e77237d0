// The one place where absl::Status becomes grpc::Status.
//
// Convention across Wissel: an InvalidArgument (or NotFound) message that starts with a field
// path followed by ": " names the offending field, e.g. "contact.party.bsn: fails the
// 11-proef". Such errors carry google.rpc.BadRequest details with that field, so clients can
// point at it without parsing the message.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace wissel::service {

grpc::Status ToGrpcStatus(const absl::Status& status);

// Prefixes the field path of a field-naming error: ("contact", "topic: x") -> "contact.topic: x".
absl::Status WithFieldPrefix(const absl::Status& status, absl::string_view prefix);

}  // namespace wissel::service
