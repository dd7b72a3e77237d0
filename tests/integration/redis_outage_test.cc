// Redis outage under load, against a real redis-server and the whole router in-process.
//
// Client threads route contacts; Redis is killed (SIGKILL) mid-load. Calls must then fail fast
// with UNAVAILABLE and a clear message (not hang until their deadline), health must turn
// NOT_SERVING. Redis is restarted on the same port with the same append-only file: health
// returns to SERVING, the routing thread reloads the tenant by itself (no call needed), routing
// continues, and every contact whose RouteContact returned OK is intact. Calls that failed are
// retried with their idempotency keys: each then succeeds exactly once (a change that was applied
// although its caller saw UNAVAILABLE is found again, not created twice), and nothing
// half-written is left in Redis.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/route_load.h"
#include "tests/integration/router_harness.h"

namespace wissel::testing {
namespace {

using ::testing::HasSubstr;

// Phases of the load.
constexpr int kBefore = 0;
constexpr int kDuring = 1;
constexpr int kAfter = 2;

// `calls` of one command in INFO commandstats ("cmdstat_smembers:calls=3,..."), 0 if absent.
int64_t CommandCalls(RedisServer& redis, absl::string_view command) {
  absl::StatusOr<std::string> info = redis.Command({"INFO", "commandstats"});
  if (!info.ok()) return -1;
  const std::string prefix = absl::StrCat("cmdstat_", command, ":calls=");
  for (absl::string_view line : absl::StrSplit(*info, '\n')) {
    if (!absl::ConsumePrefix(&line, prefix)) continue;
    int64_t calls = 0;
    if (absl::SimpleAtoi(line.substr(0, line.find(',')), &calls)) return calls;
  }
  return 0;
}

class RedisOutageTest : public ::testing::Test {
 protected:
  // The test kills the Redis process and counts on every acknowledged change surviving it. With
  // `appendfsync everysec` Redis may postpone writing its AOF buffer (up to 2 s, while a
  // background fsync of a busy disk is in progress) yet still reply to the client, and a kill
  // then loses those replies' changes (docs/reliability.md). `always` writes and fsyncs before
  // replying: what this test is about is the router, not Redis's fsync policy.
  void SetUp() override {
    RedisServerOptions redis;
    redis.extra_args = {"--appendfsync", "always"};
    harness_.SetUp("2s", std::move(redis));
  }
  void TearDown() override { harness_.TearDown(); }

  std::string Target() { return absl::StrCat("127.0.0.1:", harness_.server().port()); }

  // GetContact through the router.
  grpc::Status Get(const std::string& id, v1::ContactRecord* record) {
    v1::GetContactRequest request;
    request.set_tenant(kTenant);
    request.set_contact_id(id);
    return harness_.routing().GetContact(Ctx().get(), request, record);
  }

  RouterHarness harness_;
};

TEST_F(RedisOutageTest, CallsFailFastHealthFollowsAndNothingAcknowledgedIsLost) {
  const std::string target = Target();
  ASSERT_EQ(HealthStatus(target), 1);
  RouteLoad::Options options;
  options.tenant = kTenant;
  options.threads = 4;
  options.deadline = absl::Seconds(5);
  RouteLoad load(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()), options);
  load.set_phase(kBefore);
  load.Start();
  ASSERT_TRUE(load.WaitForCount(grpc::StatusCode::OK, 150, absl::Seconds(30)));

