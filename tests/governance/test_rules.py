"""The repeat-trouble rule alone: which dispute opens a case, and which later incidents belong to one."""

from datetime import UTC, datetime, timedelta

from lifeline.governance import rules
from lifeline.governance.rules import CaseView, Sighting, Threshold

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)
HERE = (39.9042, 116.4074)


def at(i: int, days: float = 0, category="dispute_neighbor", where=HERE, address="", parties=()) -> Sighting:
    lat, lon = where if where else (None, None)
    return Sighting(i, T0 + timedelta(days=days), category, lat, lon, address, frozenset(parties))


def test_the_fourth_dispute_at_one_place_opens_a_case_and_the_third_does_not():
    earlier = [at(1), at(2, 3)]
    assert rules.decide(at(3, 5), earlier) is None
    verdict = rules.decide(at(4, 6), [*earlier, at(3, 5)])
    assert verdict is not None and verdict.at_place and verdict.incidents == (1, 2, 3, 4)


def test_disputes_outside_the_window_or_further_than_the_radius_do_not_count():
    far = (HERE[0] + 0.001, HERE[1])  # ~111 m north
    assert rules.decide(at(4, 40), [at(1), at(2, 30), at(3, 35)]) is None  # the first is 40 days before
    assert rules.decide(at(4, 6), [at(1), at(2, 3), at(3, 5, where=far)]) is None


def test_a_theft_or_a_fight_is_no_dispute_to_mediate():
    assert rules.decide(at(4, 6, category="theft"), [at(1), at(2), at(3)]) is None
    assert rules.decide(at(4, 6), [at(1), at(2, category="theft"), at(3)]) is None


def test_the_same_two_parties_anywhere_make_a_case():
    a, b = "13800000001", "name:楼下302王某"
    spots = [(39.90, 116.40), (39.95, 116.45), (39.80, 116.30), (39.70, 116.20)]
    made = [at(i + 1, i, where=spots[i], parties=(a, b)) for i in range(4)]
    verdict = rules.decide(made[3], made[:3])
    assert verdict is not None and not verdict.at_place and verdict.parties == (a, b)


def test_without_points_the_typed_address_decides():
    made = [at(i, i, where=None, address=" 幸福路 8 号 ") for i in (1, 2, 3)]
    assert rules.decide(at(4, 4, where=None, address="幸福路8号"), made) is not None
    assert rules.decide(at(4, 4, where=None, address=""), made) is None


def test_the_threshold_is_configurable():
    assert rules.decide(at(2, 1), [at(1)], Threshold(incidents=2)) is not None


def test_party_keys_are_numbers_first_then_names():
    assert rules.party_key("+86 138-0000-0001", "王某") == "13800000001"
    assert rules.party_key(None, " 楼下 302 王某 ") == "name:楼下302王某"
    assert rules.party_key("", "") is None


def test_a_closed_case_takes_a_new_dispute_only_within_the_window():
    case = CaseView(1, *HERE, "", None, closed_at=T0)
    assert rules.matches(case, at(9, 10))
    assert not rules.matches(case, at(9, 31))
    assert not rules.matches(case, at(9, 10, category="theft"))
    assert rules.concerns(case, at(9, 10, category="theft"))  # the desk still sees it
