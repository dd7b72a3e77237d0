#include "router/core/calendar.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::core {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;
using ::testing::Pair;

constexpr int kMonday = 0;
constexpr int kThursday = 3;
constexpr int kFriday = 4;
constexpr int kSunday = 6;

constexpr TimeRange Hours(int open_h, int open_m, int close_h, int close_m) {
  return TimeRange{open_h * 60 + open_m, close_h * 60 + close_m};
}

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

// ---------------------------------------------------------------------------------------------
// Holidays: pure functions, no time zone.

TEST(CalendarHolidaysTest, EasterSunday) {
  const std::vector<std::pair<int, absl::CivilDay>> cases = {
      {2024, absl::CivilDay(2024, 3, 31)}, {2025, absl::CivilDay(2025, 4, 20)},
      {2026, absl::CivilDay(2026, 4, 5)},  {2027, absl::CivilDay(2027, 3, 28)},
      {2000, absl::CivilDay(2000, 4, 23)}, {2038, absl::CivilDay(2038, 4, 25)},
      {2008, absl::CivilDay(2008, 3, 23)}, {2285, absl::CivilDay(2285, 3, 22)},
  };
  for (const auto& [year, easter] : cases) {
    EXPECT_EQ(Calendar::EasterSunday(year), easter) << year;
    EXPECT_EQ(absl::GetWeekday(Calendar::EasterSunday(year)), absl::Weekday::sunday) << year;
  }
}

TEST(CalendarHolidaysTest, AllHolidaysOf2026) {
  EXPECT_THAT(Calendar::HolidaysOf(2026, BevrijdingsdagRule::kLustrumOnly),
              ElementsAre(Pair(absl::CivilDay(2026, 1, 1), Holiday::kNieuwjaarsdag),
                          Pair(absl::CivilDay(2026, 4, 3), Holiday::kGoedeVrijdag),
                          Pair(absl::CivilDay(2026, 4, 5), Holiday::kEerstePaasdag),
                          Pair(absl::CivilDay(2026, 4, 6), Holiday::kTweedePaasdag),
                          Pair(absl::CivilDay(2026, 4, 27), Holiday::kKoningsdag),
                          Pair(absl::CivilDay(2026, 5, 14), Holiday::kHemelvaartsdag),
                          Pair(absl::CivilDay(2026, 5, 24), Holiday::kEerstePinksterdag),
                          Pair(absl::CivilDay(2026, 5, 25), Holiday::kTweedePinksterdag),
                          Pair(absl::CivilDay(2026, 12, 25), Holiday::kEersteKerstdag),
                          Pair(absl::CivilDay(2026, 12, 26), Holiday::kTweedeKerstdag)));
}

TEST(CalendarHolidaysTest, KoningsdagMovesToSaturdayWhenThe27thIsASunday) {
  const std::vector<std::pair<int, absl::CivilDay>> cases = {
      {2014, absl::CivilDay(2014, 4, 26)},  // 27 April 2014 was a Sunday
      {2025, absl::CivilDay(2025, 4, 26)},  // 27 April 2025 is a Sunday
      {2026, absl::CivilDay(2026, 4, 27)},
      {2027, absl::CivilDay(2027, 4, 27)},
  };
  for (const auto& [year, expected] : cases) {
    EXPECT_THAT(Calendar::HolidaysOf(year, BevrijdingsdagRule::kEveryYear),
                Contains(Pair(expected, Holiday::kKoningsdag)))
        << year;
  }
}

