#include "adapters/sip/dial_plan.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace wissel::adapters::sip {

std::string NormalizeDialledNumber(absl::string_view number) {
  const size_t params = number.find(';');
  if (params != absl::string_view::npos) number = number.substr(0, params);
  std::string out;
  out.reserve(number.size());
  for (char c : number) {
    if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
    out.push_back(c);
  }
  return out;
}

bool IsValidIvrChoice(absl::string_view choice) {
  if (choice.empty() || choice.size() > 8) return false;
  for (char c : choice) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '*' && c != '#') return false;
  }
  return true;
}

DialPlan::DialPlan(const SipConfig& config) {
  for (const DialledNumberConfig& number : config.numbers) {
    numbers_.emplace(NormalizeDialledNumber(number.number), number);
  }
}

absl::StatusOr<DialResult> DialPlan::Resolve(absl::string_view request_user,
                                             absl::string_view ivr_header) const {
  std::string normalized = NormalizeDialledNumber(request_user);
  absl::string_view number = normalized;
  absl::string_view suffix;
  const size_t star = number.find('*');
  if (star != absl::string_view::npos) {
    suffix = number.substr(star + 1);
    number = number.substr(0, star);
  }
  const auto it = numbers_.find(number);
  if (it == numbers_.end()) return absl::NotFoundError("the dialled number is not configured");
  DialResult result;
  result.number = std::string(number);
  result.topic = it->second.topic;
  absl::string_view choice = absl::StripAsciiWhitespace(ivr_header);
  if (choice.empty()) choice = suffix;
  if (IsValidIvrChoice(choice)) {
    result.ivr_choice = std::string(choice);
    const auto topic = it->second.ivr.find(result.ivr_choice);
    if (topic != it->second.ivr.end()) result.topic = topic->second;
  }
  return result;
}

}  // namespace wissel::adapters::sip
