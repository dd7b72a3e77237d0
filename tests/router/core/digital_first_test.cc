#include "router/core/digital_first.h"

#include "gtest/gtest.h"

namespace wissel::core {
namespace {

class DigitalFirstTest : public ::testing::Test {
 protected:
  DigitalFirstTest() {
    topic_.code = "paspoort";
    topic_.digital_alternative = DigitalAlternative{"https://example.nl/paspoort", "Online"};
    policy_.tenzij_priority_boost = 20;
    policy_.digital_first_above_wait = absl::Minutes(5);
    contact_.channel = Channel::kPhone;
    contact_.priority = 50;
  }

  bool Apply(absl::Duration wait, bool offer_digital = false) {
    return ApplyDigitalFirst(
        topic_, policy_, offer_digital,
        [&] {
          ++wait_asked_;
          return wait;
        },
        contact_, decision_);
  }

  TopicConfig topic_;
  TenantConfig::DigitalFirstPolicy policy_;
  Contact contact_;
  Decision decision_;
  int wait_asked_ = 0;
};

TEST_F(DigitalFirstTest, ANeedExemptsWithAPriorityBoost) {
  contact_.needs = NeedBit(Need::kLanguageBarrier);
  contact_.priority = 90;
  EXPECT_FALSE(Apply(absl::Hours(1)));
  EXPECT_EQ(decision_.digital_first, DigitalFirst::kExemptNeed);
  EXPECT_EQ(contact_.priority, 100);  // capped
  EXPECT_FALSE(decision_.digital_offer.has_value());
  EXPECT_EQ(wait_asked_, 0);  // the wait does not matter
}

TEST_F(DigitalFirstTest, AResidentWhoAsksForAPersonGetsOneAndHearsOfTheAlternative) {
  contact_.wants_person = true;
  EXPECT_FALSE(Apply(absl::Hours(1)));
  EXPECT_EQ(decision_.digital_first, DigitalFirst::kExemptWantsPerson);
  ASSERT_TRUE(decision_.digital_offer.has_value());
  EXPECT_EQ(decision_.digital_offer->url, "https://example.nl/paspoort");
  EXPECT_EQ(contact_.priority, 50);
}

TEST_F(DigitalFirstTest, ATopicDoneDigitallyIsSteered) {
  topic_.person_after_digital_offer = false;
  EXPECT_TRUE(Apply(absl::ZeroDuration()));
  EXPECT_EQ(decision_.digital_first, DigitalFirst::kSteered);
  EXPECT_TRUE(decision_.digital_offer.has_value());
  ASSERT_EQ(decision_.notes.size(), 2u);
  EXPECT_EQ(decision_.notes[0].kind, NoteKind::kSteeredTopic);
  EXPECT_EQ(decision_.notes[1].kind, NoteKind::kSteered);
}

TEST_F(DigitalFirstTest, ALongWaitSteersAShortOneRoutesWithTheOffer) {
  EXPECT_TRUE(Apply(absl::Minutes(6)));
  EXPECT_EQ(decision_.digital_first, DigitalFirst::kSteered);
  EXPECT_EQ(decision_.notes[0].kind, NoteKind::kSteeredWait);
  EXPECT_EQ(decision_.notes[0].duration, absl::Minutes(6));

  decision_ = Decision();
  EXPECT_FALSE(Apply(absl::Minutes(5)));
  EXPECT_EQ(decision_.digital_first, DigitalFirst::kOfferedAndRouted);
  EXPECT_TRUE(decision_.digital_offer.has_value());
  EXPECT_EQ(wait_asked_, 2);
}

TEST_F(DigitalFirstTest, DoesNotApplyOffPersonalChannelsOrWithoutAnAlternative) {
  contact_.channel = Channel::kWebForm;
  EXPECT_FALSE(Apply(absl::Hours(1)));
  EXPECT_EQ(decision_.digital_first, DigitalFirst::kNotApplicable);
  EXPECT_FALSE(decision_.digital_offer.has_value());
  // A rule may still ask to mention the alternative.
  EXPECT_FALSE(Apply(absl::Hours(1), /*offer_digital=*/true));
  EXPECT_EQ(decision_.digital_first, DigitalFirst::kNotApplicable);
  EXPECT_TRUE(decision_.digital_offer.has_value());

  decision_ = Decision();
  contact_.channel = Channel::kPhone;
  topic_.digital_alternative.reset();
  EXPECT_FALSE(Apply(absl::Hours(1), /*offer_digital=*/true));
  EXPECT_EQ(decision_.digital_first, DigitalFirst::kNotApplicable);
  EXPECT_FALSE(decision_.digital_offer.has_value());
  EXPECT_EQ(wait_asked_, 0);
}

}  // namespace
}  // namespace wissel::core
