"""Time limits by kind of matter, configurable per centre, counted in working days (pure)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from lifeline.common import CHINA
from lifeline.diversion import routing

# Wednesday 30 September 2026, 10:00 China time: the National Day holiday (1–7 October) comes next.
EVE = datetime(2026, 9, 30, 10, 0, tzinfo=CHINA)


def test_each_kind_of_matter_has_its_national_limit():
    table = routing.Table()
    assert table.deadline("service_complaint", "complaint").handle_working_days == 13
    assert table.deadline("dispute_neighbor", "help").handle_working_days == 3
    assert table.deadline("consultation", "enquiry").handle_working_days == 3
    assert table.deadline("tip_off", None).handle_working_days == 15  # a report, by its category
    assert table.deadline("utility_outage", "emergency").handle_hours == 24  # a cut supply cannot wait
    assert table.deadline("environment_city", "emergency") == routing.DEFAULT_LIMITS["emergency"]
    assert table.deadline("utility_outage", "complaint").handle_working_days == 13  # a complaint about it can
    assert table.deadline("dispute_neighbor", "police").kind == "help"  # a police item that still got an order


def test_a_complaint_falls_due_thirteen_working_days_after_receipt_across_the_holiday():
    due = routing.Table().due("service_complaint", "complaint", EVE)
    # 8, 9, 10 (an adjusted Saturday), 12–16, 19–23 October: the 13th working day is Friday 23 October.
    assert due.handle_by == datetime(2026, 10, 23, 17, 30, tzinfo=CHINA)
    assert due.sign_by == EVE + timedelta(minutes=60) and not due.estimated
    assert due.deadline.kind == "complaint"


def test_an_emergency_and_a_linkage_order_count_in_hours_and_minutes_even_on_a_holiday():
    holiday = datetime(2026, 10, 3, 22, 0, tzinfo=CHINA)
    due = routing.Table().due("environment_city", "emergency", holiday)
    assert (due.sign_by, due.handle_by) == (holiday + timedelta(minutes=10), holiday + timedelta(hours=12))
    linked = routing.due(routing.LINKAGE_DEADLINE, holiday, routing.Table().calendar)
    assert linked.sign_by == holiday + timedelta(minutes=2)


def test_a_help_order_received_on_a_holiday_signs_when_work_resumes():
    due = routing.Table().due("dispute_neighbor", "help", datetime(2026, 10, 3, 22, 0, tzinfo=CHINA))
    assert due.sign_by == datetime(2026, 10, 8, 9, 0, tzinfo=CHINA)
    assert due.handle_by == datetime(2026, 10, 10, 17, 30, tzinfo=CHINA)  # 8 is day 1, 9, then Saturday 10 (worked)


def test_the_centre_sets_limits_by_kind_and_by_category_and_its_calendar():
    table = routing.parse(
        """
limits:
  complaint: {sign_working_minutes: 120, handle_working_days: 15}
deadlines:
  lockout: {sign_working_minutes: 30, handle_working_days: 1}
calendar:
  holidays: [2027-01-01, "2027-02-16"]
  workdays: [2027-02-07]
  announced: [2027]
  hours: "09:00-18:00"
"""
    )
    assert table.deadline("service_complaint", "complaint").handle_working_days == 15
    assert table.deadline("lockout", "help").handle_working_days == 1
    assert table.deadline("noise", "complaint").kind == "complaint"
    assert table.calendar.holidays == {date(2027, 1, 1), date(2027, 2, 16)}
    assert table.calendar.is_working_day(date(2027, 2, 7)) and table.calendar.closes == time(18, 0)
    due = table.due("lockout", "help", datetime(2026, 12, 31, 12, 0, tzinfo=CHINA))
    assert due.handle_by == datetime(2027, 1, 4, 18, 0, tzinfo=CHINA) and not due.estimated  # 2027 announced


def test_todays_routing_files_keep_working():
    table = routing.parse("deadlines:\n  noise: {sign_minutes: 7, handle_hours: 11}\n")
    due = table.due("noise", "complaint", EVE)
    assert (due.sign_by, due.handle_by) == (EVE + timedelta(minutes=7), EVE + timedelta(hours=11))
    assert "7 分钟内签收" in table.deadline("noise").notice()
    assert "13 个工作日内办结" in routing.Table().deadline("noise").notice()


@pytest.mark.parametrize(
    ("text", "where", "line"),
    [
        ("limits:\n  gossip: {sign_minutes: 1, handle_hours: 1}\n", "limits.gossip", 2),
        (
            "limits:\n  help:\n    sign_minutes: 5\n    handle_working_days: soon\n",
            "limits.help.handle_working_days",
            4,
        ),
        ("deadlines:\n  noise: {sign_minutes: 5, handle_hours: 1, handle_working_days: 2}\n", "deadlines.noise", 2),
        ("deadlines:\n  noise: {sign_minutes: 5, handel_hours: 1}\n", "deadlines.noise.handel_hours", 2),
        ("calendar:\n  holidays:\n    - 2027-01-01\n    - next friday\n", "calendar.holidays[2]", 4),
        ("calendar:\n  holidays: [2027-01-01]\n  workdays: [2027-01-01]\n", "calendar.workdays", 3),
        ("calendar:\n  hours: nine to five\n", "calendar.hours", 2),
        ("calendar:\n  announced: [next]\n", "calendar.announced", 2),
        ("rules:\n  - {category: noise, org: X}\n  - {category: dragons, org: X}\n", "rules[2].category", 3),
    ],
)
def test_a_bad_limit_or_calendar_names_its_line_and_field(text, where, line):
    with pytest.raises(routing.RoutingError) as caught:
        routing.parse(text, "routing.yaml")
    assert caught.value.where == where and caught.value.line == line, str(caught.value)
    assert f"routing.yaml:{line}" in str(caught.value)
