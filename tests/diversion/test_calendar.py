"""Working days on the Chinese calendar (pure): holidays, adjusted working days, years the package lacks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lifeline.common import CHINA
from lifeline.diversion.calendar import Calendar, covered

CAL = Calendar()


def china(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=CHINA)


def test_the_2026_national_day_holiday_and_its_adjusted_working_days():
    assert covered(2026) and not covered(2027)
    assert CAL.is_working_day(date(2026, 9, 20))  # a Sunday worked (调休)
    assert not CAL.is_working_day(date(2026, 9, 25))  # Mid-Autumn
    assert not any(CAL.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert CAL.is_working_day(date(2026, 10, 8))  # the package: back at work on Thursday the 8th
    assert CAL.is_working_day(date(2026, 10, 10))  # a Saturday worked
    assert not CAL.is_working_day(date(2026, 10, 11))


def test_working_days_count_from_the_day_after_receipt_and_skip_the_holiday():
    # Received Wednesday 30 September: 1 October–7 October are off; 8, 9 and Saturday 10 October are worked.
    due = CAL.add_working_days(china(2026, 9, 30, 16, 55), 3)
    assert due.at == china(2026, 10, 10, 17, 30) and not due.estimated
    assert CAL.add_working_days(china(2026, 9, 30, 8), 1).at == china(2026, 10, 8, 17, 30)


def test_a_matter_received_on_a_holiday_starts_counting_on_the_next_working_day():
    assert CAL.add_working_days(china(2026, 10, 3), 1).at == china(2026, 10, 8, 17, 30)
    assert CAL.add_working_days(china(2026, 10, 3), 0).at == china(2026, 10, 8, 17, 30)
    assert CAL.add_working_days(china(2026, 9, 30), 0).at == china(2026, 9, 30, 17, 30)  # same day, a working day


def test_an_adjusted_saturday_is_a_working_day_for_the_count():
    # Friday 9 October + 1 working day is Saturday the 10th (worked), not Monday the 12th.
    assert CAL.add_working_days(china(2026, 10, 9), 1).at == china(2026, 10, 10, 17, 30)
    # Signing: 60 working minutes from Friday 17:00 ends on the adjusted Saturday at 09:00.
    assert CAL.add_working_minutes(china(2026, 10, 9, 17, 0), 60).at == china(2026, 10, 10, 9, 0)


def test_working_minutes_wait_for_the_next_working_morning():
    assert CAL.add_working_minutes(china(2026, 9, 30, 20, 0), 30).at == china(2026, 10, 8, 9, 0)
    assert CAL.add_working_minutes(china(2026, 9, 30, 9, 0), 30).at == china(2026, 9, 30, 9, 30)
    start = china(2026, 9, 30, 7, 0).astimezone(UTC)  # a UTC start gives a UTC answer
    assert CAL.add_working_minutes(start, 30).at == china(2026, 9, 30, 9, 0) and start.tzinfo == UTC
    assert CAL.working_minutes_between(china(2026, 9, 30, 17, 0), china(2026, 10, 8, 9, 0)) == 60


def test_a_year_beyond_the_package_is_monday_to_friday_and_says_it_is_an_estimate():
    # A complaint received on Monday 21 December 2026: 13 working days run into January 2027, unknown to the package.
    due = CAL.add_working_days(china(2026, 12, 21), 13)
    assert due.at == china(2027, 1, 7, 17, 30) and due.estimated  # 22–25, 28–31 December, 1 and 4–7 January
    # New Year's Day 2027 is a Friday: without overrides it counts as worked.
    assert CAL.add_working_days(china(2026, 12, 31), 1).at == china(2027, 1, 1, 17, 30)
    assert CAL.add_working_days(china(2026, 12, 31), 1).estimated
    assert not CAL.add_working_days(china(2026, 12, 1), 3).estimated  # all of it within 2026


def test_the_centres_overrides_fill_a_year_beyond_the_package():
    cal = Calendar(holidays=frozenset({date(2027, 1, 1)}), workdays=frozenset({date(2027, 1, 9)}))
    assert cal.add_working_days(china(2026, 12, 31), 1).at == china(2027, 1, 4, 17, 30)
    assert cal.is_working_day(date(2027, 1, 9)) and not CAL.is_working_day(date(2027, 1, 9))  # a Saturday worked
    assert cal.add_working_days(china(2026, 12, 31), 1).estimated  # still not the official calendar
    announced = Calendar(holidays=cal.holidays, workdays=cal.workdays, announced=frozenset({2027}))
    assert not announced.add_working_days(china(2026, 12, 31), 1).estimated


def test_a_calendar_without_working_days_is_refused():
    every_day = frozenset(date(2027, 1, 1).fromordinal(date(2027, 1, 1).toordinal() + i) for i in range(400))
    with pytest.raises(ValueError):
        Calendar(holidays=every_day).add_working_days(china(2026, 12, 31), 1)
