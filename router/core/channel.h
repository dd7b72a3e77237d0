// The channels a contact can arrive on, and per-channel arrays.
//
// The core works with its own enum (not the proto's) so that it has no dependency on the API;
// the service layer translates at the edge.
#pragma once

#include <array>
#include <cstddef>
#include <optional>

#include "absl/strings/string_view.h"

namespace wissel::core {

enum class Channel { kPhone = 0, kChat = 1, kWebForm = 2, kBalie = 3, kEmail = 4 };
inline constexpr std::size_t kChannelCount = 5;
inline constexpr std::array<Channel, kChannelCount> kAllChannels = {
    Channel::kPhone, Channel::kChat, Channel::kWebForm, Channel::kBalie, Channel::kEmail};

// A value per channel, indexed by Channel.
template <typename T>
class PerChannel {
 public:
  PerChannel() : values_{} {}
  explicit PerChannel(T fill) { values_.fill(fill); }
  T& operator[](Channel c) { return values_[static_cast<std::size_t>(c)]; }
  const T& operator[](Channel c) const { return values_[static_cast<std::size_t>(c)]; }
  bool operator==(const PerChannel&) const = default;

 private:
  std::array<T, kChannelCount> values_;
};

// Stable lower-case names used in configuration files and Redis: "phone", "chat", "web_form",
// "balie", "email".
absl::string_view ChannelName(Channel channel);
std::optional<Channel> ParseChannel(absl::string_view name);

}  // namespace wissel::core
