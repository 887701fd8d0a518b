"""Travel times on the road network: one search from the incident times every unit exactly as one search per
unit would, one-way streets are one way, the bound widens when too few units are inside it, coverage counts."""

from __future__ import annotations

import random
from itertools import pairwise

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from lifeline.demo.city import units
from lifeline.demo.roads import demo_network
from lifeline.geo import routing
from lifeline.geo.network import OFF_ROAD_MPS, Network, build


@pytest.fixture(scope="module")
def city() -> Network:
    return demo_network()


def test_the_demo_city_has_a_network_of_its_size_with_its_named_roads(city):
    assert city.nodes >= 20_000
    named = {road.name for road in city.roads}
    from lifeline.demo.city import DISTRICTS

    assert named == {name for d in DISTRICTS for name in d.roads}
    assert {p.name for p in city.places if p.kind == "estate"} == {e for d in DISTRICTS for e in d.estates}


def test_one_search_from_the_incident_times_each_unit_as_its_own_search_would(city):
    rng = random.Random(3)
    lat = np.array([u[3] for u in units()])
    lon = np.array([u[4] for u in units()])
    nodes, offsets = city.nearest(lat, lon)
    for _ in range(5):
        here = rng.uniform(23.07, 23.17), rng.uniform(113.23, 113.39)
        (target,), (target_off,) = city.nearest([here[0]], [here[1]])
        timed = routing.time_units(city, *here, lat, lon, bound_s=np.inf)
        for t in timed:
            own = dijkstra(city.graph, directed=True, indices=int(nodes[t.index]))[target]
            expected = own + (offsets[t.index] + target_off) / OFF_ROAD_MPS
            assert t.seconds == pytest.approx(expected, rel=1e-5)
            assert t.road_metres >= t.straight_metres - offsets[t.index] - target_off - 1


def test_units_beyond_the_bound_are_not_timed_unless_too_few_are_inside(city):
    lat = np.array([u[3] for u in units()])
    lon = np.array([u[4] for u in units()])
    short = routing.time_units(city, 23.12, 113.30, lat, lon, bound_s=600)
    assert any(t.seconds is None for t in short)
    assert sum(t.seconds is not None for t in short) >= routing.ENOUGH_UNITS
    tiny = routing.time_units(city, 23.12, 113.30, lat, lon, bound_s=1)  # nobody within a second: search on
    assert all(t.seconds is not None for t in tiny)


def _line() -> Network:
    """Four nodes east to west 100 m apart; 0→1 is one way, the rest two-way, and a detour 0-4-1."""
    lat = np.array([30.0, 30.0, 30.0, 30.0, 30.001])
    lon = np.array([120.0, 120.00104, 120.00208, 120.00312, 120.00052])
    src = np.array([0, 1, 2, 2, 3, 0, 4, 4, 1])
    dst = np.array([1, 2, 1, 3, 2, 4, 0, 1, 4])
    return build("line", lat, lon, src, dst, np.full(len(src), 36.0))


def test_a_one_way_street_is_not_driven_against_its_direction():
    line = _line()
    forward = routing.time_units(line, 30.0, 120.00104, [30.0], [120.0])[0]  # from node 0 to node 1: direct
    back = routing.time_units(line, 30.0, 120.0, [30.0], [120.00104])[0]  # from 1 to 0: round by node 4
    assert forward.road_metres == pytest.approx(100, abs=2)
    assert back.road_metres > 150 and back.seconds > forward.seconds


def test_a_foot_patrol_walks(city):
    car, foot = routing.time_units(city, 23.12, 113.30, [23.125, 23.125], [113.305, 113.305], ["patrol_car", "foot"])
    assert foot.road_metres == pytest.approx(car.road_metres)
    assert foot.seconds == pytest.approx(car.road_metres / routing.WALK_MPS)
    assert foot.seconds > 3 * car.seconds


def test_coverage_grows_with_minutes_and_falls_when_a_unit_leaves(city):
    lat = [u[3] for u in units()]
    lon = [u[4] for u in units()]
    shares, best = routing.coverage(city, lat, lon)
    assert 0 < shares[1] < shares[3] < shares[5] <= 1
    fewer, _ = routing.coverage(city, lat[::2], lon[::2])
    assert fewer[3] < shares[3]
    assert routing.coverage(city, [], [])[0] == {1: 0.0, 3: 0.0, 5: 0.0}
    assert np.isfinite(best).sum() > 0


def test_a_network_survives_being_stored(city):
    again = Network.from_bytes(city.to_bytes())
    assert again.nodes == city.nodes and again.edges == city.edges
    assert again.roads == city.roads and again.places == city.places and again.meta == city.meta
    assert np.array_equal(again.seconds, city.seconds)


def test_the_demo_crew_arrives_when_the_eta_said(city):
    """The simulator drives the route the recommendation timed: its arrival is the ETA the dispatcher saw."""
    from lifeline.demo.roads import drive

    rng = random.Random(5)
    for _ in range(5):
        start = rng.uniform(23.07, 23.17), rng.uniform(113.23, 113.39)
        end = rng.uniform(23.07, 23.17), rng.uniform(113.23, 113.39)
        fixes = drive(start, end)
        (eta,) = routing.time_units(city, *end, [start[0]], [start[1]], bound_s=np.inf)
        assert fixes[-1][0] == pytest.approx(eta.seconds, rel=1e-4)
        assert all(b[0] > a[0] for a, b in pairwise(fixes))
