// PeerFilter, IpAddress and ParseCidr: IPv4, IPv6, IPv4-mapped IPv6, the edge prefixes /0,
// /32 and /128, and input that must be refused.
#include "adapters/sip/peer_filter.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::adapters::sip {
namespace {

using ::testing::HasSubstr;

IpAddress Ip(const std::string& text) {
  absl::StatusOr<IpAddress> address = IpAddress::Parse(text);
  EXPECT_TRUE(address.ok()) << text << ": " << address.status();
  return address.value_or(IpAddress());
}

Cidr Block(const std::string& text) {
  absl::StatusOr<Cidr> cidr = ParseCidr(text);
  EXPECT_TRUE(cidr.ok()) << text << ": " << cidr.status();
  return cidr.value_or(Cidr());
}

TEST(IpAddressTest, ParsesIpv4AndIpv6) {
  EXPECT_TRUE(Ip("10.1.2.3").is_v4());
  EXPECT_EQ(Ip("10.1.2.3").ToString(), "10.1.2.3");
  EXPECT_FALSE(Ip("2001:db8::1").is_v4());
  EXPECT_EQ(Ip("2001:DB8:0:0::1").ToString(), "2001:db8::1");
  // An IPv4-mapped IPv6 address is the IPv4 address.
  EXPECT_TRUE(Ip("::ffff:10.1.2.3").is_v4());
  EXPECT_EQ(Ip("::ffff:10.1.2.3"), Ip("10.1.2.3"));
  EXPECT_EQ(Ip("::ffff:10.1.2.3").ToString(), "10.1.2.3");
}

TEST(IpAddressTest, RefusesWhatIsNotANumericAddress) {
  for (const char* bad : {"", " 10.1.2.3", "10.1.2.3 ", "10.1.2", "10.1.2.3.4", "256.1.2.3",
                          "010.1.2.3", "pbx.example", "localhost", "[::1]", "fe80::1%eth0",
                          "2001:db8:::1", "10.1.2.3/8", "::1/128"}) {
    absl::StatusOr<IpAddress> address = IpAddress::Parse(bad);
    EXPECT_FALSE(address.ok()) << "'" << bad << "' parsed as " << address->ToString();
  }
}

TEST(IpAddressTest, Loopback) {
  EXPECT_TRUE(Ip("127.0.0.1").IsLoopback());
  EXPECT_TRUE(Ip("127.255.0.9").IsLoopback());
  EXPECT_TRUE(Ip("::1").IsLoopback());
  EXPECT_TRUE(Ip("::ffff:127.0.0.1").IsLoopback());
  EXPECT_FALSE(Ip("10.0.0.1").IsLoopback());
  EXPECT_FALSE(Ip("0.0.0.0").IsLoopback());
  EXPECT_FALSE(Ip("::").IsLoopback());
  EXPECT_FALSE(Ip("2001:db8::1").IsLoopback());
}

TEST(IpAddressTest, FromSockaddrBothFamilies) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  ASSERT_EQ(inet_pton(AF_INET, "192.0.2.7", &v4.sin_addr), 1);
  std::optional<IpAddress> a =
      IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&v4), sizeof(v4));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, Ip("192.0.2.7"));

  // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d.
  sockaddr_in6 mapped{};
  mapped.sin6_family = AF_INET6;
  ASSERT_EQ(inet_pton(AF_INET6, "::ffff:192.0.2.7", &mapped.sin6_addr), 1);
  std::optional<IpAddress> b =
      IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&mapped), sizeof(mapped));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*b, Ip("192.0.2.7"));
  EXPECT_TRUE(b->is_v4());

  EXPECT_FALSE(IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&v4), 4).has_value());
  sockaddr unix_family{};
  unix_family.sa_family = AF_UNIX;
  EXPECT_FALSE(IpAddress::FromSockaddr(&unix_family, sizeof(unix_family)).has_value());
  EXPECT_FALSE(IpAddress::FromSockaddr(nullptr, 0).has_value());
}

TEST(CidrTest, Ipv4Blocks) {
  const Cidr block = Block("10.20.0.0/16");
  EXPECT_EQ(block.ToString(), "10.20.0.0/16");
  EXPECT_TRUE(block.Contains(Ip("10.20.0.0")));
  EXPECT_TRUE(block.Contains(Ip("10.20.255.255")));
  EXPECT_TRUE(block.Contains(Ip("::ffff:10.20.3.4")));
  EXPECT_FALSE(block.Contains(Ip("10.21.0.0")));
  EXPECT_FALSE(block.Contains(Ip("10.19.255.255")));
  EXPECT_FALSE(block.Contains(Ip("::a14:1")));  // 10.20.0.1's bits, but not IPv4-mapped
  // A prefix that does not end on a byte.
  const Cidr odd = Block("192.0.2.128/25");
  EXPECT_TRUE(odd.Contains(Ip("192.0.2.200")));
  EXPECT_FALSE(odd.Contains(Ip("192.0.2.127")));
}

