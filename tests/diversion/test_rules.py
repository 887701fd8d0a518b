"""Routing, deadlines and the work-order state machine (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lifeline.diversion import routing, states

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_routing_prefers_rules_then_what_an_organisation_serves_then_the_centre():
    table = routing.parse(
        "rules:\n  - {category: noise, district: 天河区, org: TH_URBAN}\n  - {category: noise, org: CITY_URBAN}\n"
    )
    serving = {"market_regulation": "MARKET"}
    assert routing.choose("noise", "天河区石牌街", table, serving, "C12345") == "TH_URBAN"
    assert routing.choose("noise", "越秀区", table, serving, "C12345") == "CITY_URBAN"
    assert routing.choose("dispute_consumer", "", table, serving, "C12345") == "MARKET"
    assert routing.choose("lost_property", "", table, serving, "C12345") == "C12345"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("rules:\n  - {category: dragons, org: X}\n", "rules[1].category"),
        ("rules:\n  - {org: X}\n", "rules[1]"),
        ("deadlines:\n  noise: {sign_minutes: soon}\n", "deadlines.noise"),
        ("rules: [\n", "yaml"),
    ],
)
def test_a_bad_routing_file_names_the_place(text, where):
    with pytest.raises(routing.RoutingError) as caught:
        routing.parse(text, "routing.yaml")
    assert caught.value.where == where and "routing.yaml" in str(caught.value)


def test_deadlines_come_from_the_table_then_the_built_in_ones_then_the_kind():
    table = routing.parse("deadlines:\n  noise: {sign_minutes: 10, handle_hours: 4}\n")
    assert table.deadline("noise") == routing.Deadline(10, 4)
    assert table.deadline("car_moving") == routing.Deadline(5, 1, kind="help")
    assert table.deadline("consultation") == routing.DEFAULT_LIMITS["enquiry"]


def test_the_loop_and_its_exits():
    assert states.may_become("sent", "received")  # the peer's platform takes the order in
    path = ["signed", "in_progress", "handled", "visited", "closed", "archived"]
    state = "received"
    for target in path:
        assert states.check(state, target) is None, (state, target)
        state = target
    assert states.check("handled", "returned") is not None
    assert states.may_become("handled", "in_progress")  # redo after an unsatisfied visit
    # A returned order is never left without a move: re-routed, taken back or referred to a supervisor.
    assert states.allowed_next("returned") == ["rerouted", "taken_back", "referred"]
    for exit_step in ("rerouted", "taken_back", "referred"):
        assert states.check("returned", exit_step) is None, exit_step
    assert states.may_become("returned", "received")  # re-routed on the peer's copy: received by its new lead
    assert [states.satisfied(s) for s in (1, 2, 3, 4, 5)] == [False, False, True, True, True]


def test_overdue_names_the_deadline_missed():
    sign_by, handle_by = NOW + timedelta(minutes=30), NOW + timedelta(hours=24)
    assert states.overdue("received", sign_by, handle_by, NOW + timedelta(minutes=10)) is None
    assert states.overdue("received", sign_by, handle_by, NOW + timedelta(minutes=31)) == "sign"
    assert states.overdue("signed", sign_by, handle_by, NOW + timedelta(hours=25)) == "handle"
    assert states.overdue("handled", sign_by, handle_by, NOW + timedelta(days=9)) is None
