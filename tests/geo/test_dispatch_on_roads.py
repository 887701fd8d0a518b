"""Through the API on a road network: a typed address is placed, units come ranked by travel time, a pin
corrects a place, and a real OpenStreetMap extract loaded by `lifeline roads import` is routed on."""

from __future__ import annotations

from pathlib import Path

from tests.web.test_consoles import login
from typer.testing import CliRunner

from lifeline.auth.service import SYSTEM
from lifeline.cli import app
from lifeline.demo import roads
from lifeline.geo import osm
from lifeline.geo import service as geo
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.triage.duplicates import metres

FIXTURE = Path(__file__).parent / "fixtures" / "test.osm.pbf"
runner = CliRunner()


def _load(url, network) -> None:
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        geo.store(session, SYSTEM, network)
    engine.dispose()


def _unit(api, code, org, lat, lon, kind="patrol_car"):
    body = {"code": code, "name": f"巡逻车{code}", "org": org, "lat": lat, "lon": lon, "kind": kind}
    made = api.post("admin", "/units", body)
    assert made.status_code == 201, made.text
    return made.json()


def test_a_typed_address_is_placed_and_units_come_by_travel_time(api, database):
    url, _ = database
    _load(url, roads.demo_network())
    truth = roads.address_point("解放路", 88)
    for n, (dlat, dlon) in enumerate(((0.004, 0.0), (0.0, 0.012), (-0.02, 0.03), (0.001, 0.001))):
        _unit(
            api,
            f"U{n}",
            "PS1" if n % 2 else "PS2",
            truth[0] + dlat,
            truth[1] + dlon,
            "foot" if n == 3 else "patrol_car",
        )
    got = api.report("解放路88号门口有人拿刀打架", location_text="解放路八十八号")["incident"]
    assert got["location_source"] == "address" and got["location_place"].endswith("解放路88号")
    assert metres(got["lat"], got["lon"], *truth) <= 100 and not got["location_needs_confirming"]
    api.post("call_taker", f"/incidents/{got['id']}/confirm", {})

    offered = api.get("dispatcher", f"/incidents/{got['id']}/units").json()["items"]
    etas = [o["eta_s"] for o in offered]
    timed = [e for e in etas if e is not None]  # a unit beyond the search's bound comes after, untimed
    assert len(etas) == 4 and len(timed) >= 3 and etas[: len(timed)] == sorted(timed), offered
    assert all(o["road_metres"] >= 0.9 * o["metres"] for o in offered if o["eta_s"] is not None)
    assert offered[0]["why"] and "min" in offered[0]["why"][0]
    walking = next(o for o in offered if o["unit"]["kind"] == "foot")
    assert walking["eta_s"] > walking["road_metres"] / 2  # a foot patrol walks


def test_a_device_location_wins_and_an_unsure_address_asks_for_a_pin(api, database):
    url, _ = database
    _load(url, roads.demo_network())
    device = api.report("有人晕倒了", channel="app", location_text="解放路88号", lat=23.1, lon=113.3)["incident"]
    assert (device["lat"], device["lon"], device["location_source"]) == (23.1, 113.3, "device")
    unsure = api.report("有人晕倒在路边", location_text="滨江大道")["incident"]
    assert unsure["location_needs_confirming"] and unsure["location_source"] == "address"
    unknown = api.report("有人晕倒在路边", location_text="火星基地")["incident"]
    assert unknown["lat"] is None and unknown["location_needs_confirming"]

    refused = api.post("agency_handler", f"/incidents/{unknown['id']}/location", {"lat": 23.1, "lon": 113.3})
    assert refused.status_code in (403, 404)
    bad = api.post("call_taker", f"/incidents/{unknown['id']}/location", {"lat": 123, "lon": 113.3})
    assert bad.status_code == 422
    pinned = api.post("call_taker", f"/incidents/{unknown['id']}/location", {"lat": 23.11, "lon": 113.31})
    assert pinned.status_code == 200, pinned.text
    assert pinned.json()["location_source"] == "pin" and not pinned.json()["location_needs_confirming"]
    kinds = [e["kind"] for e in api.get("supervisor", f"/incidents/{unknown['id']}/events").json()["items"]]
    assert "incident.located" in kinds


