// Opening hours and public holidays of a tenant, as operators configure them.
//
// A plain value type; router/core/calendar.h answers questions about it (is the balie open
// now, what is the fifth working day from today).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "router/core/channel.h"

namespace wissel::core {

// Opening time on one day, in minutes since local midnight: [open, close), with
// 0 <= open_minute < close_minute <= 24 * 60. A range does not cross midnight: split it
// (22:00-24:00 and 00:00-02:00 the next day); Calendar treats the two as one opening period.
struct TimeRange {
  int open_minute = 0;
  int close_minute = 24 * 60;
};

// Opening hours per weekday; index 0 is Monday, 6 is Sunday. An empty day is closed.
struct WeeklyHours {
  std::array<std::vector<TimeRange>, 7> days;
};

// Dutch public holidays (feestdagen) a tenant may close on.
enum class Holiday {
  kNieuwjaarsdag,      // 1 January
  kGoedeVrijdag,       // Easter - 2
  kEerstePaasdag,      // Easter Sunday
  kTweedePaasdag,      // Easter + 1
  kKoningsdag,         // 27 April; 26 April when the 27th is a Sunday
  kBevrijdingsdag,     // 5 May (see BevrijdingsdagRule)
  kHemelvaartsdag,     // Easter + 39
  kEerstePinksterdag,  // Easter + 49
  kTweedePinksterdag,  // Easter + 50
  kEersteKerstdag,     // 25 December
  kTweedeKerstdag,     // 26 December
};

// Bevrijdingsdag is a day off every year for some employers, and only every fifth year
// (lustrum: 2025, 2030, ...) for others.
enum class BevrijdingsdagRule { kEveryYear, kLustrumOnly };

// A date with hours other than usual (closed for a staff day, late opening before Christmas).
// Replaces the weekday's hours of every channel that has hours; a configured holiday still
// closes the day. With several exceptions for one date, the first counts.
struct DateException {
  absl::CivilDay day;
  std::vector<TimeRange> hours;  // empty: closed all day
  std::string note;
};

// What the resident gets when a channel is closed.
enum class OutsideHoursOutcome { kDigitalAlternative, kCallback, kClosedMessage };

struct CalendarConfig {
  // Local time of the municipality. Loaded by the configuration loader (the core does no I/O).
  absl::TimeZone time_zone = absl::UTCTimeZone();
  // Opening hours per channel; nullopt means always open (e.g. web forms).
  PerChannel<std::optional<WeeklyHours>> hours;
  // Holidays on which every channel with opening hours is closed.
  std::vector<Holiday> holidays = {
      Holiday::kNieuwjaarsdag,  Holiday::kGoedeVrijdag,      Holiday::kEerstePaasdag,
      Holiday::kTweedePaasdag,  Holiday::kKoningsdag,        Holiday::kBevrijdingsdag,
      Holiday::kHemelvaartsdag, Holiday::kEerstePinksterdag, Holiday::kTweedePinksterdag,
      Holiday::kEersteKerstdag, Holiday::kTweedeKerstdag};
  BevrijdingsdagRule bevrijdingsdag = BevrijdingsdagRule::kLustrumOnly;
  std::vector<DateException> exceptions;
  PerChannel<OutsideHoursOutcome> outside_hours{OutsideHoursOutcome::kClosedMessage};
  // Shown when closed (kClosedMessage), e.g. "We zijn gesloten. Bel maandag vanaf 8.30 uur."
  std::string closed_message;
};

}  // namespace wissel::core
