"""Which unit to send (pure)."""

from __future__ import annotations

from lifeline.dispatch.ranking import Candidate, Ranked, in_jurisdiction, rank

INCIDENT = (23.1291, 113.2644)


def test_the_covering_station_first_then_the_nearest():
    units = [
        Candidate(1, org_id=10, status="available", lat=23.1300, lon=113.2650),  # near, other station
        Candidate(2, org_id=20, status="available", lat=23.1500, lon=113.3000),  # far, covering station
        Candidate(3, org_id=20, status="available", lat=23.1350, lon=113.2700),  # nearer, covering station
        Candidate(4, org_id=20, status="on_scene", lat=23.1291, lon=113.2644),  # busy: never offered
        Candidate(5, org_id=10, status="available", lat=None, lon=None),  # position unknown: last of its group
    ]
    order = [r.unit_id for r in rank(units, *INCIDENT, covering={20})]
    assert order == [3, 2, 1, 5]


def test_without_an_incident_position_the_jurisdiction_still_decides():
    units = [Candidate(1, 10, "available", 23.0, 113.0), Candidate(2, 20, "available", 23.5, 113.5)]
    assert [r.unit_id for r in rank(units, None, None, covering={20})] == [2, 1]


def test_jurisdiction_matches_the_places_a_station_names():
    assert in_jurisdiction("广州市天河区石牌街道华师小区3栋", "天河区 石牌街道")
    assert in_jurisdiction("石牌街道华师小区", "天河区，石牌街道")
    assert not in_jurisdiction("越秀区北京路", "天河区 石牌街道")
    assert not in_jurisdiction("任何地址", "")


def test_by_road_the_soonest_first_and_the_covering_station_among_similar_times():
    units = [
        Candidate(1, org_id=10, status="available", lat=23.13, lon=113.26),
        Candidate(2, org_id=20, status="available", lat=23.14, lon=113.27),  # covering, 40 s slower: first
        Candidate(3, org_id=20, status="available", lat=23.15, lon=113.28),  # covering, 200 s slower
        Candidate(4, org_id=10, status="available", lat=23.1291, lon=113.2644),  # beyond the search: after
    ]
    times = {1: (200.0, 1500.0), 2: (240.0, 1800.0), 3: (400.0, 3000.0)}
    ranked = rank(units, *INCIDENT, covering={20}, times=times)
    assert [r.unit_id for r in ranked] == [2, 1, 3, 4]
    assert ranked[0].eta_s == 240.0 and ranked[0].road_metres == 1800.0
    assert any("40 s slower" in en for _, en in ranked[0].why)
    assert ranked[3].eta_s is None and any("no road time" in en for _, en in ranked[3].why)


def test_the_most_specific_card_in_force_is_chosen_and_filled_best_first():
    from lifeline.dispatch.ranking import Card, card_for, fill

    default = Card("default", 1, "", "", 0, 24, {"patrol_car": 1})
    night_knives = Card("night", 3, "PS_YJ", "violent_crime", 20, 6, {"patrol_car": 2, "motorbike": 1})
    knives = Card("knives", 1, "", "violent_crime", 0, 24, {"patrol_car": 2})
    cards = [default, night_knives, knives]
    assert card_for(cards, {"PS_YJ"}, "violent_crime", 23) is night_knives
    assert card_for(cards, {"PS_YJ"}, "violent_crime", 3) is night_knives  # the hours wrap midnight
    assert card_for(cards, {"PS_YJ"}, "violent_crime", 12) is knives
    assert card_for(cards, {"PS_XS"}, "violent_crime", 23) is knives
    assert card_for(cards, {"PS_YJ"}, "theft", 23) is default
    assert card_for([], {"PS_YJ"}, "theft", 23) is None

    ranked = [Ranked(u, False, None) for u in (5, 6, 7, 8)]
    kinds = {5: "patrol_car", 6: "foot", 7: "patrol_car", 8: "patrol_car"}
    assert fill(night_knives, ranked, kinds) == ([5, 7], {"motorbike": 1})
