#include "router/security/token_verifier.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/router/security/token_minter.h"

namespace wissel::security {
namespace {

using ::testing::HasSubstr;
using testing::KeyType;
using testing::StandardClaims;
using testing::TokenMinter;
using Json = nlohmann::json;

constexpr char kIssuer[] = "https://login.microsoftonline.com/tenant-1/v2.0";
constexpr char kAudience[] = "wissel-client-id";

// A clock the test moves and the verifier's refresh thread reads.
class TestClock {
 public:
  absl::Time Now() const {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  std::function<absl::Time()> Function() {
    return [this] { return Now(); };
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = absl::FromUnixSeconds(1'790'000'000);
};

// A JWKS document the test replaces, counting fetches; optionally failing.
class FakeSource : public JwksSource {
 public:
  struct State {
    absl::Mutex mu;
    std::string json ABSL_GUARDED_BY(mu);
    absl::Status error ABSL_GUARDED_BY(mu);
    int fetches ABSL_GUARDED_BY(mu) = 0;
  };
  explicit FakeSource(std::shared_ptr<State> state) : state_(std::move(state)) {}
  absl::StatusOr<std::string> Fetch() override {
    absl::MutexLock lock(&state_->mu);
    ++state_->fetches;
    if (!state_->error.ok()) return state_->error;
    return state_->json;
  }

 private:
  std::shared_ptr<State> state_;
};

class TokenVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_a_ = new TokenMinter(TokenMinter::Create(KeyType::kEc256, "key-a"));
    key_b_ = new TokenMinter(TokenMinter::Create(KeyType::kEd25519, "key-b"));
    key_c_ = new TokenMinter(TokenMinter::Create(KeyType::kRsa, "key-c"));
  }
  static void TearDownTestSuite() {
    delete key_a_;
    delete key_b_;
    delete key_c_;
  }

  TokenVerifierTest() {
    options_.issuer = kIssuer;
    options_.audience = kAudience;
    options_.jwks_refresh = absl::Hours(1);
    options_.jwks_min_refresh = absl::Seconds(30);
    jwks_path_ = (std::filesystem::path(::testing::TempDir()) /
                  absl::StrCat("jwks_", ::testing::UnitTest::GetInstance()->random_seed(), "_",
                               reinterpret_cast<uintptr_t>(this), ".json"))
                     .string();
    options_.jwks_file = jwks_path_;
  }
  ~TokenVerifierTest() override { std::remove(jwks_path_.c_str()); }

  void WriteJwks(const std::string& json) {
    std::ofstream out(jwks_path_, std::ios::trunc);
    out << json;
  }

  std::unique_ptr<TokenVerifier> MakeVerifier() {
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier =
        TokenVerifier::Create(options_, clock_.Function());
    EXPECT_TRUE(verifier.ok()) << verifier.status();
    return verifier.ok() ? *std::move(verifier) : nullptr;
  }

  std::string Token(const TokenMinter& minter, absl::Duration lifetime = absl::Minutes(5)) {
    Json claims = StandardClaims(kIssuer, kAudience, clock_.Now(), lifetime);
    claims["roles"] = {"wissel.channel"};
    // A distinct jti per token, so that two tokens are two cache entries.
    claims["jti"] = absl::StrCat("jti-", ++minted_);
    return minter.Mint(claims);
  }

  static TokenMinter* key_a_;
  static TokenMinter* key_b_;
  static TokenMinter* key_c_;
  OidcOptions options_;
  TestClock clock_;
  std::string jwks_path_;
  int minted_ = 0;
};

TokenMinter* TokenVerifierTest::key_a_ = nullptr;
TokenMinter* TokenVerifierTest::key_b_ = nullptr;
TokenMinter* TokenVerifierTest::key_c_ = nullptr;

TEST_F(TokenVerifierTest, CreateRefusesBadOptionsAndUnloadableKeySets) {
  OidcOptions no_issuer = options_;
  no_issuer.issuer.clear();
  EXPECT_EQ(TokenVerifier::Create(no_issuer).status().code(), absl::StatusCode::kInvalidArgument);
  // The file does not exist yet.
  EXPECT_EQ(TokenVerifier::Create(options_).status().code(), absl::StatusCode::kNotFound);
  WriteJwks("{\"keys\": [");
  EXPECT_EQ(TokenVerifier::Create(options_).status().code(), absl::StatusCode::kInvalidArgument);
  WriteJwks(TokenMinter::JwksJson({key_a_}));
  EXPECT_TRUE(TokenVerifier::Create(options_).ok());
  // No network here: the URL is refused before any connection.
  OidcOptions plain_http = options_;
  plain_http.jwks_file.clear();
  plain_http.jwks_url = "http://idp.example/keys";
  EXPECT_EQ(TokenVerifier::Create(plain_http).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TokenVerifierTest, VerifiesAndCachesUntilExpiry) {
  WriteJwks(TokenMinter::JwksJson({key_a_, key_b_}));
  options_.groups_claim = "roles";
  std::unique_ptr<TokenVerifier> verifier = MakeVerifier();
  ASSERT_NE(verifier, nullptr);
  const std::string token = Token(*key_a_);
  absl::StatusOr<std::shared_ptr<const TokenClaims>> claims = verifier->Verify(token);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ((*claims)->issuer, kIssuer);
  EXPECT_THAT((*claims)->groups, ::testing::ElementsAre("wissel.channel"));
  EXPECT_EQ(verifier->cached_tokens(), 1U);
  // Served from the cache: same answer, no second entry.
  clock_.Advance(absl::Minutes(4));
  ASSERT_TRUE(verifier->Verify(token).ok());
  EXPECT_EQ(verifier->cached_tokens(), 1U);
  ASSERT_TRUE(verifier->Verify(Token(*key_b_)).ok());
  EXPECT_EQ(verifier->cached_tokens(), 2U);
  // Past exp + skew the cached token is refused like any expired token.
  clock_.Advance(absl::Minutes(1) + options_.clock_skew);
  absl::StatusOr<std::shared_ptr<const TokenClaims>> expired = verifier->Verify(token);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(expired.status().message(), "token expired");
  EXPECT_EQ(verifier->jwks_loads(), 1);
}

// What the service layer's PrincipalCache keys by: a cache hit hands out the claims object that
// the verification made, and a token verified again (here after the key set changed) a new one.
TEST_F(TokenVerifierTest, ACachedTokenKeepsItsClaimsObjectUntilVerifiedAgain) {
  WriteJwks(TokenMinter::JwksJson({key_a_}));
  std::unique_ptr<TokenVerifier> verifier = MakeVerifier();
  ASSERT_NE(verifier, nullptr);
  const std::string token = Token(*key_a_);
  absl::StatusOr<std::shared_ptr<const TokenClaims>> first = verifier->Verify(token);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_NE(*first, nullptr);
  absl::StatusOr<std::shared_ptr<const TokenClaims>> again = verifier->Verify(token);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->get(), first->get());
  WriteJwks(TokenMinter::JwksJson({key_a_, key_b_}));
  ASSERT_TRUE(verifier->Refresh().ok());
  absl::StatusOr<std::shared_ptr<const TokenClaims>> reverified = verifier->Verify(token);
  ASSERT_TRUE(reverified.ok()) << reverified.status();
  EXPECT_NE(reverified->get(), first->get());
  EXPECT_EQ((*reverified)->subject, (*first)->subject);
}

TEST_F(TokenVerifierTest, RefusesBadTokensWithoutCachingThem) {
  WriteJwks(TokenMinter::JwksJson({key_a_}));
  std::unique_ptr<TokenVerifier> verifier = MakeVerifier();
  ASSERT_NE(verifier, nullptr);
  for (const std::string& token :
       {std::string("garbage"), std::string(20000, 'a'),
        key_a_->Sign(Json{{"alg", "none"}, {"kid", "key-a"}}.dump(), "{}")}) {
    absl::StatusOr<std::shared_ptr<const TokenClaims>> claims = verifier->Verify(token);
    ASSERT_FALSE(claims.ok());
    EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(verifier->cached_tokens(), 0U);
}

TEST_F(TokenVerifierTest, JwksRotatedNewKeyAcceptedAfterRefresh) {
  WriteJwks(TokenMinter::JwksJson({key_a_}));
  std::unique_ptr<TokenVerifier> verifier = MakeVerifier();
  ASSERT_NE(verifier, nullptr);
  ASSERT_TRUE(verifier->Verify(Token(*key_a_)).ok());
  // The provider publishes key-b; the next token with the new kid makes the verifier load.
  clock_.Advance(options_.jwks_min_refresh);
  WriteJwks(TokenMinter::JwksJson({key_a_, key_b_}));
  absl::StatusOr<std::shared_ptr<const TokenClaims>> claims = verifier->Verify(Token(*key_b_));
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(verifier->jwks_loads(), 2);
}

TEST_F(TokenVerifierTest, UnknownKidLoadsAtMostOncePerMinRefresh) {
  WriteJwks(TokenMinter::JwksJson({key_a_}));
  std::unique_ptr<TokenVerifier> verifier = MakeVerifier();
  ASSERT_NE(verifier, nullptr);
  // Right after Create's load: a made-up kid does not load again.
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<std::shared_ptr<const TokenClaims>> claims = verifier->Verify(Token(*key_b_));
    ASSERT_FALSE(claims.ok());
    EXPECT_EQ(claims.status().message(), "unknown key id");
  }
  EXPECT_EQ(verifier->jwks_loads(), 1);
  // Even when the provider has the key, it is picked up only after jwks_min_refresh.
  WriteJwks(TokenMinter::JwksJson({key_a_, key_b_}));
  clock_.Advance(options_.jwks_min_refresh - absl::Seconds(1));
  EXPECT_FALSE(verifier->Verify(Token(*key_b_)).ok());
  EXPECT_EQ(verifier->jwks_loads(), 1);
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(verifier->Verify(Token(*key_b_)).ok());
  EXPECT_EQ(verifier->jwks_loads(), 2);
  // A stream of unknown kids after that: again at most one load per jwks_min_refresh.
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(verifier->Verify(Token(*key_c_)).ok());
  EXPECT_EQ(verifier->jwks_loads(), 2);
  clock_.Advance(options_.jwks_min_refresh);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(verifier->Verify(Token(*key_c_)).ok());
  EXPECT_EQ(verifier->jwks_loads(), 3);
}

TEST_F(TokenVerifierTest, RefreshesPeriodically) {
  WriteJwks(TokenMinter::JwksJson({key_a_}));
  std::unique_ptr<TokenVerifier> verifier = MakeVerifier();
  ASSERT_NE(verifier, nullptr);
  const std::string token = Token(*key_a_, absl::Hours(3));
  ASSERT_TRUE(verifier->Verify(token).ok());
  WriteJwks(TokenMinter::JwksJson({key_a_, key_b_}));
  clock_.Advance(options_.jwks_refresh);
  // A cached token is answered at once; the due refresh runs on the verifier's thread.
  ASSERT_TRUE(verifier->Verify(token).ok());
  ASSERT_TRUE(verifier->AwaitJwksLoads(2, absl::Seconds(30)));
  // key-b came with the periodic refresh, not with a load forced by its kid.
  ASSERT_TRUE(verifier->Verify(Token(*key_b_)).ok());
  EXPECT_EQ(verifier->jwks_loads(), 2);
}

TEST_F(TokenVerifierTest, FailedRefreshKeepsTheLastGoodKeySet) {
  WriteJwks(TokenMinter::JwksJson({key_a_}));
  std::unique_ptr<TokenVerifier> verifier = MakeVerifier();
  ASSERT_NE(verifier, nullptr);
  WriteJwks("<html>maintenance</html>");
  EXPECT_EQ(verifier->Refresh().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(verifier->Verify(Token(*key_a_)).ok());
  std::filesystem::remove(jwks_path_);
  EXPECT_EQ(verifier->Refresh().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(verifier->Verify(Token(*key_a_)).ok());
  WriteJwks(TokenMinter::JwksJson({key_a_, key_b_}));
  EXPECT_TRUE(verifier->Refresh().ok());
  EXPECT_TRUE(verifier->Verify(Token(*key_b_)).ok());
}

TEST_F(TokenVerifierTest, WithdrawnKeyIsRefusedEvenForCachedTokens) {
  WriteJwks(TokenMinter::JwksJson({key_a_, key_b_}));
  std::unique_ptr<TokenVerifier> verifier = MakeVerifier();
  ASSERT_NE(verifier, nullptr);
  const std::string token = Token(*key_a_);
  ASSERT_TRUE(verifier->Verify(token).ok());
  WriteJwks(TokenMinter::JwksJson({key_b_}));
  ASSERT_TRUE(verifier->Refresh().ok());
  absl::StatusOr<std::shared_ptr<const TokenClaims>> claims = verifier->Verify(token);
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.status().message(), "unknown key id");
}

TEST_F(TokenVerifierTest, CacheIsBounded) {
  auto state = std::make_shared<FakeSource::State>();
  {
    absl::MutexLock lock(&state->mu);
    state->json = TokenMinter::JwksJson({key_b_});
  }
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = TokenVerifier::CreateWithSource(
      options_, std::make_unique<FakeSource>(state), clock_.Function(), /*cache_entries=*/8);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  std::vector<std::string> tokens;
  for (int i = 0; i < 50; ++i) {
    tokens.push_back(Token(*key_b_, absl::Minutes(1 + i)));
    ASSERT_TRUE((*verifier)->Verify(tokens.back()).ok());
    EXPECT_LE((*verifier)->cached_tokens(), 8U);
  }
  // Evicted tokens are verified again, not refused.
  for (const std::string& token : tokens) EXPECT_TRUE((*verifier)->Verify(token).ok());
  // Expired entries go first (all of them have expired by now, before the periodic refresh).
  clock_.Advance(absl::Minutes(52));
  EXPECT_FALSE((*verifier)->Verify(tokens[0]).ok());
  ASSERT_TRUE((*verifier)->Verify(Token(*key_b_)).ok());
  EXPECT_EQ((*verifier)->cached_tokens(), 1U);
  absl::MutexLock lock(&state->mu);
  EXPECT_EQ(state->fetches, 1);
}

TEST_F(TokenVerifierTest, ConcurrentVerifyWhileRefreshing) {
  WriteJwks(TokenMinter::JwksJson({key_a_, key_b_}));
  std::unique_ptr<TokenVerifier> verifier = MakeVerifier();
  ASSERT_NE(verifier, nullptr);
  const std::vector<std::string> tokens = {Token(*key_a_), Token(*key_b_), Token(*key_a_)};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (!verifier->Verify(tokens[(t + i) % tokens.size()]).ok()) ++failures;
      }
    });
  }
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(verifier->Refresh().ok());
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

// The key set served by an httplib::Server on 127.0.0.1, port 0.
class JwksServer {
 public:
  explicit JwksServer(std::string json) : json_(std::move(json)) {
    server_.Get("/realms/kcc/protocol/openid-connect/certs",
                [this](const httplib::Request&, httplib::Response& response) {
                  absl::MutexLock lock(&mu_);
                  ++fetches_;
                  if (status_ != 200) {
                    response.status = status_;
                    return;
                  }
                  response.set_content(json_, "application/json");
                });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op before the accept loop runs, so the destructor must not race it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~JwksServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const {
    return absl::StrCat("http://127.0.0.1:", port_, "/realms/kcc/protocol/openid-connect/certs");
  }
  void Publish(std::string json) {
    absl::MutexLock lock(&mu_);
    json_ = std::move(json);
  }
  void FailWith(int status) {
    absl::MutexLock lock(&mu_);
    status_ = status;
  }
  int fetches() const {
    absl::MutexLock lock(&mu_);
    return fetches_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::string json_ ABSL_GUARDED_BY(mu_);
  int status_ ABSL_GUARDED_BY(mu_) = 200;
  int fetches_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST_F(TokenVerifierTest, JwksOverHttpRotatedNewKeyAcceptedAndFetchesBounded) {
  JwksServer server(TokenMinter::JwksJson({key_a_}));
  options_.jwks_file.clear();
  options_.jwks_url = server.url();
  std::unique_ptr<TokenVerifier> verifier = MakeVerifier();
  ASSERT_NE(verifier, nullptr);
  EXPECT_EQ(server.fetches(), 1);
  ASSERT_TRUE(verifier->Verify(Token(*key_a_)).ok());

  // Rotation: key-c replaces key-a at the provider.
  server.Publish(TokenMinter::JwksJson({key_c_}));
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(verifier->Verify(Token(*key_c_)).ok());
  EXPECT_EQ(server.fetches(), 1);  // within jwks_min_refresh of Create's fetch
  clock_.Advance(options_.jwks_min_refresh);
  absl::StatusOr<std::shared_ptr<const TokenClaims>> claims = verifier->Verify(Token(*key_c_));
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(server.fetches(), 2);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(verifier->Verify(Token(*key_c_)).ok());
  // Tokens with made-up kids: one fetch per jwks_min_refresh at most.
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(verifier->Verify(Token(*key_b_)).ok());
  EXPECT_EQ(server.fetches(), 2);
  clock_.Advance(options_.jwks_min_refresh);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(verifier->Verify(Token(*key_b_)).ok());
  EXPECT_EQ(server.fetches(), 3);
  // The provider fails: the last good set stays in use.
  server.FailWith(503);
  EXPECT_EQ(verifier->Refresh().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(verifier->Verify(Token(*key_c_)).ok());
}

TEST_F(TokenVerifierTest, JwksOverHttpCreateFailsWhenTheFetchFails) {
  JwksServer server(TokenMinter::JwksJson({key_a_}));
  server.FailWith(404);
  options_.jwks_file.clear();
  options_.jwks_url = server.url();
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier =
      TokenVerifier::Create(options_, clock_.Function());
  ASSERT_FALSE(verifier.ok());
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(verifier.status().message()), HasSubstr("HTTP status 404"));
}

}  // namespace
}  // namespace wissel::security
