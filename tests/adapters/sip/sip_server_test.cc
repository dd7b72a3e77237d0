// SipServer over real loopback sockets with a fake router: UDP and TCP framing, keep-alives,
// a slow router not blocking the socket, overload answered 503, and the health endpoint.
#include "adapters/sip/sip_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "adapters/common/http_server.h"
#include "adapters/sip/health_routes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/sip/scripted_router_client.h"
#include "tests/adapters/sip/sip_test_util.h"

namespace wissel::adapters::sip::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

class UdpPeer {
 public:
  UdpPeer() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr = Loopback(0);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  }
  ~UdpPeer() { close(fd_); }
  void Send(int port, const std::string& bytes) {
    sockaddr_in to = Loopback(port);
    sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  }
  // The next datagram, or "" after `timeout`.
  std::string Receive(absl::Duration timeout = absl::Seconds(5)) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) <= 0) return "";
    char buffer[65536];
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
  }

 private:
  int fd_;
};

class TcpPeer {
 public:
  explicit TcpPeer(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = Loopback(port);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~TcpPeer() { close(fd_); }
  bool connected() const { return connected_; }
  void Send(const std::string& bytes) {
    ASSERT_EQ(send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // Reads until `count` complete responses (each ends with an empty line; no bodies) arrived
  // or `timeout` passes.
  std::vector<std::string> Receive(size_t count, absl::Duration timeout = absl::Seconds(5)) {
    const absl::Time give_up = absl::Now() + timeout;
    while (absl::Now() < give_up) {
      std::vector<std::string> messages = Split();
      if (messages.size() >= count) return messages;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buffer[65536];
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      buffer_.append(buffer, static_cast<size_t>(n));
    }
    return Split();
  }
  std::string raw() const { return buffer_; }

 private:
  std::vector<std::string> Split() const {
    std::vector<std::string> out;
    for (absl::string_view part : absl::StrSplit(buffer_, "\r\n\r\n", absl::SkipEmpty())) {
      if (part.find("SIP/2.0") != absl::string_view::npos) {
        out.push_back(absl::StrCat(part, "\r\n\r\n"));
      }
    }
    return out;
  }
  int fd_;
  bool connected_ = false;
  std::string buffer_;
};

class SipServerTest : public ::testing::Test {
 protected:
  void Start(SipServerOptions options = {}) {
    options.udp_listen = "127.0.0.1:0";
    options.tcp_listen = "127.0.0.1:0";
    redirector_ = std::make_unique<SipRedirector>(TestConfig(), &client_);
    server_ = std::make_unique<SipServer>(redirector_.get(), options);
    absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  ScriptedRouterClient client_;
  std::unique_ptr<SipRedirector> redirector_;
  std::unique_ptr<SipServer> server_;
};

TEST_F(SipServerTest, UdpAndTcpShareOneFreePort) {
  Start();
  EXPECT_GT(server_->udp_port(), 0);
  EXPECT_EQ(server_->udp_port(), server_->tcp_port());
}

TEST_F(SipServerTest, UdpInviteIsRedirected) {
  Start();
  UdpPeer peer;
  peer.Send(server_->udp_port(), Invite("udp-1@test"));
  EXPECT_EQ(Response(peer.Receive()).status(), 100);
  const Response redirect(peer.Receive());
  EXPECT_EQ(redirect.status(), 302);
  EXPECT_EQ(redirect.contact(), "sip:wacht-burgerzaken@pbx.test");
  peer.Send(server_->udp_port(), WithMethod("ACK", "udp-1@test"));
  peer.Send(server_->udp_port(), "\r\n\r\n");  // keep-alive: no answer
  peer.Send(server_->udp_port(), WithMethod("OPTIONS", "udp-2@test"));
  EXPECT_EQ(Response(peer.Receive()).status(), 200);
}

TEST_F(SipServerTest, TcpFramesSeveralMessagesPerSegmentAndSplitMessages) {
  Start();
  TcpPeer peer(server_->tcp_port());
  ASSERT_TRUE(peer.connected());
  peer.Send(WithMethod("OPTIONS", "tcp-1@test") + WithMethod("OPTIONS", "tcp-2@test"));
  const std::string invite = Invite("tcp-3@test");
  peer.Send(invite.substr(0, 40));
  absl::SleepFor(absl::Milliseconds(50));
  peer.Send(invite.substr(40));
  const std::vector<std::string> responses = peer.Receive(4);
  std::vector<int> codes;
  for (const std::string& r : responses) codes.push_back(Response(r).status());
  EXPECT_THAT(codes, UnorderedElementsAre(200, 200, 100, 302));
}

TEST_F(SipServerTest, TcpKeepAlivePingGetsAPong) {
  Start();
  TcpPeer peer(server_->tcp_port());
  ASSERT_TRUE(peer.connected());
  peer.Send("\r\n\r\n");
  peer.Send(WithMethod("OPTIONS", "tcp-ka@test"));
  ASSERT_EQ(peer.Receive(1).size(), 1u);
  EXPECT_EQ(peer.raw().substr(0, 2), "\r\n");
}

TEST_F(SipServerTest, TcpConnectionWithAnUnframeableMessageIsClosed) {
  Start();
  TcpPeer peer(server_->tcp_port());
  ASSERT_TRUE(peer.connected());
  peer.Send("INVITE sip:x@y SIP/2.0\r\nContent-Length: lots\r\n\r\n");
  EXPECT_TRUE(peer.Receive(1, absl::Seconds(2)).empty());
  // The server is still fine.
  UdpPeer udp;
  udp.Send(server_->udp_port(), WithMethod("OPTIONS", "after@test"));
  EXPECT_EQ(Response(udp.Receive()).status(), 200);
}

TEST_F(SipServerTest, SlowRouterDoesNotBlockTheSocket) {
  Start();
  absl::Notification entered, release;
  client_.BlockNextRoute(&entered, &release);
  UdpPeer peer;
  peer.Send(server_->udp_port(), Invite("slow@test"));
  EXPECT_EQ(Response(peer.Receive()).status(), 100);
  entered.WaitForNotification();
  peer.Send(server_->udp_port(), WithMethod("OPTIONS", "fast@test"));
  EXPECT_EQ(Response(peer.Receive()).status(), 200);
  release.Notify();
  EXPECT_EQ(Response(peer.Receive()).status(), 302);
}

TEST_F(SipServerTest, FullWorkerQueueIsAnswered503) {
  Start({.workers = 1, .queue_capacity = 1});
  absl::Notification entered, release;
  client_.BlockNextRoute(&entered, &release);
  UdpPeer peer;
  peer.Send(server_->udp_port(), Invite("busy-1@test"));
  EXPECT_EQ(Response(peer.Receive()).status(), 100);
  entered.WaitForNotification();                          // the only worker is busy
  peer.Send(server_->udp_port(), Invite("busy-2@test"));  // queued
  peer.Send(server_->udp_port(), Invite("busy-3@test"));  // refused
  const Response refused(peer.Receive());
  EXPECT_EQ(refused.status(), 503);
  EXPECT_EQ(refused.call_id(), "busy-3@test");
  EXPECT_EQ(refused.header("Retry-After"), "5");
  release.Notify();
  std::vector<int> rest;
  for (int i = 0; i < 3; ++i) rest.push_back(Response(peer.Receive()).status());
  EXPECT_THAT(rest, UnorderedElementsAre(302, 100, 302));
}

TEST_F(SipServerTest, DrainAnswersNewCallsWith503AndWaitsForCallsInProgress) {
  Start();
  absl::Notification entered, release;
  client_.BlockNextRoute(&entered, &release);
  UdpPeer peer;
  peer.Send(server_->udp_port(), Invite("inflight@test"));
  EXPECT_EQ(Response(peer.Receive()).status(), 100);
  entered.WaitForNotification();
  EXPECT_FALSE(server_->Drain(absl::Milliseconds(100)));
  peer.Send(server_->udp_port(), Invite("new@test"));
  EXPECT_EQ(Response(peer.Receive()).status(), 503);
  release.Notify();
  EXPECT_TRUE(server_->Drain(absl::Seconds(5)));
  EXPECT_EQ(Response(peer.Receive()).status(), 302);
}

TEST_F(SipServerTest, BadListenAddressesAreErrors) {
  redirector_ = std::make_unique<SipRedirector>(TestConfig(), &client_);
  SipServer a(redirector_.get(), {.udp_listen = "nonsense", .tcp_listen = ""});
  EXPECT_EQ(a.Start().code(), absl::StatusCode::kInvalidArgument);
  SipServer b(redirector_.get(), {.udp_listen = "127.0.0.1:99999", .tcp_listen = ""});
  EXPECT_EQ(b.Start().code(), absl::StatusCode::kInvalidArgument);
  SipServer c(redirector_.get(), {.udp_listen = "", .tcp_listen = ""});
  EXPECT_FALSE(c.Start().ok());
}

TEST_F(SipServerTest, HealthFollowsTheRouterAndDraining) {
  Start();
  HttpServer health(HttpServerOptions{.threads = 4, .max_streams = 0});
  AddHealthRoutes(&health, &client_, redirector_.get());
  ASSERT_TRUE(health.Start().ok());
  httplib::Client http("127.0.0.1", health.port());
  http.set_read_timeout(5, 0);
  auto ok = http.Get("/healthz");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, R"({"status":"ok","router":"SERVING"})");
  client_.SetHealthy(false);
  auto down = http.Get("/healthz");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503);
  client_.SetHealthy(true);
  redirector_->SetDraining(true);
  auto draining = http.Get("/healthz");
  ASSERT_TRUE(draining);
  EXPECT_EQ(draining->status, 503);
  // The metrics are served on the authenticated metrics endpoint, never on this listener.
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 404);
  EXPECT_EQ(http.Get("/nope")->status, 404);
  health.Shutdown();
}

}  // namespace
}  // namespace wissel::adapters::sip::testing
