#include "router/service/peer_forwarding.h"

#include <grpcpp/security/credentials.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::service {
namespace {

using ::testing::HasSubstr;

// A forwarded call carries the caller's bearer token: a router without TLS credentials for its
// peers must refuse, not fall back to plaintext.
TEST(PeerStubsTest, WithoutCredentialsNothingIsForwarded) {
  PeerStubs peers;
  absl::StatusOr<PeerStubs::Peer*> peer = peers.Get("router-2.wissel.svc:50051");
  ASSERT_FALSE(peer.ok());
  EXPECT_EQ(peer.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(peer.status().message(), HasSubstr("tls.peer_ca_file"));
  EXPECT_FALSE(peers.Get("127.0.0.1:50051").ok());
}

TEST(PeerStubsTest, PlaintextPeersOnlyOnLoopback) {
  PeerStubs peers;
  peers.SetLoopbackPlaintext();
  absl::StatusOr<PeerStubs::Peer*> remote = peers.Get("10.0.0.7:50051");
  ASSERT_FALSE(remote.ok());
  EXPECT_EQ(remote.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(remote.status().message(), HasSubstr("10.0.0.7:50051"));
  EXPECT_FALSE(peers.Get("0.0.0.0:50051").ok());

  absl::StatusOr<PeerStubs::Peer*> local = peers.Get("127.0.0.1:50051");
  ASSERT_TRUE(local.ok()) << local.status();
  ASSERT_NE((*local)->routing, nullptr);
  // One channel per address, kept.
  absl::StatusOr<PeerStubs::Peer*> again = peers.Get("127.0.0.1:50051");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *local);
}

TEST(PeerStubsTest, TlsCredentialsReachAnyAddress) {
  PeerStubs peers;
  peers.SetCredentials(grpc::SslCredentials(grpc::SslCredentialsOptions()));
  absl::StatusOr<PeerStubs::Peer*> remote = peers.Get("router-2.wissel.svc:50051");
  ASSERT_TRUE(remote.ok()) << remote.status();
  EXPECT_NE((*remote)->handlers, nullptr);
}

}  // namespace
}  // namespace wissel::service
