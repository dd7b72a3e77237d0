// Calendar: answers questions about a tenant's CalendarConfig — is a channel open at an instant,
// when does it next open or close, which days are working days, which Dutch public holidays fall
// in a year.
//
// Pure and deterministic: no I/O, no wall clock, no threads. The caller passes the instant and
// the config carries an already loaded time zone. Immutable after construction, so const calls
// are safe from several threads.
//
// Opening hours are civil (local) times in config.time_zone; every answer is computed in civil
// time and converted back with the zone, so "08:30" stays 08:30 local across DST changes. On a
// day the precedence is: a configured holiday closes every channel that has opening hours (even
// when a DateException names that day); otherwise a DateException replaces the weekday's hours;
// otherwise the WeeklyHours apply. A channel without hours (nullopt) is always open, holidays
// included.
//
// The holiday rules are the current Dutch ones (Koningsdag since 2014); earlier years are not
// modelled historically (Koninginnedag on 30 April is not known).
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "router/core/calendar_config.h"
#include "router/core/channel.h"

namespace wissel::core {

// The Dutch name of a holiday, e.g. "Koningsdag", "Tweede Pinksterdag".
absl::string_view HolidayName(Holiday holiday);

class Calendar {
 public:
  explicit Calendar(CalendarConfig config);

  const CalendarConfig& config() const { return config_; }

  // Easter Sunday of `year` in the Gregorian calendar (anonymous Gregorian algorithm).
  static absl::CivilDay EasterSunday(int year);

  // All Dutch public holidays of `year`, ordered by date (two holidays may share a date, e.g.
  // Bevrijdingsdag and Hemelvaartsdag in 2016; then in enum order). Bevrijdingsdag is included
  // every year with kEveryYear and only when year % 5 == 0 with kLustrumOnly.
  static std::vector<std::pair<absl::CivilDay, Holiday>> HolidaysOf(int year,
                                                                    BevrijdingsdagRule rule);

  // The holiday on `day` that is in config.holidays (using config.bevrijdingsdag), or nullopt.
  // When two configured holidays share the date, the first of HolidaysOf's order.
  std::optional<Holiday> ClosedHolidayOn(absl::CivilDay day) const;

  // Whether `channel` is open at `t`: always for a channel without hours; otherwise whether the
  // local time of `t` falls in one of the day's [open, close) ranges (see the precedence above).
  bool IsOpen(Channel channel, absl::Time t) const;

  // The first instant >= `from` at which `channel` is open (`from` itself when open), looking
  // at most 366 days ahead; InfiniteFuture() when it does not open in that window.
  absl::Time NextOpening(Channel channel, absl::Time from) const;

  // When the opening period containing `at` ends, i.e. the first instant > `at` at which the
  // channel is closed (for "open until 17:00"). Adjacent ranges (12:00-13:00 and 13:00-17:00,
  // or a range to 24:00 followed by one from 00:00) form one period. `at` itself when closed;
  // InfiniteFuture() for a channel without hours or one that does not close within 366 days.
  absl::Time ClosingTime(Channel channel, absl::Time at) const;

  // Monday to Friday, not a configured holiday and not a DateException with no hours. Not
  // channel-specific: used for service norms in working days.
  bool IsWorkingDay(absl::CivilDay day) const;

  // The n-th working day after `from` (Friday + 5 is the next Friday when no holidays fall in
  // between). n == 0 gives `from` if it is a working day, else the next working day. n < 0 is
  // treated as 0. Takes O(n + holidays) steps; callers bound n (service norms are small).
  absl::CivilDay AddWorkingDays(absl::CivilDay from, int n) const;

  // The local date of `t` in config.time_zone.
  absl::CivilDay LocalDay(absl::Time t) const;

 private:
  // The opening ranges of `channel` on `day` after holidays and exceptions; null for a channel
  // without hours, an empty vector when closed all day.
  const std::vector<TimeRange>* HoursOn(Channel channel, absl::CivilDay day) const;
  // The first instant >= `from` at which IsOpen(channel, .) == want_open, within the window.
  absl::Time FirstInstant(Channel channel, absl::Time from, bool want_open) const;

  CalendarConfig config_;
};

}  // namespace wissel::core
