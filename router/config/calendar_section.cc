// A tenant's `calendar:`: time zone, opening hours per channel, holidays, date exceptions and
// what happens outside hours.
#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "base/status_macros.h"
#include "base/yaml_reader.h"
#include "router/config/config_parser.h"

namespace wissel::config {
namespace {

// "HH:MM" (or "24:00") as minutes since midnight.
std::optional<int> ParseClock(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() != 2 || parts[0].empty() || parts[0].size() > 2 || parts[1].size() != 2) {
    return std::nullopt;
  }
  for (absl::string_view part : parts) {
    if (!std::all_of(part.begin(), part.end(), [](char c) { return absl::ascii_isdigit(c); })) {
      return std::nullopt;
    }
  }
  int hours = 0;
  int minutes = 0;
  if (!absl::SimpleAtoi(parts[0], &hours) || !absl::SimpleAtoi(parts[1], &minutes)) {
    return std::nullopt;
  }
  if (minutes > 59 || hours * 60 + minutes > 24 * 60) return std::nullopt;
  return hours * 60 + minutes;
}

constexpr base::EnumName<core::Holiday> kHolidays[] = {
    {"nieuwjaarsdag", core::Holiday::kNieuwjaarsdag},
    {"goede_vrijdag", core::Holiday::kGoedeVrijdag},
    {"eerste_paasdag", core::Holiday::kEerstePaasdag},
    {"tweede_paasdag", core::Holiday::kTweedePaasdag},
    {"koningsdag", core::Holiday::kKoningsdag},
    {"bevrijdingsdag", core::Holiday::kBevrijdingsdag},
    {"hemelvaartsdag", core::Holiday::kHemelvaartsdag},
    {"eerste_pinksterdag", core::Holiday::kEerstePinksterdag},
    {"tweede_pinksterdag", core::Holiday::kTweedePinksterdag},
    {"eerste_kerstdag", core::Holiday::kEersteKerstdag},
    {"tweede_kerstdag", core::Holiday::kTweedeKerstdag},
};

constexpr base::EnumName<core::BevrijdingsdagRule> kBevrijdingsdagRules[] = {
    {"lustrum", core::BevrijdingsdagRule::kLustrumOnly},
    {"every_year", core::BevrijdingsdagRule::kEveryYear},
};

constexpr base::EnumName<core::OutsideHoursOutcome> kOutsideHours[] = {
    {"callback", core::OutsideHoursOutcome::kCallback},
    {"digital_alternative", core::OutsideHoursOutcome::kDigitalAlternative},
    {"closed_message", core::OutsideHoursOutcome::kClosedMessage},
};

constexpr absl::string_view kDayKeys[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

}  // namespace

absl::Status ConfigParser::ParseCalendar(const YAML::Node& node, const std::string& path,
                                         core::CalendarConfig* calendar) {
  WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries fields,
                          reader_.ReadMap(node, path,
                                          {"time_zone", "hours", "holidays", "bevrijdingsdag",
                                           "exceptions", "outside_hours", "closed_message"}));
  if (const YAML::Node* n = fields.Find("time_zone")) {
    const std::string zone_path = base::JoinKeyPath(path, "time_zone");
    WISSEL_ASSIGN_OR_RETURN(const std::string zone, reader_.ReadString(*n, zone_path));
    if (!absl::LoadTimeZone(zone, &calendar->time_zone)) {
      return reader_.Error(*n, zone_path,
                           absl::StrCat("unknown time zone '", zone,
                                        "'; use an IANA name such as Europe/Amsterdam (is tzdata "
                                        "installed?)"));
    }
  }
  if (const YAML::Node* n = fields.Find("hours")) {
    const std::string hours_path = base::JoinKeyPath(path, "hours");
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries hours,
                            reader_.ReadMap(*n, hours_path, ChannelKeys()));
    for (core::Channel c : core::kAllChannels) {
      const YAML::Node* v = hours.Find(core::ChannelName(c));
      if (v == nullptr) continue;  // always open
      const std::string channel_path = base::JoinKeyPath(hours_path, core::ChannelName(c));
      const std::vector<absl::string_view> day_keys(std::begin(kDayKeys), std::end(kDayKeys));
      WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries days,
                              reader_.ReadMap(*v, channel_path, day_keys));
      core::WeeklyHours weekly;
      for (size_t d = 0; d < 7; ++d) {
        if (const YAML::Node* ranges = days.Find(kDayKeys[d])) {
          WISSEL_ASSIGN_OR_RETURN(
              weekly.days[d],
              ReadTimeRanges(*ranges, base::JoinKeyPath(channel_path, kDayKeys[d])));
        }
      }
      calendar->hours[c] = std::move(weekly);
    }
  }
  if (const YAML::Node* n = fields.Find("holidays")) {
    const std::string holidays_path = base::JoinKeyPath(path, "holidays");
    if (n->IsScalar() && n->Scalar() == "default") {
      calendar->holidays = core::CalendarConfig().holidays;
    } else if (n->IsScalar() && n->Scalar() == "none") {
      calendar->holidays.clear();
    } else if (n->IsSequence() || n->IsNull()) {
      calendar->holidays.clear();
      size_t i = 0;
      for (const YAML::Node& item : *n) {
        const std::string item_path = base::IndexPath(holidays_path, i++);
        reader_.Record(item_path, item);
        WISSEL_ASSIGN_OR_RETURN(
            const core::Holiday holiday,
            reader_.ReadEnum(item, item_path, absl::MakeSpan(kHolidays), "holiday"));
        calendar->holidays.push_back(holiday);
      }
    } else {
      return reader_.Error(
          *n, holidays_path,
          "expected 'default', 'none' or a list of holidays such as [nieuwjaarsdag, "
          "koningsdag]");
    }
  }
  if (const YAML::Node* n = fields.Find("bevrijdingsdag")) {
    WISSEL_ASSIGN_OR_RETURN(calendar->bevrijdingsdag,
                            reader_.ReadEnum(*n, base::JoinKeyPath(path, "bevrijdingsdag"),
                                             absl::MakeSpan(kBevrijdingsdagRules), "value"));
  }
  if (const YAML::Node* n = fields.Find("exceptions")) {
    const std::string exceptions_path = base::JoinKeyPath(path, "exceptions");
    WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(*n, exceptions_path));
    size_t i = 0;
    for (const YAML::Node& item : *n) {
      const std::string item_path = base::IndexPath(exceptions_path, i++);
      reader_.Record(item_path, item);
      WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries e,
                              reader_.ReadMap(item, item_path, {"date", "hours", "note"}));
      core::DateException exception;
      WISSEL_ASSIGN_OR_RETURN(const YAML::Node* date, reader_.Require(e, item, item_path, "date"));
      WISSEL_ASSIGN_OR_RETURN(exception.day, ReadDate(*date, base::JoinKeyPath(item_path, "date")));
      if (const YAML::Node* v = e.Find("hours")) {
        WISSEL_ASSIGN_OR_RETURN(exception.hours,
                                ReadTimeRanges(*v, base::JoinKeyPath(item_path, "hours")));
      }
      if (const YAML::Node* v = e.Find("note")) {
        WISSEL_ASSIGN_OR_RETURN(exception.note,
                                reader_.ReadString(*v, base::JoinKeyPath(item_path, "note")));
      }
      calendar->exceptions.push_back(std::move(exception));
    }
  }
  if (const YAML::Node* n = fields.Find("outside_hours")) {
    const std::string outside_path = base::JoinKeyPath(path, "outside_hours");
    WISSEL_ASSIGN_OR_RETURN(const base::YamlEntries outside,
                            reader_.ReadMap(*n, outside_path, ChannelKeys()));
    for (core::Channel c : core::kAllChannels) {
      if (const YAML::Node* v = outside.Find(core::ChannelName(c))) {
        WISSEL_ASSIGN_OR_RETURN(
            calendar->outside_hours[c],
            reader_.ReadEnum(*v, base::JoinKeyPath(outside_path, core::ChannelName(c)),
                             absl::MakeSpan(kOutsideHours), "outcome"));
      }
    }
  }
  if (const YAML::Node* n = fields.Find("closed_message")) {
    WISSEL_ASSIGN_OR_RETURN(calendar->closed_message,
                            reader_.ReadString(*n, base::JoinKeyPath(path, "closed_message")));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<core::TimeRange>> ConfigParser::ReadTimeRanges(const YAML::Node& node,
                                                                          absl::string_view path) {
  WISSEL_RETURN_IF_ERROR(reader_.ExpectSequence(node, path));
  std::vector<core::TimeRange> ranges;
  size_t i = 0;
  for (const YAML::Node& item : node) {
    const std::string item_path = base::IndexPath(path, i++);
    reader_.Record(item_path, item);
    WISSEL_ASSIGN_OR_RETURN(const std::string text, reader_.ReadString(item, item_path));
    const std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
    std::optional<int> open;
    std::optional<int> close;
    if (parts.size() == 2) {
      open = ParseClock(absl::StripAsciiWhitespace(parts[0]));
      close = ParseClock(absl::StripAsciiWhitespace(parts[1]));
    }
    if (!open.has_value() || !close.has_value()) {
      return reader_.Error(item, item_path,
                           absl::StrCat("invalid opening time '", text,
                                        "'; expected \"HH:MM-HH:MM\" such as \"08:30-17:00\""));
    }
    if (*open >= *close) {
      return reader_.Error(item, item_path,
                           absl::StrCat("'", text,
                                        "' closes before it opens (ranges cannot pass "
                                        "midnight)"));
    }
    ranges.push_back(core::TimeRange{*open, *close});
  }
  return ranges;
}

absl::StatusOr<absl::CivilDay> ConfigParser::ReadDate(const YAML::Node& node,
                                                      absl::string_view path) {
  WISSEL_ASSIGN_OR_RETURN(const std::string text, reader_.ReadString(node, path));
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day)) {
    return reader_.Error(node, path,
                         absl::StrCat("invalid date '", text, "'; expected YYYY-MM-DD"));
  }
  return day;
}

}  // namespace wissel::config
