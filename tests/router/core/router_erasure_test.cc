// Router::EraseResident (router_contacts.cc): AVG art. 17 in the core — the resident's live
// contacts end visibly (offers withdrawn, slots freed), their contact-person mappings go, and
// one ResidentErased follows for the store; other residents are not touched.
#include <string>
#include <variant>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/core/router.h"
#include "tests/fakes/fake_clock.h"

namespace wissel::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::wissel::testing::FakeClock;

TenantConfig TestConfig() {
  TenantConfig config;
  config.dynamic_handlers = true;
  config.id = "gemeente-test";
  config.name = "Gemeente Test";
  config.queues = {{"burgerzaken", "burgerzaken", absl::Minutes(4)},
                   {"wmo", "wmo", absl::Minutes(10)}};
  config.topics = {{"paspoort", "Paspoort", "burgerzaken", "burgerzaken", 0},
                   {"wmo-hulpmiddelen", "Hulpmiddelen", "sociaal_domein", "wmo", 0}};
  config.handler_defaults.offer_timeout = absl::Seconds(20);
  config.handler_defaults.max_wrap_up = absl::Seconds(60);
  return config;
}

template <typename T>
std::vector<T> EffectsOf(const EffectList& effects) {
  std::vector<T> out;
  for (const Effect& e : effects) {
    if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
  }
  return out;
}

class EraseResidentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Router>> router = Router::Create(TestConfig(), &clock_);
    ASSERT_TRUE(router.ok()) << router.status();
    router_ = *std::move(router);
  }

  void SignIn(const std::string& id, const std::string& skill) {
    HandlerSignIn h;
    h.id = id;
    h.skills = {skill};
    ASSERT_TRUE(router_->SignIn(h, &effects_).ok());
  }

  void Route(const std::string& id, const std::string& topic, const std::string& party,
             Channel channel = Channel::kPhone, const std::string& case_pseudonym = "") {
    NewContact c;
    c.id = id;
    c.topic = topic;
    c.channel = channel;
    c.idempotency_key = "key-" + id;
    c.party_pseudonym = party;
    c.case_pseudonym = case_pseudonym;
    ASSERT_TRUE(router_->Route(std::move(c), &effects_).ok());
  }

  FakeClock clock_;
  std::unique_ptr<Router> router_;
  EffectList effects_;
};

