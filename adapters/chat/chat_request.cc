#include "adapters/chat/chat_request.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "adapters/chat/chat_api.pb.h"
#include "adapters/common/api_names.h"
#include "adapters/common/json_body.h"
#include "adapters/common/problem.h"
#include "adapters/common/text.h"
#include "base/status_macros.h"

namespace wissel::adapters::chat {
namespace {

constexpr size_t kMaxPartyIdentifierLength = 254;  // the longest e-mail address

absl::Status ValidateAttributes(const google::protobuf::Map<std::string, std::string>& attributes) {
  if (attributes.size() > kMaxAttributes) {
    return FieldError("attributes", absl::StrCat("has more than ", kMaxAttributes, " entries"));
  }
  for (const auto& [key, value] : attributes) {
    if (key.empty() || key.size() > kMaxAttributeKeyLength || !IsPrintable(key)) {
      return FieldError("attributes", absl::StrCat("keys must be printable, 1..",
                                                   kMaxAttributeKeyLength, " bytes"));
    }
    WISSEL_RETURN_IF_ERROR(
        ValidateText(ClientFieldName("attributes", key), value, kMaxAttributeValueLength));
  }
  return absl::OkStatus();
}

absl::Status CopyParty(const api::Party& in, v1::Party* out) {
  const auto identifier = [](absl::string_view field, const std::string& value) {
    if (value.empty()) return FieldError(field, "is empty; leave it out instead");
    return ValidateText(field, value, kMaxPartyIdentifierLength);
  };
  switch (in.identifier_case()) {
    case api::Party::kBsn:
      WISSEL_RETURN_IF_ERROR(identifier("party.bsn", in.bsn()));
      out->set_bsn(in.bsn());
      break;
    case api::Party::kPhoneNumber:
      WISSEL_RETURN_IF_ERROR(identifier("party.phone_number", in.phone_number()));
      out->set_phone_number(in.phone_number());
      break;
    case api::Party::kEmail:
      WISSEL_RETURN_IF_ERROR(identifier("party.email", in.email()));
      out->set_email(in.email());
      break;
    case api::Party::kKvkNumber:
      WISSEL_RETURN_IF_ERROR(identifier("party.kvk_number", in.kvk_number()));
      out->set_kvk_number(in.kvk_number());
      break;
    case api::Party::IDENTIFIER_NOT_SET:
      break;
  }
  return absl::OkStatus();
}

}  // namespace

std::string IdempotencyKey(absl::string_view session_id) {
  return absl::StrCat("chat:", session_id);
}

absl::Status ValidateSessionPath(absl::string_view tenant, absl::string_view session_id) {
  WISSEL_RETURN_IF_ERROR(ValidateTenant("tenant", tenant));
  return ValidateIdentifier("session_id", session_id, kMaxSessionIdLength);
}

absl::StatusOr<v1::RouteContactRequest> ParseOpenSession(absl::string_view json) {
  api::OpenSessionRequest in;
  WISSEL_RETURN_IF_ERROR(ParseJsonBody(json, &in));
  WISSEL_RETURN_IF_ERROR(ValidateSessionPath(in.tenant(), in.session_id()));
  WISSEL_RETURN_IF_ERROR(ValidateIdentifier("topic", in.topic()));
  WISSEL_RETURN_IF_ERROR(ValidateLanguage("language", in.language()));
  WISSEL_RETURN_IF_ERROR(ValidateText("case_reference", in.case_reference(), kMaxIdLength));
  WISSEL_RETURN_IF_ERROR(ValidateAttributes(in.attributes()));

  v1::RouteContactRequest request;
  v1::Contact* contact = request.mutable_contact();
  contact->set_tenant(in.tenant());
  contact->set_channel(v1::CHANNEL_CHAT);
  contact->set_topic(in.topic());
  contact->set_language(in.language());
  for (int i = 0; i < in.needs_size(); ++i) {
    WISSEL_ASSIGN_OR_RETURN(const v1::Need need,
                            ParseNeed(absl::StrCat("needs[", i, "]"), in.needs(i)));
    contact->add_needs(need);
  }
  WISSEL_RETURN_IF_ERROR(CopyParty(in.party(), contact->mutable_party()));
  WISSEL_ASSIGN_OR_RETURN(const v1::DigidLevel level,
                          ParseDigidLevel("digid_level", in.digid_level()));
  contact->mutable_party()->set_digid_level(level);
  contact->set_wants_person(in.wants_person());
  contact->set_case_reference(in.case_reference());
  *contact->mutable_attributes() = in.attributes();
  contact->set_idempotency_key(IdempotencyKey(in.session_id()));
  return request;
}

absl::StatusOr<EndSession> ParseEndSession(absl::string_view json) {
  api::EndSessionRequest in;
  WISSEL_RETURN_IF_ERROR(ParseJsonBody(json, &in));
  EndSession out;
  if (in.reason() == "completed") {
    out.reason = EndReason::kCompleted;
  } else if (in.reason() == "abandoned") {
    out.reason = EndReason::kAbandoned;
  } else if (in.reason().empty()) {
    return FieldError("reason", R"(is required: "completed" or "abandoned")");
  } else {
    return FieldError("reason", R"(must be "completed" or "abandoned")");
  }
  if (!in.contact_id().empty()) {
    WISSEL_RETURN_IF_ERROR(ValidateIdentifier("contact_id", in.contact_id()));
    out.contact_id = in.contact_id();
  }
  return out;
}

std::string ClientField(absl::string_view router_field) {
  absl::string_view field = router_field;
  absl::ConsumePrefix(&field, "contact.");
  if (field == "idempotency_key") return "session_id";
  if (field == "party.digid_level") return "digid_level";
  if (field == "channel") return "body";  // set by the adapter; cannot be the client's fault
  return std::string(field);
}

}  // namespace wissel::adapters::chat