TEST(CidrTest, Ipv6Blocks) {
  const Cidr block = Block("2001:db8::/32");
  EXPECT_EQ(block.ToString(), "2001:db8::/32");
  EXPECT_TRUE(block.Contains(Ip("2001:db8::1")));
  EXPECT_TRUE(block.Contains(Ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(block.Contains(Ip("2001:db9::1")));
  EXPECT_FALSE(block.Contains(Ip("10.0.0.1")));
}

TEST(CidrTest, SingleAddressesAreFullPrefixes) {
  const Cidr v4 = Block("127.0.0.1");
  EXPECT_EQ(v4.ToString(), "127.0.0.1/32");
  EXPECT_TRUE(v4.Contains(Ip("127.0.0.1")));
  EXPECT_TRUE(v4.Contains(Ip("::ffff:127.0.0.1")));
  EXPECT_FALSE(v4.Contains(Ip("127.0.0.2")));
  EXPECT_EQ(Block("127.0.0.1/32").ToString(), "127.0.0.1/32");

  const Cidr v6 = Block("::1");
  EXPECT_EQ(v6.ToString(), "::1/128");
  EXPECT_TRUE(v6.Contains(Ip("::1")));
  EXPECT_FALSE(v6.Contains(Ip("::2")));
  EXPECT_FALSE(v6.Contains(Ip("127.0.0.1")));
  EXPECT_TRUE(Block("2001:db8::7/128").Contains(Ip("2001:db8::7")));
  EXPECT_FALSE(Block("2001:db8::7/128").Contains(Ip("2001:db8::6")));
}

TEST(CidrTest, ZeroPrefixes) {
  const Cidr all_v4 = Block("0.0.0.0/0");
  EXPECT_EQ(all_v4.ToString(), "0.0.0.0/0");
  EXPECT_TRUE(all_v4.Contains(Ip("10.0.0.1")));
  EXPECT_TRUE(all_v4.Contains(Ip("255.255.255.255")));
  EXPECT_FALSE(all_v4.Contains(Ip("2001:db8::1")));  // every IPv4 address, no IPv6 one

  const Cidr all = Block("::/0");
  EXPECT_TRUE(all.Contains(Ip("2001:db8::1")));
  EXPECT_TRUE(all.Contains(Ip("10.0.0.1")));  // ::ffff:10.0.0.1 is in ::/0
}

TEST(CidrTest, Ipv4MappedBlocksCountIpv6Bits) {
  const Cidr block = Block("::ffff:10.0.0.0/104");  // 10.0.0.0/8
  EXPECT_EQ(block.ToString(), "10.0.0.0/8");
  EXPECT_TRUE(block.Contains(Ip("10.200.1.1")));
  EXPECT_FALSE(block.Contains(Ip("11.0.0.1")));
}

TEST(CidrTest, RefusesBadInputWithTheReason) {
  struct Case {
    const char* text;
    const char* reason;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"10.0.0.0/33", "the prefix length must be 0 to 32 for an IPv4 address"},
           {"2001:db8::/129", "the prefix length must be 0 to 128 for an IPv6 address"},
           {"10.0.0.0/", "the prefix length must be"},
           {"10.0.0.0/-1", "the prefix length must be"},
           {"10.0.0.0/+8", "the prefix length must be"},
           {"10.0.0.0/8/8", "the prefix length must be"},
           {"10.0.0.0/ 8", "the prefix length must be"},
           {"10.0.0.0/0008", "the prefix length must be"},
           {"10.0.0.1/8", "has bits set after the prefix; did you mean 10.0.0.0/8?"},
           {"2001:db8::1/32", "did you mean 2001:db8::/32?"},
           {"pbx.example/32", "not an IPv4 or IPv6 address"},
           {"", "not an IPv4 or IPv6 address"},
           {"/8", "not an IPv4 or IPv6 address"},
       }) {
    absl::StatusOr<Cidr> cidr = ParseCidr(c.text);
    ASSERT_FALSE(cidr.ok()) << "'" << c.text << "' parsed as " << cidr->ToString();
    EXPECT_EQ(cidr.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(cidr.status().message()), HasSubstr(c.reason)) << c.text;
  }
}

TEST(PeerFilterTest, MatchesAnyBlockAndNothingWhenEmpty) {
  EXPECT_FALSE(PeerFilter().Contains(Ip("127.0.0.1")));
  PeerFilter filter({Block("10.20.0.0/16"), Block("2001:db8::/32"), Block("127.0.0.1")});
  EXPECT_FALSE(filter.empty());
  EXPECT_TRUE(filter.Contains(Ip("10.20.1.1")));
  EXPECT_TRUE(filter.Contains(Ip("2001:db8::5")));
  EXPECT_TRUE(filter.Contains(Ip("127.0.0.1")));
  EXPECT_TRUE(filter.Contains(Ip("::ffff:127.0.0.1")));
  EXPECT_FALSE(filter.Contains(Ip("127.0.0.2")));
  EXPECT_FALSE(filter.Contains(Ip("10.30.0.1")));
  EXPECT_FALSE(filter.Contains(Ip("::1")));
}

}  // namespace
}  // namespace wissel::adapters::sip
