#include "router/core/calendar.h"

#include <algorithm>
#include <utility>

namespace wissel::core {

namespace {

// How far NextOpening and ClosingTime look ahead.
constexpr int kSearchDays = 366;
// Guard against a zone whose transition list does not advance; real zones have two a year.
constexpr int kMaxTransitions = 16;

// Index into WeeklyHours::days: 0 is Monday, 6 is Sunday.
int WeekdayIndex(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return 0;
    case absl::Weekday::tuesday:
      return 1;
    case absl::Weekday::wednesday:
      return 2;
    case absl::Weekday::thursday:
      return 3;
    case absl::Weekday::friday:
      return 4;
    case absl::Weekday::saturday:
      return 5;
    case absl::Weekday::sunday:
      return 6;
  }
  return 0;
}

}  // namespace

absl::string_view HolidayName(Holiday holiday) {
  switch (holiday) {
    case Holiday::kNieuwjaarsdag:
      return "Nieuwjaarsdag";
    case Holiday::kGoedeVrijdag:
      return "Goede Vrijdag";
    case Holiday::kEerstePaasdag:
      return "Eerste Paasdag";
    case Holiday::kTweedePaasdag:
      return "Tweede Paasdag";
    case Holiday::kKoningsdag:
      return "Koningsdag";
    case Holiday::kBevrijdingsdag:
      return "Bevrijdingsdag";
    case Holiday::kHemelvaartsdag:
      return "Hemelvaartsdag";
    case Holiday::kEerstePinksterdag:
      return "Eerste Pinksterdag";
    case Holiday::kTweedePinksterdag:
      return "Tweede Pinksterdag";
    case Holiday::kEersteKerstdag:
      return "Eerste Kerstdag";
    case Holiday::kTweedeKerstdag:
      return "Tweede Kerstdag";
  }
  return "unknown";
}

Calendar::Calendar(CalendarConfig config) : config_(std::move(config)) {}

absl::CivilDay Calendar::EasterSunday(int year) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return absl::CivilDay(year, month, day);
}

