// PeerFilter: the addresses wissel-sip takes requests from — `trusted_peers` in its
// configuration, the municipality's PBX — as a set of IPv4/IPv6 addresses and CIDR blocks
// matched against the source address of each request. Everything else is answered 403, and
// P-Asserted-Identity is believed only from these peers (sip_redirector.h).
//
// Addresses are held in IPv6 form: an IPv4 address a.b.c.d is the IPv4-mapped ::ffff:a.b.c.d
// and an IPv4 prefix /n is /96+n, so an IPv4 peer matches whether the kernel reports it as
// AF_INET or (on a dual-stack socket) as a v4-mapped AF_INET6 address. (So an IPv6 block that
// spans ::ffff:0:0/96, such as ::/0, contains every IPv4 address too.)
//
// Pure values; const methods are thread-safe.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wissel::adapters::sip {

class IpAddress {
 public:
  // ::, the unspecified address.
  IpAddress() = default;

  // An IPv4 ("10.1.2.3") or IPv6 ("2001:db8::1", "::ffff:10.1.2.3") address in numeric form,
  // nothing else (no host names, zone ids, brackets or whitespace). InvalidArgument otherwise.
  static absl::StatusOr<IpAddress> Parse(absl::string_view text);
  // The address of a socket address of family AF_INET or AF_INET6; nullopt for any other
  // family or a too short `length`.
  static std::optional<IpAddress> FromSockaddr(const sockaddr* address, socklen_t length);
  // From the 16 bytes of the IPv6 form (network order).
  static IpAddress FromBytes(const std::array<uint8_t, 16>& bytes);

  // True for an IPv4 address (including one that arrived IPv4-mapped).
  bool is_v4() const;
  // 127.0.0.0/8 or ::1.
  bool IsLoopback() const;
  // "10.1.2.3" for IPv4, the RFC 5952 form for IPv6.
  std::string ToString() const;

  // The 16 bytes of the IPv6 form, network order.
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  friend bool operator==(const IpAddress& a, const IpAddress& b) { return a.bytes_ == b.bytes_; }

 private:
  std::array<uint8_t, 16> bytes_{};
};

// One block of addresses: the first `prefix_length` bits (of the IPv6 form) of `network`.
struct Cidr {
  IpAddress network;
  int prefix_length = 128;  // of the IPv6 form: 96 + n for an IPv4 /n

  bool Contains(const IpAddress& address) const;
  // As it would be written: "10.0.0.0/8", "2001:db8::/32", "127.0.0.1/32".
  std::string ToString() const;
};

// "10.20.0.0/16", "2001:db8::/32", or a single address ("127.0.0.1" is /32, "::1" /128).
// Strict: the prefix is 0-32 (IPv4) or 0-128 (IPv6) in decimal digits, and the address must
// have no bits set after the prefix ("10.0.0.1/8" is refused, naming 10.0.0.0/8), so a typo
// cannot silently widen or narrow the block. InvalidArgument with the reason otherwise.
absl::StatusOr<Cidr> ParseCidr(absl::string_view text);

class PeerFilter {
 public:
  // Matches nothing.
  PeerFilter() = default;
  explicit PeerFilter(std::vector<Cidr> blocks) : blocks_(std::move(blocks)) {}

  void Add(const Cidr& block) { blocks_.push_back(block); }
  // True when a block contains `address`. Linear in the number of blocks (a PBX list is short).
  bool Contains(const IpAddress& address) const;
  bool empty() const { return blocks_.empty(); }
  const std::vector<Cidr>& blocks() const { return blocks_; }

 private:
  std::vector<Cidr> blocks_;
};

}  // namespace wissel::adapters::sip