def test_a_real_extract_is_imported_and_routed_on(api, database):
    url, _ = database
    result = runner.invoke(app, ["roads", "import", str(FIXTURE), "--db", url], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "节点 nodes" in result.output
    shown = runner.invoke(app, ["roads", "show", "--db", url], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "test.osm.pbf" in shown.output
    network = osm.read(FIXTURE)
    address = next(p for p in network.places if p.kind == "address")
    far, near = network.nodes // 2, 0
    _unit(api, "K1", "PS1", float(network.lat[far]), float(network.lon[far]))
    _unit(api, "K2", "PS2", float(network.lat[near]), float(network.lon[near]))
    got = api.report("有人打架", location_text=f"{address.road}{address.number}号")["incident"]
    assert metres(got["lat"], got["lon"], address.lat, address.lon) < 1
    api.post("call_taker", f"/incidents/{got['id']}/confirm", {})
    offered = api.get("dispatcher", f"/incidents/{got['id']}/units").json()["items"]
    assert [o["eta_s"] is not None for o in offered] == [True, True]
    assert offered[0]["eta_s"] <= offered[1]["eta_s"]


def test_a_file_that_is_not_an_extract_is_refused_with_a_message(tmp_path):
    junk = tmp_path / "junk.osm.pbf"
    junk.write_bytes(b"not a pbf at all")
    result = runner.invoke(app, ["roads", "import", str(junk), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code != 0 and "无法读取路网" in result.output
    missing = runner.invoke(app, ["roads", "import", str(tmp_path / "nope.pbf")])
    assert missing.exit_code != 0 and "找不到文件" in missing.output


def test_positions_move_units_and_coverage_follows_with_zones_and_a_move_up(api, database):
    url, _ = database
    _load(url, roads.demo_network())
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:  # PS1 covers 越江区 (3 minutes), PS2 南湾区 (5)
        from sqlalchemy import update

        from lifeline.auth.models import Organisation

        session.execute(
            update(Organisation).where(Organisation.code == "PS1").values(jurisdiction="越江区", arrive_minutes=3)
        )
        session.execute(update(Organisation).where(Organisation.code == "PS2").values(jurisdiction="南湾区"))
    engine.dispose()
    centre = roads.place_point("越江区")  # the zone's middle
    far = roads.place_point("南湾海滨公园")
    a = _unit(api, "Y1", "PS1", *far)
    b = _unit(api, "N1", "PS2", *far)
    before = api.get("dispatcher", "/coverage").json()
    yue = next(z for z in before["zones"] if z["code"] == "PS1")
    assert not yue["reaches_centre"] and yue["move_up"] and yue["covered"] < 0.2
    assert before["gaps"]["features"]

    moved = api.post(
        "dispatcher",
        "/units/positions",
        {
            "positions": [
                {"unit": a["id"], "lat": far[0], "lon": far[1]},
                {"unit": a["id"], "lat": centre[0], "lon": centre[1]},
            ]
        },
    )
    assert moved.status_code == 200 and moved.json() == {"moved": 1}
    assert api.get("dispatcher", "/units").json()["items"][0]["lat"] == centre[0]
    after = api.get("dispatcher", "/coverage").json()
    now = next(z for z in after["zones"] if z["code"] == "PS1")
    assert now["reaches_centre"] and now["move_up"] is None and now["covered"] > yue["covered"]
    assert after["covered"]["3"] > before["covered"]["3"]
    assert len(after["gaps"]["features"]) < len(before["gaps"]["features"])

    assert api.post(
        "field_officer", "/units/positions", {"positions": [{"unit": b["id"], "lat": 23.1, "lon": 113.3}]}
    ).status_code in (403, 404)
    assert api.post("dispatcher", "/units/positions", {"positions": []}).status_code == 422
    assert api.get("agency_handler", "/coverage").status_code == 403


def test_a_premise_note_and_the_address_history_reach_dispatcher_and_crew(api, database):
    url, _ = database
    _load(url, roads.demo_network())
    placed = api.post("dispatcher", "/premises", {"hazard": "dangerous_dog", "note": "院内有两条未拴的大型犬",
                                                  "place": "解放路88号"})  # fmt: skip
    assert placed.status_code == 201, placed.text
    note = placed.json()
    assert note["place"].endswith("解放路88号")
    assert (
        api.post("call_taker", "/premises", {"hazard": "firearm", "note": "x", "place": "解放路88号"}).status_code
        == 403
    )
    unsure = api.post("dispatcher", "/premises", {"hazard": "firearm", "note": "x", "place": "滨江大道"})
    assert unsure.status_code == 422 and "lat" in unsure.text
    bad = api.post("dispatcher", "/premises", {"hazard": "dragon", "note": "x", "lat": 23.1, "lon": 113.3})
    assert bad.status_code == 422

    first = api.report("解放路88号有人吵架", location_text="解放路88号")["incident"]["id"]
    second = api.report("解放路88号又吵起来了，摔东西", location_text="解放路八十八号")["incident"]["id"]
    elsewhere = api.report("西山路5号有人吵架", location_text="西山路5号")["incident"]["id"]
    known = api.get("dispatcher", f"/incidents/{second}/address").json()
    assert [n["hazard"] for n in known["notes"]] == ["dangerous_dog"]
    assert [i["id"] for i in known["earlier"]] == [first]
    assert api.get("dispatcher", f"/incidents/{elsewhere}/address").json() == {"notes": [], "earlier": []}
    assert api.get("agency_handler", f"/incidents/{second}/address").status_code == 403

    assert api.post("dispatcher", f"/premises/{note['id']}/retire").status_code == 200
    assert api.get("dispatcher", f"/incidents/{second}/address").json()["notes"] == []


def test_the_incident_page_says_what_the_address_matched_and_when_it_is_unsure(api, database):
    url, _ = database
    _load(url, roads.demo_network())
    sure = api.report("有人晕倒了", location_text="解放路88号")["incident"]["id"]
    unsure = api.report("有人晕倒了", location_text="滨江大道")["incident"]["id"]
    client, _, _ = login(api, "dispatcher")
    page = client.get(f"/console/incidents/{sure}/view").text
    assert "解放路88号" in page and 'id="location-match"' in page and 'id="location-unsure"' not in page
    assert 'id="location-unsure"' in client.get(f"/console/incidents/{unsure}/view").text
