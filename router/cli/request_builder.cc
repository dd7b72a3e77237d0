#include "router/cli/request_builder.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/duration.h"
#include "google/protobuf/descriptor.h"
#include "router/cli/flag_parser.h"
#include "wissel/v1/contact.pb.h"
#include "wissel/v1/handler_service.pb.h"

namespace wissel::cli {
namespace {

// Looks `name` up among the values of `descriptor` whose names start with `prefix`, skipping
// the *_UNSPECIFIED value.
absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor* descriptor,
                              absl::string_view prefix, absl::string_view what,
                              absl::string_view name) {
  const std::string wanted =
      absl::StrCat(prefix, absl::AsciiStrToUpper(absl::StrReplaceAll(name, {{"-", "_"}})));
  std::vector<std::string> accepted;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* value = descriptor->value(i);
    if (value->number() == 0) continue;
    if (value->name() == wanted) return value->number();
    accepted.push_back(
        absl::AsciiStrToLower(absl::string_view(value->name()).substr(prefix.size())));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", what, " '", name, "'; one of: ", absl::StrJoin(accepted, ", ")));
}

// The party identifier flags, at most one of which may be given.
constexpr absl::string_view kIdentifierFlags[] = {"bsn", "rsin", "kvk", "phone", "email"};

}  // namespace

absl::StatusOr<v1::Channel> ParseChannel(absl::string_view name) {
  absl::StatusOr<int> value = ParseEnum(v1::Channel_descriptor(), "CHANNEL_", "channel", name);
  if (!value.ok()) return value.status();
  return static_cast<v1::Channel>(*value);
}

absl::StatusOr<v1::Need> ParseNeed(absl::string_view name) {
  absl::StatusOr<int> value = ParseEnum(v1::Need_descriptor(), "NEED_", "need", name);
  if (!value.ok()) return value.status();
  return static_cast<v1::Need>(*value);
}

absl::StatusOr<v1::Presence> ParsePresence(absl::string_view name) {
  absl::StatusOr<int> value = ParseEnum(v1::Presence_descriptor(), "PRESENCE_", "presence", name);
  if (!value.ok()) return value.status();
  return static_cast<v1::Presence>(*value);
}

absl::StatusOr<v1::DigidLevel> ParseDigidLevel(absl::string_view name) {
  absl::StatusOr<int> value =
      ParseEnum(v1::DigidLevel_descriptor(), "DIGID_LEVEL_", "DigiD level", name);
  if (!value.ok()) return value.status();
  return static_cast<v1::DigidLevel>(*value);
}

std::vector<std::string> SplitList(const std::vector<std::string>& values) {
  std::vector<std::string> items;
  for (const std::string& value : values) {
    for (absl::string_view item : absl::StrSplit(value, ',')) {
      item = absl::StripAsciiWhitespace(item);
      if (!item.empty()) items.emplace_back(item);
    }
  }
  return items;
}

absl::StatusOr<absl::Duration> ParseDurationFlag(absl::string_view flag, absl::string_view value) {
  // The one duration syntax of Wissel's files and flags (base/duration.h), plus a bare "0".
  if (value == "0") return absl::ZeroDuration();
  if (absl::StartsWith(value, "-")) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, " must not be negative"));
  }
  absl::StatusOr<absl::Duration> duration = base::ParseConfigTimeout(value);
  if (!duration.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag,
        " must be a duration such as 500ms, 2s or 1m30s: ", duration.status().message()));
  }
  return *duration;
}

std::string GenerateIdempotencyKey() {
  absl::BitGen gen;
  return absl::StrFormat("wisselctl-%016x%016x", absl::Uniform<uint64_t>(gen),
                         absl::Uniform<uint64_t>(gen));
}

absl::StatusOr<std::string> RequiredFlag(const ParsedFlags& flags, absl::string_view name) {
  std::string value = flags.Get(name);
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat("missing --", name));
  return value;
}

