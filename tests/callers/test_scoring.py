"""Repeat and nuisance callers (pure)."""

from __future__ import annotations

from lifeline.callers.scoring import CallerStats, assess, normalise_number


def test_a_caller_who_harasses_is_flagged_but_told_to_be_triaged():
    verdict = assess(CallerStats(calls_24h=12, calls_30d=220, confirmed_30d={"nuisance": 9, "misdial": 3}))
    assert verdict.repeat and verdict.flagged and verdict.nuisance_score >= 0.9
    assert any("不得直接挂断" in r for r in verdict.reasons)


def test_a_caller_with_real_emergencies_is_not_flagged():
    verdict = assess(CallerStats(calls_24h=3, calls_30d=5, confirmed_30d={"fire": 2, "medical_emergency": 3}))
    assert verdict.repeat and not verdict.flagged and verdict.nuisance_score == 0


def test_misdials_weigh_little():
    assert not assess(CallerStats(1, 20, {"misdial": 20})).flagged


def test_numbers_are_normalised():
    assert normalise_number("+86 139-1234-5678") == "13912345678"
    assert normalise_number("0086 13912345678") == "13912345678"
    assert normalise_number("110") == "110"
    assert normalise_number("无") is None and normalise_number(None) is None
