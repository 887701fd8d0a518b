"""The risk grade, the review interval, the alert's reach and the 24-hour rate: pure decisions, tested alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lifeline.analytics.kpis import missing_found_within_a_day
from lifeline.missing import grading
from lifeline.vocabulary import RiskGrade

T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("words", "age"),
    [("孩子五岁", 5), ("老人八十三岁了", 83), ("七十多岁的老太", 70), ("１２岁", 12), ("十岁", 10), ("没说年龄", None)],
)
def test_the_age_a_caller_says_is_read_in_digits_or_chinese_numerals(words, age):
    assert grading.age_in(words) == age


@pytest.mark.parametrize(
    ("words", "age", "medical", "grade"),
    [
        ("孩子在商场走丢了", None, "", RiskGrade.HIGH),
        ("女儿十五岁，放学没回家", None, "", RiskGrade.MEDIUM),
        ("丈夫没回家，电话打不通", 40, "", RiskGrade.LOW),
        ("他说不想活了，留了遗书", 35, "", RiskGrade.HIGH),
        ("母亲有老年痴呆，早上出门没回来", None, "", RiskGrade.HIGH),
        ("父亲出门散步没回来", 45, "每天要打胰岛素", RiskGrade.HIGH),
        ("老人出门没回来，外面下着暴雨", 72, "", RiskGrade.HIGH),
        ("在拐角的超市门口走散", 30, "", RiskGrade.LOW),
    ],
)
def test_the_grade_follows_the_person_and_the_words_with_a_reason_for_each_rise(words, age, medical, grade):
    found = grading.suggest(words, age, medical)
    assert found.grade == grade
    assert found.reasons and all(zh and en for zh, en in found.reasons)


def test_reviews_come_every_two_hours_for_high_risk_and_the_alert_widens_with_the_hours():
    assert grading.next_review(RiskGrade.HIGH, T0) == T0 + timedelta(hours=2)
    assert grading.next_review(RiskGrade.LOW, T0) == T0 + timedelta(hours=24)
    reach = [grading.alert_km(RiskGrade.LOW, T0, T0 + timedelta(hours=h)) for h in (0, 23, 24, 72, 200)]
    assert reach == [100, 100, 200, 300, 500]
    assert grading.alert_km(RiskGrade.HIGH, T0, T0 + timedelta(hours=6)) == 200  # four times faster
    assert grading.report_due(3, T0) == T0 + timedelta(days=3)
    with pytest.raises(ValueError):
        grading.report_due(4, T0)


def test_the_24_hour_rate_counts_finds_within_a_day_and_leaves_out_what_is_not_due():
    now = T0 + timedelta(days=2)
    cases = [
        (T0, T0 + timedelta(hours=3), "found"),  # found within the day
        (T0, T0 + timedelta(hours=30), "found"),  # found, but late
        (T0, None, None),  # still missing after two days: late
        (now - timedelta(hours=2), None, None),  # reported two hours ago: not yet counted
        (T0, None, "withdrawn"),  # nobody was missing
        (T0, None, "deceased"),  # found dead: counted, not found
    ]
    assert missing_found_within_a_day(cases, now) == (1, 4)
