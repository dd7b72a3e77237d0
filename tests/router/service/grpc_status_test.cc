#include "router/service/grpc_status.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace wissel::service {
namespace {

TEST(GrpcStatusTest, FieldErrorsCarryBadRequestDetails) {
  grpc::Status s = ToGrpcStatus(absl::InvalidArgumentError("contact.party.bsn: fails"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "contact.party.bsn: fails");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad));
  EXPECT_EQ(bad.field_violations(0).field(), "contact.party.bsn");
  EXPECT_EQ(bad.field_violations(0).description(), "fails");
}

TEST(GrpcStatusTest, OtherErrorsKeepTheirCodeWithoutDetails) {
  struct Case {
    absl::Status in;
    grpc::StatusCode code;
  };
  for (const Case& c :
       {Case{absl::NotFoundError("contact_id: 'x' is not live"), grpc::StatusCode::NOT_FOUND},
        Case{absl::UnavailableError("redis down"), grpc::StatusCode::UNAVAILABLE},
        Case{absl::InvalidArgumentError("no field here"), grpc::StatusCode::INVALID_ARGUMENT},
        Case{absl::FailedPreconditionError("closed"), grpc::StatusCode::FAILED_PRECONDITION}}) {
    grpc::Status s = ToGrpcStatus(c.in);
    EXPECT_EQ(s.error_code(), c.code) << c.in;
    EXPECT_TRUE(s.error_details().empty()) << c.in;
  }
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(GrpcStatusTest, FieldPrefix) {
  EXPECT_EQ(WithFieldPrefix(absl::InvalidArgumentError("topic: unknown"), "contact").message(),
            "contact.topic: unknown");
  EXPECT_EQ(WithFieldPrefix(absl::InvalidArgumentError("plain message"), "contact").message(),
            "plain message");
}

}  // namespace
}  // namespace wissel::service
