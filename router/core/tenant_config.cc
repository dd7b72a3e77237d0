#include "router/core/tenant_config.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace wissel::core {
namespace {

// Every message has the shape "PATH: reason", where PATH is the field's path relative to the
// tenant in the YAML schema ("topics[3].queue"). The config loader relies on this shape to
// point the operator at the offending line; keep it when adding checks.
absl::Status Invalid(absl::string_view path, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", reason));
}

absl::Status CheckPositive(absl::string_view path, absl::Duration d) {
  if (d <= absl::ZeroDuration()) {
    return Invalid(path, absl::StrCat("must be positive, got ", absl::FormatDuration(d)));
  }
  return absl::OkStatus();
}

absl::Status CheckProficiency(absl::string_view path, int level) {
  if (level < 1 || level > 5) {
    return Invalid(path, absl::StrCat("proficiency must be between 1 and 5, got ", level));
  }
  return absl::OkStatus();
}

constexpr absl::string_view kDayKeys[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string Clock(int minute) { return absl::StrFormat("%02d:%02d", minute / 60, minute % 60); }

// Ranges of one day: each within 00:00..24:00, opening before closing, in order, no overlap.
absl::Status CheckRanges(absl::string_view path, const std::vector<TimeRange>& ranges) {
  for (size_t i = 0; i < ranges.size(); ++i) {
    const TimeRange& r = ranges[i];
    const std::string item = absl::StrCat(path, "[", i, "]");
    if (r.open_minute < 0 || r.close_minute > 24 * 60 || r.open_minute >= r.close_minute) {
      return Invalid(item, absl::StrCat("invalid range ", r.open_minute, "..", r.close_minute,
                                        " minutes; it must open before it closes, within "
                                        "00:00-24:00"));
    }
    if (i > 0 && r.open_minute < ranges[i - 1].close_minute) {
      return Invalid(item, absl::StrCat("opens at ", Clock(r.open_minute),
                                        ", before the previous "
                                        "range closes at ",
                                        Clock(ranges[i - 1].close_minute),
                                        "; list ranges in order without overlap"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status TenantConfig::Validate() const {
  if (id.empty()) return Invalid("id", "must not be empty");

  for (Channel c : kAllChannels) {
    const int capacity = handler_defaults.capacity[c];
    if (capacity < 0) {
      return Invalid(absl::StrCat("handler_defaults.capacity.", ChannelName(c)),
                     absl::StrCat("must be >= 0, got ", capacity));
    }
  }
  for (const auto& [code, share] : surveys.topic_rate) {
    if (FindTopic(code) == nullptr) {
      return Invalid(absl::StrCat("surveys.topics.", code), "no such topic in the catalogue");
    }
  }
  if (absl::Status s =
          CheckPositive("handler_defaults.offer_timeout", handler_defaults.offer_timeout);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckPositive("handler_defaults.max_wrap_up", handler_defaults.max_wrap_up);
      !s.ok()) {
    return s;
  }
  for (Channel c : kAllChannels) {
    const std::vector<Channel>& blocked = handler_defaults.blocks[c];
    for (size_t i = 0; i < blocked.size(); ++i) {
      const std::string path =
          absl::StrCat("handler_defaults.blocks.", ChannelName(c), "[", i, "]");
      if (blocked[i] == c) {
        return Invalid(path, "a channel does not block itself (capacity limits it)");
      }
      const auto before = blocked.begin() + static_cast<std::ptrdiff_t>(i);
      if (std::find(blocked.begin(), before, blocked[i]) != before) {
        return Invalid(path, absl::StrCat("duplicate channel '", ChannelName(blocked[i]), "'"));
      }
    }
  }

  absl::flat_hash_map<absl::string_view, size_t> queue_index;
  for (size_t i = 0; i < queues.size(); ++i) {
    const QueueConfig& q = queues[i];
    const std::string path = absl::StrCat("queues[", i, "]");
    if (q.name.empty()) return Invalid(absl::StrCat(path, ".name"), "must not be empty");
    if (auto [it, inserted] = queue_index.emplace(q.name, i); !inserted) {
      return Invalid(absl::StrCat(path, ".name"),
                     absl::StrCat("duplicate queue '", q.name, "' (first defined at queues[",
                                  it->second, "])"));
    }
    if (q.skill.empty()) return Invalid(absl::StrCat(path, ".skill"), "must not be empty");
    if (absl::Status s =
            CheckPositive(absl::StrCat(path, ".default_handle_time"), q.default_handle_time);
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            CheckProficiency(absl::StrCat(path, ".min_proficiency"), q.min_proficiency);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckPositive(absl::StrCat(path, ".sla_target"), q.sla_target); !s.ok()) {
      return s;
    }
  }

  // The skills some queue or roster handler has: anything else can never be matched.
  absl::flat_hash_set<absl::string_view> known_skills;
  for (const QueueConfig& q : queues) known_skills.insert(q.skill);
  for (const HandlerProfile& h : handlers) {
    for (const auto& [skill, level] : h.skills) known_skills.insert(skill);
  }

  // Escalation, once every queue name is known (overflow may point forward).
  for (size_t i = 0; i < queues.size(); ++i) {
    const QueueConfig& q = queues[i];
    int effective = q.min_proficiency;
    for (size_t j = 0; j < q.escalation.size(); ++j) {
      const EscalationStep& step = q.escalation[j];
      const std::string path = absl::StrCat("queues[", i, "].escalation[", j, "]");
      if (absl::Status s = CheckPositive(absl::StrCat(path, ".after"), step.after); !s.ok()) {
        return s;
      }
      if (j > 0 && step.after <= q.escalation[j - 1].after) {
        return Invalid(
            absl::StrCat(path, ".after"),
            absl::StrCat("steps must be ordered by 'after': ", absl::FormatDuration(step.after),
                         " is not later than the previous step's ",
                         absl::FormatDuration(q.escalation[j - 1].after)));
      }
      if (!step.min_proficiency.has_value() && step.overflow_queue.empty() &&
          !step.offer_callback) {
        return Invalid(path, "step does nothing; give min_proficiency, overflow or offer_callback");
      }
      if (step.min_proficiency.has_value()) {
        const std::string p = absl::StrCat(path, ".min_proficiency");
        if (absl::Status s = CheckProficiency(p, *step.min_proficiency); !s.ok()) return s;
        if (*step.min_proficiency > effective) {
          return Invalid(p, absl::StrCat("escalation only relaxes: ", *step.min_proficiency,
                                         " is above the ", effective, " that applies before"));
        }
        effective = *step.min_proficiency;
      }
      if (!step.overflow_queue.empty()) {
        const std::string p = absl::StrCat(path, ".overflow");
        if (!queue_index.contains(step.overflow_queue)) {
          return Invalid(p, absl::StrCat("unknown queue '", step.overflow_queue, "'"));
        }
        if (step.overflow_queue == q.name) {
          return Invalid(p, "a queue cannot overflow into itself");
        }
      }
    }
  }

  absl::flat_hash_map<absl::string_view, size_t> topic_index;
  for (size_t i = 0; i < topics.size(); ++i) {
    const TopicConfig& t = topics[i];
    const std::string path = absl::StrCat("topics[", i, "]");
    if (t.code.empty()) return Invalid(absl::StrCat(path, ".code"), "must not be empty");
    if (auto [it, inserted] = topic_index.emplace(t.code, i); !inserted) {
      return Invalid(absl::StrCat(path, ".code"),
                     absl::StrCat("duplicate topic code '", t.code, "' (first defined at topics[",
                                  it->second, "])"));
    }
    if (t.queue.empty()) return Invalid(absl::StrCat(path, ".queue"), "must not be empty");
    if (!queue_index.contains(t.queue)) {
      return Invalid(absl::StrCat(path, ".queue"), absl::StrCat("unknown queue '", t.queue, "'"));
    }
    if (t.default_priority < 0 || t.default_priority > 100) {
      return Invalid(absl::StrCat(path, ".default_priority"),
                     absl::StrCat("must be between 0 and 100, got ", t.default_priority));
    }
    if (t.digital_alternative.has_value()) {
      const std::string& url = t.digital_alternative->url;
      if (!absl::StartsWith(url, "https://") && !absl::StartsWith(url, "http://")) {
        return Invalid(absl::StrCat(path, ".digital_alternative.url"),
                       absl::StrCat("must start with https:// or http://, got '", url, "'"));
      }
    }
    for (size_t k = 0; k < t.skills.size(); ++k) {
      const SkillRequirement& r = t.skills[k];
      const std::string p = absl::StrCat(path, ".skills.", r.skill);
      if (r.skill.empty()) {
        return Invalid(absl::StrCat(path, ".skills[", k, "]"), "skill must not be empty");
      }
      if (absl::Status s = CheckProficiency(p, r.min_proficiency); !s.ok()) return s;
      if (!known_skills.contains(r.skill)) {
        return Invalid(p, absl::StrCat("unknown skill '", r.skill,
                                       "': no queue has it and no handler in the roster has it"));
      }
    }
    for (Channel c : kAllChannels) {
      const ServiceNorm& norm = t.norms[c];
      const std::string p = absl::StrCat(path, ".norms.", ChannelName(c));
      if (norm.answer_within.has_value()) {
        if (absl::Status s = CheckPositive(absl::StrCat(p, ".answer_within"), *norm.answer_within);
            !s.ok()) {
          return s;
        }
      }
      if (norm.working_days.has_value() && *norm.working_days < 1) {
        return Invalid(absl::StrCat(p, ".working_days"),
                       absl::StrCat("must be at least 1, got ", *norm.working_days));
      }
    }
    if (t.confidential && !queues[queue_index.at(t.queue)].authorised_for_confidential) {
      return Invalid(absl::StrCat(path, ".confidential"),
                     absl::StrCat("queue '", t.queue,
                                  "' is not authorised_for_confidential; route confidential "
                                  "topics to an authorised queue"));
    }
  }

  absl::flat_hash_map<absl::string_view, size_t> handler_index;
  for (size_t i = 0; i < handlers.size(); ++i) {
    const HandlerProfile& h = handlers[i];
    const std::string path = absl::StrCat("handlers[", i, "]");
    if (h.id.empty()) return Invalid(absl::StrCat(path, ".id"), "must not be empty");
    if (auto [it, inserted] = handler_index.emplace(h.id, i); !inserted) {
      return Invalid(absl::StrCat(path, ".id"),
                     absl::StrCat("duplicate handler id '", h.id, "' (first defined at handlers[",
                                  it->second, "])"));
    }
    for (const auto& [skill, level] : h.skills) {
      if (skill.empty()) return Invalid(absl::StrCat(path, ".skills"), "empty skill name");
      if (absl::Status s = CheckProficiency(absl::StrCat(path, ".skills.", skill), level);
          !s.ok()) {
        return s;
      }
    }
    for (size_t k = 0; k < h.teams.size(); ++k) {
      if (!queue_index.contains(h.teams[k])) {
        return Invalid(absl::StrCat(path, ".teams[", k, "]"),
                       absl::StrCat("unknown team '", h.teams[k], "'; teams are queue names"));
      }
    }
  }
  for (size_t i = 0; i < handlers.size(); ++i) {
    const HandlerProfile& h = handlers[i];
    if (h.deputy.empty()) continue;
    const std::string path = absl::StrCat("handlers[", i, "].deputy");
    if (h.deputy == h.id) return Invalid(path, "a handler cannot be their own deputy");
    if (!handler_index.contains(h.deputy)) {
      return Invalid(path, absl::StrCat("unknown handler '", h.deputy, "' (not in the roster)"));
    }
  }

  // Calendar.
  bool has_hours = !calendar.exceptions.empty();
  for (Channel c : kAllChannels) {
    if (!calendar.hours[c].has_value()) continue;
    has_hours = true;
    for (size_t d = 0; d < 7; ++d) {
      if (absl::Status s =
              CheckRanges(absl::StrCat("calendar.hours.", ChannelName(c), ".", kDayKeys[d]),
                          calendar.hours[c]->days[d]);
          !s.ok()) {
        return s;
      }
    }
  }
  for (size_t i = 0; i < calendar.holidays.size(); ++i) {
    const auto before = calendar.holidays.begin() + static_cast<std::ptrdiff_t>(i);
    if (std::find(calendar.holidays.begin(), before, calendar.holidays[i]) != before) {
      return Invalid(absl::StrCat("calendar.holidays[", i, "]"), "listed twice");
    }
  }
  for (size_t i = 0; i < calendar.exceptions.size(); ++i) {
    const DateException& e = calendar.exceptions[i];
    const std::string path = absl::StrCat("calendar.exceptions[", i, "]");
    for (size_t j = 0; j < i; ++j) {
      if (calendar.exceptions[j].day == e.day) {
        return Invalid(absl::StrCat(path, ".date"),
                       absl::StrCat("duplicate date ", absl::FormatCivilTime(e.day),
                                    " (first at exceptions[", j, "])"));
      }
    }
    if (absl::Status s = CheckRanges(absl::StrCat(path, ".hours"), e.hours); !s.ok()) return s;
  }
  if (has_hours && calendar.closed_message.empty()) {
    for (Channel c : kAllChannels) {
      if (calendar.hours[c].has_value() &&
          calendar.outside_hours[c] == OutsideHoursOutcome::kClosedMessage) {
        return Invalid("calendar.closed_message",
                       absl::StrCat("must be set: channel '", ChannelName(c),
                                    "' shows it outside its opening hours (outside_hours)"));
      }
    }
  }

  // Policies.
  if (digital_first.tenzij_priority_boost < 0 || digital_first.tenzij_priority_boost > 100) {
    return Invalid(
        "digital_first.tenzij_priority_boost",
        absl::StrCat("must be between 0 and 100, got ", digital_first.tenzij_priority_boost));
  }
  if (absl::Status s = CheckPositive("digital_first.digital_first_above_wait",
                                     digital_first.digital_first_above_wait);
      !s.ok()) {
    return s;
  }
  if (contact_person.wait_for_contact_person < absl::ZeroDuration()) {
    return Invalid("contact_person.wait_for_contact_person", "must not be negative");
  }
  if (absl::Status s = CheckPositive("contact_person.mapping_ttl", contact_person.mapping_ttl);
      !s.ok()) {
    return s;
  }
  if (!std::isfinite(aging_per_minute) || aging_per_minute < 0) {
    return Invalid("aging_per_minute",
                   absl::StrCat("must be a number >= 0, got ", aging_per_minute));
  }
  // Rules are checked by rules::RuleSet::Compile, which needs the validated config.
  return absl::OkStatus();
}

const TopicConfig* TenantConfig::FindTopic(const std::string& code) const {
  for (const TopicConfig& t : topics) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

const QueueConfig* TenantConfig::FindQueue(const std::string& name) const {
  for (const QueueConfig& q : queues) {
    if (q.name == name) return &q;
  }
  return nullptr;
}

const HandlerProfile* TenantConfig::FindHandler(const std::string& id) const {
  for (const HandlerProfile& h : handlers) {
    if (h.id == id) return &h;
  }
  return nullptr;
}

double TenantConfig::SurveyPolicy::RateFor(const TopicConfig& topic, Channel channel) const {
  for (const auto& [code, r] : topic_rate) {
    if (code == topic.code) return r;
  }
  if (topic.confidential) return 0;
  if (channel_rate[channel]) return *channel_rate[channel];
  return rate;
}

bool SurveySampled(const std::string& contact_id, double rate) {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  // FNV-1a, 64 bits: stable across processes and builds, unlike std::hash or absl::Hash.
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char ch : contact_id) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  constexpr uint64_t kScale = 1000000;
  return static_cast<double>(h % kScale) < rate * static_cast<double>(kScale);
}

}  // namespace wissel::core
