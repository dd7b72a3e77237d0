// The roster decides who works for a tenant: only listed handlers sign in (unless the tenant
// allows dynamic handlers), and a listed handler's skills, teams and address come from it.
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/core/router.h"
#include "tests/fakes/fake_clock.h"

namespace wissel::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::wissel::testing::FakeClock;

TenantConfig RosterConfig(bool dynamic_handlers) {
  TenantConfig config;
  config.id = "gemeente-test";
  config.name = "Gemeente Test";
  config.dynamic_handlers = dynamic_handlers;
  config.queues = {{"burgerzaken", "burgerzaken", absl::Minutes(4)}};
  config.topics = {{"paspoort", "Paspoort", "burgerzaken", "burgerzaken", 0}};
  HandlerProfile listed;
  listed.id = "mw-0101";
  listed.name = "Anouk Meijer";
  listed.skills = {{"burgerzaken", 4}};
  listed.address = "sip:1101@pbx.gemeente.example";
  HandlerProfile left;
  left.id = "mw-0999";
  left.active = false;
  config.handlers = {listed, left};
  return config;
}

class RouterRosterTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Router>> router =
        Router::Create(RosterConfig(/*dynamic_handlers=*/GetParam()), &clock_);
    ASSERT_TRUE(router.ok()) << router.status();
    router_ = *std::move(router);
  }

  FakeClock clock_;
  std::unique_ptr<Router> router_;
  EffectList effects_;
};

TEST_P(RouterRosterTest, AListedHandlerGetsTheRostersSkillsAndAddress) {
  HandlerSignIn in;
  in.id = "mw-0101";
  absl::StatusOr<Handler> h = router_->SignIn(in, &effects_);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_THAT(h->skills, ElementsAre("burgerzaken"));
  EXPECT_EQ(h->address, "sip:1101@pbx.gemeente.example");
}

TEST_P(RouterRosterTest, AnAddressGivenAtSignInWinsOverTheRosters) {
  // The service lets only operators and call-centre software give one (rpc_permissions.h).
  HandlerSignIn in;
  in.id = "mw-0101";
  in.address = "sip:desk-7@pbx.gemeente.example";
  absl::StatusOr<Handler> h = router_->SignIn(in, &effects_);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->address, "sip:desk-7@pbx.gemeente.example");
}

TEST_P(RouterRosterTest, AnInactiveHandlerIsRefused) {
  HandlerSignIn in;
  in.id = "mw-0999";
  EXPECT_EQ(router_->SignIn(in, &effects_).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(effects_, IsEmpty());
}

TEST_P(RouterRosterTest, AnUnlistedHandlerSignsInOnlyWhenTheTenantAllowsIt) {
  HandlerSignIn in;
  in.id = "mdw-onbekend";
  in.skills = {"burgerzaken"};
  absl::StatusOr<Handler> h = router_->SignIn(in, &effects_);
  if (GetParam()) {
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_EQ(h->id, "mdw-onbekend");
  } else {
    EXPECT_EQ(h.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(h.status().message(), HasSubstr("not in the tenant's roster"));
    EXPECT_THAT(effects_, IsEmpty());
    EXPECT_EQ(router_->FindHandler("mdw-onbekend"), nullptr);
  }
}

INSTANTIATE_TEST_SUITE_P(DynamicHandlers, RouterRosterTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Allowed" : "RosterOnly";
                         });

}  // namespace
}  // namespace wissel::core
