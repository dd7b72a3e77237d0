// GrpcRoutingClient against an in-process gRPC server: the health check, calls with a
// deadline, and an unreachable router failing fast with Unavailable instead of hanging.
#include "adapters/sip/grpc_routing_client.h"

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::adapters::sip {
namespace {

// Answers RouteContact with a queued decision; CancelContact waits until released (to test
// the deadline).
class FakeRoutingService final : public v1::RoutingService::Service {
 public:
  grpc::Status RouteContact(grpc::ServerContext*, const v1::RouteContactRequest* request,
                            v1::RouteContactResponse* response) override {
    response->set_contact_id(absl::StrCat("c-", request->contact().idempotency_key()));
    response->mutable_decision()->set_outcome(v1::Decision::OUTCOME_QUEUED);
    return grpc::Status::OK;
  }
  grpc::Status CancelContact(grpc::ServerContext* context, const v1::CancelContactRequest*,
                             v1::ContactRecord*) override {
    while (!context->IsCancelled() && !release.HasBeenNotified()) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    return grpc::Status(grpc::StatusCode::CANCELLED, "gave up");
  }
  absl::Notification release;
};

class GrpcRoutingClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override {
    service_.release.Notify();
    server_->Shutdown();
  }
  GrpcRoutingClientOptions Options(int port) {
    GrpcRoutingClientOptions options;
    options.target = absl::StrCat("127.0.0.1:", port);
    options.deadline = absl::Milliseconds(300);
    return options;
  }

  FakeRoutingService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(GrpcRoutingClientTest, HealthFollowsTheServingStatus) {
  GrpcRoutingClient client(Options(port_));
  EXPECT_TRUE(client.CheckHealth().ok());
  server_->GetHealthCheckService()->SetServingStatus(false);
  EXPECT_EQ(client.CheckHealth().code(), absl::StatusCode::kUnavailable);
}

TEST_F(GrpcRoutingClientTest, RoutesAndMapsErrors) {
  GrpcRoutingClient client(Options(port_));
  v1::Contact contact;
  contact.set_idempotency_key("k1");
  absl::StatusOr<v1::RouteContactResponse> routed = client.RouteContact(contact);
  ASSERT_TRUE(routed.ok()) << routed.status();
  EXPECT_EQ(routed->contact_id(), "c-k1");
  // Not implemented by the fake service: UNIMPLEMENTED comes through as such.
  EXPECT_EQ(client.GetHandler("t", "h").status().code(), absl::StatusCode::kUnimplemented);
}

TEST_F(GrpcRoutingClientTest, SlowRouterHitsTheDeadline) {
  GrpcRoutingClient client(Options(port_));
  const absl::Time start = absl::Now();
  EXPECT_EQ(client.CancelContact("t", "c", "r").status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST(GrpcRoutingClientUnreachableTest, FailsFastWithUnavailable) {
  // A port nothing listens on: bind one, read it back, close it.
  int port = 0;
  {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port = ntohs(addr.sin_port);
    close(fd);
  }
  GrpcRoutingClientOptions options;
  options.target = absl::StrCat("127.0.0.1:", port);
  options.deadline = absl::Seconds(2);
  GrpcRoutingClient client(options);
  const absl::Time start = absl::Now();
  v1::Contact contact;
  contact.set_idempotency_key("k");
  const absl::StatusCode code = client.RouteContact(contact).status().code();
  EXPECT_TRUE(code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded)
      << code;
  EXPECT_EQ(client.CheckHealth().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

}  // namespace
}  // namespace wissel::adapters::sip
