#include "router/state/handler_codec.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace wissel::state {
namespace {

constexpr core::HoldState kAllHoldStates[] = {
    core::HoldState::kOffered, core::HoldState::kConnected, core::HoldState::kWrapUp};
constexpr core::Presence kAllPresences[] = {core::Presence::kAvailable, core::Presence::kBusy,
                                            core::Presence::kAway, core::Presence::kOffline};

absl::Status Malformed(absl::string_view field, absl::string_view value) {
  return absl::DataLossError(
      absl::StrCat("stored handler: malformed field '", field, "': '", value, "'"));
}

const std::string* Find(const FieldMap& fields, absl::string_view name) {
  auto it = fields.find(name);
  return it == fields.end() ? nullptr : &it->second;
}

}  // namespace

absl::string_view HoldStateName(core::HoldState state) {
  switch (state) {
    case core::HoldState::kOffered:
      return "offered";
    case core::HoldState::kConnected:
      return "connected";
    case core::HoldState::kWrapUp:
      return "wrap_up";
  }
  return "unknown";
}

std::optional<core::HoldState> ParseHoldState(absl::string_view name) {
  for (core::HoldState state : kAllHoldStates) {
    if (HoldStateName(state) == name) return state;
  }
  return std::nullopt;
}

std::optional<core::Presence> ParsePresence(absl::string_view name) {
  for (core::Presence presence : kAllPresences) {
    if (core::PresenceName(presence) == name) return presence;
  }
  return std::nullopt;
}

std::string EncodeCapacity(const core::PerChannel<int>& capacity) {
  std::vector<int> values;
  values.reserve(core::kChannelCount);
  for (core::Channel c : core::kAllChannels) values.push_back(capacity[c]);
  return absl::StrJoin(values, ",");
}

std::optional<core::PerChannel<int>> DecodeCapacity(absl::string_view text) {
  core::PerChannel<int> capacity(0);
  if (text.empty()) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(text, ',');
  if (parts.size() > core::kChannelCount) return std::nullopt;
  for (size_t i = 0; i < parts.size(); ++i) {
    int value = 0;
    if (!absl::SimpleAtoi(parts[i], &value)) return std::nullopt;
    capacity[core::kAllChannels[i]] = value;
  }
  return capacity;
}

FieldList EncodeHandler(const core::Handler& h) {
  return {
      {"id", h.id},
      {"name", h.display_name},
      {"address", h.address},
      {"skills", absl::StrJoin(h.skills, ",")},
      {"teams", absl::StrJoin(h.teams, ",")},
      {"capacity", EncodeCapacity(h.capacity)},
      {"presence", std::string(core::PresenceName(h.presence))},
      {"last_offer_at", EncodeTime(h.last_offer_at)},
  };
}

absl::StatusOr<core::Handler> DecodeHandler(const FieldMap& fields) {
  core::Handler h;
  const std::string* id = Find(fields, "id");
  if (id == nullptr || id->empty()) return Malformed("id", "<missing>");
  h.id = *id;

  const std::string* capacity = Find(fields, "capacity");
  if (capacity == nullptr) return Malformed("capacity", "<missing>");
  std::optional<core::PerChannel<int>> parsed_capacity = DecodeCapacity(*capacity);
  if (!parsed_capacity) return Malformed("capacity", *capacity);
  h.capacity = *parsed_capacity;

  const std::string* presence = Find(fields, "presence");
  if (presence == nullptr) return Malformed("presence", "<missing>");
  std::optional<core::Presence> parsed_presence = ParsePresence(*presence);
  if (!parsed_presence) return Malformed("presence", *presence);
  h.presence = *parsed_presence;

  if (const std::string* v = Find(fields, "last_offer_at"); v != nullptr && !v->empty()) {
    std::optional<absl::Time> time = DecodeTime(*v);
    if (!time) return Malformed("last_offer_at", *v);
    h.last_offer_at = *time;
  }
  if (const std::string* v = Find(fields, "name")) h.display_name = *v;
  if (const std::string* v = Find(fields, "address")) h.address = *v;
  if (const std::string* v = Find(fields, "skills")) {
    h.skills = absl::StrSplit(*v, ',', absl::SkipEmpty());
  }
  if (const std::string* v = Find(fields, "teams")) {
    h.teams = absl::StrSplit(*v, ',', absl::SkipEmpty());
  }
  return h;
}

std::string EncodeHeld(const core::HeldContact& held) {
  return absl::StrCat(core::ChannelName(held.channel), "|", HoldStateName(held.state), "|",
                      EncodeTime(held.wrap_up_deadline));
}

absl::StatusOr<core::HeldContact> DecodeHeld(absl::string_view contact_id,
                                             absl::string_view value) {
  std::vector<absl::string_view> parts = absl::StrSplit(value, '|');
  auto malformed = [&] {
    return absl::DataLossError(
        absl::StrCat("stored held contact '", contact_id, "': malformed: '", value, "'"));
  };
  if (contact_id.empty() || parts.size() != 3) return malformed();
  std::optional<core::Channel> channel = core::ParseChannel(parts[0]);
  std::optional<core::HoldState> state = ParseHoldState(parts[1]);
  std::optional<absl::Time> deadline = DecodeTime(parts[2]);
  if (!channel || !state || !deadline) return malformed();
  core::HeldContact held;
  held.contact_id = std::string(contact_id);
  held.channel = *channel;
  held.state = *state;
  held.wrap_up_deadline = *deadline;
  return held;
}

}  // namespace wissel::state