  // The outage, mid-load.
  load.set_phase(kDuring);
  ASSERT_TRUE(harness_.redis().Kill().ok());
  EXPECT_TRUE(load.WaitForCount(grpc::StatusCode::UNAVAILABLE, 100, absl::Seconds(20), kDuring));
  EXPECT_TRUE(WaitForHealth(target, 2, absl::Seconds(10))) << "health did not turn NOT_SERVING";
  {
    // GetContact fails as clearly as RouteContact.
    v1::ContactRecord record;
    grpc::Status status = Get("any-contact", &record);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
    EXPECT_THAT(status.error_message(),
                HasSubstr(absl::StrCat("redis at 127.0.0.1:", harness_.redis().port())));
  }
  // No call reaches the router while Redis comes back: the recovery must happen by itself.
  load.Pause();
  ASSERT_TRUE(harness_.redis().Restart().ok());
  EXPECT_TRUE(WaitForHealth(target, 1, absl::Seconds(15))) << "health did not return to SERVING";
  // The routing thread reloads the tenant from Redis (LoadTenant's SMEMBERS) without any call.
  bool reloaded = false;
  for (int i = 0; i < 300 && !reloaded; ++i) {
    reloaded = CommandCalls(harness_.redis(), "smembers") > 0;
    if (!reloaded) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(reloaded) << "the tenant was not reloaded after Redis returned";

  // Routing continues.
  load.set_phase(kAfter);
  load.Resume();
  EXPECT_TRUE(load.WaitForCount(grpc::StatusCode::OK, 100, absl::Seconds(30), kAfter));
  load.Stop();

  const std::vector<RouteCall> calls = load.calls();
  std::map<grpc::StatusCode, int> by_code;
  std::vector<const RouteCall*> acknowledged;
  std::vector<const RouteCall*> failed;
  absl::Duration slowest_failure;
  std::string example_failure;
  for (const RouteCall& c : calls) {
    ++by_code[c.code];
    if (c.code == grpc::StatusCode::OK) {
      acknowledged.push_back(&c);
    } else {
      failed.push_back(&c);
      slowest_failure = std::max(slowest_failure, c.latency);
      // Prefer a call that met the reconnect backoff while Redis was down: its message says
      // when the next try is. (The first reconnect can also race the kill and fail in the
      // handshake, "read reply: Connection reset by peer"; the later ones fail to connect.)
      auto rank = [](const std::string& m) {
        return (absl::StrContains(m, "retrying in") ? 2 : 0) +
               (absl::StrContains(m, "unreachable: connect: ") ? 1 : 0);
      };
      if (c.code == grpc::StatusCode::UNAVAILABLE &&
          (example_failure.empty() || rank(c.message) > rank(example_failure))) {
        example_failure = c.message;
      }
    }
  }
  // Every failure is a clear UNAVAILABLE: no deadline ran out, nothing else went wrong.
  for (const auto& [code, n] : by_code) {
    EXPECT_TRUE(code == grpc::StatusCode::OK || code == grpc::StatusCode::UNAVAILABLE)
        << n << " call(s) ended with code " << code;
  }
  EXPECT_THAT(example_failure, HasSubstr("unavailable"));
  EXPECT_THAT(example_failure, HasSubstr("unreachable: connect: "));
  EXPECT_THAT(example_failure, HasSubstr("; retrying in "));
  EXPECT_THAT(example_failure,
              HasSubstr(absl::StrCat("redis at 127.0.0.1:", harness_.redis().port())));

  // Every acknowledged contact is intact.
  int intact = 0;
  for (const RouteCall* c : acknowledged) {
    v1::ContactRecord record;
    grpc::Status status = Get(c->contact_id, &record);
    if (status.ok() && record.contact_id() == c->contact_id && record.topic() == "paspoort" &&
        record.state() == v1::CONTACT_STATE_QUEUED) {
      ++intact;
    } else {
      ADD_FAILURE() << "acknowledged contact " << c->contact_id << " (key " << c->key
                    << "): " << status.error_message() << " state " << record.state();
    }
  }

  // Failed calls, retried with their keys: one contact each, found again if it was applied.
  int retried_ok = 0;
  int found_again = 0;
  std::set<std::string> ids;
  for (const RouteCall* c : acknowledged) {
    ids.insert(c->contact_id);
    EXPECT_EQ(c->contact_id, TestContactId(c->key)) << "the id follows from the key";
  }
  for (const RouteCall* c : failed) {
    RouteCall retry = load.Call(c->key, kAfter);
    ASSERT_EQ(retry.code, grpc::StatusCode::OK) << c->key << ": " << retry.message;
    ++retried_ok;
    found_again += retry.replayed;
    EXPECT_TRUE(ids.insert(retry.contact_id).second) << "two keys, one contact";
    EXPECT_EQ(retry.contact_id, TestContactId(c->key));
    // And once more: the same contact, replayed.
    RouteCall again = load.Call(c->key, kAfter);
    EXPECT_EQ(again.contact_id, retry.contact_id);
    EXPECT_TRUE(again.replayed);
  }

  // Nothing half-written: exactly one contact hash per key, each with its history and (queued)
  // its place in the live set; no idempotency key beside it (the id stands for the key).
  const std::string prefix = absl::StrCat("w:{", kTenant, "}:");
  absl::StatusOr<std::vector<std::string>> keys = harness_.redis().Keys(prefix + "c:*");
  ASSERT_TRUE(keys.ok()) << keys.status();
  int hashes = 0;
  for (const std::string& key : *keys) {
    if (absl::EndsWith(key, ":h")) continue;
    ++hashes;
    const std::string id = key.substr(prefix.size() + 2);
    EXPECT_TRUE(ids.contains(id)) << "contact " << id << " belongs to no call";
    // The first history entry is the hash's h0 until the contact changes (contact_codec.h).
    EXPECT_NE(harness_.redis().Command({"HGET", key, "h0"}).value_or(""), "") << id;
    EXPECT_EQ(harness_.redis().Command({"HGET", key, "state"}).value_or(""), "queued") << id;
    EXPECT_TRUE(harness_.redis().Command({"ZSCORE", prefix + "live", id}).ok()) << id;
  }
  EXPECT_EQ(hashes, static_cast<int>(ids.size()));
  absl::StatusOr<std::vector<std::string>> idempotency_keys = harness_.redis().Keys(prefix + "i*");
  ASSERT_TRUE(idempotency_keys.ok()) << idempotency_keys.status();
  EXPECT_THAT(*idempotency_keys, ::testing::IsEmpty());

  const int lost = static_cast<int>(acknowledged.size()) - intact;
  std::cout << "outage: acknowledged=" << acknowledged.size() << " intact=" << intact
            << " lost=" << lost << " failed_fast=" << by_code[grpc::StatusCode::UNAVAILABLE]
            << std::endl;
  std::cout << "outage: retried=" << retried_ok << " applied_although_failed=" << found_again
            << " slowest_failure_ms=" << absl::ToInt64Milliseconds(slowest_failure)
            << " deadline_ms=" << absl::ToInt64Milliseconds(options.deadline) << " example=\""
            << example_failure << "\"" << std::endl;
  EXPECT_EQ(lost, 0);
  EXPECT_GT(by_code[grpc::StatusCode::UNAVAILABLE], 0);
}

}  // namespace
}  // namespace wissel::testing
