#include "router/state/contact_codec.h"

#include <cstdint>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "router/core/channel.h"

namespace wissel::state {
namespace {

constexpr core::ContactState kAllStates[] = {
    core::ContactState::kQueued, core::ContactState::kOffered, core::ContactState::kConnected,
    core::ContactState::kCompleted, core::ContactState::kAbandoned};
constexpr core::DigidLevel kAllDigidLevels[] = {
    core::DigidLevel::kNone, core::DigidLevel::kBasis, core::DigidLevel::kMidden,
    core::DigidLevel::kSubstantieel, core::DigidLevel::kHoog};

absl::Status Malformed(absl::string_view field, absl::string_view value) {
  return absl::DataLossError(
      absl::StrCat("stored contact: malformed field '", field, "': '", value, "'"));
}

const std::string* Find(const FieldMap& fields, absl::string_view name) {
  auto it = fields.find(name);
  return it == fields.end() ? nullptr : &it->second;
}

absl::StatusOr<absl::Time> RequiredTime(const FieldMap& fields, absl::string_view name) {
  const std::string* value = Find(fields, name);
  if (value == nullptr) return Malformed(name, "<missing>");
  std::optional<absl::Time> time = DecodeTime(*value);
  if (!time) return Malformed(name, *value);
  return *time;
}

// Leaves *out unchanged when the field is missing or empty.
absl::Status OptionalTime(const FieldMap& fields, absl::string_view name, absl::Time* out) {
  const std::string* value = Find(fields, name);
  if (value == nullptr || value->empty()) return absl::OkStatus();
  std::optional<absl::Time> time = DecodeTime(*value);
  if (!time) return Malformed(name, *value);
  *out = *time;
  return absl::OkStatus();
}

absl::Status OptionalInt(const FieldMap& fields, absl::string_view name, int* out) {
  const std::string* value = Find(fields, name);
  if (value == nullptr || value->empty()) return absl::OkStatus();
  if (!absl::SimpleAtoi(*value, out)) return Malformed(name, *value);
  return absl::OkStatus();
}

std::string Bool(bool value) { return value ? "1" : "0"; }

absl::Status OptionalBool(const FieldMap& fields, absl::string_view name, bool* out) {
  const std::string* value = Find(fields, name);
  if (value == nullptr || value->empty()) return absl::OkStatus();
  if (*value != "0" && *value != "1") return Malformed(name, *value);
  *out = *value == "1";
  return absl::OkStatus();
}

// "payload" followed by its chunks p1, p2, ... (EncodeContact). A chunk field after a gap
// means a part of the payload is missing: DataLoss rather than a truncated payload.
absl::Status DecodePayload(const FieldMap& fields, std::string* out) {
  const std::string* first = Find(fields, "payload");
  if (first == nullptr) return absl::OkStatus();
  *out = *first;
  size_t chunks = 1;
  while (const std::string* v = Find(fields, absl::StrCat("p", chunks))) {
    out->append(*v);
    ++chunks;
  }
  for (const auto& [name, value] : fields) {
    size_t index = 0;
    if (name.size() > 1 && name[0] == 'p' && absl::SimpleAtoi(name.substr(1), &index) &&
        index >= chunks) {
      return Malformed(name, "<after a missing payload chunk>");
    }
  }
  return absl::OkStatus();
}

// Appends the routing fields (EncodeRoutingFields); with `skip_defaults`, only those whose value
// differs from core::Contact's default (enqueued_at's default being created_at), which
// DecodeContact restores for a missing field.
void AppendRoutingFields(const core::Contact& c, bool skip_defaults, FieldList* fields) {
  const core::Contact defaults;
  auto add = [&](const char* name, auto&& value, bool is_default) {
    if (!skip_defaults || !is_default) {
      fields->emplace_back(name, std::forward<decltype(value)>(value));
    }
  };
  add("queue", c.queue, false);
  add("priority", absl::StrCat(c.priority), false);
  add("enqueued_at", EncodeTime(c.enqueued_at), c.enqueued_at == c.created_at);
  add("callback", Bool(c.callback), c.callback == defaults.callback);
  add("escalation", absl::StrCat(c.escalation_level),
      c.escalation_level == defaults.escalation_level);
  add("min_proficiency", absl::StrCat(c.min_proficiency),
      c.min_proficiency == defaults.min_proficiency);
  add("overflow", absl::StrJoin(c.overflow_queues, ","), c.overflow_queues.empty());
  add("required_skills",
      absl::StrJoin(c.required_skills, ",",
                    [](std::string* out, const core::SkillRequirement& r) {
                      absl::StrAppend(out, r.skill, ":", r.min_proficiency);
                    }),
      c.required_skills.empty());
  add("reserved_for", c.reserved_for, c.reserved_for.empty());
  add("reserved_until", EncodeTime(c.reserved_until), c.reserved_until == defaults.reserved_until);
}

}  // namespace

std::string EncodeTime(absl::Time time) {
  if (time == absl::InfiniteFuture()) return "inf";
  if (time == absl::InfinitePast()) return "-inf";
  return absl::StrCat(absl::ToUnixMicros(time));
}

std::optional<absl::Time> DecodeTime(absl::string_view text) {
  if (text == "inf" || text == "+inf") return absl::InfiniteFuture();
  if (text == "-inf") return absl::InfinitePast();
  int64_t micros = 0;
  if (text.empty() || !absl::SimpleAtoi(text, &micros)) return std::nullopt;
  return absl::FromUnixMicros(micros);
}

std::optional<core::ContactState> ParseContactState(absl::string_view name) {
  for (core::ContactState state : kAllStates) {
    if (core::ContactStateName(state) == name) return state;
  }
  return std::nullopt;
}

bool IsLive(core::ContactState state) {
  return state == core::ContactState::kQueued || state == core::ContactState::kOffered ||
         state == core::ContactState::kConnected;
}

absl::string_view DigidLevelName(core::DigidLevel level) {
  switch (level) {
    case core::DigidLevel::kNone:
      return "none";
    case core::DigidLevel::kBasis:
      return "basis";
    case core::DigidLevel::kMidden:
      return "midden";
    case core::DigidLevel::kSubstantieel:
      return "substantieel";
    case core::DigidLevel::kHoog:
      return "hoog";
  }
  return "unknown";
}

std::optional<core::DigidLevel> ParseDigidLevel(absl::string_view name) {
  for (core::DigidLevel level : kAllDigidLevels) {
    if (DigidLevelName(level) == name) return level;
  }
  return std::nullopt;
}

FieldList EncodeRoutingFields(const core::Contact& c) {
  FieldList fields;
  fields.reserve(10);
  AppendRoutingFields(c, /*skip_defaults=*/false, &fields);
  return fields;
}

FieldList EncodeContact(const core::Contact& c) {
  // The required fields, always. Not the id: it is in the key's name.
  FieldList fields = {
      {"channel", std::string(core::ChannelName(c.channel))},
      {"created_at", EncodeTime(c.created_at)},
      {"state", std::string(core::ContactStateName(c.state))},
  };
  // The rest only when it differs from core::Contact's default, which DecodeContact restores
  // for a missing field: most of them are default for a new contact, and fewer fields are
  // less memory and less work for the create script.
  const core::Contact defaults;
  auto add = [&](const char* name, std::string value, bool is_default) {
    if (!is_default) fields.emplace_back(name, std::move(value));
  };
  add("topic", c.topic, c.topic.empty());
  add("party", c.party_pseudonym, c.party_pseudonym.empty());
  add("handler", c.handler_id, c.handler_id.empty());
  add("offer_deadline", EncodeTime(c.offer_deadline), c.offer_deadline == defaults.offer_deadline);
  add("declined", absl::StrJoin(c.declined_by, ","), c.declined_by.empty());
  // In chunks, so that every value fits a listpack entry (see kPayloadChunk).
  const absl::string_view payload = c.payload.str();
  const size_t chunk_size =
      payload.size() <= kPayloadChunk * kMaxPayloadChunks ? kPayloadChunk : payload.size();
  for (size_t offset = 0, chunk = 0; offset < payload.size(); offset += chunk_size, ++chunk) {
    fields.emplace_back(chunk == 0 ? std::string("payload") : absl::StrCat("p", chunk),
                        std::string(payload.substr(offset, chunk_size)));
  }
  add("domain", c.domain, c.domain.empty());
  add("needs", absl::StrCat(c.needs), c.needs == defaults.needs);
  add("digid", std::string(DigidLevelName(c.digid)), c.digid == defaults.digid);
  add("language", c.language, c.language.empty());
  add("wants_person", Bool(c.wants_person), c.wants_person == defaults.wants_person);
  add("case_ref", c.case_reference, c.case_reference.empty());
  add("confidential", Bool(c.confidential), c.confidential == defaults.confidential);
  AppendRoutingFields(c, /*skip_defaults=*/true, &fields);
  return fields;
}

absl::StatusOr<core::Contact> DecodeContact(absl::string_view id, const FieldMap& fields) {
  core::Contact c;
  if (id.empty()) return Malformed("id", "<empty>");
  // Hashes written before the id was left out hold it too: it must be the key's.
  if (const std::string* stored = Find(fields, "id"); stored != nullptr && *stored != id) {
    return Malformed("id", *stored);
  }
  c.id = std::string(id);

  const std::string* channel = Find(fields, "channel");
  if (channel == nullptr) return Malformed("channel", "<missing>");
  std::optional<core::Channel> parsed_channel = core::ParseChannel(*channel);
  if (!parsed_channel) return Malformed("channel", *channel);
  c.channel = *parsed_channel;

  const std::string* queue = Find(fields, "queue");
  if (queue == nullptr) return Malformed("queue", "<missing>");
  c.queue = *queue;

  const std::string* priority = Find(fields, "priority");
  if (priority == nullptr || !absl::SimpleAtoi(*priority, &c.priority)) {
    return Malformed("priority", priority == nullptr ? "<missing>" : *priority);
  }

  const std::string* state = Find(fields, "state");
  if (state == nullptr) return Malformed("state", "<missing>");
  std::optional<core::ContactState> parsed_state = ParseContactState(*state);
  if (!parsed_state) return Malformed("state", *state);
  c.state = *parsed_state;

  absl::StatusOr<absl::Time> created_at = RequiredTime(fields, "created_at");
  if (!created_at.ok()) return created_at.status();
  c.created_at = *created_at;
  // Left out when the contact was enqueued as it was created (EncodeContact).
  c.enqueued_at = c.created_at;
  WISSEL_RETURN_IF_ERROR(OptionalTime(fields, "enqueued_at", &c.enqueued_at));

  WISSEL_RETURN_IF_ERROR(OptionalTime(fields, "offer_deadline", &c.offer_deadline));
  if (const std::string* v = Find(fields, "topic")) c.topic = *v;
  if (const std::string* v = Find(fields, "idem")) c.idempotency_key = *v;
  if (const std::string* v = Find(fields, "party")) c.party_pseudonym = *v;
  if (const std::string* v = Find(fields, "handler")) c.handler_id = *v;
  if (const std::string* v = Find(fields, "declined")) {
    c.declined_by = absl::StrSplit(*v, ',', absl::SkipEmpty());
  }
  std::string payload;
  WISSEL_RETURN_IF_ERROR(DecodePayload(fields, &payload));
  c.payload = std::move(payload);

  // Fields added later: optional, with core::Contact's defaults.
  if (const std::string* v = Find(fields, "domain")) c.domain = *v;
  if (const std::string* v = Find(fields, "needs"); v != nullptr && !v->empty()) {
    if (!absl::SimpleAtoi(*v, &c.needs)) return Malformed("needs", *v);
  }
  if (const std::string* v = Find(fields, "digid"); v != nullptr && !v->empty()) {
    std::optional<core::DigidLevel> level = ParseDigidLevel(*v);
    if (!level) return Malformed("digid", *v);
    c.digid = *level;
  }
  if (const std::string* v = Find(fields, "language")) c.language = *v;
  WISSEL_RETURN_IF_ERROR(OptionalBool(fields, "wants_person", &c.wants_person));
  if (const std::string* v = Find(fields, "case_ref")) c.case_reference = *v;
  WISSEL_RETURN_IF_ERROR(OptionalBool(fields, "confidential", &c.confidential));
  WISSEL_RETURN_IF_ERROR(OptionalBool(fields, "callback", &c.callback));
  WISSEL_RETURN_IF_ERROR(OptionalInt(fields, "escalation", &c.escalation_level));
  WISSEL_RETURN_IF_ERROR(OptionalInt(fields, "min_proficiency", &c.min_proficiency));
  if (const std::string* v = Find(fields, "overflow")) {
    c.overflow_queues = absl::StrSplit(*v, ',', absl::SkipEmpty());
  }
  if (const std::string* v = Find(fields, "required_skills")) {
    for (absl::string_view item : absl::StrSplit(*v, ',', absl::SkipEmpty())) {
      const size_t colon = item.rfind(':');
      core::SkillRequirement r;
      if (colon == absl::string_view::npos || colon == 0 ||
          !absl::SimpleAtoi(item.substr(colon + 1), &r.min_proficiency)) {
        return Malformed("required_skills", *v);
      }
      r.skill = std::string(item.substr(0, colon));
      c.required_skills.push_back(std::move(r));
    }
  }
  if (const std::string* v = Find(fields, "reserved_for")) c.reserved_for = *v;
  WISSEL_RETURN_IF_ERROR(OptionalTime(fields, "reserved_until", &c.reserved_until));
  return c;
}

std::string EncodeFirstHistoryEntry(const core::Contact& contact, const HistoryEntry& entry) {
  if (entry.time == contact.created_at && entry.handler_id.empty() &&
      entry.reason == kCreatedReason) {
    return std::string(core::ContactStateName(entry.state));
  }
  return EncodeHistoryEntry(entry);
}

absl::StatusOr<HistoryEntry> DecodeFirstHistoryEntry(const core::Contact& contact,
                                                     absl::string_view text) {
  if (absl::StrContains(text, '|')) return DecodeHistoryEntry(text);
  std::optional<core::ContactState> state = ParseContactState(text);
  if (!state) {
    return absl::DataLossError(absl::StrCat("stored history entry: bad state: '", text, "'"));
  }
  return HistoryEntry{contact.created_at, *state, "", std::string(kCreatedReason)};
}

std::string EncodeHistoryEntry(const HistoryEntry& entry) {
  return absl::StrCat(EncodeTime(entry.time), "|", core::ContactStateName(entry.state), "|",
                      entry.handler_id, "|", entry.reason);
}

absl::StatusOr<HistoryEntry> DecodeHistoryEntry(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, absl::MaxSplits('|', 3));
  if (parts.size() != 4) {
    return absl::DataLossError(absl::StrCat("stored history entry: malformed: '", text, "'"));
  }
  HistoryEntry entry;
  std::optional<absl::Time> time = DecodeTime(parts[0]);
  if (!time) {
    return absl::DataLossError(absl::StrCat("stored history entry: bad time: '", text, "'"));
  }
  entry.time = *time;
  std::optional<core::ContactState> state = ParseContactState(parts[1]);
  if (!state) {
    return absl::DataLossError(absl::StrCat("stored history entry: bad state: '", text, "'"));
  }
  entry.state = *state;
  entry.handler_id = std::string(parts[2]);
  entry.reason = std::string(parts[3]);
  return entry;
}

}  // namespace wissel::state
