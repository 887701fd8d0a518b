"""Figures for any period and unit, compared, on a hand-computed day — the same whether a day is counted live or
read from its summary, before and after the desk changes one of its incidents (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from lifeline.analytics import summary
from lifeline.analytics.models import FigureDay
from lifeline.common import CHINA
from lifeline.store.engine import transaction

from .conftest import DAY, confirm


def kpis(api, **params) -> dict:
    answer = api.get("supervisor", "/kpis", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def values(body, key="figures") -> dict:
    return {f["key"]: (f["numerator"], f["denominator"]) if f["unit"] == "share" else f["value"] for f in body[key]}


EXPECTED_DAY = {
    "calls": 5,
    "answer_rate": (4, 5),
    "one_minute_dispatch_rate": (1, 2),  # the knife on time; the fight still waiting, late
    "arrival_rate": (0, 2),  # the knife on scene at 4 min in a 3-minute zone; the fight never
    "diversion_rate": (1, 2),
    "valid_incidents": 3,
    "criminal": 2,
    "public_order": 1,
    "help_requests": 0,
    "disputes": 1,
    "diverted_count": 1,
    "invalid_count": 1,
    "on_time_sign_rate": (1, 1),
    "on_time_handle_rate": (0, 0),  # handled three days later, due after the day: not counted in it
    "satisfaction_rate": (0, 0),
    "basic_satisfaction_rate": (0, 0),
    "repeat_rate": (1, 5),
}


def test_a_past_day_by_hand_compared_with_the_day_before_and_last_year(api, day):
    body = kpis(api, period="day", date="2026-11-10")
    got = values(body)
    for key, expected in EXPECTED_DAY.items():
        assert got[key] == expected, key
    assert body["period"]["label"] == "2026-11-10" and body["previous"]["label"] == "2026-11-09"
    assert values(body, "previous_figures")["calls"] == 0
    assert body["last_year"]["label"] == "2025-11-10" and values(body, "last_year_figures")["calls"] == 1


def test_the_month_counts_the_order_handled_late_days_later(api, day):
    got = values(kpis(api, period="month", date="2026-11-20"))
    assert got["calls"] == 5 and got["on_time_handle_rate"] == (0, 1)


def summarised(api) -> int:
    with transaction(api.client.app.state.sessions) as session:
        return summary.refresh(session, limit=None)


def test_a_summary_gives_the_live_figures_and_stays_right_when_an_incident_changes(api, day):
    live = values(kpis(api, period="month", date="2026-11-10"))
    assert summarised(api) > 0
    with api.client.app.state.engine.connect() as connection:
        built = connection.execute(select(FigureDay.built, FigureDay.changes).where(FigureDay.day == DAY.date())).one()
    assert built.built == built.changes
    with api.client.app.state.readers() as session:  # November is read as one rolled-up month
        month = summary.plan(session, DAY.replace(day=1), datetime(2026, 12, 1, tzinfo=CHINA), datetime.now(CHINA))
    assert month.pieces == [("month", DAY.date().replace(day=1))] and month.live == []
    assert values(kpis(api, period="month", date="2026-11-10")) == live
    # The desk confirms the knife caller's second call as a police matter: the settled day's figures move.
    confirm(api, day["again"])
    changed = values(kpis(api, period="month", date="2026-11-10"))
    assert changed["valid_incidents"] == 4 and changed["one_minute_dispatch_rate"] == (1, 3)
    with api.client.app.state.engine.connect() as connection:
        marked = connection.execute(select(FigureDay.built, FigureDay.changes).where(FigureDay.day == DAY.date())).one()
    assert marked.changes > marked.built  # counted live until rebuilt
    with api.client.app.state.readers() as session:
        month = summary.plan(session, DAY.replace(day=1), datetime(2026, 12, 1, tzinfo=CHINA), datetime.now(CHINA))
    assert ("month", DAY.date().replace(day=1)) not in month.pieces and ("day", DAY.date()) not in month.pieces
    assert summarised(api) >= 1
    assert values(kpis(api, period="month", date="2026-11-10")) == changed


def test_units_districts_and_categories_slice_the_same_day(api, day):
    station = values(kpis(api, period="day", date="2026-11-10", org="PS1"))
    assert station["calls"] == 1 and station["valid_incidents"] == 1 and station["arrival_rate"] == (0, 1)
    assert values(kpis(api, period="day", date="2026-11-10", district="城关派出所")) == station
    market = values(kpis(api, period="day", date="2026-11-10", org="MARKET"))
    assert market["diverted_count"] == 1 and market["on_time_sign_rate"] == (1, 1) and market["calls"] == 1
    criminal = values(kpis(api, period="day", date="2026-11-10", category="criminal"))
    assert criminal["calls"] == 2 and criminal["repeat_rate"] == (1, 2)
    both = values(kpis(api, period="day", date="2026-11-10", category="fight,dispute_consumer"))
    assert both["calls"] == 2 and both["diversion_rate"] == (1, 1)
    units = kpis(api, period="day", date="2026-11-10", group_by="unit")["groups"]
    calls = {g["key"]: values(g)["calls"] for g in units}
    assert calls == {"C110": 3, "PS1": 1, "MARKET": 1}
    assert sum(calls.values()) == EXPECTED_DAY["calls"]


def test_group_by_day_gives_each_day_its_own_window(api, day):
    groups = kpis(api, period="week", date="2026-11-10", group_by="day")["groups"]
    assert [g["key"] for g in groups] == [f"2026-11-{d:02d}" for d in range(9, 16)]
    assert [values(g)["calls"] for g in groups] == [0, 5, 0, 0, 0, 0, 0]
    assert values(groups[1])["one_minute_dispatch_rate"] == (1, 2)


@pytest.mark.parametrize(
    "params",
    [
        {"period": "fortnight"},
        {"period": "day", "date": "10/11/2026"},
        {"period": "day", "since": "2026-11-01T00:00:00+08:00"},
        {"group_by": "weather"},
        {"category": "ufo"},
        {"district": "火星区"},
    ],
)
def test_a_query_that_names_no_real_period_or_unit_is_refused_with_a_reason(api, params):
    answer = api.get("supervisor", "/kpis", params=params)
    assert answer.status_code in (404, 422), answer.text
    assert answer.json()["detail"]
