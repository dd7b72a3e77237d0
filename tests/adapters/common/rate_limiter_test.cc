// RateLimiter with a fake clock: the burst, the refill, Retry-After, one bucket per address,
// the memory bound, and the switch-off.
#include "adapters/common/rate_limiter.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace wissel::adapters {
namespace {

class RateLimiterTest : public ::testing::Test {
 protected:
  RateLimiterOptions Options(double per_minute, int burst, size_t max_clients = 1000) {
    RateLimiterOptions options;
    options.per_minute = per_minute;
    options.burst = burst;
    options.max_clients = max_clients;
    options.clock = [this] { return now_; };
    return options;
  }

  absl::Time now_ = absl::FromUnixSeconds(1772442000);
};

TEST_F(RateLimiterTest, BurstThenRefusedWithRetryAfter) {
  RateLimiter limiter(Options(/*per_minute=*/6, /*burst=*/3));  // a token every 10 s
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("10.0.0.1").allowed) << i;
  const RateLimiter::Decision refused = limiter.Admit("10.0.0.1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, absl::Seconds(10));
  now_ += absl::Seconds(4);
  EXPECT_EQ(limiter.Admit("10.0.0.1").retry_after, absl::Seconds(6));
}

TEST_F(RateLimiterTest, TokensComeBackAtTheRate) {
  RateLimiter limiter(Options(6, 1));
  EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_FALSE(limiter.Admit("a").allowed);
  now_ += absl::Seconds(9);
  EXPECT_FALSE(limiter.Admit("a").allowed);
  now_ += absl::Seconds(1);
  EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_FALSE(limiter.Admit("a").allowed);
  // A long pause refills up to the burst, not beyond.
  now_ += absl::Hours(1);
  EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_FALSE(limiter.Admit("a").allowed);
}

TEST_F(RateLimiterTest, RetryAfterIsAtLeastOneSecond) {
  RateLimiter limiter(Options(6000, 1));  // a token every 10 ms
  EXPECT_TRUE(limiter.Admit("a").allowed);
  const RateLimiter::Decision refused = limiter.Admit("a");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, absl::Seconds(1));
}

TEST_F(RateLimiterTest, EachAddressHasItsOwnBucket) {
  RateLimiter limiter(Options(1, 1));
  EXPECT_TRUE(limiter.Admit("10.0.0.1").allowed);
  EXPECT_FALSE(limiter.Admit("10.0.0.1").allowed);
  EXPECT_TRUE(limiter.Admit("10.0.0.2").allowed);
  EXPECT_TRUE(limiter.Admit("::1").allowed);
  EXPECT_FALSE(limiter.Admit("10.0.0.2").allowed);
}

TEST_F(RateLimiterTest, MemoryIsBounded) {
  RateLimiter limiter(Options(1, 1, /*max_clients=*/100));
  for (int i = 0; i < 1000; ++i) limiter.Admit(absl::StrCat("10.0.", i / 256, ".", i % 256));
  EXPECT_EQ(limiter.tracked(), 100u);
}

TEST_F(RateLimiterTest, IdleBucketsAreDropped) {
  RateLimiter limiter(Options(60, 5));  // full again 5 s after the last call
  for (int i = 0; i < 50; ++i) limiter.Admit(absl::StrCat("10.0.0.", i));
  EXPECT_EQ(limiter.tracked(), 50u);
  now_ += absl::Seconds(5);
  limiter.Admit("10.0.1.1");
  EXPECT_EQ(limiter.tracked(), 1u);
}

TEST_F(RateLimiterTest, ADroppedBucketWasFullAnyway) {
  RateLimiter limiter(Options(60, 2));
  EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_FALSE(limiter.Admit("a").allowed);
  now_ += absl::Seconds(2);  // refilled and idle: dropped at the next call
  EXPECT_TRUE(limiter.Admit("b").allowed);
  EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_FALSE(limiter.Admit("a").allowed);
}

TEST_F(RateLimiterTest, ZeroRateSwitchesTheLimitOff) {
  RateLimiter limiter(Options(0, 1));
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_EQ(limiter.tracked(), 0u);
}

TEST_F(RateLimiterTest, BadOptionsAreRefused) {
  EXPECT_TRUE(ValidateRateLimiterOptions(Options(30, 10)).ok());
  EXPECT_TRUE(ValidateRateLimiterOptions(Options(0, 1)).ok());
  EXPECT_FALSE(ValidateRateLimiterOptions(Options(-1, 10)).ok());
  EXPECT_FALSE(ValidateRateLimiterOptions(Options(30, 0)).ok());
  EXPECT_FALSE(ValidateRateLimiterOptions(Options(30, 10, 0)).ok());
}

}  // namespace
}  // namespace wissel::adapters
