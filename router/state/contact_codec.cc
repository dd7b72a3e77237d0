#include "router/state/contact_codec.h"

#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "router/core/channel.h"

namespace wissel::state {
namespace {

constexpr core::ContactState kAllStates[] = {
    core::ContactState::kQueued, core::ContactState::kOffered, core::ContactState::kConnected,
    core::ContactState::kCompleted, core::ContactState::kAbandoned};

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

FieldList EncodeContact(const core::Contact& c) {
  return {
      {"id", c.id},
      {"channel", std::string(core::ChannelName(c.channel))},
      {"topic", c.topic},
      {"queue", c.queue},
      {"priority", absl::StrCat(c.priority)},
      {"idem", c.idempotency_key},
      {"party", c.party_pseudonym},
      {"created_at", EncodeTime(c.created_at)},
      {"enqueued_at", EncodeTime(c.enqueued_at)},
      {"state", std::string(core::ContactStateName(c.state))},
      {"handler", c.handler_id},
      {"offer_deadline", EncodeTime(c.offer_deadline)},
      {"declined", absl::StrJoin(c.declined_by, ",")},
      {"payload", c.payload},
  };
}

absl::StatusOr<core::Contact> DecodeContact(const FieldMap& fields) {
  core::Contact c;
  const std::string* id = Find(fields, "id");
  if (id == nullptr || id->empty()) return Malformed("id", "<missing>");
  c.id = *id;

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
  absl::StatusOr<absl::Time> enqueued_at = RequiredTime(fields, "enqueued_at");
  if (!enqueued_at.ok()) return enqueued_at.status();
  c.enqueued_at = *enqueued_at;

  if (const std::string* v = Find(fields, "offer_deadline"); v != nullptr && !v->empty()) {
    std::optional<absl::Time> deadline = DecodeTime(*v);
    if (!deadline) return Malformed("offer_deadline", *v);
    c.offer_deadline = *deadline;
  }
  if (const std::string* v = Find(fields, "topic")) c.topic = *v;
  if (const std::string* v = Find(fields, "idem")) c.idempotency_key = *v;
  if (const std::string* v = Find(fields, "party")) c.party_pseudonym = *v;
  if (const std::string* v = Find(fields, "handler")) c.handler_id = *v;
  if (const std::string* v = Find(fields, "declined")) {
    c.declined_by = absl::StrSplit(*v, ',', absl::SkipEmpty());
  }
  if (const std::string* v = Find(fields, "payload")) c.payload = *v;
  return c;
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
