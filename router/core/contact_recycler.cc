#include "router/core/contact_recycler.h"

#include <string>
#include <utility>

namespace wissel::core {

void ContactRecycler::Recycle(std::unique_ptr<Contact> c) {
  if (spare_.size() >= kMaxSpare) return;
  // Back to a default Contact, keeping the vectors' capacity (and the strings': assigning a
  // short string keeps a string's buffer).
  std::vector<std::string> declined_by = std::move(c->declined_by);
  std::vector<std::string> overflow_queues = std::move(c->overflow_queues);
  std::vector<SkillRequirement> required_skills = std::move(c->required_skills);
  *c = Contact{};
  declined_by.clear();
  overflow_queues.clear();
  required_skills.clear();
  c->declined_by = std::move(declined_by);
  c->overflow_queues = std::move(overflow_queues);
  c->required_skills = std::move(required_skills);
  spare_.push_back(std::move(c));
}

}  // namespace wissel::core
