"""The KPI formulas alone, on hand-made numbers and records."""

from __future__ import annotations

import inspect
from datetime import UTC, date, datetime, timedelta

import pytest

from lifeline.analytics import kpis

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def s(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_every_rate_is_none_without_a_denominator():
    assert kpis.answer_rate(0, 0) is None
    assert kpis.one_minute_dispatch_rate(0, 0) is None
    assert kpis.diversion_rate(0, 0) is None
    assert kpis.on_time_sign_rate(0, 0) is None
    assert kpis.on_time_handle_rate(0, 0) is None
    assert kpis.satisfaction_rate(0, 0) is None
    assert kpis.basic_satisfaction_rate(0, 0) is None
    assert kpis.repeat_rate(0, 0) is None
    assert kpis.display(None, kpis.SHARE) == "—" and kpis.display(None, kpis.SECONDS) == "—"
    assert kpis.calls(0) == 0 and kpis.display(0, kpis.COUNT) == "0"
    assert kpis.longest_wait(None) is None  # nothing waits: no wait, not a wait of 0 s


def test_rates_are_shares_of_their_denominators():
    assert kpis.answer_rate(9, 10) == 0.9
    assert kpis.one_minute_dispatch_rate(3, 4) == 0.75
    assert kpis.diversion_rate(3, 1) == 0.75  # divert / (divert + invalid)
    assert kpis.diversion_rate(0, 5) == 0.0
    assert kpis.on_time_sign_rate(1, 2) == 0.5
    assert kpis.on_time_handle_rate(2, 2) == 1.0
    assert kpis.repeat_rate(1, 8) == 0.125
    assert kpis.display(0.8755, kpis.SHARE) == "87.5%"
    assert kpis.display(2 / 3, kpis.SHARE) == "66.7%"


def test_a_wait_reads_as_minutes_and_seconds():
    assert kpis.display(kpis.longest_wait(422.9), kpis.SECONDS) == "7:02"
    assert kpis.display(kpis.longest_wait(59), kpis.SECONDS) == "0:59"
    assert kpis.display(kpis.longest_wait(3 * 3600 + 65), kpis.SECONDS) == "3:01:05"
    assert kpis.longest_wait(-0.4) == 0  # a clock a hair behind the database's is no negative wait


def test_a_share_larger_than_its_whole_is_a_bug_not_a_figure():
    with pytest.raises(ValueError):
        kpis.rate(3, 2)
    with pytest.raises(ValueError):
        kpis.rate(-1, 2)


NOW = s(3600)  # an hour after T0


@pytest.mark.parametrize(
    ("case", "dispatched", "stopped", "received", "verdict"),
    [
        ("dispatched at 59 s", s(59), None, T0, True),
        ("dispatched at the 60th second", s(60), None, T0, True),
        ("dispatched at 61 s", s(61), None, T0, False),
        ("dispatched at 60.5 s", s(60.5), None, T0, False),
        ("dispatched within the minute of a call received 30 s ago", NOW, None, NOW - timedelta(seconds=30), True),
        ("waiting 30 s: not due yet", None, None, NOW - timedelta(seconds=30), None),
        ("waiting exactly 60 s: not due yet", None, None, NOW - timedelta(seconds=60), None),
        ("waiting 61 s: late", None, None, NOW - timedelta(seconds=61), False),
        ("waiting 7 min: late", None, None, NOW - timedelta(minutes=7), False),
        ("cancelled at 40 s, before it was due: not counted", None, s(40), T0, None),
        ("cancelled after waiting 2 min: late", None, s(120), T0, False),
        ("handed over at 50 s without a unit: not counted", None, s(50), T0, None),
    ],
)
def test_one_minute_dispatch_edges(case, dispatched, stopped, received, verdict):
    assert kpis.dispatch_on_time(received, dispatched, stopped, NOW) is verdict, case


def test_one_minute_rate_counts_the_waiting_as_late():
    verdicts = [
        kpis.dispatch_on_time(T0, s(30), None, NOW),  # on time
        kpis.dispatch_on_time(NOW - timedelta(minutes=7), None, None, NOW),  # a P1 waiting 7 minutes
        kpis.dispatch_on_time(NOW - timedelta(seconds=10), None, None, NOW),  # just in: not due
    ]
    within, due = kpis.kept_counts(verdicts)
    assert (within, due) == (1, 2)
    assert kpis.one_minute_dispatch_rate(within, due) == 0.5  # not 100 % because only dispatched ones counted


SINCE, UNTIL = T0, s(86400)  # a day's window; UNTIL is at most now


@pytest.mark.parametrize(
    ("case", "deadline", "done", "undone_now", "verdict"),
    [
        ("done in the window before the deadline", s(600), s(300), False, True),
        ("done in the window at the deadline", s(600), s(600), False, True),
        ("done in the window after the deadline", s(600), s(601), False, False),
        ("done in the window without a deadline", None, s(300), False, True),
        ("open, past its deadline", s(600), None, True, False),
        ("open, deadline still to come", UNTIL + timedelta(hours=1), None, True, None),
        ("open, overdue since before the window", SINCE - timedelta(days=2), None, True, False),
        ("open without a deadline", None, None, True, None),
        ("done before the window", s(-100), s(-200), False, None),
        ("done after the window, overdue in it", s(600), UNTIL + timedelta(hours=1), False, False),
        (
            "done after the window, due after it too",
            UNTIL + timedelta(minutes=1),
            UNTIL + timedelta(hours=1),
            False,
            None,
        ),
        ("handled before the window, redone, overdue again", s(600), s(-3600), True, False),
        ("not done and no longer waiting for it (returned, taken back)", s(600), None, False, None),
    ],
)
def test_deadline_edges(case, deadline, done, undone_now, verdict):
    assert kpis.deadline_kept(deadline, done, undone_now, SINCE, UNTIL) is verdict, case


def test_a_window_that_starts_after_now_counts_no_order():
    assert kpis.deadline_kept(s(600), None, True, UNTIL, UNTIL) is None


def test_on_time_signing_counts_open_orders_past_their_deadline():
    verdicts = [
        kpis.deadline_kept(s(600), s(300), False, SINCE, UNTIL),  # signed on time
        kpis.deadline_kept(s(600), None, True, SINCE, UNTIL),  # unsigned, overdue: the inbox shows it
    ]
    assert kpis.on_time_sign_rate(*kpis.kept_counts(verdicts)) == 0.5


def test_satisfaction_splits_satisfied_basic_and_unsatisfied():
    satisfied, basic, visits = kpis.satisfaction_counts([5, 4, 3, 2, 1, None, 3])
    assert (satisfied, basic, visits) == (2, 2, 6)
    assert kpis.satisfaction_rate(satisfied, visits) == pytest.approx(1 / 3)
    assert kpis.basic_satisfaction_rate(basic, visits) == pytest.approx(1 / 3)
    assert kpis.satisfaction_counts([None]) == (0, 0, 0)


def test_a_repeat_is_a_second_call_from_a_number_within_24_hours():
    day = 24 * 3600
    calls = [
        (1, "13800000001", s(0)),
        (2, "13800000001", s(3600)),  # repeat
        (3, "13800000001", s(3600 + day + 1)),  # more than 24 h after the one before: not a repeat
        (4, "13800000002", s(0)),
        (5, "13800000002", s(day)),  # exactly 24 h: a repeat
        (6, None, s(10)),  # no number: in neither count
        (7, "13800000003", s(0)),
        (8, "13800000003", s(0)),  # the same instant: the later id is the repeat
    ]
    repeats, numbered = kpis.count_repeats(calls)
    assert (repeats, numbered) == (3, 7)
    assert kpis.count_repeats([]) == (0, 0)


def test_category_mix_is_largest_first_and_shares_add_up():
    mix = kpis.category_mix({"fight": 2, "theft": 5, "noise": 2, "fire": 0})
    assert [(m.category, m.count) for m in mix] == [("theft", 5), ("fight", 2), ("noise", 2)]
    assert sum(m.share for m in mix) == pytest.approx(1.0)
    assert kpis.category_mix({}) == []


def test_hourly_buckets_a_local_day():
    start = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # midnight of 23 November in UTC+8
    times = [start, start + timedelta(minutes=59), start + timedelta(hours=13, minutes=1), start - timedelta(seconds=1),
             start + timedelta(days=1)]  # fmt: skip
    counts = kpis.hourly(times, start)
    assert counts[0] == 2 and counts[13] == 1 and sum(counts) == 3 and len(counts) == 24


def test_same_day_last_year_and_leap_days():
    assert kpis.same_day_last_year(date(2026, 11, 23)) == date(2025, 11, 23)
    assert kpis.same_day_last_year(date(2028, 2, 29)) == date(2027, 2, 28)


def test_heat_cells_gather_nearby_points_densest_first():
    cells = kpis.heat_cells([(23.1301, 113.2601), (23.1302, 113.2602), (23.2, 113.3)], cell=0.005)
    assert cells[0][2] == 2 and cells[1][2] == 1
    assert abs(cells[0][0] - 23.1301) < 0.005 and abs(cells[0][1] - 113.2601) < 0.005
    assert kpis.heat_cells([]) == []


def test_each_kpi_writes_its_formula_in_its_docstring_once():
    keys = [k.key for k in kpis.KPIS + kpis.NOW]
    assert len(keys) == len(set(keys)) == 27
    for kpi in kpis.KPIS + kpis.NOW:
        doc = inspect.getdoc(kpi.function)
        assert kpi.formula and doc.count("公式 formula:") == 1 and kpi.formula in " ".join(doc.split())
        assert doc.startswith(kpi.zh), kpi.key
        assert kpi.name == f"lifeline.analytics.kpis.{kpi.function.__name__}"


def test_each_formula_has_a_chinese_and_an_english_side():
    for kpi in kpis.KPIS + kpis.NOW:
        zh, en = kpi.formula_sides
        assert zh and en and f"{zh} {en}" == kpi.formula, kpi.key
        assert not any(kpis._chinese(c) for c in en), (kpi.key, en)
        assert en[0].isascii() and en[0].isalpha(), (kpi.key, en)


def test_the_direct_answer_rate_is_a_share_of_12345_contacts_decided_with_its_formula_but_no_tile():
    assert kpis.direct_answer_rate(0, 0) is None
    assert kpis.direct_answer_rate(1, 4) == 0.25
    with pytest.raises(ValueError):
        kpis.direct_answer_rate(3, 2)
    kpi = kpis.Kpi("direct_answer_rate", "直接答复率", "Direct answers", kpis.direct_answer_rate)
    zh, en = kpi.formula_sides
    assert (
        zh.startswith("窗口内作出决定的 12345 来电")
        and zh.endswith("12345 来电")
        and en.startswith("hotline (12345) contacts decided")
    )
    assert "direct_answer_rate" not in kpis.BY_KEY  # the figures of the knowledge base, not a dashboard tile