TEST(CalendarHolidaysTest, Bevrijdingsdag) {
  struct Case {
    int year;
    BevrijdingsdagRule rule;
    bool expected;
  };
  const std::vector<Case> cases = {
      {2025, BevrijdingsdagRule::kLustrumOnly, true},
      {2026, BevrijdingsdagRule::kLustrumOnly, false},
      {2030, BevrijdingsdagRule::kLustrumOnly, true},
      {2026, BevrijdingsdagRule::kEveryYear, true},
      {2025, BevrijdingsdagRule::kEveryYear, true},
  };
  for (const Case& c : cases) {
    const auto entry = Pair(absl::CivilDay(c.year, 5, 5), Holiday::kBevrijdingsdag);
    if (c.expected) {
      EXPECT_THAT(Calendar::HolidaysOf(c.year, c.rule), Contains(entry)) << c.year;
    } else {
      EXPECT_THAT(Calendar::HolidaysOf(c.year, c.rule), Not(Contains(entry))) << c.year;
    }
  }
}

TEST(CalendarHolidaysTest, HemelvaartAndPinksteren2026) {
  const auto holidays = Calendar::HolidaysOf(2026, BevrijdingsdagRule::kLustrumOnly);
  EXPECT_THAT(holidays, Contains(Pair(absl::CivilDay(2026, 5, 14), Holiday::kHemelvaartsdag)));
  EXPECT_THAT(holidays, Contains(Pair(absl::CivilDay(2026, 5, 24), Holiday::kEerstePinksterdag)));
  EXPECT_THAT(holidays, Contains(Pair(absl::CivilDay(2026, 5, 25), Holiday::kTweedePinksterdag)));
}

TEST(CalendarHolidaysTest, SortedByDateEvenWhenHemelvaartPrecedesBevrijdingsdag) {
  // 2008: Easter 23 March, Hemelvaartsdag 1 May. 2016: both on 5 May.
  for (int year : {2008, 2016, 2024, 2025, 2026, 2038}) {
    const auto holidays = Calendar::HolidaysOf(year, BevrijdingsdagRule::kEveryYear);
    EXPECT_EQ(holidays.size(), 11u) << year;
    for (size_t i = 1; i < holidays.size(); ++i) {
      EXPECT_LE(holidays[i - 1].first, holidays[i].first) << year;
    }
  }
  EXPECT_THAT(Calendar::HolidaysOf(2016, BevrijdingsdagRule::kEveryYear),
              Contains(Pair(absl::CivilDay(2016, 5, 5), Holiday::kHemelvaartsdag)));
}

TEST(CalendarHolidaysTest, DutchNames) {
  EXPECT_EQ(HolidayName(Holiday::kNieuwjaarsdag), "Nieuwjaarsdag");
  EXPECT_EQ(HolidayName(Holiday::kGoedeVrijdag), "Goede Vrijdag");
  EXPECT_EQ(HolidayName(Holiday::kKoningsdag), "Koningsdag");
  EXPECT_EQ(HolidayName(Holiday::kTweedePinksterdag), "Tweede Pinksterdag");
  EXPECT_EQ(HolidayName(Holiday::kEersteKerstdag), "Eerste Kerstdag");
}

// ---------------------------------------------------------------------------------------------
// A municipality in Europe/Amsterdam.

class CalendarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam_))
        << "cannot load time zone Europe/Amsterdam: is tzdata installed (/usr/share/zoneinfo)?";
  }

  // Phone Mon-Fri 08:30-17:00. Balie Mon-Fri 08:30-12:30 and 13:30-17:00, on Thursday on until
  // 20:00 (a separate, adjacent evening range). Chat around the clock every day. Web form
  // without hours. Closed on 9 December 2026 (staff day); 31 December 2026 09:00-12:00 only.
  CalendarConfig MunicipalConfig() const {
    CalendarConfig config;
    config.time_zone = amsterdam_;
    WeeklyHours phone;
    WeeklyHours balie;
    WeeklyHours chat;
    for (int day = kMonday; day <= kFriday; ++day) {
      phone.days[day] = {Hours(8, 30, 17, 0)};
      balie.days[day] = {Hours(8, 30, 12, 30), Hours(13, 30, 17, 0)};
    }
    balie.days[kThursday].push_back(Hours(17, 0, 20, 0));
    for (int day = kMonday; day <= kSunday; ++day) chat.days[day] = {Hours(0, 0, 24, 0)};
    config.hours[Channel::kPhone] = phone;
    config.hours[Channel::kBalie] = balie;
    config.hours[Channel::kChat] = chat;
    config.hours[Channel::kWebForm] = std::nullopt;
    config.hours[Channel::kEmail] = WeeklyHours{};  // never open
    config.exceptions = {
        {absl::CivilDay(2026, 12, 9), {}, "personeelsdag"},
        {absl::CivilDay(2026, 12, 31), {Hours(9, 0, 12, 0)}, "oudejaarsdag"},
        {absl::CivilDay(2026, 4, 6), {Hours(9, 0, 12, 0)}, "ignored: Tweede Paasdag"},
    };
    return config;
  }

  absl::Time Local(int y, int mo, int d, int h, int mi) const {
    return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), amsterdam_);
  }

  absl::TimeZone amsterdam_;
};

