#include "router/core/contact_person_table.h"

#include <optional>

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
