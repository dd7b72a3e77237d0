#include "adapters/sip/peer_filter.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wissel::adapters::sip {
namespace {

// ::ffff:0:0/96, the prefix of IPv4-mapped addresses.
constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr int kMappedBits = 96;

// The IPv6 form of an IPv4 address in network order.
std::array<uint8_t, 16> MapV4(const uint8_t* v4) {
  std::array<uint8_t, 16> out{};
  std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), out.begin());
  std::copy(v4, v4 + 4, out.begin() + 12);
  return out;
}

// True when the bits of `a` from `prefix_length` on are all zero.
bool HostBitsZero(const std::array<uint8_t, 16>& a, int prefix_length) {
  for (int bit = prefix_length; bit < 128; ++bit) {
    if ((a[bit / 8] >> (7 - bit % 8)) & 1) return false;
  }
  return true;
}

std::array<uint8_t, 16> ClearHostBits(std::array<uint8_t, 16> a, int prefix_length) {
  for (int bit = prefix_length; bit < 128; ++bit) {
    a[bit / 8] = static_cast<uint8_t>(a[bit / 8] & ~(1u << (7 - bit % 8)));
  }
  return a;
}

}  // namespace

absl::StatusOr<IpAddress> IpAddress::Parse(absl::string_view text) {
  // inet_pton wants a terminated string and is itself strict (no spaces, no zone ids, no
  // leading zeros in IPv4 octets on glibc).
  const std::string s(text);
  IpAddress address;
  if (s.find(':') == std::string::npos) {
    uint8_t v4[4];
    if (inet_pton(AF_INET, s.c_str(), v4) == 1) {
      address.bytes_ = MapV4(v4);
      return address;
    }
  } else if (inet_pton(AF_INET6, s.c_str(), address.bytes_.data()) == 1) {
    return address;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not an IPv4 or IPv6 address in numeric form"));
}

std::optional<IpAddress> IpAddress::FromSockaddr(const sockaddr* address, socklen_t length) {
  if (address == nullptr) return std::nullopt;
  IpAddress out;
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in v4;
    std::memcpy(&v4, address, sizeof(v4));
    out.bytes_ = MapV4(reinterpret_cast<const uint8_t*>(&v4.sin_addr.s_addr));
    return out;
  }
  if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 v6;
    std::memcpy(&v6, address, sizeof(v6));
    std::memcpy(out.bytes_.data(), v6.sin6_addr.s6_addr, 16);
    return out;
  }
  return std::nullopt;
}

IpAddress IpAddress::FromBytes(const std::array<uint8_t, 16>& bytes) {
  IpAddress out;
  out.bytes_ = bytes;
  return out;
}

bool IpAddress::is_v4() const {
  return std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes_.begin());
}

bool IpAddress::IsLoopback() const {
  if (is_v4()) return bytes_[12] == 127;
  static constexpr std::array<uint8_t, 16> kV6Loopback = {0, 0, 0, 0, 0, 0, 0, 0,
                                                          0, 0, 0, 0, 0, 0, 0, 1};
  return bytes_ == kV6Loopback;
}

std::string IpAddress::ToString() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (is_v4()) {
    inet_ntop(AF_INET, bytes_.data() + 12, buffer, sizeof(buffer));
  } else {
    inet_ntop(AF_INET6, bytes_.data(), buffer, sizeof(buffer));
  }
  return buffer;
}

bool Cidr::Contains(const IpAddress& address) const {
  const std::array<uint8_t, 16>& a = address.bytes();
  const std::array<uint8_t, 16>& n = network.bytes();
  const int whole = prefix_length / 8;
  if (!std::equal(n.begin(), n.begin() + whole, a.begin())) return false;
  const int rest = prefix_length % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (n[whole] & mask);
}

std::string Cidr::ToString() const {
  const bool v4 = network.is_v4() && prefix_length >= kMappedBits;
  return absl::StrCat(network.ToString(), "/", v4 ? prefix_length - kMappedBits : prefix_length);
}

absl::StatusOr<Cidr> ParseCidr(absl::string_view text) {
  const size_t slash = text.find('/');
  const absl::string_view address_text = text.substr(0, slash);
  absl::StatusOr<IpAddress> address = IpAddress::Parse(address_text);
  if (!address.ok()) return address.status();
  // Written as IPv4 (not as an IPv4-mapped IPv6 address): the prefix counts IPv4 bits.
  const bool v4 = address_text.find(':') == absl::string_view::npos;
  const int max_bits = v4 ? 32 : 128;
  int bits = max_bits;
  if (slash != absl::string_view::npos) {
    const absl::string_view prefix = text.substr(slash + 1);
    if (prefix.empty() || prefix.size() > 3 ||
        !std::all_of(prefix.begin(), prefix.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }) ||
        !absl::SimpleAtoi(prefix, &bits) || bits > max_bits) {
      return absl::InvalidArgumentError(absl::StrCat("'", text,
                                                     "': the prefix length must be 0 to ", max_bits,
                                                     " for an IPv", v4 ? "4" : "6", " address"));
    }
  }
  Cidr cidr;
  cidr.prefix_length = v4 ? kMappedBits + bits : bits;
  if (!HostBitsZero(address->bytes(), cidr.prefix_length)) {
    Cidr intended;
    intended.prefix_length = cidr.prefix_length;
    intended.network = IpAddress::FromBytes(ClearHostBits(address->bytes(), cidr.prefix_length));
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' has bits set after the prefix; did you mean ", intended.ToString(), "?"));
  }
  cidr.network = *address;
  return cidr;
}

bool PeerFilter::Contains(const IpAddress& address) const {
  return std::any_of(blocks_.begin(), blocks_.end(),
                     [&address](const Cidr& block) { return block.Contains(address); });
}

}  // namespace wissel::adapters::sip
