"""The demo city: seeded once however often it is run, complete, and usable by every demo user."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from lifeline.auth.models import Organisation
from lifeline.demo import city
from lifeline.dispatch.models import Unit
from lifeline.dispatch.ranking import in_jurisdiction
from lifeline.knowledge import service as knowledge
from lifeline.settings import Settings
from lifeline.store.engine import make_engine, session_factory
from lifeline.web.app import create_app


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    first = city.seed(url)
    return url, first


def _rows(url, model):
    engine = make_engine(url)
    with session_factory(engine)() as session:
        rows = list(session.scalars(select(model)))
    engine.dispose()
    return rows


def test_seeding_twice_adds_nothing_the_second_time(seeded):
    url, first = seeded
    second = city.seed(url)
    assert first["added"] == {
        "orgs": first["orgs"],
        "users": first["users"],
        "units": first["units"],
        "roads": 1,
        "cards": len(city.RUN_CARDS),
        "articles": len(knowledge.load()),
        "posts": len(city.DISTRICTS),  # an alarm post in each district, with the gateways that speak for them
    }
    assert 25 <= first["added"]["articles"] <= 40  # the 12345 knowledge base's published articles
    assert second["added"] == {"orgs": 0, "users": 0, "units": 0, "roads": 0, "cards": 0, "articles": 0, "posts": 0}
    assert {k: second[k] for k in ("orgs", "users", "units")} == {k: first[k] for k in ("orgs", "users", "units")}
    assert 4 <= len(city.DISTRICTS) <= 6
    assert 40 <= first["units"] <= 60
    assert first["users"] == len(city.USERS) == 9  # one per role, the news app's editor, the mediator


def test_every_divert_destination_is_served(seeded):
    url, _ = seeded
    served = {o.serves for o in _rows(url, Organisation) if o.serves}
    missing = city.divert_destinations() - served
    assert not missing, f"no organisation serves {sorted(missing)}"
    assert {"119", "120", "power", "water", "gas", "heating", "governance_centre"} <= served


def test_each_district_has_a_station_whose_jurisdiction_names_it(seeded):
    url, _ = seeded
    stations = {o.code: o for o in _rows(url, Organisation) if o.kind == "police_station"}
    assert len(stations) == len(city.DISTRICTS)
    for district in city.DISTRICTS:
        station = stations[district.station_code]
        assert in_jurisdiction(f"示范市{district.name}{district.roads[0]}8号", station.jurisdiction)
        others = [d for d in city.DISTRICTS if d is not district]
        assert not any(in_jurisdiction(f"示范市{d.name}{d.roads[0]}8号", station.jurisdiction) for d in others)


def test_every_unit_is_inside_its_own_district(seeded):
    url, _ = seeded
    orgs = {o.id: o.code for o in _rows(url, Organisation)}
    units = _rows(url, Unit)
    by_station = {d.station_code: d for d in city.DISTRICTS}
    for unit in units:
        district = by_station[orgs[unit.org_id]]
        assert city.contains(district.polygon, unit.lon, unit.lat), f"{unit.code} is outside {district.name}"
        assert city.district_at(unit.lat, unit.lon) is district
    assert {by_station[orgs[u.org_id]].code for u in units} == {d.code for d in city.DISTRICTS}


def test_point_in_polygon():
    square = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))
    assert city.contains(square, 0.5, 0.5)
    assert not city.contains(square, 1.5, 0.5)
    assert not city.contains(square, 0.5, -0.1)


def test_districts_do_not_overlap_and_the_layers_are_geojson(tmp_path):
    path = city.write_layers(tmp_path / "layers.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == len(city.DISTRICTS)
    for feature in data["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and feature["properties"]["name"].endswith("区")
    # A grid of points over the city: each one in at most one district.
    for i in range(1, 60):
        for j in range(1, 60):
            lon, lat = 113.22 + 0.18 * i / 60, 23.06 + 0.12 * j / 60
            assert sum(city.contains(d.polygon, lon, lat) for d in city.DISTRICTS) == 1


def test_every_demo_user_can_log_in(seeded):
    url, _ = seeded
    with TestClient(create_app(Settings(database_url=url))) as client:
        for username, role, _org, _name in city.USERS:
            answer = client.post("/api/v1/session", json={"username": username, "password": city.PASSWORD})
            assert answer.status_code == 200, answer.text
            assert answer.json()["role"] == role
        client.app.state.engine.dispose()


def test_units_left_on_a_call_are_released(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    city.seed(url)
    engine = make_engine(url)
    with session_factory(engine)() as session, session.begin():
        unit = session.scalar(select(Unit).where(Unit.code == "XS01"))
        unit.status, unit.lat = "on_scene", 23.0
    engine.dispose()
    assert city.release_units(url) == 1
    (unit,) = [u for u in _rows(url, Unit) if u.code == "XS01"]
    assert unit.status == "available" and city.district_at(unit.lat, unit.lon).code == "XS"
    assert city.release_units(url) == 0
