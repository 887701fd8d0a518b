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
    assert kpis.display(None, percent=True) == "—"
    assert kpis.calls(0) == 0 and kpis.display(0, percent=False) == "0"


def test_rates_are_shares_of_their_denominators():
    assert kpis.answer_rate(9, 10) == 0.9
    assert kpis.one_minute_dispatch_rate(3, 4) == 0.75
    assert kpis.diversion_rate(3, 1) == 0.75  # divert / (divert + invalid)
    assert kpis.diversion_rate(0, 5) == 0.0
    assert kpis.on_time_sign_rate(1, 2) == 0.5
    assert kpis.on_time_handle_rate(2, 2) == 1.0
    assert kpis.repeat_rate(1, 8) == 0.125
    assert kpis.display(0.8755, percent=True) == "87.5%"
    assert kpis.display(2 / 3, percent=True) == "66.7%"


def test_a_share_larger_than_its_whole_is_a_bug_not_a_figure():
    with pytest.raises(ValueError):
        kpis.rate(3, 2)
    with pytest.raises(ValueError):
        kpis.rate(-1, 2)


def test_one_minute_counts_the_sixtieth_second_and_not_the_sixty_first():
    pairs = [(T0, s(10)), (T0, s(60)), (T0, s(60.5)), (T0, s(300)), (T0, None)]
    within, dispatched = kpis.dispatched_within(pairs)
    assert (within, dispatched) == (2, 4)  # the undispatched one is in neither
    assert kpis.one_minute_dispatch_rate(within, dispatched) == 0.5


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
    keys = [k.key for k in kpis.KPIS]
    assert len(keys) == len(set(keys)) == 9
    for kpi in kpis.KPIS:
        doc = inspect.getdoc(kpi.function)
        assert kpi.formula and doc.count("公式 formula:") == 1 and kpi.formula in " ".join(doc.split())
        assert doc.startswith(kpi.zh), kpi.key
        assert kpi.name == f"lifeline.analytics.kpis.{kpi.function.__name__}"
