"""The nuisance criteria and a flag's exit rule, as pure functions: no database, `now` given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lifeline.callers.criteria import (
    Criteria,
    CriteriaError,
    FlagFacts,
    Window,
    flag_state,
    meets,
    parse,
    stopped_after,
)
from lifeline.vocabulary import NUISANCE_LANDS_IN, NUISANCE_STEPS, STEP_MEANS, FlagStatus, NuisanceState, NuisanceStep

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def days_ago(*days):
    return [NOW - timedelta(days=d) for d in days]


def test_five_in_thirty_days_or_twelve_in_ninety_meet_the_default_criteria():
    criteria = Criteria()
    assert [m.window.days for m in meets(days_ago(1, 2, 3, 4, 5), NOW, criteria)] == [30]
    assert meets(days_ago(1, 2, 3, 4), NOW, criteria) == []
    spread = days_ago(*range(5, 90, 7))  # 13 calls over three months, at most 4 in any 30 days
    assert [m.window.days for m in meets(spread, NOW, criteria)] == [90]
    assert meets(days_ago(*range(91, 120)), NOW, criteria) == []  # all older than the widest window


def test_a_centre_sets_its_own_criteria_and_a_bad_file_says_what_to_fix():
    criteria = parse("windows: [{days: 7, calls: 3}]\ncategories: [nuisance]\nexit_days: 60\n")
    assert criteria.windows == (Window(7, 3),) and criteria.categories == {"nuisance"} and criteria.exit_days == 60
    assert criteria.outcomes == {"false_report"} and criteria.review_days == 30  # left out: the defaults
    assert criteria.is_false("nuisance", None) and criteria.is_false("theft", "false_report")
    assert not criteria.is_false("private_request", "handled")
    for bad, says in [
        ("windows: [{days: 0, calls: 3}]", "windows"),
        ("categories: [no_such_thing]", "no_such_thing"),
        ("outcomes: [made_up]", "made_up"),
        ("exit: 3", "exit"),
        ("windows: [", "YAML"),
        ("categories: []\noutcomes: []", "at least one"),
    ]:
        with pytest.raises(CriteriaError, match=says):
            parse(bad, "criteria.yaml")


def test_a_flag_ends_by_its_exit_rule_and_a_false_call_moves_the_end():
    flag = FlagFacts(NOW - timedelta(days=100), exit_days=90)
    assert flag_state(flag, [], NOW).status == FlagStatus.EXPIRED
    assert flag_state(flag, [], NOW - timedelta(days=20)).status == FlagStatus.IN_FORCE
    again = flag_state(flag, days_ago(50), NOW)  # a false call 50 days ago: 40 more days to go
    assert again.status == FlagStatus.IN_FORCE and again.ends_on == NOW + timedelta(days=40)
    before = flag_state(flag, days_ago(150), NOW)  # false calls before the flag do not count
    assert before.status == FlagStatus.EXPIRED and before.last_false is None
    lifted = FlagFacts(NOW - timedelta(days=10), exit_days=90, lifted_at=NOW - timedelta(days=1))
    assert flag_state(lifted, [], NOW).status == FlagStatus.LIFTED


def test_who_stopped_after_each_step_counts_each_number_once_from_its_latest_step():
    steps = [("a", "warning", NOW - timedelta(days=30)), ("a", "warning", NOW - timedelta(days=10)),
             ("b", "warning", NOW - timedelta(days=30)), ("b", "flag", NOW - timedelta(days=5))]  # fmt: skip
    calls = {"a": days_ago(20), "b": days_ago(20)}
    figures = stopped_after(steps, calls)
    assert (figures["warning"].callers, figures["warning"].stopped) == (2, 1)  # a stopped after its second warning
    assert (figures["flag"].callers, figures["flag"].stopped) == (1, 1)


def test_the_case_table_starts_with_a_review_and_a_closed_case_takes_nothing():
    assert NUISANCE_STEPS[NuisanceState.OPEN] == {NuisanceStep.REVIEW, NuisanceStep.CLOSE}
    assert NUISANCE_STEPS[NuisanceState.CLOSED] == frozenset()
    for state, steps in NUISANCE_STEPS.items():
        for step in steps:
            assert step in NUISANCE_LANDS_IN, (state, step)
    assert set(STEP_MEANS) == {NuisanceStep.WARNING, NuisanceStep.REFERRAL}
