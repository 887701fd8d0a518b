"""The province's figures from its cities': counts add up, shares are summed numerators over summed denominators
(not an average of percentages), a city that did not answer makes the totals incomplete."""

from __future__ import annotations

from lifeline.province.rollup import roll_up, shown


def _kpis(calls: int, answered: int, offered: int) -> dict:
    return {"figures": [
        {"key": "calls", "zh": "来电", "en": "Calls", "unit": "count", "value": calls, "numerator": None,
         "denominator": None},
        {"key": "answer_rate", "zh": "接通率", "en": "Answer rate", "unit": "share", "value": answered / offered,
         "numerator": answered, "denominator": offered},
    ]}  # fmt: skip


def test_counts_add_and_shares_weigh_each_city_by_its_calls():
    found = roll_up({"nanchang": _kpis(1000, 990, 1000), "xinyu": _kpis(10, 5, 10)})
    assert found.province["calls"].value == 1010
    rate = found.province["answer_rate"]
    assert (rate.numerator, rate.denominator) == (995, 1010)
    assert abs(rate.value - 995 / 1010) < 1e-12  # not (0.99 + 0.5) / 2
    assert shown(rate) == "98.5%" and shown(found.province["calls"]) == "1,010"
    assert found.complete


def test_a_city_that_did_not_answer_is_named_and_counts_in_nothing():
    found = roll_up({"nanchang": _kpis(1000, 990, 1000), "jiujiang": None})
    assert found.unreachable == ["jiujiang"] and not found.complete
    assert found.province["calls"].value == 1000 and set(found.cities) == {"nanchang"}
