#include "adapters/webform/form_request.h"

#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "adapters/common/api_names.h"
#include "adapters/common/form_urlencoded.h"
#include "adapters/common/json_body.h"
#include "adapters/common/media_type.h"
#include "adapters/common/problem.h"
#include "adapters/common/text.h"
#include "adapters/webform/webform_api.pb.h"
#include "base/status_macros.h"

namespace wissel::adapters::webform {
namespace {

constexpr size_t kMaxPartyIdentifierLength = 254;
constexpr size_t kMaxNameLength = 200;

// The single-valued string fields of FormSubmission, by name, for urlencoded bodies.
std::string* StringField(api::FormSubmission* in, absl::string_view name) {
  if (name == "submission_id") return in->mutable_submission_id();
  if (name == "bsn") return in->mutable_bsn();
  if (name == "kvk_number") return in->mutable_kvk_number();
  if (name == "email") return in->mutable_email();
  if (name == "phone") return in->mutable_phone();
  if (name == "digid_level") return in->mutable_digid_level();
  if (name == "name") return in->mutable_name();
  if (name == "message") return in->mutable_message();
  if (name == "language") return in->mutable_language();
  if (name == "case_reference") return in->mutable_case_reference();
  return nullptr;
}

// A urlencoded body into the JSON schema: known fields by name, "needs" repeatable, every
// other field an attribute (the whitelist applies later, as for JSON).
absl::Status FromForm(absl::string_view body, const FormOptions& options,
                      api::FormSubmission* out) {
  WISSEL_ASSIGN_OR_RETURN(FormFields fields, ParseFormUrlEncoded(body, options.max_fields));
  std::set<std::string, std::less<>> seen;
  for (auto& [name, value] : fields) {
    if (name == "needs") {
      if (!value.empty()) out->add_needs(std::move(value));
      continue;
    }
    if (!seen.insert(name).second) {
      return FieldError(ClientFieldName("", name), "is given more than once");
    }
    if (std::string* field = StringField(out, name)) {
      *field = std::move(value);
    } else {
      (*out->mutable_attributes())[name] = std::move(value);
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateAttributeKey(absl::string_view key) {
  if (key.empty() || key.size() > kMaxAttributeKeyLength || !IsPrintable(key)) {
    return FieldError("attributes", absl::StrCat("keys must be printable, 1..",
                                                 kMaxAttributeKeyLength, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string IdempotencyKey(absl::string_view submission_id) {
  return absl::StrCat("webform:", submission_id);
}

absl::StatusOr<Submission> ParseSubmission(absl::string_view media_type, absl::string_view body,
                                           absl::string_view tenant, absl::string_view topic,
                                           const FormOptions& options) {
  WISSEL_RETURN_IF_ERROR(ValidateTenant("tenant", tenant));
  WISSEL_RETURN_IF_ERROR(ValidateIdentifier("topic", topic));

  api::FormSubmission in;
  const bool json = media_type == kJsonMediaType;
  if (json) {
    WISSEL_RETURN_IF_ERROR(ParseJsonBody(body, &in));
  } else if (media_type == kFormMediaType) {
    WISSEL_RETURN_IF_ERROR(FromForm(body, options, &in));
  } else {
    return FieldError("Content-Type", "is not supported");
  }

  Submission out;
  WISSEL_RETURN_IF_ERROR(
      ValidateIdentifier("submission_id", in.submission_id(), kMaxSubmissionIdLength));
  out.submission_id = in.submission_id();
  WISSEL_RETURN_IF_ERROR(ValidateLanguage("language", in.language()));
  WISSEL_RETURN_IF_ERROR(ValidateText("case_reference", in.case_reference(), kMaxIdLength));
  WISSEL_RETURN_IF_ERROR(ValidateText("name", in.name(), kMaxNameLength));
  WISSEL_RETURN_IF_ERROR(
      ValidateText("message", in.message(), options.max_message_bytes, /*multiline=*/true));
  if (!in.name().empty()) out.not_forwarded.emplace_back("name");
  if (!in.message().empty()) out.not_forwarded.emplace_back("message");

  v1::RouteContactRequest& request = out.request;
  v1::Contact* contact = request.mutable_contact();
  contact->set_tenant(std::string(tenant));
  contact->set_channel(v1::CHANNEL_WEB_FORM);
  contact->set_topic(std::string(topic));
  contact->set_language(in.language());
  contact->set_case_reference(in.case_reference());
  contact->set_idempotency_key(IdempotencyKey(in.submission_id()));

  for (int i = 0; i < in.needs_size(); ++i) {
    WISSEL_ASSIGN_OR_RETURN(
        const v1::Need need,
        ParseNeed(json ? absl::StrCat("needs[", i, "]") : "needs", in.needs(i)));
    contact->add_needs(need);
  }

  // The party: the strongest identifier given; the others are not forwarded.
  struct Identifier {
    const char* field;
    const std::string& value;
    void (*set)(v1::Party*, const std::string&);
  };
  const Identifier identifiers[] = {
      {"bsn", in.bsn(), [](v1::Party* p, const std::string& v) { p->set_bsn(v); }},
      {"kvk_number", in.kvk_number(),
       [](v1::Party* p, const std::string& v) { p->set_kvk_number(v); }},
      {"email", in.email(), [](v1::Party* p, const std::string& v) { p->set_email(v); }},
      {"phone", in.phone(), [](v1::Party* p, const std::string& v) { p->set_phone_number(v); }},
  };
  bool party_set = false;
  for (const Identifier& id : identifiers) {
    if (id.value.empty()) continue;
    WISSEL_RETURN_IF_ERROR(ValidateText(id.field, id.value, kMaxPartyIdentifierLength));
    if (party_set) {
      out.not_forwarded.emplace_back(id.field);
    } else {
      id.set(contact->mutable_party(), id.value);
      party_set = true;
    }
  }
  WISSEL_ASSIGN_OR_RETURN(const v1::DigidLevel level,
                          ParseDigidLevel("digid_level", in.digid_level()));
  contact->mutable_party()->set_digid_level(level);

  // Attributes: only the configured keys; every forwarded value checked against the router's
  // limits. The submission id goes along so that the handler can open the submission.
  auto* attributes = contact->mutable_attributes();
  const std::map<std::string, std::string> sorted(in.attributes().begin(), in.attributes().end());
  for (const auto& [key, value] : sorted) {
    WISSEL_RETURN_IF_ERROR(ValidateAttributeKey(key));
    const std::string field = ClientFieldName(json ? "attributes" : "", key);
    if (!options.attribute_keys.contains(key)) {
      out.not_forwarded.push_back(field);
      continue;
    }
    WISSEL_RETURN_IF_ERROR(ValidateText(field, value, kMaxAttributeValueLength));
    if (!value.empty()) (*attributes)[key] = value;
  }
  (*attributes)["submission_id"] = in.submission_id();
  if (attributes->size() > kMaxAttributes) {
    return FieldError(json ? "attributes" : "body",
                      absl::StrCat("more than ", kMaxAttributes - 1, " attributes"));
  }
  std::sort(out.not_forwarded.begin(), out.not_forwarded.end());
  return out;
}

std::string ClientField(absl::string_view router_field) {
  absl::string_view field = router_field;
  absl::ConsumePrefix(&field, "contact.");
  if (field == "idempotency_key") return "submission_id";
  if (field == "party.phone_number") return "phone";
  if (absl::ConsumePrefix(&field, "party.")) return std::string(field);
  if (field == "channel") return "body";
  return std::string(field);
}

}  // namespace wissel::adapters::webform