TEST_F(CalendarTest, IsOpenWithWeeklyHoursHolidaysAndExceptions) {
  const Calendar calendar(MunicipalConfig());
  struct Case {
    std::string what;
    Channel channel;
    absl::Time t;
    bool open;
  };
  const std::vector<Case> cases = {
      {"phone Monday before opening", Channel::kPhone, Local(2026, 1, 12, 8, 29), false},
      {"phone Monday at opening", Channel::kPhone, Local(2026, 1, 12, 8, 30), true},
      {"phone Monday last minute", Channel::kPhone, Local(2026, 1, 12, 16, 59), true},
      {"phone Monday at closing", Channel::kPhone, Local(2026, 1, 12, 17, 0), false},
      {"phone Saturday", Channel::kPhone, Local(2026, 1, 10, 10, 0), false},
      {"balie lunch", Channel::kBalie, Local(2026, 1, 12, 13, 0), false},
      {"balie Monday evening", Channel::kBalie, Local(2026, 1, 12, 18, 0), false},
      {"balie Thursday evening", Channel::kBalie, Local(2026, 1, 15, 19, 59), true},
      {"balie Thursday at 20:00", Channel::kBalie, Local(2026, 1, 15, 20, 0), false},
      {"phone Tweede Paasdag 2026 (exception ignored)", Channel::kPhone, Local(2026, 4, 6, 10, 0),
       false},
      {"phone Koningsdag 2026", Channel::kPhone, Local(2026, 4, 27, 10, 0), false},
      {"phone Bevrijdingsdag 2026 (no lustrum)", Channel::kPhone, Local(2026, 5, 5, 10, 0), true},
      {"phone Bevrijdingsdag 2025 (lustrum)", Channel::kPhone, Local(2025, 5, 5, 10, 0), false},
      {"phone Hemelvaartsdag 2026", Channel::kPhone, Local(2026, 5, 14, 10, 0), false},
      {"phone staff day", Channel::kPhone, Local(2026, 12, 9, 10, 0), false},
      {"balie staff day", Channel::kBalie, Local(2026, 12, 9, 10, 0), false},
      {"phone 31 Dec special hours", Channel::kPhone, Local(2026, 12, 31, 10, 0), true},
      {"phone 31 Dec before special hours", Channel::kPhone, Local(2026, 12, 31, 8, 45), false},
      {"phone 31 Dec afternoon", Channel::kPhone, Local(2026, 12, 31, 14, 0), false},
      {"balie 31 Dec (Thursday) evening", Channel::kBalie, Local(2026, 12, 31, 18, 0), false},
      {"chat Sunday night", Channel::kChat, Local(2026, 1, 11, 3, 0), true},
      {"chat Eerste Kerstdag", Channel::kChat, Local(2026, 12, 25, 12, 0), false},
      {"web form Eerste Kerstdag", Channel::kWebForm, Local(2026, 12, 25, 12, 0), true},
      {"e-mail without any hours", Channel::kEmail, Local(2026, 1, 12, 10, 0), false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(calendar.IsOpen(c.channel, c.t), c.open) << c.what;
  }
}

TEST_F(CalendarTest, ClosedHolidayOnOnlyConfiguredHolidays) {
  CalendarConfig config = MunicipalConfig();
  config.holidays = {Holiday::kKoningsdag};
  const Calendar calendar(config);
  EXPECT_EQ(calendar.ClosedHolidayOn(absl::CivilDay(2026, 4, 27)), Holiday::kKoningsdag);
  EXPECT_EQ(calendar.ClosedHolidayOn(absl::CivilDay(2026, 4, 6)), std::nullopt);
  EXPECT_EQ(calendar.ClosedHolidayOn(absl::CivilDay(2026, 4, 28)), std::nullopt);
  // Not a configured holiday, so the exception for Tweede Paasdag applies.
  EXPECT_TRUE(calendar.IsOpen(Channel::kPhone, Local(2026, 4, 6, 10, 0)));
  EXPECT_FALSE(calendar.IsOpen(Channel::kPhone, Local(2026, 4, 6, 13, 0)));

  config.bevrijdingsdag = BevrijdingsdagRule::kEveryYear;
  config.holidays = {Holiday::kBevrijdingsdag};
  EXPECT_EQ(Calendar(config).ClosedHolidayOn(absl::CivilDay(2026, 5, 5)), Holiday::kBevrijdingsdag);
  config.bevrijdingsdag = BevrijdingsdagRule::kLustrumOnly;
  EXPECT_EQ(Calendar(config).ClosedHolidayOn(absl::CivilDay(2026, 5, 5)), std::nullopt);
  EXPECT_EQ(Calendar(config).ClosedHolidayOn(absl::CivilDay(2025, 5, 5)), Holiday::kBevrijdingsdag);
}

TEST_F(CalendarTest, NextOpening) {
  const Calendar calendar(MunicipalConfig());
  struct Case {
    std::string what;
    Channel channel;
    absl::Time from;
    absl::Time expected;  // in UTC, so the zone conversion is checked independently
  };
  const std::vector<Case> cases = {
      {"open: itself", Channel::kPhone, Local(2026, 1, 12, 10, 0), Utc(2026, 1, 12, 9, 0)},
      {"at opening: itself", Channel::kPhone, Local(2026, 1, 12, 8, 30), Utc(2026, 1, 12, 7, 30)},
      {"Friday 18:00 to Monday 08:30", Channel::kPhone, Local(2026, 1, 9, 18, 0),
       Utc(2026, 1, 12, 7, 30)},
      {"early morning to 08:30 the same day", Channel::kPhone, Local(2026, 1, 13, 6, 0),
       Utc(2026, 1, 13, 7, 30)},
      {"balie lunch to 13:30", Channel::kBalie, Local(2026, 1, 12, 12, 45),
       Utc(2026, 1, 12, 12, 30)},
      {"Saturday over Tweede Pinksterdag to Tuesday", Channel::kPhone, Local(2026, 5, 23, 10, 0),
       Utc(2026, 5, 26, 6, 30)},
      {"Thursday before Easter to Tuesday after", Channel::kPhone, Local(2026, 4, 2, 17, 30),
       Utc(2026, 4, 7, 6, 30)},
      {"Christmas Eve to Monday 28 December", Channel::kPhone, Local(2026, 12, 24, 17, 0),
       Utc(2026, 12, 28, 7, 30)},
      {"staff day to the next day", Channel::kPhone, Local(2026, 12, 9, 8, 0),
       Utc(2026, 12, 10, 7, 30)},
      {"31 Dec special hours start at 09:00", Channel::kPhone, Local(2026, 12, 31, 8, 0),
       Utc(2026, 12, 31, 8, 0)},
      {"31 Dec afternoon over Nieuwjaarsdag", Channel::kPhone, Local(2026, 12, 31, 12, 0),
       Utc(2027, 1, 4, 7, 30)},
      // Clocks go forward on Sunday 29 March 2026: Monday 08:30 is CEST (UTC+2).
      {"over the spring DST change", Channel::kPhone, Local(2026, 3, 27, 17, 0),
       Utc(2026, 3, 30, 6, 30)},
      // Clocks go back on Sunday 25 October 2026: Monday 26 October 08:30 is CET (UTC+1).
      {"over the autumn DST change", Channel::kPhone, Local(2026, 10, 24, 12, 0),
       Utc(2026, 10, 26, 7, 30)},
      {"chat on Christmas to Sunday 27 December 00:00", Channel::kChat, Local(2026, 12, 25, 12, 0),
       Utc(2026, 12, 26, 23, 0)},
      {"web form: always", Channel::kWebForm, Local(2026, 12, 25, 12, 0), Utc(2026, 12, 25, 11, 0)},
      // Exceptions are not per channel: 31 December's hours apply to e-mail too.
      {"no weekly hours: only the exception date", Channel::kEmail, Local(2026, 1, 12, 10, 0),
       Utc(2026, 12, 31, 8, 0)},
      {"no weekly hours after the exception: never", Channel::kEmail, Local(2026, 12, 31, 12, 0),
       absl::InfiniteFuture()},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(calendar.NextOpening(c.channel, c.from), c.expected)
        << c.what << ": got " << absl::FormatTime(calendar.NextOpening(c.channel, c.from));
  }
}

TEST_F(CalendarTest, NextOpeningLooksAtMost366DaysAhead) {
  CalendarConfig config = MunicipalConfig();
  config.hours[Channel::kEmail] = WeeklyHours{};
  config.exceptions = {{absl::CivilDay(2026, 11, 2), {Hours(10, 0, 11, 0)}, "once"},
                       {absl::CivilDay(2028, 3, 1), {Hours(10, 0, 11, 0)}, "too far"}};
  const Calendar calendar(config);
  EXPECT_EQ(calendar.NextOpening(Channel::kEmail, Local(2026, 1, 12, 10, 0)),
            Utc(2026, 11, 2, 9, 0));
  EXPECT_EQ(calendar.NextOpening(Channel::kEmail, Local(2026, 11, 2, 11, 0)),
            absl::InfiniteFuture());
}

TEST_F(CalendarTest, ClosingTime) {
  const Calendar calendar(MunicipalConfig());
  struct Case {
    std::string what;
    Channel channel;
    absl::Time at;
    absl::Time expected;
  };
  const std::vector<Case> cases = {
      {"phone Monday", Channel::kPhone, Local(2026, 1, 12, 10, 0), Utc(2026, 1, 12, 16, 0)},
      {"phone at opening", Channel::kPhone, Local(2026, 1, 12, 8, 30), Utc(2026, 1, 12, 16, 0)},
      {"balie morning", Channel::kBalie, Local(2026, 1, 15, 10, 0), Utc(2026, 1, 15, 11, 30)},
      {"balie Thursday: adjacent ranges form one period", Channel::kBalie,
       Local(2026, 1, 15, 14, 0), Utc(2026, 1, 15, 19, 0)},
      {"31 Dec special hours", Channel::kPhone, Local(2026, 12, 31, 10, 0),
       Utc(2026, 12, 31, 11, 0)},
      {"closed: itself", Channel::kPhone, Local(2026, 1, 10, 10, 0), Utc(2026, 1, 10, 9, 0)},
      {"phone summer time", Channel::kPhone, Local(2026, 7, 1, 10, 0), Utc(2026, 7, 1, 15, 0)},
      // Around the clock, over midnights and the spring DST change, until Goede Vrijdag.
      {"chat until Goede Vrijdag", Channel::kChat, Local(2026, 3, 27, 10, 0),
       Utc(2026, 4, 2, 22, 0)},
      {"chat until Eerste Kerstdag", Channel::kChat, Local(2026, 12, 24, 10, 0),
       Utc(2026, 12, 24, 23, 0)},
      {"web form: never closes", Channel::kWebForm, Local(2026, 1, 12, 10, 0),
       absl::InfiniteFuture()},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(calendar.ClosingTime(c.channel, c.at), c.expected)
        << c.what << ": got " << absl::FormatTime(calendar.ClosingTime(c.channel, c.at));
  }
}

TEST_F(CalendarTest, ClosingTimeInfiniteWhenNeverClosingWithinTheWindow) {
  CalendarConfig config = MunicipalConfig();
  config.holidays.clear();
  config.exceptions.clear();
  const Calendar calendar(config);
  EXPECT_EQ(calendar.ClosingTime(Channel::kChat, Local(2026, 1, 12, 10, 0)),
            absl::InfiniteFuture());
}

// Ranges inside the hour that DST skips or repeats: the answers follow local time.
TEST_F(CalendarTest, RangesInsideTheDstChangeHour) {
  CalendarConfig config = MunicipalConfig();
  WeeklyHours night;
  night.days[kSunday] = {Hours(2, 0, 2, 30)};
  config.hours[Channel::kEmail] = night;
  WeeklyHours early;
  early.days[kSunday] = {Hours(2, 30, 5, 0)};
  config.hours[Channel::kChat] = early;
  const Calendar calendar(config);

  // 02:00-02:30 does not exist on 29 March 2026; 5 April is Eerste Paasdag; so 12 April.
  EXPECT_EQ(calendar.NextOpening(Channel::kEmail, Local(2026, 3, 28, 12, 0)),
            Utc(2026, 4, 12, 0, 0));

  // On 25 October 2026 local time runs 02:00..03:00 CEST, then 02:00..03:00 CET again.
  EXPECT_EQ(calendar.NextOpening(Channel::kChat, Local(2026, 10, 24, 12, 0)),
            Utc(2026, 10, 25, 0, 30));  // 02:30 CEST
  // At 02:40 CEST local time is about to jump back to 02:00, outside 02:30-05:00.
  EXPECT_EQ(calendar.ClosingTime(Channel::kChat, Utc(2026, 10, 25, 0, 40)),
            Utc(2026, 10, 25, 1, 0));
  EXPECT_FALSE(calendar.IsOpen(Channel::kChat, Utc(2026, 10, 25, 1, 10)));  // 02:10 CET
  EXPECT_EQ(calendar.NextOpening(Channel::kChat, Utc(2026, 10, 25, 1, 0)),
            Utc(2026, 10, 25, 1, 30));  // 02:30 CET
  EXPECT_EQ(calendar.ClosingTime(Channel::kChat, Utc(2026, 10, 25, 1, 30)),
            Utc(2026, 10, 25, 4, 0));  // 05:00 CET
  // The repeated 02:00-02:30 opens the e-mail channel a second time.
  EXPECT_EQ(calendar.ClosingTime(Channel::kEmail, Utc(2026, 10, 25, 0, 10)),
            Utc(2026, 10, 25, 0, 30));
  EXPECT_EQ(calendar.NextOpening(Channel::kEmail, Utc(2026, 10, 25, 0, 30)),
            Utc(2026, 10, 25, 1, 0));
}

TEST_F(CalendarTest, IsWorkingDay) {
  const Calendar calendar(MunicipalConfig());
  const std::vector<std::pair<absl::CivilDay, bool>> cases = {
      {absl::CivilDay(2026, 1, 12), true},   // Monday
      {absl::CivilDay(2026, 1, 10), false},  // Saturday
      {absl::CivilDay(2026, 1, 11), false},  // Sunday
      {absl::CivilDay(2026, 1, 1), false},   // Nieuwjaarsdag
      {absl::CivilDay(2026, 4, 3), false},   // Goede Vrijdag
      {absl::CivilDay(2026, 5, 5), true},    // Bevrijdingsdag, no lustrum
      {absl::CivilDay(2026, 12, 9), false},  // staff day
      {absl::CivilDay(2026, 12, 31), true},  // special hours
  };
  for (const auto& [day, expected] : cases) {
    EXPECT_EQ(calendar.IsWorkingDay(day), expected) << day;
  }
}

TEST_F(CalendarTest, AddWorkingDays) {
  const Calendar calendar(MunicipalConfig());
  struct Case {
    std::string what;
    absl::CivilDay from;
    int n;
    absl::CivilDay expected;
  };
  const std::vector<Case> cases = {
      {"Friday + 5 is the next Friday", absl::CivilDay(2026, 1, 9), 5, absl::CivilDay(2026, 1, 16)},
      {"Monday + 0 is itself", absl::CivilDay(2026, 1, 12), 0, absl::CivilDay(2026, 1, 12)},
      {"Saturday + 0 is Monday", absl::CivilDay(2026, 1, 10), 0, absl::CivilDay(2026, 1, 12)},
      {"Saturday + 1 is Monday", absl::CivilDay(2026, 1, 10), 1, absl::CivilDay(2026, 1, 12)},
      {"over Easter 2026", absl::CivilDay(2026, 4, 2), 1, absl::CivilDay(2026, 4, 7)},
      {"Wednesday before Easter + 2", absl::CivilDay(2026, 4, 1), 2, absl::CivilDay(2026, 4, 7)},
      {"Easter Saturday + 0", absl::CivilDay(2026, 4, 4), 0, absl::CivilDay(2026, 4, 7)},
      {"over Hemelvaartsdag", absl::CivilDay(2026, 5, 13), 1, absl::CivilDay(2026, 5, 15)},
      {"Christmas Eve + 1", absl::CivilDay(2026, 12, 24), 1, absl::CivilDay(2026, 12, 28)},
      {"Friday before Christmas + 5", absl::CivilDay(2026, 12, 18), 5,
       absl::CivilDay(2026, 12, 28)},
      {"over the staff day", absl::CivilDay(2026, 12, 8), 1, absl::CivilDay(2026, 12, 10)},
      {"over Nieuwjaarsdag", absl::CivilDay(2026, 12, 31), 1, absl::CivilDay(2027, 1, 4)},
      {"negative n is 0", absl::CivilDay(2026, 1, 10), -3, absl::CivilDay(2026, 1, 12)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(calendar.AddWorkingDays(c.from, c.n), c.expected) << c.what;
  }
}

TEST_F(CalendarTest, LocalDay) {
  const Calendar calendar(MunicipalConfig());
  EXPECT_EQ(calendar.LocalDay(Utc(2026, 12, 31, 23, 30)), absl::CivilDay(2027, 1, 1));
  EXPECT_EQ(calendar.LocalDay(Utc(2026, 7, 1, 21, 59)), absl::CivilDay(2026, 7, 1));
  EXPECT_EQ(calendar.LocalDay(Utc(2026, 7, 1, 22, 0)), absl::CivilDay(2026, 7, 2));
}

TEST(CalendarDefaultsTest, DefaultConfigIsUtcAndAlwaysOpen) {
  const Calendar calendar{CalendarConfig{}};
  const absl::Time christmas = Utc(2026, 12, 25, 12, 0);
  for (Channel channel : kAllChannels) {
    EXPECT_TRUE(calendar.IsOpen(channel, christmas)) << ChannelName(channel);
    EXPECT_EQ(calendar.NextOpening(channel, christmas), christmas) << ChannelName(channel);
    EXPECT_EQ(calendar.ClosingTime(channel, christmas), absl::InfiniteFuture())
        << ChannelName(channel);
  }
  EXPECT_EQ(calendar.config().holidays.size(), 11u);
  EXPECT_EQ(calendar.ClosedHolidayOn(absl::CivilDay(2026, 12, 25)), Holiday::kEersteKerstdag);
  EXPECT_EQ(calendar.LocalDay(Utc(2026, 12, 31, 23, 30)), absl::CivilDay(2026, 12, 31));
}

}  // namespace
}  // namespace wissel::core
