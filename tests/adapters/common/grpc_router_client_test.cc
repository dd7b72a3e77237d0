// GrpcRouterClient against an in-process gRPC server on a loopback port: field-naming errors
// from google.rpc.BadRequest details (in the message and as a structured payload), deadlines, a
// router that is down, health, HandlerService calls.
#include "adapters/common/grpc_router_client.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "adapters/common/bad_request.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "wissel/v1/routing_service.grpc.pb.h"

namespace wissel::adapters {
namespace {

grpc::Status FieldViolation(const std::string& field, const std::string& description) {
  google::rpc::BadRequest bad_request;
  auto* v = bad_request.add_field_violations();
  v->set_field(field);
  v->set_description(description);
  google::rpc::Status status;
  status.set_code(grpc::StatusCode::INVALID_ARGUMENT);
  status.set_message(absl::StrCat(field, ": ", description));
  status.add_details()->PackFrom(bad_request);
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, status.message(),
                      status.SerializeAsString());
}

// Answers by topic: "slow" sleeps past the deadline, "unknown" is the router's unknown-topic
// error, anything else is queued.
class FakeRoutingService final : public v1::RoutingService::Service {
 public:
  grpc::Status RouteContact(grpc::ServerContext*, const v1::RouteContactRequest* request,
                            v1::RouteContactResponse* response) override {
    if (request->contact().topic() == "slow") {
      absl::SleepFor(absl::Seconds(1));
      return grpc::Status::OK;
    }
    if (request->contact().topic() == "unknown") {
      return FieldViolation("contact.topic", "'unknown' is not in the catalogue");
    }
    response->set_contact_id("c-1");
    response->mutable_decision()->set_outcome(v1::Decision::OUTCOME_QUEUED);
    return grpc::Status::OK;
  }
  grpc::Status GetContact(grpc::ServerContext*, const v1::GetContactRequest*,
                          v1::ContactRecord*) override {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "contact_id: no such contact");
  }
  grpc::Status CompleteContact(grpc::ServerContext*, const v1::CompleteContactRequest*,
                               v1::ContactRecord*) override {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "not connected");
  }
};

class GrpcRouterClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    server_->GetHealthCheckService()->SetServingStatus(true);
    GrpcRouterClientOptions options;
    options.target = absl::StrCat("127.0.0.1:", port_);
    options.tls.plaintext = true;  // a plaintext fake router on loopback
    options.deadline = absl::Milliseconds(300);
    client_ = std::make_unique<GrpcRouterClient>(options);
  }
  void TearDown() override { server_->Shutdown(std::chrono::system_clock::now()); }

  v1::RouteContactRequest Route(const std::string& topic) {
    v1::RouteContactRequest request;
    request.mutable_contact()->set_tenant("gemeente-test");
    request.mutable_contact()->set_topic(topic);
    return request;
  }

  FakeRoutingService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::unique_ptr<GrpcRouterClient> client_;
};

TEST_F(GrpcRouterClientTest, Routes) {
  auto response = client_->RouteContact(Route("paspoort"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->contact_id(), "c-1");
}

TEST_F(GrpcRouterClientTest, InvalidArgumentNamesTheFieldFromDetails) {
  auto response = client_->RouteContact(Route("unknown"));
  // The code and message as before; the status now also carries the BadRequest (a payload).
  EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(response.status().message(), "contact.topic: 'unknown' is not in the catalogue");
  EXPECT_EQ(ViolatedField(response.status()), "contact.topic");
  const std::optional<google::rpc::BadRequest> bad_request = BadRequestOf(response.status());
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).description(), "'unknown' is not in the catalogue");
}

TEST_F(GrpcRouterClientTest, KeepsOtherCodes) {
  v1::GetContactRequest get;
  EXPECT_EQ(client_->GetContact(get).status().code(), absl::StatusCode::kNotFound);
  v1::CompleteContactRequest complete;
  EXPECT_EQ(client_->CompleteContact(complete).status().code(),
            absl::StatusCode::kFailedPrecondition);
  v1::CancelContactRequest cancel;  // not implemented by the fake
  EXPECT_EQ(client_->CancelContact(cancel).status().code(), absl::StatusCode::kUnimplemented);
  // HandlerService is not served by the test server: UNIMPLEMENTED comes through as such.
  v1::GetHandlerRequest handler;
  handler.set_tenant("t");
  handler.set_handler_id("h");
  EXPECT_EQ(client_->GetHandler(handler).status().code(), absl::StatusCode::kUnimplemented);
}

TEST_F(GrpcRouterClientTest, SlowRouterEndsAtTheDeadline) {
  const absl::Time start = absl::Now();
  auto response = client_->RouteContact(Route("slow"));
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(900));
}

TEST_F(GrpcRouterClientTest, HealthIsServing) {
  EXPECT_TRUE(client_->CheckHealth().ok());
  server_->GetHealthCheckService()->SetServingStatus(false);
  EXPECT_EQ(client_->CheckHealth().code(), absl::StatusCode::kUnavailable);
}

TEST(GrpcRouterClientDownTest, RouterDownIsUnavailableAtOnce) {
  // Bind and close a port so that nothing listens there.
  GrpcRouterClientOptions options;
  options.target = "127.0.0.1:1";
  options.tls.plaintext = true;
  options.deadline = absl::Seconds(2);
  GrpcRouterClient client(options);
  const absl::Time start = absl::Now();
  v1::RouteContactRequest request;
  const absl::StatusCode code = client.RouteContact(request).status().code();
  EXPECT_TRUE(code == absl::StatusCode::kUnavailable ||
              code == absl::StatusCode::kDeadlineExceeded);
  EXPECT_LE(absl::Now() - start, absl::Milliseconds(2500));  // never longer than the deadline
  EXPECT_EQ(client.CheckHealth().code(), absl::StatusCode::kUnavailable);
}

TEST(FromGrpcStatusTest, WithoutDetailsKeepsTheMessage) {
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "topic: bad")),
            absl::InvalidArgumentError("topic: bad"));
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
  // Without details there is no structured field, whatever the message says.
  EXPECT_EQ(ViolatedField(FromGrpcStatus(
                grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "contact.party: bad"))),
            "");
}

TEST(BadRequestTest, FieldViolationErrorCarriesTheField) {
  const absl::Status status = FieldViolationError("contact.party.phone_number", "not a number");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "contact.party.phone_number: not a number");
  EXPECT_EQ(ViolatedField(status), "contact.party.phone_number");
  EXPECT_EQ(ViolatedField(absl::InvalidArgumentError("contact.party.phone_number: x")), "");
  EXPECT_TRUE(WithBadRequest(absl::OkStatus(), google::rpc::BadRequest()).ok());
}

}  // namespace
}  // namespace wissel::adapters