std::vector<std::pair<absl::CivilDay, Holiday>> Calendar::HolidaysOf(int year,
                                                                     BevrijdingsdagRule rule) {
  const absl::CivilDay easter = EasterSunday(year);
  absl::CivilDay koningsdag(year, 4, 27);
  if (absl::GetWeekday(koningsdag) == absl::Weekday::sunday) koningsdag -= 1;

  std::vector<std::pair<absl::CivilDay, Holiday>> holidays = {
      {absl::CivilDay(year, 1, 1), Holiday::kNieuwjaarsdag},
      {easter - 2, Holiday::kGoedeVrijdag},
      {easter, Holiday::kEerstePaasdag},
      {easter + 1, Holiday::kTweedePaasdag},
      {koningsdag, Holiday::kKoningsdag},
  };
  if (rule == BevrijdingsdagRule::kEveryYear || year % 5 == 0) {
    holidays.emplace_back(absl::CivilDay(year, 5, 5), Holiday::kBevrijdingsdag);
  }
  holidays.emplace_back(easter + 39, Holiday::kHemelvaartsdag);
  holidays.emplace_back(easter + 49, Holiday::kEerstePinksterdag);
  holidays.emplace_back(easter + 50, Holiday::kTweedePinksterdag);
  holidays.emplace_back(absl::CivilDay(year, 12, 25), Holiday::kEersteKerstdag);
  holidays.emplace_back(absl::CivilDay(year, 12, 26), Holiday::kTweedeKerstdag);
  // Hemelvaartsdag can fall before (or on) 5 May; ties keep the enum order.
  std::stable_sort(holidays.begin(), holidays.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  return holidays;
}

std::optional<Holiday> Calendar::ClosedHolidayOn(absl::CivilDay day) const {
  for (const auto& [date, holiday] :
       HolidaysOf(static_cast<int>(day.year()), config_.bevrijdingsdag)) {
    if (date != day) continue;
    if (std::find(config_.holidays.begin(), config_.holidays.end(), holiday) !=
        config_.holidays.end()) {
      return holiday;
    }
  }
  return std::nullopt;
}

const std::vector<TimeRange>* Calendar::HoursOn(Channel channel, absl::CivilDay day) const {
  // Leaked on purpose: a function-local static must be trivially destructible.
  static const std::vector<TimeRange>* const kClosed = new std::vector<TimeRange>();
  const std::optional<WeeklyHours>& weekly = config_.hours[channel];
  if (!weekly.has_value()) return nullptr;
  if (ClosedHolidayOn(day).has_value()) return kClosed;
  for (const DateException& exception : config_.exceptions) {
    if (exception.day == day) return &exception.hours;
  }
  return &weekly->days[WeekdayIndex(day)];
}

bool Calendar::IsOpen(Channel channel, absl::Time t) const {
  if (!config_.hours[channel].has_value()) return true;
  const absl::CivilSecond local = absl::ToCivilSecond(t, config_.time_zone);
  const std::vector<TimeRange>* hours = HoursOn(channel, absl::CivilDay(local));
  const int minute = local.hour() * 60 + local.minute();
  for (const TimeRange& range : *hours) {
    if (range.open_minute <= minute && minute < range.close_minute) return true;
  }
  return false;
}

// The open/closed state only changes where local time crosses a range boundary or midnight
// (a new day's hours), or where it jumps (an offset change). The answer is the earliest of
// those candidate instants at or after `from` that has the wanted state.
absl::Time Calendar::FirstInstant(Channel channel, absl::Time from, bool want_open) const {
  const absl::TimeZone& tz = config_.time_zone;
  absl::Time best = absl::InfiniteFuture();
  auto consider = [&](absl::Time t) {
    if (t >= from && t < best && IsOpen(channel, t) == want_open) best = t;
  };
  // Every instant whose local time is `cs`, or where local time jumps over it.
  auto consider_civil = [&](absl::CivilSecond cs) {
    const absl::TimeZone::TimeInfo info = tz.At(cs);
    consider(info.pre);
    if (info.kind != absl::TimeZone::TimeInfo::UNIQUE) {
      consider(info.trans);
      consider(info.post);
    }
  };

  const absl::CivilDay from_day = LocalDay(from);
  // The day before too: in a zone that falls back over midnight, `from` may be followed by
  // instants of the previous local day.
  const absl::CivilDay first_day = from_day - 1;
  const absl::CivilDay last_day = from_day + kSearchDays;
  const absl::Time window_end = absl::FromCivil(absl::CivilSecond(last_day + 1), tz);

  absl::Time t = from;
  absl::TimeZone::CivilTransition transition;
  for (int i = 0; i < kMaxTransitions && tz.NextTransition(t, &transition); ++i) {
    const absl::Time at = tz.At(transition.to).trans;
    if (at <= t || at > window_end) break;
    consider(at);
    t = at;
  }

  for (absl::CivilDay day = first_day; day <= last_day; ++day) {
    if (best != absl::InfiniteFuture() && day > LocalDay(best) + 1) break;
    const std::vector<TimeRange>* hours = HoursOn(channel, day);
    if (want_open && hours->empty()) continue;
    const absl::CivilSecond midnight(day);
    consider_civil(midnight);
    for (const TimeRange& range : *hours) {
      consider_civil(midnight + int64_t{range.open_minute} * 60);
      consider_civil(midnight + int64_t{range.close_minute} * 60);
    }
  }
  return best;
}

absl::Time Calendar::NextOpening(Channel channel, absl::Time from) const {
  if (IsOpen(channel, from)) return from;
  if (from == absl::InfiniteFuture() || from == absl::InfinitePast()) {
    return absl::InfiniteFuture();
  }
  return FirstInstant(channel, from, /*want_open=*/true);
}

absl::Time Calendar::ClosingTime(Channel channel, absl::Time at) const {
  if (!config_.hours[channel].has_value()) return absl::InfiniteFuture();
  if (!IsOpen(channel, at)) return at;
  if (at == absl::InfiniteFuture() || at == absl::InfinitePast()) return absl::InfiniteFuture();
  return FirstInstant(channel, at, /*want_open=*/false);
}

bool Calendar::IsWorkingDay(absl::CivilDay day) const {
  if (WeekdayIndex(day) >= 5) return false;
  if (ClosedHolidayOn(day).has_value()) return false;
  for (const DateException& exception : config_.exceptions) {
    if (exception.day == day) return !exception.hours.empty();
  }
  return true;
}

absl::CivilDay Calendar::AddWorkingDays(absl::CivilDay from, int n) const {
  absl::CivilDay day = from;
  if (n <= 0) {
    while (!IsWorkingDay(day)) ++day;
    return day;
  }
  while (n > 0) {
    ++day;
    if (IsWorkingDay(day)) --n;
  }
  return day;
}

absl::CivilDay Calendar::LocalDay(absl::Time t) const {
  return absl::ToCivilDay(t, config_.time_zone);
}

}  // namespace wissel::core
