#include "router/core/channel.h"

#include "gtest/gtest.h"

namespace wissel::core {
namespace {

TEST(ChannelTest, NamesRoundTrip) {
  for (Channel c : kAllChannels) {
    EXPECT_EQ(ParseChannel(ChannelName(c)), c) << ChannelName(c);
  }
  EXPECT_EQ(ParseChannel("fax"), std::nullopt);
  EXPECT_EQ(ParseChannel(""), std::nullopt);
}

TEST(ChannelTest, PerChannelIndexesIndependently) {
  PerChannel<int> v(7);
  v[Channel::kChat] = 3;
  EXPECT_EQ(v[Channel::kPhone], 7);
  EXPECT_EQ(v[Channel::kChat], 3);
  EXPECT_EQ(v[Channel::kEmail], 7);
}

}  // namespace
}  // namespace wissel::core
