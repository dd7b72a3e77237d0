// application/x-www-form-urlencoded decoding, strict about escapes and UTF-8.
#include "adapters/common/form_urlencoded.h"

#include "adapters/common/problem.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::adapters {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(FormUrlEncodedTest, DecodesPairsInOrder) {
  auto fields = ParseFormUrlEncoded("a=1&b=h%C3%A9+da&&c&d=%2B%26%3D");
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_THAT(*fields,
              ElementsAre(Pair("a", "1"), Pair("b", "hé da"), Pair("c", ""), Pair("d", "+&=")));
}

TEST(FormUrlEncodedTest, EmptyBodyHasNoFields) {
  auto fields = ParseFormUrlEncoded("");
  ASSERT_TRUE(fields.ok());
  EXPECT_TRUE(fields->empty());
}

TEST(FormUrlEncodedTest, RefusesBadInput) {
  for (const char* body : {"a=%", "a=%4", "a=%zz", "=x", "%ff=1", "a%=1"}) {
    auto fields = ParseFormUrlEncoded(body);
    EXPECT_EQ(fields.status().code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_FALSE(FieldOf(fields.status().message()).empty()) << fields.status();
  }
}

TEST(FormUrlEncodedTest, NamesTheFieldWithABadValue) {
  auto fields = ParseFormUrlEncoded("ok=1&message=%C3%28");
  EXPECT_EQ(fields.status(), absl::InvalidArgumentError("message: is not valid UTF-8"));
}

TEST(FormUrlEncodedTest, LimitsTheNumberOfFields) {
  EXPECT_TRUE(ParseFormUrlEncoded("a=1&b=2&c=3", 3).ok());
  EXPECT_EQ(ParseFormUrlEncoded("a=1&b=2&c=3&d=4", 3).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wissel::adapters
