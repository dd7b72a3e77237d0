#include "router/service/request_validation.h"

#include <algorithm>
#include <optional>

#include "absl/numeric/int128.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "router/privacy/party_identifier.h"
#include "router/service/api_convert.h"

namespace wissel::service {
namespace {

absl::Status FieldError(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

// Prefixes a privacy-library error (which never echoes the value) with the field.
absl::Status Named(absl::string_view field, const absl::Status& status) {
  if (status.ok()) return status;
  return FieldError(field, status.message());
}

absl::Status ValidateLanguage(absl::string_view language) {
  if (language.size() > 35) return FieldError("contact.language", "longer than 35 bytes");
  for (char c : language) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') {
      return FieldError("contact.language", "not a BCP 47 language tag");
    }
  }
  return absl::OkStatus();
}

bool IsPrintable(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

absl::Status ValidateIdentifier(absl::string_view field, absl::string_view value) {
  if (value.empty()) return FieldError(field, "is required");
  if (value.size() > kMaxIdLength) {
    return FieldError(field, absl::StrCat("longer than ", kMaxIdLength, " bytes"));
  }
  for (char c : value) {
    // No ':' (the separator of Redis keys), ',' or '|' (separators of stored lists).
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '@' &&
        c != '-') {
      return FieldError(field, "may contain only letters, digits and . _ @ -");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<core::NewContact> PrepareContact(const v1::Contact& contact,
                                                const privacy::Pseudonymizer& pseudonymizer,
                                                const AttributePolicy& attributes,
                                                std::string contact_id, absl::Time now,
                                                const privacy::Pseudonymizer* previous) {
  const std::optional<core::Channel> channel = FromProto(contact.channel());
  if (!channel) return FieldError("contact.channel", "is required and must be a known channel");
  if (absl::Status s = ValidateIdentifier("contact.topic", contact.topic()); !s.ok()) return s;
  if (contact.priority() < 0 || contact.priority() > 100) {
    return FieldError("contact.priority", "must be within 0..100");
  }
  if (contact.idempotency_key().empty()) {
    return FieldError("contact.idempotency_key", "is required");
  }
  if (contact.idempotency_key().size() > kMaxIdempotencyKeyLength ||
      !IsPrintable(contact.idempotency_key())) {
    return FieldError("contact.idempotency_key", absl::StrCat("must be printable and at most ",
                                                              kMaxIdempotencyKeyLength, " bytes"));
  }
  if (absl::Status s = ValidateLanguage(contact.language()); !s.ok()) return s;
  if (contact.case_reference().size() > kMaxIdLength || !IsPrintable(contact.case_reference())) {
    return FieldError("contact.case_reference",
                      absl::StrCat("must be printable and at most ", kMaxIdLength, " bytes"));
  }
  if (contact.attributes_size() > static_cast<int>(kMaxAttributes)) {
    return FieldError("contact.attributes", absl::StrCat("more than ", kMaxAttributes));
  }
  for (const auto& [key, value] : contact.attributes()) {
    if (key.empty() || key.size() > kMaxAttributeKeyLength || !IsPrintable(key)) {
      return FieldError("contact.attributes", absl::StrCat("keys must be printable, 1..",
                                                           kMaxAttributeKeyLength, " bytes"));
    }
  }
  // Which attributes, how long, and the personal ones encrypted: the tenant's list decides.
  std::vector<std::pair<std::string, std::string>> rule_attributes;
  AttributeMap stored_attributes;
  if (absl::Status s = attributes.Apply(contact.attributes(), &rule_attributes, &stored_attributes);
      !s.ok()) {
    return s;
  }
  for (int need : contact.needs()) {
    if (!v1::Need_IsValid(need) || need == v1::NEED_UNSPECIFIED) {
      return FieldError("contact.needs", absl::StrCat("unknown need ", need));
    }
  }
  if (!v1::DigidLevel_IsValid(contact.party().digid_level())) {
    return FieldError("contact.party.digid_level", "unknown level");
  }

  // The party: validate, normalise, pseudonymise. Nothing in clear goes further.
  const v1::Party& party = contact.party();
  std::string kind;
  std::string normalized;
  switch (party.identifier_case()) {
    case v1::Party::kBsn:
      if (absl::Status s = Named("contact.party.bsn", privacy::ValidateBsn(party.bsn())); !s.ok()) {
        return s;
      }
      kind = std::string(privacy::kKindBsn);
      normalized = party.bsn();
      break;
    case v1::Party::kRsin:
      if (absl::Status s = Named("contact.party.rsin", privacy::ValidateRsin(party.rsin()));
          !s.ok()) {
        return s;
      }
      kind = std::string(privacy::kKindRsin);
      normalized = party.rsin();
      break;
    case v1::Party::kKvkNumber:
      if (absl::Status s =
              Named("contact.party.kvk_number", privacy::ValidateKvkNumber(party.kvk_number()));
          !s.ok()) {
        return s;
      }
      kind = std::string(privacy::kKindKvk);
      normalized = party.kvk_number();
      if (!party.vestigingsnummer().empty()) {
        if (absl::Status s = Named("contact.party.vestigingsnummer",
                                   privacy::ValidateVestigingsnummer(party.vestigingsnummer()));
            !s.ok()) {
          return s;
        }
      }
      break;
    case v1::Party::kPhoneNumber: {
      absl::StatusOr<std::string> phone = privacy::NormalizePhoneNumber(party.phone_number());
      if (!phone.ok()) return Named("contact.party.phone_number", phone.status());
      kind = std::string(privacy::kKindPhone);
      normalized = *std::move(phone);
      break;
    }
    case v1::Party::kEmail: {
      absl::StatusOr<std::string> email = privacy::NormalizeEmail(party.email());
      if (!email.ok()) return Named("contact.party.email", email.status());
      kind = std::string(privacy::kKindEmail);
      normalized = *std::move(email);
      break;
    }
    case v1::Party::IDENTIFIER_NOT_SET:
      break;
  }
  if (!party.vestigingsnummer().empty() && party.identifier_case() != v1::Party::kKvkNumber) {
    return FieldError("contact.party.vestigingsnummer", "only together with kvk_number");
  }

  core::NewContact out;
  out.id = std::move(contact_id);
  out.channel = *channel;
  out.topic = contact.topic();
  out.priority = contact.priority();
  out.idempotency_key = contact.idempotency_key();
  if (!kind.empty()) {
    out.party_pseudonym = pseudonymizer.Pseudonym(kind, normalized);
    if (previous != nullptr) out.previous_party_pseudonym = previous->Pseudonym(kind, normalized);
  }
  if (!contact.case_reference().empty()) {
    out.case_pseudonym = pseudonymizer.Pseudonym("case", contact.case_reference());
    if (previous != nullptr) {
      out.previous_case_pseudonym = previous->Pseudonym("case", contact.case_reference());
    }
  }
  for (int need : contact.needs()) {
    out.needs |= core::NeedBit(static_cast<core::Need>(need - 1));
  }
  out.digid = static_cast<core::DigidLevel>(party.digid_level());
  out.language = contact.language().empty() ? "nl" : contact.language();
  out.wants_person = contact.wants_person();
  // Sorted, and without the personal ones: the rules never see personal values.
  out.attributes = std::move(rule_attributes);

  // The record without what the contact itself stores (its id, tenant, topic, pseudonym and
  // priority, which api_convert's ToContactRecord fills in from the contact): the payload is
  // stored with every contact, in wisseld's memory and in Redis.
  v1::ContactRecord record;
  record.set_channel(contact.channel());
  record.set_party_kind(kind);
  record.set_digid_level(party.digid_level());
  record.set_language(contact.language().empty() ? "nl" : contact.language());
  for (int need : contact.needs()) record.add_needs(static_cast<v1::Need>(need));
  record.set_case_reference(contact.case_reference());
  *record.mutable_attributes() = std::move(stored_attributes);
  record.set_wants_person(contact.wants_person());
  *record.mutable_created_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
  out.payload = record.SerializeAsString();
  return out;
}

absl::StatusOr<std::vector<std::string>> ResidentPseudonyms(
    const v1::Party& party, const std::string& case_reference,
    const privacy::Pseudonymizer& pseudonymizer, const privacy::Pseudonymizer* previous) {
  // Through PrepareContact itself, so that the rules cannot drift apart.
  v1::Contact probe;
  probe.set_tenant("probe");
  probe.set_channel(v1::CHANNEL_PHONE);
  probe.set_topic("probe");
  probe.set_idempotency_key("probe");
  *probe.mutable_party() = party;
  probe.set_case_reference(case_reference);
  absl::StatusOr<core::NewContact> prepared = PrepareContact(
      probe, pseudonymizer, AttributePolicy("probe"), "probe", absl::UnixEpoch(), previous);
  if (!prepared.ok()) {
    absl::string_view message = prepared.status().message();
    absl::ConsumePrefix(&message, "contact.");
    return absl::InvalidArgumentError(message);
  }
  std::vector<std::string> pseudonyms;
  if (!prepared->party_pseudonym.empty()) pseudonyms.push_back(prepared->party_pseudonym);
  if (!prepared->case_pseudonym.empty()) pseudonyms.push_back(prepared->case_pseudonym);
  if (!prepared->previous_party_pseudonym.empty()) {
    pseudonyms.push_back(prepared->previous_party_pseudonym);
  }
  if (!prepared->previous_case_pseudonym.empty()) {
    pseudonyms.push_back(prepared->previous_case_pseudonym);
  }
  if (pseudonyms.empty()) {
    return absl::InvalidArgumentError("party: a resident or case_reference is required");
  }
  return pseudonyms;
}

absl::StatusOr<core::HandlerSignIn> PrepareSignIn(const v1::Handler& handler) {
  if (absl::Status s = ValidateIdentifier("handler.handler_id", handler.handler_id()); !s.ok()) {
    return s;
  }
  if (handler.display_name().size() > 128 || !IsPrintable(handler.display_name())) {
    return FieldError("handler.display_name", "must be printable and at most 128 bytes");
  }
  if (handler.address().size() > 256 || !IsPrintable(handler.address())) {
    return FieldError("handler.address", "must be printable and at most 256 bytes");
  }
  if (handler.skills_size() > static_cast<int>(kMaxSkills) ||
      handler.teams_size() > static_cast<int>(kMaxSkills)) {
    return FieldError("handler.skills", absl::StrCat("at most ", kMaxSkills, " skills and teams"));
  }
  core::HandlerSignIn out;
  out.id = handler.handler_id();
  out.display_name = handler.display_name();
  out.address = handler.address();
  for (int i = 0; i < handler.skills_size(); ++i) {
    if (absl::Status s =
            ValidateIdentifier(absl::StrCat("handler.skills[", i, "]"), handler.skills(i));
        !s.ok()) {
      return s;
    }
    out.skills.push_back(handler.skills(i));
  }
  for (int i = 0; i < handler.teams_size(); ++i) {
    if (absl::Status s =
            ValidateIdentifier(absl::StrCat("handler.teams[", i, "]"), handler.teams(i));
        !s.ok()) {
      return s;
    }
    out.teams.push_back(handler.teams(i));
  }
  for (const auto& [skill, level] : handler.proficiency()) {
    if (absl::Status s = ValidateIdentifier("handler.proficiency", skill); !s.ok()) return s;
    if (level < core::kMinProficiency || level > core::kMaxProficiency) {
      return FieldError(absl::StrCat("handler.proficiency[", skill, "]"), "must be within 1..5");
    }
    out.proficiency[skill] = level;
  }
  for (int i = 0; i < handler.capacity_size(); ++i) {
    const v1::ChannelCapacity& cap = handler.capacity(i);
    const std::optional<core::Channel> channel = FromProto(cap.channel());
    const std::string field = absl::StrCat("handler.capacity[", i, "]");
    if (!channel) return FieldError(field + ".channel", "must be a known channel");
    if (cap.max_contacts() < 0 || cap.max_contacts() > 1000) {
      return FieldError(field + ".max_contacts", "must be within 0..1000");
    }
    out.capacity[*channel] = cap.max_contacts();
  }
  switch (handler.presence()) {
    case v1::PRESENCE_UNSPECIFIED:
    case v1::PRESENCE_AVAILABLE:
      out.presence = core::Presence::kAvailable;
      break;
    case v1::PRESENCE_BUSY:
      out.presence = core::Presence::kBusy;
      break;
    case v1::PRESENCE_AWAY:
      out.presence = core::Presence::kAway;
      break;
    default:
      return FieldError("handler.presence", "must be available, busy or away to sign in");
  }
  return out;
}

std::string ContactIdForIdempotencyKey(const privacy::Pseudonymizer& pseudonymizer,
                                       absl::string_view idempotency_key) {
  static constexpr char kDigits[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const std::string digest = pseudonymizer.Digest("contact-id", idempotency_key);
  // The first 128 bits as a number, written in base 62: 15 digits take about 89 bits of it,
  // as many as a random id has.
  absl::uint128 n = 0;
  for (int i = 0; i < 16; ++i) n = (n << 8) | static_cast<unsigned char>(digest[i]);
  std::string id(kContactIdLength, '0');
  for (char& c : id) {
    c = kDigits[absl::Uint128Low64(n % 62)];
    n /= 62;
  }
  return id;
}

}  // namespace wissel::service
