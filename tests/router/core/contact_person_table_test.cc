#include "router/core/contact_person_table.h"

#include <optional>
#include <variant>

#include "gtest/gtest.h"

namespace wissel::core {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);

TEST(ContactPersonTableTest, FindsUnexpiredMappingsOnly) {
  ContactPersonTable table;
  table.Set({"p1", "wmo", "h1", kT0 + absl::Hours(1)});
  const ContactPersonMapping* m = table.Find("p1", "wmo", kT0);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->handler_id, "h1");
  EXPECT_EQ(table.Find("p1", "jeugd", kT0), nullptr);
  EXPECT_EQ(table.Find("p1", "wmo", kT0 + absl::Hours(1)), nullptr);
  // Set replaces.
  table.Set({"p1", "wmo", "h2", kT0 + absl::Hours(2)});
  EXPECT_EQ(table.Find("p1", "wmo", kT0)->handler_id, "h2");
  EXPECT_EQ(table.all().size(), 1u);
}

TEST(ContactPersonTableTest, ExpireForgetsExpiredMappings) {
  ContactPersonTable table;
  table.Set({"p1", "wmo", "h1", kT0 + absl::Hours(1)});
  table.Set({"p2", "wmo", "h1", kT0 + absl::Hours(3)});
  table.Expire(kT0 + absl::Hours(2));
  EXPECT_EQ(table.all().size(), 1u);
  EXPECT_NE(table.Find("p2", "wmo", kT0), nullptr);
}

TEST(ContactPersonTableTest, RekeyMovesEveryDomainAndKeepsNewerMappings) {
  ContactPersonTable table;
  table.Set({"old", "wmo", "h1", kT0 + absl::Hours(5)});
  table.Set({"old", "jeugd", "h2", kT0 + absl::Hours(5)});
  table.Set({"old", "afval", "h3", kT0 + absl::Hours(1)});  // expired by then
  table.Set({"new", "jeugd", "h9", kT0 + absl::Hours(6)});  // set under the new secret already
  table.Set({"other", "wmo", "h4", kT0 + absl::Hours(5)});
  EffectList effects;
  table.Rekey("old", "new", kT0 + absl::Hours(2), &effects);

  ASSERT_NE(table.Find("new", "wmo", kT0), nullptr);
  EXPECT_EQ(table.Find("new", "wmo", kT0)->handler_id, "h1");
  EXPECT_EQ(table.Find("new", "wmo", kT0)->expires_at, kT0 + absl::Hours(5));
  EXPECT_EQ(table.Find("new", "jeugd", kT0)->handler_id, "h9");
  EXPECT_EQ(table.Find("new", "afval", kT0), nullptr);
  for (const char* domain : {"wmo", "jeugd", "afval"}) {
    EXPECT_EQ(table.Find("old", domain, kT0), nullptr) << domain;
  }
  EXPECT_NE(table.Find("other", "wmo", kT0), nullptr);
  EXPECT_EQ(table.all().size(), 3u);

  // One set per live mapping moved, each naming the pseudonym it replaces.
  ASSERT_EQ(effects.size(), 2u);
  for (const Effect& e : effects) {
    const auto* set = std::get_if<ContactPersonSet>(&e);
    ASSERT_NE(set, nullptr);
    EXPECT_EQ(set->replaces_pseudonym, "old");
    EXPECT_EQ(set->mapping.party_pseudonym, "new");
    EXPECT_EQ(set->time, kT0 + absl::Hours(2));
    EXPECT_EQ(set->mapping.handler_id, set->mapping.domain == "wmo" ? "h1" : "h9");
  }

  // Nothing to do outside a rotation, or twice.
  effects.clear();
  table.Rekey("", "new", kT0, &effects);
  table.Rekey("new", "new", kT0, &effects);
  table.Rekey("old", "new", kT0, &effects);
  EXPECT_TRUE(effects.empty());
  EXPECT_EQ(table.all().size(), 3u);
}

class ReservationTargetTest : public ::testing::Test {
 protected:
  ReservationTargetTest() : queues_(config_.queues), handlers_(&config_, &queues_) {
    HandlerProfile person;
    person.id = "h-person";
    person.deputy = "h-deputy";
    config_.handlers = {person};
    table_.Set({"p1", "wmo", "h-person", kT0 + absl::Hours(1)});
    table_.Set({"case-1", ContactPersonTable::kAnyDomain, "h-owner", kT0 + absl::Hours(1)});
    contact_.party_pseudonym = "p1";
    contact_.domain = "wmo";
  }

  void SignIn(const std::string& id) {
    Handler h;
    h.id = id;
    h.presence = Presence::kAvailable;
    handlers_.Add(std::move(h));
  }

  const std::string* Target() {
    note_.reset();
    return table_.ReservationTarget(contact_, handlers_, config_, kT0, &note_, &decision_);
  }

  TenantConfig config_;
  QueueTable queues_;
  HandlerIndex handlers_;
  ContactPersonTable table_;
  Contact contact_;
  std::optional<DecisionNote> note_;
  Decision decision_;
};

TEST_F(ReservationTargetTest, NobodyWithoutAMapping) {
  contact_.party_pseudonym = "p-unknown";
  EXPECT_EQ(Target(), nullptr);
  EXPECT_FALSE(note_.has_value());
}

TEST_F(ReservationTargetTest, TheContactPersonWhenSignedIn) {
  SignIn("h-person");
  const std::string* target = Target();
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(*target, "h-person");
  ASSERT_TRUE(note_.has_value());
  EXPECT_EQ(note_->kind, NoteKind::kContactPerson);
}

TEST_F(ReservationTargetTest, TheDeputyWhenTheContactPersonIsAbsent) {
  SignIn("h-deputy");
  const std::string* target = Target();
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(*target, "h-deputy");
  EXPECT_EQ(note_->kind, NoteKind::kDeputy);
  EXPECT_EQ(*note_->name, "h-person");
}

TEST_F(ReservationTargetTest, TheTeamWhenBothAreAbsent) {
  EXPECT_EQ(Target(), nullptr);
  ASSERT_TRUE(note_.has_value());
  EXPECT_EQ(note_->kind, NoteKind::kNoContactPerson);
  EXPECT_EQ(*note_->name, "h-person");
}

TEST_F(ReservationTargetTest, ACaseOwnerComesBeforeTheResidentsContactPerson) {
  SignIn("h-person");
  SignIn("h-owner");
  contact_.case_reference = "case-1";
  const std::string* target = Target();
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(*target, "h-owner");
}

}  // namespace
}  // namespace wissel::core
