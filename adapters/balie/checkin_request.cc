#include "adapters/balie/checkin_request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "adapters/balie/balie_api.pb.h"
#include "adapters/common/api_names.h"
#include "adapters/common/json_body.h"
#include "adapters/common/problem.h"
#include "adapters/common/text.h"
#include "base/status_macros.h"

namespace wissel::adapters::balie {
namespace {

// 1..max of [A-Za-z0-9._-]: no ':' so that the idempotency key splits unambiguously.
absl::Status ValidateKioskToken(absl::string_view field, absl::string_view value, size_t max) {
  if (value.empty()) return FieldError(field, "is required");
  if (value.size() > max) return FieldError(field, absl::StrCat("is longer than ", max, " bytes"));
  for (char c : value) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return FieldError(field, "may only contain A-Z, a-z, 0-9, '.', '_' and '-'");
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string IdempotencyKey(absl::string_view kiosk_id, absl::string_view checkin_id) {
  return absl::StrCat("balie:", kiosk_id, ":", checkin_id);
}

absl::Status ValidateTenantPath(absl::string_view tenant, const BalieConfig& config) {
  WISSEL_RETURN_IF_ERROR(ValidateTenant("tenant", tenant));
  if (tenant != config.tenant) {
    return absl::NotFoundError("tenant: this balie serves another tenant");
  }
  return absl::OkStatus();
}

absl::StatusOr<Checkin> ParseCheckin(absl::string_view tenant, absl::string_view json,
                                     const BalieConfig& config) {
  api::CheckinRequest in;
  WISSEL_RETURN_IF_ERROR(ParseJsonBody(json, &in));
  WISSEL_RETURN_IF_ERROR(ValidateKioskToken("kiosk_id", in.kiosk_id(), kMaxKioskIdLength));
  WISSEL_RETURN_IF_ERROR(ValidateKioskToken("checkin_id", in.checkin_id(), kMaxCheckinIdLength));
  const bool has_code = !in.appointment_code().empty();
  const bool has_topic = !in.topic().empty();
  if (has_code == has_topic) {
    return FieldError(has_code ? "topic" : "appointment_code",
                      "give exactly one of appointment_code and topic");
  }
  std::string topic;
  if (has_code) {
    const std::string& code = in.appointment_code();
    if (code.size() > kMaxAppointmentCodeLength) {
      return FieldError("appointment_code",
                        absl::StrCat("is longer than ", kMaxAppointmentCodeLength, " bytes"));
    }
    for (char c : code) {
      if (!absl::ascii_isupper(static_cast<unsigned char>(c)) &&
          !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '-') {
        return FieldError("appointment_code", "may only contain A-Z, 0-9 and '-'");
      }
    }
    const AppointmentPrefix* appointment = config.AppointmentFor(code);
    if (appointment == nullptr) {
      return FieldError("appointment_code", "is not a code of this balie's appointments");
    }
    topic = appointment->topic;
  } else {
    WISSEL_RETURN_IF_ERROR(ValidateIdentifier("topic", in.topic()));
    topic = in.topic();
  }
  const TopicGroup* group = config.GroupOfTopic(topic);
  if (group == nullptr) {
    return FieldError(has_code ? "appointment_code" : "topic",
                      "is not a topic served at this balie");
  }
  WISSEL_RETURN_IF_ERROR(ValidateLanguage("language", in.language()));

  Checkin out;
  out.letter = group->letter;
  v1::Contact* contact = out.request.mutable_contact();
  contact->set_tenant(std::string(tenant));
  contact->set_channel(v1::CHANNEL_BALIE);
  contact->set_topic(topic);
  contact->set_language(in.language());
  for (int i = 0; i < in.needs_size(); ++i) {
    WISSEL_ASSIGN_OR_RETURN(const v1::Need need,
                            ParseNeed(absl::StrCat("needs[", i, "]"), in.needs(i)));
    contact->add_needs(need);
  }
  contact->set_wants_person(in.wants_person());
  (*contact->mutable_attributes())[kKioskAttribute] = in.kiosk_id();
  (*contact->mutable_attributes())[kVisitAttribute] = has_code ? "appointment" : "walk_in";
  contact->set_idempotency_key(IdempotencyKey(in.kiosk_id(), in.checkin_id()));
  return out;
}

std::string ClientField(absl::string_view router_field) {
  absl::string_view field = router_field;
  absl::ConsumePrefix(&field, "contact.");
  if (field == "idempotency_key") return "checkin_id";
  if (field == "channel" || absl::StartsWith(field, "attributes")) return "body";
  return std::string(field);
}

}  // namespace wissel::adapters::balie
