#include "adapters/common/api_names.h"

#include "adapters/common/problem.h"

namespace wissel::adapters {

absl::StatusOr<v1::Need> ParseNeed(absl::string_view field, absl::string_view word) {
  if (word == "low_digital_skills") return v1::NEED_LOW_DIGITAL_SKILLS;
  if (word == "language_barrier") return v1::NEED_LANGUAGE_BARRIER;
  if (word == "impairment") return v1::NEED_IMPAIRMENT;
  if (word == "vulnerable_situation") return v1::NEED_VULNERABLE_SITUATION;
  return FieldError(field,
                    "must be one of low_digital_skills, language_barrier, impairment, "
                    "vulnerable_situation");
}

absl::StatusOr<v1::DigidLevel> ParseDigidLevel(absl::string_view field, absl::string_view word) {
  if (word.empty()) return v1::DIGID_LEVEL_UNSPECIFIED;
  if (word == "basis") return v1::DIGID_LEVEL_BASIS;
  if (word == "midden") return v1::DIGID_LEVEL_MIDDEN;
  if (word == "substantieel") return v1::DIGID_LEVEL_SUBSTANTIEEL;
  if (word == "hoog") return v1::DIGID_LEVEL_HOOG;
  return FieldError(field, "must be one of basis, midden, substantieel, hoog");
}

std::string OutcomeName(v1::Decision::Outcome outcome) {
  switch (outcome) {
    case v1::Decision::OUTCOME_ASSIGNED:
      return "assigned";
    case v1::Decision::OUTCOME_QUEUED:
      return "queued";
    case v1::Decision::OUTCOME_DIGITAL:
      return "digital";
    case v1::Decision::OUTCOME_CALLBACK:
      return "callback";
    case v1::Decision::OUTCOME_CLOSED:
      return "closed";
    default:
      return "unspecified";
  }
}

std::string ContactStateName(v1::ContactState state) {
  switch (state) {
    case v1::CONTACT_STATE_QUEUED:
      return "queued";
    case v1::CONTACT_STATE_OFFERED:
      return "offered";
    case v1::CONTACT_STATE_CONNECTED:
      return "connected";
    case v1::CONTACT_STATE_COMPLETED:
      return "completed";
    case v1::CONTACT_STATE_ABANDONED:
      return "abandoned";
    default:
      return "unspecified";
  }
}

bool IsEnded(v1::ContactState state) {
  return state == v1::CONTACT_STATE_COMPLETED || state == v1::CONTACT_STATE_ABANDONED;
}

}  // namespace wissel::adapters