const std::vector<FlagSpec>& RouteFlagSpecs() {
  static const auto* const kSpecs = new std::vector<FlagSpec>{
      {"tenant", FlagKind::kValue, "TENANT",
       "tenant (gemeente), e.g. gemeente-wisseloord [required]"},
      {"channel", FlagKind::kValue, "CHANNEL", "phone, chat, web_form, balie or email [required]"},
      {"topic", FlagKind::kValue, "TOPIC",
       "topic (onderwerp) from the product catalogue [required]"},
      {"bsn", FlagKind::kValue, "BSN", "the resident's BSN (9 digits, 11-proef)"},
      {"rsin", FlagKind::kValue, "RSIN", "RSIN of a legal entity"},
      {"kvk", FlagKind::kValue, "NUMBER", "KVK number of a business (8 digits)"},
      {"vestiging", FlagKind::kValue, "NUMBER", "vestigingsnummer (12 digits), only with --kvk"},
      {"phone", FlagKind::kValue, "NUMBER", "phone number, +31... or 0..."},
      {"email", FlagKind::kValue, "ADDRESS", "e-mail address"},
      {"digid", FlagKind::kValue, "LEVEL", "DigiD level: basis, midden, substantieel or hoog"},
      {"language", FlagKind::kValue, "TAG", "preferred language, BCP 47 (router default: nl)"},
      {"need", FlagKind::kRepeated, "NEEDS", "why a person is needed, comma-separated (see below)"},
      {"case", FlagKind::kValue, "REF", "case (zaak) reference, e.g. Z-2026-000123"},
      {"priority", FlagKind::kValue, "N", "priority 0..100, higher first (0: topic default)"},
      {"wants-person", FlagKind::kBool, "", "the resident asked for a person"},
      {"idempotency-key", FlagKind::kValue, "KEY",
       "makes the call safe to retry (default: a random key)"},
      {"attr", FlagKind::kRepeated, "KEY=VALUE", "channel attribute; repeat for more"},
  };
  return *kSpecs;
}

absl::StatusOr<v1::Contact> BuildContact(const ParsedFlags& flags) {
  v1::Contact contact;
  absl::StatusOr<std::string> tenant = RequiredFlag(flags, "tenant");
  if (!tenant.ok()) return tenant.status();
  contact.set_tenant(*tenant);

  absl::StatusOr<std::string> channel_name = RequiredFlag(flags, "channel");
  if (!channel_name.ok()) return channel_name.status();
  absl::StatusOr<v1::Channel> channel = ParseChannel(*channel_name);
  if (!channel.ok()) return channel.status();
  contact.set_channel(*channel);

  absl::StatusOr<std::string> topic = RequiredFlag(flags, "topic");
  if (!topic.ok()) return topic.status();
  contact.set_topic(*topic);

  std::vector<absl::string_view> identifiers;
  for (absl::string_view flag : kIdentifierFlags) {
    if (flags.Has(flag)) identifiers.push_back(flag);
  }
  if (identifiers.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("give at most one of --bsn, --rsin, --kvk, --phone, --email (got --",
                     absl::StrJoin(identifiers, ", --"), ")"));
  }
  v1::Party* party = contact.mutable_party();
  if (flags.Has("bsn")) party->set_bsn(flags.Get("bsn"));
  if (flags.Has("rsin")) party->set_rsin(flags.Get("rsin"));
  if (flags.Has("kvk")) party->set_kvk_number(flags.Get("kvk"));
  if (flags.Has("phone")) party->set_phone_number(flags.Get("phone"));
  if (flags.Has("email")) party->set_email(flags.Get("email"));
  if (flags.Has("vestiging")) {
    if (!flags.Has("kvk")) {
      return absl::InvalidArgumentError("--vestiging needs --kvk");
    }
    party->set_vestigingsnummer(flags.Get("vestiging"));
  }
  if (flags.Has("digid")) {
    absl::StatusOr<v1::DigidLevel> level = ParseDigidLevel(flags.Get("digid"));
    if (!level.ok()) return level.status();
    party->set_digid_level(*level);
  }

  contact.set_language(flags.Get("language"));
  for (const std::string& name : SplitList(flags.GetAll("need"))) {
    absl::StatusOr<v1::Need> need = ParseNeed(name);
    if (!need.ok()) return need.status();
    contact.add_needs(*need);
  }
  contact.set_case_reference(flags.Get("case"));
  if (flags.Has("priority")) {
    int32_t priority = 0;
    if (!absl::SimpleAtoi(flags.Get("priority"), &priority)) {
      return absl::InvalidArgumentError("--priority must be a whole number");
    }
    contact.set_priority(priority);
  }
  contact.set_wants_person(flags.GetBool("wants-person"));
  for (const std::string& attr : flags.GetAll("attr")) {
    std::pair<std::string, std::string> kv = absl::StrSplit(attr, absl::MaxSplits('=', 1));
    if (kv.first.empty() || attr.find('=') == std::string::npos) {
      return absl::InvalidArgumentError("--attr must be KEY=VALUE with a non-empty KEY");
    }
    (*contact.mutable_attributes())[kv.first] = kv.second;
  }
  const std::string key = flags.Get("idempotency-key");
  contact.set_idempotency_key(key.empty() ? GenerateIdempotencyKey() : key);
  return contact;
}

