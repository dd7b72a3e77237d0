// How handlers and the contacts they hold are stored in Redis.
//
// A handler is the hash w:{T}:h:<id> with the fields
//   id, name, address, skills and teams (comma-joined), capacity (comma-joined integers, one per
//   channel in core::kAllChannels order), presence (core::PresenceName), last_offer_at (see
//   EncodeTime).
// The contacts it holds are the hash w:{T}:h:<id>:held, contact id -> "channel|hold|deadline"
// with channel = core::ChannelName, hold = HoldStateName and deadline = the wrap-up deadline
// (EncodeTime). The Lua scripts read and write the held values too (scripts.h): the channel
// comes first so that a script counts a handler's load on a channel by prefix.
//
// Decoding treats stored data as untrusted: malformed input is a DataLoss status, never a
// crash. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "router/core/channel.h"
#include "router/core/handler.h"
#include "router/state/contact_codec.h"

namespace wissel::state {

// "offered", "connected", "wrap_up".
absl::string_view HoldStateName(core::HoldState state);
std::optional<core::HoldState> ParseHoldState(absl::string_view name);
std::optional<core::Presence> ParsePresence(absl::string_view name);

// "1,0,0,2,0": one integer per channel in core::kAllChannels order.
std::string EncodeCapacity(const core::PerChannel<int>& capacity);
// Missing trailing channels count as 0 (a store written before a channel existed).
std::optional<core::PerChannel<int>> DecodeCapacity(absl::string_view text);

// The handler's fields, without `held` (the contact scripts maintain it).
FieldList EncodeHandler(const core::Handler& handler);
// `held` of the result is empty. DataLoss when id, capacity or presence is missing, or any field
// is malformed.
absl::StatusOr<core::Handler> DecodeHandler(const FieldMap& fields);

std::string EncodeHeld(const core::HeldContact& held);
absl::StatusOr<core::HeldContact> DecodeHeld(absl::string_view contact_id, absl::string_view value);

}  // namespace wissel::state
