#include "router/core/contact_recycler.h"

#include "gtest/gtest.h"

namespace wissel::core {
namespace {

TEST(ContactRecyclerTest, HandsBackARecycledContactResetButWithCapacity) {
  ContactRecycler recycler;
  std::unique_ptr<Contact> c = recycler.New();
  c->id = "c1";
  c->state = ContactState::kConnected;
  c->priority = 40;
  c->declined_by = {"h1", "h2", "h3"};
  c->overflow_queues = {"kcc"};
  c->required_skills = {{"wmo", 3}};
  c->reserved_for = "h4";
  const Contact* address = c.get();
  recycler.Recycle(std::move(c));
  EXPECT_EQ(recycler.spare(), 1u);

  std::unique_ptr<Contact> again = recycler.New();
  EXPECT_EQ(again.get(), address);
  EXPECT_EQ(recycler.spare(), 0u);
  EXPECT_EQ(again->id, "");
  EXPECT_EQ(again->state, ContactState::kQueued);
  EXPECT_EQ(again->priority, 0);
  EXPECT_TRUE(again->declined_by.empty());
  EXPECT_GE(again->declined_by.capacity(), 3u);
  EXPECT_TRUE(again->overflow_queues.empty());
  EXPECT_GE(again->overflow_queues.capacity(), 1u);
  EXPECT_TRUE(again->required_skills.empty());
  EXPECT_GE(again->required_skills.capacity(), 1u);
  EXPECT_EQ(again->reserved_for, "");
  EXPECT_EQ(again->reserved_until, absl::InfinitePast());
}

TEST(ContactRecyclerTest, KeepsAtMostMaxSpare) {
  ContactRecycler recycler;
  for (size_t i = 0; i < ContactRecycler::kMaxSpare + 5; ++i) {
    recycler.Recycle(std::make_unique<Contact>());
  }
  EXPECT_EQ(recycler.spare(), ContactRecycler::kMaxSpare);
}

}  // namespace
}  // namespace wissel::core
