"""Periods the figures are asked for (pure): a day, week, month, quarter or year in China time, or a custom range,
and the two periods each is compared with — the one just before and the same one a year earlier.

A period is a half-open window [since, until) of aware datetimes. Weeks start on Monday (as China's statistics
do). The previous period of a calendar period is the calendar period before it (February before March, however
long each is); of a custom range, the range of the same length ending where it starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from lifeline.common import CHINA

KINDS = ("day", "week", "month", "quarter", "year")
NAMES = {"day": "日", "week": "周", "month": "月", "quarter": "季度", "year": "年", "custom": "自定义"}


@dataclass(frozen=True)
class Period:
    kind: str  # one of KINDS, or "custom"
    since: datetime
    until: datetime

    @property
    def first_day(self) -> date:
        return self.since.astimezone(CHINA).date()

    @property
    def label(self) -> str:
        """How a person names it: 2026年10月, 2026年第3季度, 2026-10-01 ~ 2026-10-07."""
        day = self.first_day
        if self.kind == "year":
            return f"{day.year}年"
        if self.kind == "quarter":
            return f"{day.year}年第{(day.month - 1) // 3 + 1}季度"
        if self.kind == "month":
            return f"{day.year}年{day.month}月"
        if self.kind == "day":
            return day.isoformat()
        last = (self.until - timedelta(microseconds=1)).astimezone(CHINA).date()
        return f"{day.isoformat()} ~ {last.isoformat()}"

    @property
    def label_en(self) -> str:
        day = self.first_day
        if self.kind == "year":
            return str(day.year)
        if self.kind == "quarter":
            return f"{day.year} Q{(day.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{day.year}-{day.month:02d}"
        return self.label  # dates only


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), CHINA)


def _month_start(year: int, month: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


def of(kind: str, day: date) -> Period:
    """The calendar period of `kind` that contains `day`."""
    if kind == "day":
        start, end = day, day + timedelta(days=1)
    elif kind == "week":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
    elif kind == "month":
        start, end = day.replace(day=1), _month_start(day.year, day.month + 1)
    elif kind == "quarter":
        first = (day.month - 1) // 3 * 3 + 1
        start, end = date(day.year, first, 1), _month_start(day.year, first + 3)
    elif kind == "year":
        start, end = date(day.year, 1, 1), date(day.year + 1, 1, 1)
    else:
        raise ValueError(f"unknown period {kind!r}: one of {', '.join(KINDS)}")
    return Period(kind, _midnight(start), _midnight(end))


def custom(since: datetime, until: datetime) -> Period:
    if until <= since:
        raise ValueError("until must be later than since")
    return Period("custom", since, until)


def previous(period: Period) -> Period:
    """The period just before: the calendar period before a calendar period, else the same length before."""
    if period.kind in KINDS:
        return of(period.kind, period.first_day - timedelta(days=1))
    length = period.until - period.since
    return Period("custom", period.since - length, period.since)


def a_year_earlier(moment: datetime) -> datetime:
    """The same local time a year earlier; 29 February falls back to the 28th."""
    local = moment.astimezone(CHINA)
    try:
        return local.replace(year=local.year - 1)
    except ValueError:
        return local.replace(year=local.year - 1, day=28)


def last_year(period: Period) -> Period:
    """The same period a year earlier (同比)."""
    if period.kind in KINDS and period.kind != "week":
        return of(period.kind, a_year_earlier(period.since).date())
    return Period(period.kind, a_year_earlier(period.since), a_year_earlier(period.until))


def days(since: datetime, until: datetime) -> list[date]:
    """The local days that [since, until) touches, in order."""
    first = since.astimezone(CHINA).date()
    last = (until - timedelta(microseconds=1)).astimezone(CHINA).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def split(period: Period, by: str) -> list[Period]:
    """The days or months of a period, each a period of its own, clipped to it."""
    out, start = [], period.since
    while start < period.until:
        step = of("day" if by == "day" else "month", start.astimezone(CHINA).date())
        part = Period(step.kind, max(step.since, period.since), min(step.until, period.until))
        if part.since != step.since or part.until != step.until:
            part = Period("custom", part.since, part.until)
        out.append(part)
        start = step.until
    return out


def day_window(day: date) -> tuple[datetime, datetime]:
    start = _midnight(day)
    return start, start + timedelta(days=1)
