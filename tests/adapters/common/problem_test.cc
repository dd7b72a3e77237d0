// Problem details: status mapping, field naming, JSON shape, Retry-After.
#include "adapters/common/problem.h"

#include "adapters/common/http_api.pb.h"
#include "adapters/common/json_body.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::adapters {
namespace {

using ::testing::HasSubstr;

TEST(ProblemTest, FieldOfReadsTheLeadingPath) {
  EXPECT_EQ(FieldOf("party.bsn: fails the 11-proef"), "party.bsn");
  EXPECT_EQ(FieldOf("needs[1]: unknown"), "needs[1]");
  EXPECT_EQ(FieldOf("Content-Type: is required"), "Content-Type");
  EXPECT_EQ(FieldOf("no field here"), "");
  EXPECT_EQ(FieldOf("two words: x"), "");
  EXPECT_EQ(FieldOf(": x"), "");
}

TEST(ProblemTest, RenameFieldKeepsCodeAndReason) {
  const absl::Status renamed = RenameField(
      absl::InvalidArgumentError("contact.topic: 'x' is not in the catalogue"),
      [](absl::string_view f) { return f == "contact.topic" ? "topic" : std::string(f); });
  EXPECT_EQ(renamed, absl::InvalidArgumentError("topic: 'x' is not in the catalogue"));
  const absl::Status plain = absl::UnavailableError("down");
  EXPECT_EQ(RenameField(plain, [](absl::string_view) { return "x"; }), plain);
}

struct Mapping {
  absl::Status status;
  int http_status;
  std::string code;
  bool retry_after;
};

class ProblemFromStatusTest : public ::testing::TestWithParam<Mapping> {};

TEST_P(ProblemFromStatusTest, MapsCanonicalCodes) {
  const Problem p = ProblemFromStatus(GetParam().status, absl::Seconds(3));
  EXPECT_EQ(p.status, GetParam().http_status);
  EXPECT_EQ(p.code, GetParam().code);
  EXPECT_EQ(p.retry_after > absl::ZeroDuration(), GetParam().retry_after);
}

INSTANTIATE_TEST_SUITE_P(
    Codes, ProblemFromStatusTest,
    ::testing::Values(
        Mapping{absl::InvalidArgumentError("topic: unknown"), 400, "invalid_field", false},
        Mapping{absl::NotFoundError("contact_id: no such contact"), 404, "not_found", false},
        Mapping{absl::FailedPreconditionError("not connected"), 409, "conflict", false},
        Mapping{absl::UnavailableError("connection refused"), 503, "router_unavailable", true},
        Mapping{absl::DeadlineExceededError("deadline"), 503, "router_unavailable", true},
        Mapping{absl::ResourceExhaustedError("busy"), 503, "overloaded", true},
        Mapping{absl::InternalError("boom"), 502, "router_error", false}));

TEST(ProblemTest, InvalidArgumentNamesTheField) {
  const Problem p = ProblemFromStatus(absl::InvalidArgumentError("party.bsn: fails the 11-proef"),
                                      absl::Seconds(2));
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].field, "party.bsn");
  EXPECT_EQ(p.errors[0].detail, "fails the 11-proef");
}

TEST(ProblemTest, UnavailableDoesNotLeakInternals) {
  const Problem p = ProblemFromStatus(
      absl::UnavailableError("failed to connect to ipv4:10.0.0.7:7450"), absl::Seconds(2));
  EXPECT_THAT(p.detail, Not(HasSubstr("10.0.0.7")));
}

TEST(ProblemTest, BodyIsRfc9457WithExtensions) {
  const std::string body =
      ProblemBody(InvalidField("session_id", "is required"), "/v1/chat/sessions");
  api::Problem parsed;
  ASSERT_TRUE(ParseJsonBody(body, &parsed).ok()) << body;
  EXPECT_EQ(parsed.type(), "about:blank");
  EXPECT_EQ(parsed.title(), "Bad Request");
  EXPECT_EQ(parsed.status(), 400);
  EXPECT_EQ(parsed.detail(), "session_id: is required");
  EXPECT_EQ(parsed.instance(), "/v1/chat/sessions");
  EXPECT_EQ(parsed.field(), "session_id");
  ASSERT_EQ(parsed.errors_size(), 1);
  EXPECT_EQ(parsed.errors(0).field(), "session_id");
}

TEST(ProblemTest, RetryAfterIsWholeSecondsAtLeastOne) {
  EXPECT_EQ(RetryAfterSeconds(absl::Milliseconds(10)), "1");
  EXPECT_EQ(RetryAfterSeconds(absl::Milliseconds(2500)), "3");
  EXPECT_EQ(RetryAfterSeconds(absl::Seconds(2)), "2");
}

}  // namespace
}  // namespace wissel::adapters
