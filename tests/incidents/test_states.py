"""The incident state machine, as a pure function."""

from __future__ import annotations

import pytest

from lifeline.incidents import states


@pytest.mark.parametrize(
    ("disposition", "path"),
    [
        ("police", ["confirmed", "dispatched", "en_route", "on_scene", "resolved", "closed"]),
        ("police", ["confirmed", "dispatched", "on_scene", "resolved", "closed"]),
        ("divert", ["confirmed", "transferred", "resolved", "closed"]),
        ("joint", ["confirmed", "dispatched", "on_scene", "resolved", "closed"]),
        ("joint", ["confirmed", "transferred", "resolved", "closed"]),
        ("invalid", ["confirmed", "closed"]),
    ],
)
def test_each_disposition_has_its_path(disposition, path):
    state = "triaged"
    for target in path:
        assert states.check(state, disposition, target) is None, (state, target)
        state = target


@pytest.mark.parametrize(
    ("state", "disposition", "target"),
    [
        ("triaged", "police", "dispatched"),  # not confirmed by a person yet
        ("confirmed", "divert", "dispatched"),  # a diverted matter is not dispatched
        ("confirmed", "police", "transferred"),  # a police matter is not diverted at this step
        ("confirmed", "police", "closed"),
        ("on_scene", "police", "cancelled"),  # police on scene: resolve, do not cancel
        ("closed", "police", "dispatched"),
        ("cancelled", "police", "reopened"),
        ("merged", "police", "confirmed"),
    ],
)
def test_illegal_moves_name_the_legal_ones(state, disposition, target):
    message = states.check(state, disposition, target)
    assert message is not None
    for option in states.allowed_next(state, disposition):
        assert option in message


def test_reopen_lands_in_confirmed_and_open_states_exclude_terminal_ones():
    assert states.LANDS_IN["reopened"] == "confirmed"
    assert not {"closed", "cancelled", "merged", "resolved"} & states.OPEN_STATES
    assert set(states.TIMESTAMP) <= set(states.STATES)