TEST_F(EraseResidentTest, EndsLiveContactsVisiblyAndForgetsMappings) {
  SignIn("anna", "burgerzaken");
  // The resident's call goes to anna (and is accepted), their web form is queued or offered
  // too, their second call waits behind the first, and so does another resident's call.
  Route("r-call", "paspoort", "p-resident");
  Route("r-form", "paspoort", "p-resident", Channel::kWebForm);
  Route("r-call2", "paspoort", "p-resident");
  Route("o-call", "paspoort", "p-other");
  ASSERT_EQ(router_->FindContact("r-call")->state, ContactState::kOffered);
  ASSERT_EQ(router_->FindContact("r-call2")->state, ContactState::kQueued);
  ASSERT_TRUE(router_->Accept("anna", "r-call", &effects_).ok());
  ASSERT_TRUE(router_
                  ->SetContactPerson({"p-resident", "burgerzaken", "anna", absl::InfiniteFuture()},
                                     &effects_)
                  .ok());
  ASSERT_TRUE(
      router_
          ->SetContactPerson({"p-other", "burgerzaken", "anna", absl::InfiniteFuture()}, &effects_)
          .ok());

  effects_.clear();
  absl::StatusOr<ResidentErasure> erased =
      router_->EraseResident({"p-resident"}, "operator:test", &effects_);
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->live_contacts_ended, 3);
  EXPECT_EQ(erased->contact_persons_forgotten, 1);

  // Each live contact abandoned with reason "erased", in id order; the connected call names its
  // handler (whose stream is told), the waiting ones none (or the handler of an offer).
  std::vector<ContactAbandoned> abandoned = EffectsOf<ContactAbandoned>(effects_);
  ASSERT_THAT(abandoned, SizeIs(3));
  EXPECT_EQ(abandoned[0].contact_id, "r-call");
  EXPECT_EQ(abandoned[0].handler_id, "anna");
  EXPECT_EQ(abandoned[0].previous, ContactState::kConnected);
  EXPECT_EQ(abandoned[1].contact_id, "r-call2");
  EXPECT_EQ(abandoned[2].contact_id, "r-form");
  for (const ContactAbandoned& a : abandoned) EXPECT_EQ(a.reason, "erased");
  EXPECT_EQ(router_->FindContact("r-call"), nullptr);
  EXPECT_EQ(router_->FindContact("r-call2"), nullptr);
  EXPECT_EQ(router_->FindContact("r-form"), nullptr);

  // One ResidentErased, after the abandonments, with who asked.
  std::vector<ResidentErased> erasures = EffectsOf<ResidentErased>(effects_);
  ASSERT_THAT(erasures, SizeIs(1));
  EXPECT_THAT(erasures[0].pseudonyms, ElementsAre("p-resident"));
  EXPECT_EQ(erasures[0].requested_by, "operator:test");
  EXPECT_EQ(erasures[0].time, clock_.Now());
  size_t erased_at = 0;
  for (size_t i = 0; i < effects_.size(); ++i) {
    if (std::holds_alternative<ResidentErased>(effects_[i])) erased_at = i;
  }
  for (size_t i = 0; i < effects_.size(); ++i) {
    if (std::holds_alternative<ContactAbandoned>(effects_[i])) {
      EXPECT_LT(i, erased_at);
    }
  }

  // anna's freed slot goes to the other resident's call, offered after the erasure; none of the
  // erased resident's contacts was offered on the way.
  std::vector<ContactOffered> offered = EffectsOf<ContactOffered>(effects_);
  ASSERT_THAT(offered, SizeIs(1));
  EXPECT_EQ(offered[0].contact_id, "o-call");
  EXPECT_EQ(offered[0].handler_id, "anna");

  EXPECT_EQ(router_->FindContactPerson("p-resident", "burgerzaken"), nullptr);
  EXPECT_NE(router_->FindContactPerson("p-other", "burgerzaken"), nullptr);
  EXPECT_NE(router_->FindContact("o-call"), nullptr);
}

TEST_F(EraseResidentTest, ACasePseudonymErasesTheCaseContactsAndItsOwner) {
  SignIn("bram", "wmo");
  Route("case-1", "wmo-hulpmiddelen", "", Channel::kChat, "p-case");
  ASSERT_TRUE(
      router_->SetContactPerson({"p-case", "*", "bram", absl::InfiniteFuture()}, &effects_).ok());
  effects_.clear();
  absl::StatusOr<ResidentErasure> erased =
      router_->EraseResident({"p-case"}, "operator:test", &effects_);
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->live_contacts_ended, 1);
  EXPECT_EQ(erased->contact_persons_forgotten, 1);
  EXPECT_EQ(router_->FindContact("case-1"), nullptr);
  EXPECT_EQ(router_->FindContactPerson("p-case", "*"), nullptr);
}

TEST_F(EraseResidentTest, NothingLiveStillAsksTheStoreAndIsIdempotent) {
  for (int i = 0; i < 2; ++i) {
    effects_.clear();
    absl::StatusOr<ResidentErasure> erased =
        router_->EraseResident({"p-gone"}, "operator:test", &effects_);
    ASSERT_TRUE(erased.ok()) << erased.status();
    EXPECT_EQ(erased->live_contacts_ended, 0);
    EXPECT_EQ(erased->contact_persons_forgotten, 0);
    EXPECT_THAT(EffectsOf<ResidentErased>(effects_), SizeIs(1));
    EXPECT_THAT(effects_, SizeIs(1));
  }
}

TEST_F(EraseResidentTest, NoPseudonymIsRefusedAndChangesNothing) {
  Route("c1", "paspoort", "p-resident");
  effects_.clear();
  for (const std::vector<std::string>& pseudonyms :
       {std::vector<std::string>{}, std::vector<std::string>{""}}) {
    absl::StatusOr<ResidentErasure> erased =
        router_->EraseResident(pseudonyms, "operator:test", &effects_);
    EXPECT_EQ(erased.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(erased.status().message()), ::testing::StartsWith("pseudonyms:"));
  }
  EXPECT_THAT(effects_, IsEmpty());
  EXPECT_NE(router_->FindContact("c1"), nullptr);
}

}  // namespace
}  // namespace wissel::core
