// The web form adapter's request parsing: a submission (JSON, or urlencoded as a plain HTML
// form posts it) to a validated RouteContact request for channel web form.
//
// Personal data goes only where the router protects it: one identifier becomes the contact's
// party (pseudonymised by the router). Nothing personal goes into attributes: only the
// configured non-personal keys are forwarded; name, message, further identifiers and every
// other field are dropped and listed in `not_forwarded`.
//
// Pure functions; thread-safe; what the fuzzer (fuzz/form_request_fuzzer.cc) exercises.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "wissel/v1/routing_service.pb.h"

namespace wissel::adapters::webform {

// Leaves room for the "webform:" prefix within the router's 128-byte idempotency key.
inline constexpr size_t kMaxSubmissionIdLength = 120;

struct FormOptions {
  // Attribute keys passed to the router; keep to non-personal ones. Default: category,
  // subcategory, form, form_version, page, source.
  std::set<std::string, std::less<>> attribute_keys = {"category",     "subcategory", "form",
                                                       "form_version", "page",        "source"};
  // Longest accepted message (not forwarded, but checked). Default 20000 bytes.
  size_t max_message_bytes = 20000;
  // Most fields in a urlencoded body. Default 64.
  size_t max_fields = 64;
};

struct Submission {
  std::string submission_id;
  v1::RouteContactRequest request;
  // Field names received but not passed on, sorted ("attributes.x" for JSON attributes).
  std::vector<std::string> not_forwarded;
};

// The idempotency key of a submission: "webform:" + submission id.
std::string IdempotencyKey(absl::string_view submission_id);

// Parses a submission to `tenant`'s `topic` (path parameters, validated here too). `media_type`
// is "application/json" or "application/x-www-form-urlencoded". InvalidArgument "FIELD: reason"
// naming the client's field ("tenant" and "topic" for the path, "body" for a malformed body).
absl::StatusOr<Submission> ParseSubmission(absl::string_view media_type, absl::string_view body,
                                           absl::string_view tenant, absl::string_view topic,
                                           const FormOptions& options);

// The client's name of a field the router named ("contact.party.phone_number" -> "phone").
std::string ClientField(absl::string_view router_field);

}  // namespace wissel::adapters::webform