const std::vector<FlagSpec>& SignInFlagSpecs() {
  static const auto* const kSpecs = new std::vector<FlagSpec>{
      {"tenant", FlagKind::kValue, "TENANT", "tenant (gemeente) [required]"},
      {"id", FlagKind::kValue, "HANDLER", "handler id, e.g. the employee number [required]"},
      {"name", FlagKind::kValue, "NAME", "display name"},
      {"skills", FlagKind::kRepeated, "A,B", "comma-separated skills, e.g. burgerzaken,wmo"},
      {"teams", FlagKind::kRepeated, "A,B", "comma-separated teams"},
      {"capacity", FlagKind::kRepeated, "CH:N,...",
       "contacts per channel at once, e.g. phone:1,chat:3 (default: tenant's)"},
      {"address", FlagKind::kValue, "URI", "where contacts are connected, e.g. sip:1042@pbx"},
      {"presence", FlagKind::kValue, "PRESENCE", "available, busy or away (default: available)"},
  };
  return *kSpecs;
}

absl::StatusOr<v1::SignInRequest> BuildSignInRequest(const ParsedFlags& flags) {
  v1::SignInRequest request;
  v1::Handler* handler = request.mutable_handler();
  absl::StatusOr<std::string> tenant = RequiredFlag(flags, "tenant");
  if (!tenant.ok()) return tenant.status();
  handler->set_tenant(*tenant);
  absl::StatusOr<std::string> id = RequiredFlag(flags, "id");
  if (!id.ok()) return id.status();
  handler->set_handler_id(*id);
  handler->set_display_name(flags.Get("name"));
  for (std::string& skill : SplitList(flags.GetAll("skills"))) {
    handler->add_skills(std::move(skill));
  }
  for (std::string& team : SplitList(flags.GetAll("teams"))) handler->add_teams(std::move(team));
  for (const std::string& item : SplitList(flags.GetAll("capacity"))) {
    std::pair<std::string, std::string> parts = absl::StrSplit(item, absl::MaxSplits(':', 1));
    int32_t max_contacts = 0;
    if (item.find(':') == std::string::npos || !absl::SimpleAtoi(parts.second, &max_contacts) ||
        max_contacts < 0) {
      return absl::InvalidArgumentError(
          "--capacity items must be CHANNEL:N with N >= 0, e.g. phone:1,chat:3");
    }
    absl::StatusOr<v1::Channel> channel = ParseChannel(parts.first);
    if (!channel.ok()) return channel.status();
    v1::ChannelCapacity* capacity = handler->add_capacity();
    capacity->set_channel(*channel);
    capacity->set_max_contacts(max_contacts);
  }
  handler->set_address(flags.Get("address"));
  absl::StatusOr<v1::Presence> presence = ParsePresence(flags.Get("presence", "available"));
  if (!presence.ok()) return presence.status();
  handler->set_presence(*presence);
  return request;
}

}  // namespace wissel::cli
