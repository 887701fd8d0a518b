"""Periods alone: calendar periods in China time, the period before, the same period last year."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lifeline.analytics import periods
from lifeline.common import CHINA


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHINA)


@pytest.mark.parametrize(
    ("kind", "day", "since", "until", "label"),
    [
        ("day", date(2026, 10, 1), local(2026, 10, 1), local(2026, 10, 2), "2026-10-01"),
        ("week", date(2026, 10, 1), local(2026, 9, 28), local(2026, 10, 5), "2026-09-28 ~ 2026-10-04"),
        ("month", date(2026, 12, 31), local(2026, 12, 1), local(2027, 1, 1), "2026年12月"),
        ("quarter", date(2026, 11, 5), local(2026, 10, 1), local(2027, 1, 1), "2026年第4季度"),
        ("year", date(2024, 2, 29), local(2024, 1, 1), local(2025, 1, 1), "2024年"),
    ],
)
def test_a_calendar_period_is_its_local_days(kind, day, since, until, label):
    period = periods.of(kind, day)
    assert (period.since, period.until, period.label) == (since, until, label)


def test_the_period_before_is_the_calendar_period_before_however_long():
    march = periods.of("month", date(2026, 3, 15))
    assert periods.previous(march) == periods.of("month", date(2026, 2, 1))
    q1 = periods.of("quarter", date(2026, 2, 1))
    assert periods.previous(q1).label == "2025年第4季度"
    custom = periods.custom(local(2026, 10, 1, 8), local(2026, 10, 1, 20))
    assert periods.previous(custom) == periods.custom(local(2026, 9, 30, 20), local(2026, 10, 1, 8))


def test_the_same_period_last_year_and_the_leap_day():
    assert periods.last_year(periods.of("month", date(2026, 10, 9))).label == "2025年10月"
    leap = periods.last_year(periods.of("day", date(2024, 2, 29)))
    assert leap.label == "2023-02-28"
    week = periods.last_year(periods.of("week", date(2026, 10, 1)))
    assert week.since == local(2025, 9, 28) and week.until == local(2025, 10, 5)


def test_splitting_into_months_and_days():
    parts = periods.split(periods.of("year", date(2026, 5, 1)), "month")
    assert len(parts) == 12 and parts[1].label == "2026年2月"
    days = periods.split(periods.custom(local(2026, 10, 1, 12), local(2026, 10, 3)), "day")
    assert [p.kind for p in days] == ["custom", "day"]
    with pytest.raises(ValueError):
        periods.of("fortnight", date(2026, 1, 1))
