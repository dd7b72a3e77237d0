#include "router/core/channel.h"

namespace wissel::core {

absl::string_view ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kPhone:
      return "phone";
    case Channel::kChat:
      return "chat";
    case Channel::kWebForm:
      return "web_form";
    case Channel::kBalie:
      return "balie";
    case Channel::kEmail:
      return "email";
  }
  return "unknown";
}

std::optional<Channel> ParseChannel(absl::string_view name) {
  for (Channel c : kAllChannels) {
    if (ChannelName(c) == name) return c;
  }
  return std::nullopt;
}

}  // namespace wissel::core
