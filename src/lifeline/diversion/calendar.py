"""Working days on the Chinese calendar, and deadlines counted in them (pure: no database).

Whether a day is worked comes from `chinese_calendar` (the State Council's holidays and adjusted working days,
调休) for the years it covers. For a later year — the State Council announces each year's holidays in November, so
an order made in December already falls due in a year the package may not know — it is Monday to Friday plus the
centre's own overrides (extra holidays, adjusted working days, from the routing file). Such a deadline is an
estimate unless the centre declared it has entered that year's announcement in full (`announced`): every result
says so (`Due.estimated`), and the order and its page show it.

The rules (the usual 12345 reading of 工作日, written here so that everyone counts the same):

- A working day is worked from `opens` to `closes` (08:30–17:30 China time by default; the departments keep a duty
  officer at noon, so the day is one stretch).
- N working days: the deadline is the close of the Nth working day AFTER the day of receipt. The day of receipt
  does not count, whatever the hour: a matter received at 16:55 would otherwise lose its first day, and the
  national rules count time limits from the day after receipt. A matter received on a holiday or a weekend starts
  counting on the next working day, which is day 1 (received Saturday, 3 working days → Wednesday's close).
  0 working days: the close of the day of receipt if it is a working day, else of the next working day.
- N working minutes (signing for an order): only time between `opens` and `closes` of working days runs; an order
  received in the evening or on a holiday starts its clock when the next working day opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from lifeline.common import CHINA

try:  # the `chinesecalendar` distribution
    import chinese_calendar as _official
except ImportError:  # pragma: no cover - a dependency; without it every year is an estimate
    _official = None

OPENS = time(8, 30)
CLOSES = time(17, 30)
# Looking further than this for a working day means the overrides are wrong (a year of holidays): refuse.
SEARCH_DAYS = 366


@dataclass(frozen=True)
class Due:
    at: datetime  # an aware datetime (UTC when the start was UTC)
    estimated: bool  # counted over a year without the official calendar (Monday–Friday and the centre's overrides)


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date] = frozenset()  # the centre's extra days off (any year; they win over the package)
    workdays: frozenset[date] = frozenset()  # the centre's adjusted working days (a Saturday worked)
    announced: frozenset[int] = frozenset()  # years whose official holidays the centre entered in full
    opens: time = OPENS
    closes: time = CLOSES

    def official(self, year: int) -> bool:
        """Whether the year's working days are the official ones (the package knows it, or the centre entered it)."""
        return year in self.announced or covered(year)

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        if covered(day.year):
            return official_workday(day)
        return day.weekday() < 5

    def day_minutes(self) -> int:
        return _minutes(self.closes) - _minutes(self.opens)

    def add_working_days(self, start: datetime, n: int) -> Due:
        """The close of the Nth working day after the day `start` falls on (China time); see the module's rules."""
        if n < 0:
            raise ValueError("working days must be 0 or more")
        day, years = start.astimezone(CHINA).date(), set()
        if n == 0:
            day = self._next_working(day, years)
        for _ in range(n):
            day = self._next_working(day + timedelta(days=1), years)
        return Due(self._at(day, self.closes).astimezone(start.tzinfo), self._estimated(years))

    def add_working_minutes(self, start: datetime, minutes: int) -> Due:
        """`minutes` of working time from `start`: only the hours between opening and closing of working days run."""
        if minutes < 0:
            raise ValueError("working minutes must be 0 or more")
        local, years = start.astimezone(CHINA), set()
        day, clock = local.date(), local.timetz().replace(tzinfo=None)
        if not self.is_working_day(day) or clock >= self.closes:
            day, clock = self._next_working(day + timedelta(days=1), years), self.opens
        years.add(day.year)
        clock = max(clock, self.opens)
        left = minutes
        while True:
            room = (_minutes(self.closes) - _minutes(clock)) if clock < self.closes else 0
            at = self._at(day, clock) + timedelta(minutes=left)
            if left <= room:
                return Due(at.astimezone(start.tzinfo), self._estimated(years))
            left -= room
            day, clock = self._next_working(day + timedelta(days=1), years), self.opens

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        """Working minutes from `start` to `end` (0 when end is not later): how much working time is left."""
        if end <= start:
            return 0
        a, b = start.astimezone(CHINA), end.astimezone(CHINA)
        total, day = 0.0, a.date()
        while day <= b.date():
            if self.is_working_day(day):
                lo = max(self._at(day, self.opens), a)
                hi = min(self._at(day, self.closes), b)
                total += max((hi - lo).total_seconds(), 0) / 60
            day += timedelta(days=1)
            if (day - a.date()).days > 3 * SEARCH_DAYS:
                break
        return int(total)

    def _next_working(self, day: date, years: set[int]) -> date:
        """`day` if it is worked, else the next working day; the years looked at are noted in `years`."""
        for _ in range(SEARCH_DAYS):
            years.add(day.year)
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"一年内没有工作日 / no working day within a year of {day}: check the calendar's holidays")

    def _estimated(self, years: set[int]) -> bool:
        return any(not self.official(year) for year in years)

    @staticmethod
    def _at(day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=CHINA)


@lru_cache(maxsize=4096)
def official_workday(day: date) -> bool:
    """The package's answer for a year it covers, remembered: it checks its whole table on every call (~20 µs), and
    every deadline asks about a week of days."""
    return _official.is_workday(day)


@lru_cache(maxsize=64)
def covered(year: int) -> bool:
    """Whether chinese_calendar has the State Council's holidays for `year` (it raises for the years it lacks)."""
    if _official is None:
        return False
    try:
        _official.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


DEFAULT = Calendar()
